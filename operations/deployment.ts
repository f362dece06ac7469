// What the app declares and what its deployment pins, read from the synth output: a rollout's
// manifest (its regions and stacks), each stack's synthesized grants (cdk.tf.json) and each
// stack's outputs (the versioned ARNs the current deployment published).
import * as fs from "fs";
import * as path from "path";
import { frameworkCommand } from "../modules/framework";
import type { RolloutManifest } from "../modules/layer-rollout";
import { Outputs, outputsFromStateFile } from "../modules/rollout-report";
import { Principal, samePrincipal } from "./policy";

/** Where the deployment is described. */
export interface DeploymentSource {
  /** The synth output folder. @default "cdktf.out" */
  readonly outdir?: string;
  /** A rollout's id: every stack in `rollout-<id>.json`. @default - none */
  readonly rollout?: string;
  /** Stack names in the synth output. @default [] */
  readonly stacks?: readonly string[];
  /** How a stack's outputs are read. @default - its local terraform.tfstate */
  readonly readOutputs?: (stackDir: string) => Outputs | undefined;
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

/** Region -> pinned versions from the stacks a source names (stacks never deployed pin nothing). */
export function pinnedFromDeployment(layerName: string, source: DeploymentSource): Map<string, Set<number>> {
  const read = source.readOutputs ?? outputsFromStateFile;
  return pinnedVersions(
    layerName,
    stackDirs(source).flatMap((dir): Outputs[] => {
      const outputs = read(dir);
      return outputs ? [outputs] : [];
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
