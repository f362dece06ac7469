// `prune`: delete old layer versions while keeping the newest N, every version a function of the
// account uses and every version the current deployment pins. A dry run unless told otherwise.
import { DeleteLayerVersionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AwsOptions, describeError, forEachRegion, OperationResult } from "./aws";
import { layerUsage, listLayerVersions, withoutVersion } from "./layer-reads";

/** Why a version stays, or that it goes. */
export type PruneReason = "newest" | "used" | "pinned" | "old";

export interface PruneDecision {
  readonly version: number;
  readonly delete: boolean;
  readonly reason: PruneReason;
  /** The functions using it (reason "used"). */
  readonly usedBy?: string[];
}

/**
 * Which versions prune may delete: none of the newest `keep`, none used by a function, none pinned
 * by the deployment; every other one. Newest first.
 */
export function pruneDecisions(
  versions: readonly number[],
  keep: number,
  usage: ReadonlyMap<number, readonly string[]>,
  pinned: ReadonlySet<number>,
): PruneDecision[] {
  checkKeep(keep);
  const newestFirst = [...new Set(versions)].sort((a, b) => b - a);
  return newestFirst.map((version, index): PruneDecision => {
    if (index < keep) return { version, delete: false, reason: "newest" };
    const usedBy = usage.get(version);
    if (usedBy && usedBy.length > 0) return { version, delete: false, reason: "used", usedBy: [...usedBy] };
    if (pinned.has(version)) return { version, delete: false, reason: "pinned" };
    return { version, delete: true, reason: "old" };
  });
}

/** @throws when `keep` is not a whole number of at least 1 (the newest version always stays). */
export function checkKeep(keep: number): void {
  if (!Number.isInteger(keep) || keep < 1) throw new Error(`keep must be a whole number of at least 1, got ${keep}`);
}

export interface PruneOptions extends AwsOptions {
  /** How many of the newest versions always stay (at least 1). */
  readonly keep: number;
  /** Delete; otherwise only report what would be deleted. @default false */
  readonly yes?: boolean;
  /** Region -> versions the current deployment names (see `pinnedFromDeployment`). @default - none */
  readonly pinned?: ReadonlyMap<string, ReadonlySet<number>>;
}

export interface RegionPrune {
  readonly decisions: PruneDecision[];
  /** Versions deleted (empty in a dry run). */
  readonly deleted: number[];
  /** Deletes that failed, per version. */
  readonly failed: Array<{ version: number; error: string }>;
  readonly dryRun: boolean;
}

/** Prunes `layerName` in each region. Deletes run one at a time per region and are reported per version. */
export async function pruneLayerVersions(
  layerName: string,
  regions: readonly string[],
  options: PruneOptions,
): Promise<OperationResult<RegionPrune>> {
  checkKeep(options.keep);
  return forEachRegion(layerName, regions, options, (client, region) => regionPrune(client, layerName, region, options));
}

async function regionPrune(client: LambdaClient, layerName: string, region: string, options: PruneOptions): Promise<RegionPrune> {
  const dryRun = !options.yes;
  const listed = await listLayerVersions(client, layerName);
  if (listed.length === 0) return { decisions: [], deleted: [], failed: [], dryRun };
  const usage = await layerUsage(client, withoutVersion(listed[0].layerVersionArn));
  const decisions = pruneDecisions(
    listed.map((v) => v.version),
    options.keep,
    usage,
    new Set(options.pinned?.get(region) ?? []),
  );
  const deleted: number[] = [];
  const failed: Array<{ version: number; error: string }> = [];
  if (!dryRun) {
    for (const d of decisions.filter((d) => d.delete)) {
      try {
        await client.send(new DeleteLayerVersionCommand({ LayerName: layerName, VersionNumber: d.version }));
        deleted.push(d.version);
      } catch (e) {
        failed.push({ version: d.version, error: describeError(e) });
      }
    }
  }
  return { decisions, deleted, failed, dryRun };
}
