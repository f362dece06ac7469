// What the app declares and what its deployment pins, read from the synth output: a rollout's
// manifest (its regions and stacks), each stack's synthesized grants (cdk.tf.json) and each
// stack's outputs (the versioned ARNs the current deployment published).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { frameworkCommand } from "../modules/core/framework";
import type { RolloutManifest } from "../modules/constructs/layer-rollout";
import { localStateFile, Outputs, outputsFromStateFile, ReportInputError } from "../modules/terraform/rollout-report";
import { Principal, samePrincipal } from "./policy";

/** Where the deployment is described. */
export interface DeploymentSource {
  /** The synth output folder. @default "cdktf.out" */
  readonly outdir?: string;
  /** A rollout's id: every stack in `rollout-<id>.json`. @default - none */
  readonly rollout?: string;
  /** Stack names in the synth output. @default [] */
  readonly stacks?: readonly string[];
  /**
   * Read every stack's outputs with `terraform output -json` in its folder (after `terraform init`),
   * whatever its backend. Stacks with a backend other than `local` are always read so.
   * @default false
   */
  readonly terraform?: boolean;
  /**
   * How a stack's outputs are read; undefined (or a throw) means they cannot be, which stops
   * `pinnedFromDeployment`. @default - {@link readStackOutputs}
   */
  readonly readOutputs?: (stackDir: string) => Outputs | undefined;
}

/**
 * The outputs of a stack named on the command line could not be read: its pins are unknown, so
 * nothing may be deleted. Names the stack and why.
 */
export class DeploymentReadError extends Error {
  constructor(
    public readonly stack: string,
    public readonly reason: string,
  ) {
    super(`cannot read the outputs of stack ${stack}, so the versions it pins are unknown; nothing was deleted: ${reason}`);
    this.name = "DeploymentReadError";
  }
}

/** The backend a synthesized stack configures (`local`, `s3`, `remote`, `cloud` for a `cloud` block…); `local` when none. */
export function stackBackend(stackDir: string): string {
  const file = path.join(stackDir, "cdk.tf.json");
  if (!fs.existsSync(file)) return "local";
  const terraform = (JSON.parse(fs.readFileSync(file, "utf8")) as { terraform?: { backend?: object; cloud?: object } }).terraform;
  if (terraform?.cloud) return "cloud";
  return Object.keys(terraform?.backend ?? {})[0] ?? "local";
}

/**
 * A stack's outputs, or a {@link DeploymentReadError}: from its local state file with the `local`
 * backend, else (or with `terraform`) from `terraform output -json` in the stack folder, the way
 * Terraform itself reads a remote or Terraform Cloud state. A missing state, a failing `terraform
 * output` and a state without outputs all stop: a stack of this library that was applied has outputs
 * (the versioned ARNs), so none means the state read is not the deployed one.
 */
