// `prune`: delete old layer versions while keeping the newest N, every version a function uses
// (in this account or a scanned consumer account), every version the current deployment pins and,
// unless told otherwise, every version shared with another account, an organization or the public.
// A dry run unless told otherwise.
import { DeleteLayerVersionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AwsOptions, CallCounts, describeError, forEachRegion, mapLimit, OperationResult } from "./aws";
import { ConsumerScanner, mergeUsage, UnscannedAccount } from "./consumers";
import { layerUsage, listLayerVersions, readPolicy, withoutVersion } from "./layer-reads";
import { accountOfArn, granteesOf, Principal } from "./policy";
import { PER_VERSION_CONCURRENCY } from "./versions";

/** Why a version stays, or that it goes. */
export type PruneReason = "newest" | "used" | "pinned" | "unscanned" | "shared" | "old";

export interface PruneDecision {
  readonly version: number;
  readonly delete: boolean;
  readonly reason: PruneReason;
  /** The functions using it (reason "used"). */
  readonly usedBy?: string[];
  /** Who else its policy lets read it (any reason), when anyone: what a delete takes from them. */
  readonly grantees?: Principal[];
  /** The consumer accounts among its grantees whose functions could not be scanned (reason "unscanned"). */
  readonly unscannedAccounts?: string[];
}

/** What prune knows about each version besides its number, beyond usage and pins. */
export interface PruneFacts {
  /** Version -> the principals other than the publishing account its policy grants. @default - none */
  readonly grantees?: ReadonlyMap<number, readonly Principal[]>;
  /** Delete versions shared with other principals too. @default false */
  readonly includeShared?: boolean;
  /**
   * Consumer accounts whose functions could not be scanned: a version granted to one of them (or to
   * an organization or the public, which may include them) stays even with `includeShared`.
   * @default - none
   */
  readonly unscanned?: readonly string[];
}

/**
 * Which versions prune may delete: none of the newest `keep`, none used by a function, none pinned
 * by the deployment, none granted to an account that could not be scanned, none shared with another
 * principal unless `facts.includeShared`; every other one. Newest first.
 */
export function pruneDecisions(
  versions: readonly number[],
  keep: number,
  usage: ReadonlyMap<number, readonly string[]>,
  pinned: ReadonlySet<number>,
  facts: PruneFacts = {},
): PruneDecision[] {
  checkKeep(keep);
  const unscanned = facts.unscanned ?? [];
  const newestFirst = [...new Set(versions)].sort((a, b) => b - a);
  return newestFirst.map((version, index): PruneDecision => {
    const grantees = facts.grantees?.get(version) ?? [];
    const shared = grantees.length > 0 ? { grantees: [...grantees] } : {};
    if (index < keep) return { version, delete: false, reason: "newest", ...shared };
    const usedBy = usage.get(version);
    if (usedBy && usedBy.length > 0) return { version, delete: false, reason: "used", usedBy: [...usedBy], ...shared };
    if (pinned.has(version)) return { version, delete: false, reason: "pinned", ...shared };
    const blind = unscanned.filter((account) => grantees.some((g) => g.kind !== "account" || g.accountId === account));
    if (blind.length > 0) return { version, delete: false, reason: "unscanned", unscannedAccounts: blind, ...shared };
    if (grantees.length > 0 && !facts.includeShared) return { version, delete: false, reason: "shared", ...shared };
    return { version, delete: true, reason: "old", ...shared };
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
  /**
   * Delete versions shared with another account, an organization or the public too. Their consumers
   * are not in this account's `ListFunctions`: without a scan of their accounts, a delete breaks the
   * next deploy of every consumer that names the version.
   * @default false
   */
  readonly includeShared?: boolean;
}

export interface RegionPrune {
  readonly decisions: PruneDecision[];
  /** Versions deleted (empty in a dry run). */
  readonly deleted: number[];
  /** Deletes that failed, per version. */
  readonly failed: Array<{ version: number; error: string }>;
  readonly dryRun: boolean;
  /** Consumer accounts read (see `AwsOptions.consumers`). */
  readonly scannedAccounts: string[];
  /** Consumer accounts that could not be read: versions granted to them stay. */
  readonly unscannedAccounts: UnscannedAccount[];
}

/**
 * Prunes `layerName` in each region. Requests per region: ListLayerVersions and ListFunctions one
 * per 50 items, GetLayerVersionPolicy for each version older than the newest `keep`, and one
 * DeleteLayerVersion per deleted version, one at a time, reported per version.
 */
export async function pruneLayerVersions(
  layerName: string,
  regions: readonly string[],
  options: PruneOptions,
): Promise<OperationResult<RegionPrune>> {
  checkKeep(options.keep);
  const consumers = new ConsumerScanner(options);
  return forEachRegion(layerName, regions, options, (client, region, calls) =>
    regionPrune(client, layerName, region, options, consumers, calls),
  );
}

async function regionPrune(
  client: LambdaClient,
  layerName: string,
  region: string,
  options: PruneOptions,
  consumers: ConsumerScanner,
  calls: CallCounts,
): Promise<RegionPrune> {
  const dryRun = !options.yes;
  const listed = await listLayerVersions(client, layerName);
  if (listed.length === 0) return { decisions: [], deleted: [], failed: [], dryRun, scannedAccounts: [], unscannedAccounts: [] };
  const ownAccount = accountOfArn(listed[0].layerVersionArn);
  const arn = withoutVersion(listed[0].layerVersionArn);
  const [own, elsewhere] = await Promise.all([layerUsage(client, arn), consumers.usage(region, arn, calls)]);
  const usage = mergeUsage(own, elsewhere.usage);
  // The newest `keep` stay whatever their grants; every older version's policy is read.
  const older = listed.slice(options.keep);
  const policies = await mapLimit(older, PER_VERSION_CONCURRENCY, (v) => readPolicy(client, layerName, v.version));
  const grantees = new Map(older.map((v, i) => [v.version, granteesOf(policies[i], ownAccount)]));
  const decisions = pruneDecisions(
    listed.map((v) => v.version),
    options.keep,
    usage,
    new Set(options.pinned?.get(region) ?? []),
    { grantees, includeShared: options.includeShared, unscanned: elsewhere.unscanned.map((u) => u.account) },
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
  return { decisions, deleted, failed, dryRun, scannedAccounts: elsewhere.scanned, unscannedAccounts: elsewhere.unscanned };
}
