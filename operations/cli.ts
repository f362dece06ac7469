// The operations commands of the CLI (versions, prune, grants, revoke): arguments in, one library
// call, a text or JSON report out, and an exit code. Loaded by bin/ only for these commands.
import * as fs from "fs";
import { parseArgs } from "util";
import { outputsFromStateFile, outputsFromTerraform } from "../modules/rollout-report";
import { ARN_PARTITION_PATTERN, parseRegions } from "../modules/regions";
import { AwsOptions, OperationResult } from "./aws";
import { DeploymentSource, declaredFromDeployment, manifestRegions, pinnedFromDeployment, readRolloutManifest } from "./deployment";
import { formatGrants, formatPrune, formatRevoke, formatVersions } from "./format";
import { layerGrants, RegionGrants } from "./grants";
import { parsePrincipal } from "./policy";
import { pruneLayerVersions, RegionPrune } from "./prune";
import { RegionRevoke, revokeLayerGrant } from "./revoke";
import { layerVersions, RegionVersions } from "./versions";

type Out = (s: string) => void;

class UsageError extends Error {}

/** Runs one operations command; resolves to the exit code. */
export async function runOperation(argv: readonly string[], out: Out, err: Out, usage: string): Promise<number> {
  try {
    return await run(argv, out, err);
  } catch (e) {
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`error: ${(e as Error).message}\n\n${usage}`);
      return 2;
    }
    throw e;
  }
}

async function run(argv: readonly string[], out: Out, err: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      regions: { type: "string", multiple: true },
      rollout: { type: "string" },
      stack: { type: "string", multiple: true },
      outdir: { type: "string" },
      terraform: { type: "boolean" },
      role: { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      keep: { type: "string" },
      yes: { type: "boolean" },
      pinned: { type: "string", multiple: true },
      principal: { type: "string" },
      versions: { type: "string", multiple: true },
    },
  });
  const [command, layerName, ...rest] = positionals;
  if (layerName === undefined) throw new UsageError(`${command} needs a layer name`);
  if (!/^[A-Za-z0-9_-]{1,140}$/.test(layerName))
    throw new UsageError(`${JSON.stringify(layerName)} is not a layer name (1-140 of A-Z a-z 0-9 - _)`);
  if (rest.length > 0) throw new UsageError(`unexpected arguments: ${rest.join(" ")}`);
  const only = (allowed: string[]) => {
    for (const flag of ["keep", "yes", "pinned", "principal", "versions"] as const)
      if (values[flag] !== undefined && !allowed.includes(flag)) throw new UsageError(`--${flag} does not apply to ${command}`);
  };

  const source: DeploymentSource = {
    outdir: values.outdir ?? "cdktf.out",
    rollout: values.rollout,
    stacks: values.stack,
    readOutputs: values.terraform ? outputsFromTerraform : outputsFromStateFile,
  };
  const hasSource = values.rollout !== undefined || (values.stack?.length ?? 0) > 0;
  // A missing manifest or stack folder is the caller's to fix, before any request is sent.
  const fromDeployment = <T>(read: () => T): T => {
    try {
      return read();
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
  };
  const regions = fromDeployment(() => resolveRegions(values.regions, source));
  const concurrency = values.concurrency === undefined ? undefined : wholeNumber("--concurrency", values.concurrency);
  if (
    values.role !== undefined &&
    !new RegExp(`^arn:${ARN_PARTITION_PATTERN}:iam::\\d{12}:role/\\S+$`).test(values.role.split("{region}").join("r"))
  )
    throw new UsageError(`--role ${JSON.stringify(values.role)} is not an IAM role ARN`);
  const aws: AwsOptions = { roleArn: values.role, concurrency, onProgress: values.json ? undefined : (line) => err(`${line}\n`) };
  const print = <T>(result: OperationResult<T>, format: (r: OperationResult<T>) => string) =>
    out(values.json ? `${JSON.stringify(result, null, 2)}\n` : format(result));

  switch (command) {
    case "versions": {
      only([]);
      const result = await layerVersions(layerName, regions, aws);
      print(result, formatVersions);
      return versionsExitCode(result);
    }
    case "prune": {
      only(["keep", "yes", "pinned"]);
      if (values.keep === undefined) throw new UsageError("prune needs --keep N (the newest N versions always stay)");
      const keep = wholeNumber("--keep", values.keep);
      const pinned = hasSource ? fromDeployment(() => pinnedFromDeployment(layerName, source)) : new Map<string, Set<number>>();
      for (const arn of values.pinned ?? []) {
        const m = new RegExp(`^arn:[a-z-]+:lambda:([a-z0-9-]+):\\d{12}:layer:${layerName}:(\\d+)$`).exec(arn);
        if (!m) throw new UsageError(`--pinned ${JSON.stringify(arn)} is not a versioned ARN of layer ${layerName}`);
        pinned.set(m[1], new Set([...(pinned.get(m[1]) ?? []), Number(m[2])]));
      }
      const result = await pruneLayerVersions(layerName, regions, { ...aws, keep, yes: values.yes, pinned });
      print(result, formatPrune);
      return pruneExitCode(result);
    }
    case "grants": {
      only([]);
      const declared = hasSource ? fromDeployment(() => declaredFromDeployment(layerName, source)) : undefined;
      const result = await layerGrants(layerName, regions, { ...aws, declared });
      print(result, formatGrants);
      return grantsExitCode(result);
    }
    case "revoke": {
      only(["principal", "versions", "yes"]);
      if (values.principal === undefined) throw new UsageError("revoke needs --principal <account id|o-organization|public>");
      const principal = parsePrincipal(values.principal);
      if (!principal)
        throw new UsageError(`--principal ${JSON.stringify(values.principal)} is not an account id, an organization id (o-…) or public`);
      const versions = values.versions?.flatMap((v) => v.split(",")).map((v) => wholeNumber("--versions", v.trim()));
      const result = await revokeLayerGrant(layerName, regions, { ...aws, principal, versions, yes: values.yes });
      print(result, formatRevoke);
      return revokeExitCode(result);
    }
  }
  throw new UsageError(`unknown command ${JSON.stringify(command)}`);
}

