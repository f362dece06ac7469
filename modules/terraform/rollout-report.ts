// After a deploy: what each region of a rollout runs. Reads the rollout manifest written at synth
// and each stack's outputs (from its local state file, or from `terraform output -json`), then
// reports version numbers per region and the drift between regions.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { frameworkCommand } from "../core/framework";
import type { RolloutManifest } from "../constructs/layer-rollout";
import { outputPrefixOf } from "./stack-names";

/** What one region runs for one layer. */
export interface RegionLayerState {
  readonly region: string;
  readonly stack: string;
  readonly version?: number;
  readonly layerVersionArn?: string;
  readonly sha256?: string;
}

export interface LayerReport {
  readonly layerName: string;
  /** The content this synth would publish. */
  readonly newestSha256: string;
  readonly regions: RegionLayerState[];
  /** Human-readable drift findings; empty when every region runs the newest content. */
  readonly drift: string[];
  /** Findings that are not drift and need no fix, such as one content under different version numbers (Lambda numbers versions per region). */
  readonly notes: string[];
}

export interface RolloutReport {
  readonly rollout: string;
  readonly layers: LayerReport[];
  readonly drift: boolean;
}

/** A stack's Terraform outputs by name. */
export type Outputs = Record<string, unknown>;

/** A deployed state the report cannot read: it names the file and what is wrong with it. */
export class ReportInputError extends Error {
  constructor(
    public readonly file: string,
    problem: string,
  ) {
    super(`${file} ${problem}`);
    this.name = "ReportInputError";
  }
}

/**
 * Reads a stack's outputs from its local state file (see {@link localStateFile}).
 * @throws ReportInputError naming the file when it is empty or not a Terraform state.
 */
export function outputsFromStateFile(stackDir: string): Outputs | undefined {
  const file = localStateFile(stackDir);
  if (!fs.existsSync(file)) return undefined;
  const text = fs.readFileSync(file, "utf8");
  const fix = `restore it from ${path.basename(file)}.backup or your backend, or delete it if nothing was deployed from this stack`;
  if (text.trim() === "") throw new ReportInputError(file, `is empty, so its deployed outputs cannot be read: ${fix}`);
  let state: { version?: unknown; outputs?: Record<string, { value: unknown }> };
  try {
    state = JSON.parse(text);
  } catch (e) {
    throw new ReportInputError(file, `is not a Terraform state file (${(e as Error).message}): ${fix}`);
  }
  if (typeof state !== "object" || state === null || typeof state.version !== "number")
    throw new ReportInputError(file, `is not a Terraform state file (no "version"): ${fix}`);
  return Object.fromEntries(Object.entries(state.outputs ?? {}).map(([k, v]) => [k, v.value]));
}

/**
 * The local state file of a synthesized stack folder: the `local` backend's path in its
 * `cdk.tf.json` (relative to the folder), else `terraform.tfstate` in the folder (where 0.1.0 stacks kept
 * it).
 * @group Internals
 */
export function localStateFile(stackDir: string): string {
  const json = path.join(stackDir, "cdk.tf.json");
  if (fs.existsSync(json)) {
    const configured = (JSON.parse(fs.readFileSync(json, "utf8")) as { terraform?: { backend?: { local?: { path?: string } } } }).terraform
      ?.backend?.local?.path;
    if (configured) return path.resolve(stackDir, configured);
  }
  return path.join(stackDir, "terraform.tfstate");
}

/** Reads a stack's outputs with `terraform output -json` (any backend, after `terraform init`). */
export function outputsFromTerraform(stackDir: string): Outputs | undefined {
  const r = spawnSync("terraform", ["output", "-json", "-no-color"], { cwd: stackDir, encoding: "utf8" });
  if (r.status !== 0) return undefined;
  const parsed = JSON.parse(r.stdout || "{}") as Record<string, { value: unknown }>;
  return Object.keys(parsed).length === 0 ? undefined : Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, v.value]));
}

/**
 * Builds the report for rollout `id` in a synth output folder.
 * @param readOutputs how a stack's outputs are read (local state files by default)
 */