export function readStackOutputs(stackDir: string, terraform = false): Outputs {
  const stack = path.basename(stackDir);
  const backend = stackBackend(stackDir);
  const noOutputs = (where: string) =>
    new DeploymentReadError(
      stack,
      `${where} holds no outputs: the stack was not applied there (or it is another workspace). ` +
        `Name only the stacks that are deployed (--stack), or point to the state that is`,
    );
  if (terraform || backend !== "local") {
    const r = spawnSync("terraform", ["output", "-json", "-no-color"], { cwd: stackDir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    if (r.error) throw new DeploymentReadError(stack, `\`terraform output -json\` could not run (${r.error.message}): install terraform`);
    if (r.status !== 0) {
      // Terraform frames its diagnostics in box-drawing characters: keep the words.
      const lines = (r.stderr || r.stdout)
        .split("\n")
        .map((l) => l.replace(/^[│╷╵]\s*/, "").trim())
        .filter((l) => l !== "");
      const first = Math.max(
        0,
        lines.findIndex((l) => l.startsWith("Error:")),
      );
      const why = lines.slice(first, first + 2).join(" ");
      throw new DeploymentReadError(
        stack,
        `\`terraform output -json\` in ${stackDir} (${backend} backend) exited ${r.status}: ${why} ` +
          `Run \`terraform init\` there with access to the backend (Terraform Cloud: \`terraform login\` or TF_TOKEN_app_terraform_io), then retry`,
      );
    }
    const parsed = JSON.parse(r.stdout || "{}") as Record<string, { value: unknown }>;
    if (Object.keys(parsed).length === 0) throw noOutputs(`the ${backend} state that \`terraform output -json\` reads in ${stackDir}`);
    return Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
  }
  let outputs: Outputs | undefined;
  try {
    outputs = outputsFromStateFile(stackDir);
  } catch (e) {
    if (e instanceof ReportInputError) throw new DeploymentReadError(stack, e.message);
    throw e;
  }
  const file = localStateFile(stackDir);
  if (!outputs)
    throw new DeploymentReadError(
      stack,
      `no state file at ${file} (local backend): the stack was not deployed from here. ` +
        `Restore the state there, give --terraform to read it with \`terraform output\`, or name only deployed stacks`,
    );
  if (Object.keys(outputs).length === 0) throw noOutputs(`the state file ${file}`);
  return outputs;
}

/** The manifest of rollout `id` in `outdir`. @throws when it is missing. */
export function readRolloutManifest(outdir: string, id: string): RolloutManifest {
  const file = path.join(outdir, `rollout-${id}.json`);
  if (!fs.existsSync(file))
    throw new Error(`no rollout manifest at ${file}: run \`${frameworkCommand("synth")}\` first, or name the rollout's id`);
  return JSON.parse(fs.readFileSync(file, "utf8")) as RolloutManifest;
}

/** The regions of a rollout manifest, wave by wave. */
export function manifestRegions(manifest: RolloutManifest): string[] {
  return manifest.waves.flatMap((w) => w.regions);
}

/** The stack folders a source names. @throws when a named stack was not synthesized. */
export function stackDirs(source: DeploymentSource): string[] {
  const outdir = source.outdir ?? "cdktf.out";
  const names = [
    ...(source.rollout ? readRolloutManifest(outdir, source.rollout).waves.flatMap((w) => w.stacks.map((s) => s.name)) : []),
    ...(source.stacks ?? []),
  ];
  return names.map((name) => {
    const dir = path.join(outdir, "stacks", name);
    if (!fs.existsSync(path.join(dir, "cdk.tf.json")))
      throw new Error(`no synthesized stack ${name} in ${outdir}: run \`${frameworkCommand("synth")}\` first`);
    return dir;
  });
}

/**
 * Region -> version numbers of `layerName` that the deployment's outputs name: every output value
 * (string, list or map, at any depth) that is a versioned ARN of that layer.
 */
export function pinnedVersions(layerName: string, outputs: readonly Outputs[]): Map<string, Set<number>> {
  const arn = new RegExp(`^arn:[a-z-]+:lambda:([a-z0-9-]+):\\d{12}:layer:${escapeRegExp(layerName)}:(\\d+)$`);
  const pinned = new Map<string, Set<number>>();
  const visit = (value: unknown) => {
    if (typeof value === "string") {
      const m = arn.exec(value);
      if (m) pinned.set(m[1], new Set([...(pinned.get(m[1]) ?? []), Number(m[2])]));
    } else if (Array.isArray(value)) value.forEach(visit);
    else if (value && typeof value === "object") Object.values(value).forEach(visit);
  };
  outputs.forEach(visit);
  return pinned;
}

/**
 * Region -> pinned versions from the stacks a source names.
 * @throws DeploymentReadError when a stack's outputs cannot be read: unknown pins stop a prune.
 */
export function pinnedFromDeployment(layerName: string, source: DeploymentSource): Map<string, Set<number>> {
  const read = source.readOutputs ?? ((dir: string) => readStackOutputs(dir, source.terraform));
  return pinnedVersions(
    layerName,
    stackDirs(source).map((dir) => {
      const outputs = read(dir);
      if (!outputs) throw new DeploymentReadError(path.basename(dir), "its outputs could not be read");
      return outputs;
    }),
  );
}

interface SynthesizedStack {
  resource?: Record<string, Record<string, Record<string, unknown>>>;
}

/**
 * The principals the synthesized stacks grant on `layerName`: every `aws_lambda_layer_version_permission`
 * whose layer is an `aws_lambda_layer_version` of that name.
 */
export function declaredPrincipals(layerName: string, stacks: readonly SynthesizedStack[]): Principal[] {
  const declared: Principal[] = [];
  for (const stack of stacks) {
    const versions = stack.resource?.aws_lambda_layer_version ?? {};
    const keys = Object.entries(versions)
      .filter(([, r]) => r.layer_name === layerName)
      .map(([key]) => key);
    for (const permission of Object.values(stack.resource?.aws_lambda_layer_version_permission ?? {})) {
      const target = String(permission.layer_name ?? "");
      if (!keys.some((key) => target.includes(`aws_lambda_layer_version.${key}.`))) continue;
      const principal = declaredPrincipal(permission);
      if (!declared.some((d) => samePrincipal(d, principal))) declared.push(principal);
    }
  }
  return declared;
}

function declaredPrincipal(permission: Record<string, unknown>): Principal {
  const principal = String(permission.principal);
  const org = permission.organization_id;
  if (principal === "*" && typeof org === "string") return { kind: "organization", organizationId: org };
  if (principal === "*") return { kind: "public" };
  const account = /^(?:arn:[a-z-]+:iam::)?(\d{12})(?::root)?$/.exec(principal);
  return account ? { kind: "account", accountId: account[1] } : { kind: "other", description: principal };
}

/** The declared principals of the stacks a source names. */
export function declaredFromDeployment(layerName: string, source: DeploymentSource): Principal[] {
  return declaredPrincipals(
    layerName,
    stackDirs(source).map((dir) => JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")) as SynthesizedStack),
  );
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