/** The regions of `--regions` (a list, or a rollout manifest file), else of `--rollout`. */
function resolveRegions(flags: readonly string[] | undefined, source: DeploymentSource): string[] {
  const fromFlags = (flags ?? []).flatMap((value) => {
    if (value.endsWith(".json") || fs.existsSync(value)) {
      if (!fs.existsSync(value)) throw new UsageError(`--regions ${JSON.stringify(value)}: no such rollout manifest`);
      return manifestRegions(JSON.parse(fs.readFileSync(value, "utf8")));
    }
    return value
      .split(",")
      .map((r) => r.trim())
      .filter((r) => r !== "");
  });
  const regions =
    fromFlags.length > 0 ? fromFlags : source.rollout ? manifestRegions(readRolloutManifest(source.outdir!, source.rollout)) : [];
  if (regions.length === 0) throw new UsageError("give --regions (a list or a rollout manifest) or --rollout");
  return parseRegions(regions, "--regions");
}

function wholeNumber(flag: string, value: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1)
    throw new UsageError(`${flag} must be a whole number of at least 1, got ${JSON.stringify(value)}`);
  return Number(value);
}

/** 1 when a region failed. */
export function versionsExitCode(result: OperationResult<RegionVersions>): number {
  return result.failedRegions.length > 0 ? 1 : 0;
}

/** 1 when a region failed, a dry run found versions to delete, or a delete failed. */
export function pruneExitCode(result: OperationResult<RegionPrune>): number {
  const found = result.regions.some((r) => r.ok && (r.data.failed.length > 0 || (r.data.dryRun && r.data.decisions.some((d) => d.delete))));
  return result.failedRegions.length > 0 || found ? 1 : 0;
}

/** 1 when a region failed, a version is public, or the newest version's grants differ from the declared sharing. */
export function grantsExitCode(result: OperationResult<RegionGrants>): number {
  const found = result.regions.some(
    (r) => r.ok && (r.data.versions.some((v) => v.public) || (r.data.undeclared?.length ?? 0) > 0 || (r.data.missing?.length ?? 0) > 0),
  );
  return result.failedRegions.length > 0 || found ? 1 : 0;
}

/** 1 when a region failed, a dry run found statements to remove, a removal failed, or a requested version does not exist. */
export function revokeExitCode(result: OperationResult<RegionRevoke>): number {
  const found = result.regions.some(
    (r) =>
      r.ok && (r.data.notFound.length > 0 || r.data.versions.some((v) => v.failed.length > 0 || (r.data.dryRun && v.remove.length > 0))),
  );
  return result.failedRegions.length > 0 || found ? 1 : 0;
}
