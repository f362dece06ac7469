// The operations commands of the CLI (versions, prune, grants, revoke): arguments in, one library
// call, a text or JSON report out, and an exit code. Loaded by bin/ only for these commands.
import * as fs from "fs";
import { parseArgs } from "util";
import { ARN_PARTITION_PATTERN, parseRegions } from "../modules/aws/regions";
import { AwsOptions, ConsumerAccounts, OperationResult } from "./aws";
import {
  DeploymentReadError,
  DeploymentSource,
  declaredFromDeployment,
  manifestRegions,
  pinnedFromDeployment,
  readRolloutManifest,
  stackDirs,
} from "./deployment";
import { formatGrants, formatPrune, formatRevoke, formatVersions } from "./format";
import { layerGrants, RegionGrants } from "./grants";
import { parsePrincipal } from "./policy";
import { pruneLayerVersions, RegionPrune } from "./prune";
import { RegionRevoke, revokeLayerGrant } from "./revoke";
import { operationUsage } from "./usage";
import { layerVersions, RegionVersions } from "./versions";

type Out = (s: string) => void;

class UsageError extends Error {}

/** Runs one operations command; resolves to the exit code. A usage error prints that command's usage only. */
export async function runOperation(argv: readonly string[], out: Out, err: Out): Promise<number> {
  try {
    return await run(argv, out, err);
  } catch (e) {
    // Pins that cannot be read are a problem of the deployment, not of the command line: no usage text.
    if (e instanceof DeploymentReadError) {
      err(`error: ${e.message}\n`);
      return 3;
    }
    if (e instanceof UsageError || (e as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      err(`error: ${(e as Error).message}\n\n${operationUsage(argv[0])}`);
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
      "consumer-accounts": { type: "string", multiple: true },
      "consumer-role": { type: "string" },
      concurrency: { type: "string" },
      json: { type: "boolean" },
      keep: { type: "string" },
      yes: { type: "boolean" },
      "include-shared": { type: "boolean" },
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
    for (const flag of ["keep", "yes", "include-shared", "pinned", "principal", "versions"] as const)
      if (values[flag] !== undefined && !allowed.includes(flag)) throw new UsageError(`--${flag} does not apply to ${command}`);
  };

  const source: DeploymentSource = {
    outdir: values.outdir ?? "cdktf.out",
    rollout: values.rollout,
    stacks: values.stack,
    terraform: values.terraform,
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
  const consumers = consumerAccounts(command, values["consumer-accounts"], values["consumer-role"]);
  const aws: AwsOptions = {
    roleArn: values.role,
    concurrency,
    consumers,
    onProgress: values.json ? undefined : (line) => err(`${line}\n`),
  };
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
      only(["keep", "yes", "include-shared", "pinned"]);
      if (values.keep === undefined) throw new UsageError("prune needs --keep N (the newest N versions always stay)");
      const keep = wholeNumber("--keep", values.keep);
      // Read before any request: a stack whose outputs cannot be read stops the command (DeploymentReadError).
      if (hasSource) fromDeployment(() => stackDirs(source));
      const pinned = hasSource ? pinnedFromDeployment(layerName, source) : new Map<string, Set<number>>();
      for (const arn of values.pinned ?? []) {
        const m = new RegExp(`^arn:[a-z-]+:lambda:([a-z0-9-]+):\\d{12}:layer:${layerName}:(\\d+)$`).exec(arn);
        if (!m) throw new UsageError(`--pinned ${JSON.stringify(arn)} is not a versioned ARN of layer ${layerName}`);
        pinned.set(m[1], new Set([...(pinned.get(m[1]) ?? []), Number(m[2])]));
      }
      const result = await pruneLayerVersions(layerName, regions, {
        ...aws,
        keep,
        yes: values.yes,
        pinned,
        includeShared: values["include-shared"],
      });
      const notes = hasSource
        ? []
        : [
            "deployment pins not checked: no --stack or --rollout given, so a version only the deployment names may be listed " +
              "to delete; add --rollout <id> or --stack <name> (or --pinned <arn>) to keep it",
          ];
      print(result, (r) => formatPrune(r, notes));
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

/**
 * `--consumer-accounts` and `--consumer-role`: for versions, prune and revoke. revoke scans the revoked
 * account with the role alone; the others need the accounts too.
 */
function consumerAccounts(
  command: string,
  lists: readonly string[] | undefined,
  roleName: string | undefined,
): ConsumerAccounts | undefined {
  const tokens = (lists ?? [])
    .flatMap((l) => l.split(","))
    .map((a) => a.trim())
    .filter((a) => a !== "");
  if (tokens.length === 0 && roleName === undefined) return undefined;
  if (!["versions", "prune", "revoke"].includes(command))
    throw new UsageError(`--consumer-accounts and --consumer-role do not apply to ${command}`);
  const organization = tokens.includes("organization");
  const accounts = tokens.filter((a) => a !== "organization");
  for (const a of accounts)
    if (!/^\d{12}$/.test(a))
      throw new UsageError(`--consumer-accounts ${JSON.stringify(a)} is not a 12-digit account id nor "organization"`);
  if (roleName === undefined)
    throw new UsageError("--consumer-accounts needs --consumer-role <name>: the role assumed in each account to list its functions");
  if (!/^[\w+=,.@-]{1,64}$/.test(roleName))
    throw new UsageError(`--consumer-role ${JSON.stringify(roleName)} is not an IAM role name (1-64 of A-Z a-z 0-9 _+=,.@-)`);
  if (tokens.length === 0 && command !== "revoke")
    throw new UsageError(`${command} needs --consumer-accounts with --consumer-role: the accounts whose functions to read`);
  return { accounts, roleName, organization };
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

/** 4 when a consumer account could not be read in some region (before any other finding). */
function unscannedExitCode(result: OperationResult<{ unscannedAccounts: readonly unknown[] }>): number | undefined {
  return result.regions.some((r) => r.ok && r.data.unscannedAccounts.length > 0) ? 4 : undefined;
}

/** 4 when a consumer account could not be read, else 1 when a region failed. */
export function versionsExitCode(result: OperationResult<RegionVersions>): number {
  return unscannedExitCode(result) ?? (result.failedRegions.length > 0 ? 1 : 0);
}

/** 4 when a consumer account could not be read, else 1 when a region failed, a dry run found versions to delete, or a delete failed. */
export function pruneExitCode(result: OperationResult<RegionPrune>): number {
  const unscanned = unscannedExitCode(result);
  if (unscanned !== undefined) return unscanned;
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

/**
 * 4 when an account of the principal could not be read, else 1 when a region failed, a dry run found
 * statements to remove, a removal failed, or a requested version does not exist.
 */
export function revokeExitCode(result: OperationResult<RegionRevoke>): number {
  const unscanned = unscannedExitCode(result);
  if (unscanned !== undefined) return unscanned;
  const found = result.regions.some(
    (r) =>
      r.ok && (r.data.notFound.length > 0 || r.data.versions.some((v) => v.failed.length > 0 || (r.data.dryRun && v.remove.length > 0))),
  );
  return result.failedRegions.length > 0 || found ? 1 : 0;
}