export function rolloutReport(
  outdir: string,
  id: string,
  readOutputs: (stackDir: string) => Outputs | undefined = outputsFromStateFile,
): RolloutReport {
  const manifestFile = path.join(outdir, `rollout-${id}.json`);
  if (!fs.existsSync(manifestFile)) {
    throw new Error(
      `no rollout manifest at ${manifestFile}: run \`${frameworkCommand("synth")}\` first, and name the rollout's id (the first argument of new LayerRollout)`,
    );
  }
  const manifest = JSON.parse(fs.readFileSync(manifestFile, "utf8")) as RolloutManifest;
  const stacks = manifest.waves.flatMap((w) => w.stacks);
  const outputsByStack = new Map(stacks.map((s) => [s.name, readOutputs(path.join(outdir, "stacks", s.name))]));

  const layers = manifest.layers.map((layer): LayerReport => {
    const regions = stacks.flatMap((s) =>
      s.regions.map((region) => regionState(layer.layerName, region, s.name, s.regions.length > 1, outputsByStack.get(s.name))),
    );
    return {
      layerName: layer.layerName,
      newestSha256: layer.contentSha256,
      regions,
      drift: driftOf(layer.contentSha256, regions),
      notes: versionNotes(regions),
    };
  });
  return { rollout: id, layers, drift: layers.some((l) => l.drift.length > 0) };
}

function regionState(layerName: string, region: string, stack: string, fanout: boolean, outputs: Outputs | undefined): RegionLayerState {
  if (!outputs) return { region, stack };
  // The rollout creates every layer (or fan-out) with its layerName as id, directly in the stack.
  const prefix = outputPrefixOf([layerName]);
  if (fanout) {
    const pick = (suffix: string) => (outputs[`${prefix}_${suffix}`] as Record<string, string> | undefined)?.[region];
    const version = pick("versions");
    return {
      region,
      stack,
      version: version === undefined ? undefined : Number(version),
      layerVersionArn: pick("layer_version_arns"),
      sha256: outputs[`${prefix}_content_sha256`] as string | undefined,
    };
  }
  const version = outputs[`${prefix}_version`];
  return {
    region,
    stack,
    version: version === undefined ? undefined : Number(version),
    layerVersionArn: outputs[`${prefix}_layer_version_arn`] as string | undefined,
    sha256: outputs[`${prefix}_content_sha256`] as string | undefined,
  };
}

/** Regions not deployed, and regions behind the newest content. @group Internals */
export function driftOf(newest: string, regions: readonly RegionLayerState[]): string[] {
  const drift: string[] = [];
  const missing = regions.filter((r) => r.version === undefined);
  if (missing.length > 0) drift.push(`not deployed in ${missing.map((r) => r.region).join(", ")}`);
  const behind = regions.filter((r) => r.version !== undefined && r.sha256 !== newest);
  if (behind.length > 0)
    drift.push(
      `missing the newest content (${newest.slice(0, 12)}) in ${behind.map((r) => `${r.region} (runs ${r.sha256?.slice(0, 12) ?? "unknown"})`).join(", ")}`,
    );
  return drift;
}

/**
 * One content under different version numbers: Lambda numbers versions per region, so this is
 * normal after a region was added later or a publish was retried; worth knowing, nothing to fix.
 * @group Internals
 */
export function versionNotes(regions: readonly RegionLayerState[]): string[] {
  const notes: string[] = [];
  const bySha = new Map<string, RegionLayerState[]>();
  for (const r of regions) if (r.version !== undefined && r.sha256) bySha.set(r.sha256, [...(bySha.get(r.sha256) ?? []), r]);
  for (const [sha, same] of bySha) {
    const versions = new Set(same.map((r) => r.version));
    if (versions.size > 1) {
      notes.push(
        `content ${sha.slice(0, 12)} has different version numbers: ${same.map((r) => `${r.region} v${r.version}`).join(", ")} (Lambda numbers versions per region: pin functions by ARN per region, not by number)`,
      );
    }
  }
  return notes;
}

export function formatRolloutReport(report: RolloutReport): string {
  const lines: string[] = [`Rollout ${report.rollout}`];
  for (const layer of report.layers) {
    lines.push("", `${layer.layerName} (newest ${layer.newestSha256.slice(0, 12)})`);
    for (const r of layer.regions) {
      const content = r.sha256 === undefined ? "" : r.sha256 === layer.newestSha256 ? "newest" : `old ${r.sha256.slice(0, 12)}`;
      lines.push(
        `  ${r.region.padEnd(16)} ${r.version === undefined ? "-" : `v${r.version}`}`.padEnd(26) + `${content.padEnd(20)} ${r.stack}`,
      );
    }
    for (const d of layer.drift) lines.push(`  drift: ${d}`);
    for (const n of layer.notes) lines.push(`  note: ${n}`);
  }
  lines.push("", report.drift ? "Drift found." : "No drift: every region runs the newest content.");
  return lines.join("\n");
}
