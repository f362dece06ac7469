// `revoke`: removes one principal's statements from chosen versions of a layer, by the statement
// ids the policy holds; every other principal's statement stays. A dry run unless told otherwise.
import { LambdaClient, RemoveLayerVersionPermissionCommand } from "@aws-sdk/client-lambda";
import { AwsOptions, CallCounts, describeError, forEachRegion, OperationResult } from "./aws";
import { ConsumerScanner, UnscannedAccount } from "./consumers";
import { listLayerVersions, readPolicy, withoutVersion } from "./layer-reads";
import { Principal, PolicyStatement, selectStatementsToRevoke } from "./policy";

export interface RevokeOptions extends AwsOptions {
  /** Whose access goes. */
  readonly principal: Principal;
  /** Version numbers to revoke on (missing ones are reported). @default - every version */
  readonly versions?: readonly number[];
  /** Remove; otherwise only report what would be removed. @default false */
  readonly yes?: boolean;
}

export interface VersionRevoke {
  readonly version: number;
  /** Statements of the principal: removed, or to be removed in a dry run. */
  readonly remove: PolicyStatement[];
  /** Statements left alone. */
  readonly keep: PolicyStatement[];
  /** Statement ids removed (empty in a dry run). */
  readonly removed: string[];
  readonly failed: Array<{ statementId: string; error: string }>;
  /**
   * Functions of the principal's accounts (`account:function`) that name this version: their next
   * deploy fails once the statement is gone. Read when a consumer role is given; empty otherwise.
   */
  readonly usedBy: string[];
}

export interface RegionRevoke {
  readonly versions: VersionRevoke[];
  /** Requested versions that do not exist in the region. */
  readonly notFound: number[];
  readonly dryRun: boolean;
  /** The principal's accounts read for functions using the versions. */
  readonly scannedAccounts: string[];
  /** The principal's accounts that could not be read. */
  readonly unscannedAccounts: UnscannedAccount[];
}

/** Revokes `options.principal` on versions of `layerName` in each region. */
export async function revokeLayerGrant(
  layerName: string,
  regions: readonly string[],
  options: RevokeOptions,
): Promise<OperationResult<RegionRevoke>> {
  if (options.principal.kind === "other") throw new Error("revoke takes an account, an organization or public");
  const consumers = new ConsumerScanner(options);
  return forEachRegion(layerName, regions, options, (client, region, calls) =>
    regionRevoke(client, layerName, region, options, consumers, calls),
  );
}

/**
 * The accounts whose functions lose the version with the principal's statement: the account itself,
 * or for an organization or the public the consumer accounts given (undefined: the scanner's, the
 * organization's included). None without a consumer role.
 */
export function accountsOfPrincipal(options: Pick<RevokeOptions, "principal" | "consumers">): readonly string[] | undefined {
  if (!options.consumers) return [];
  return options.principal.kind === "account" ? [options.principal.accountId] : undefined;
}

async function regionRevoke(
  client: LambdaClient,
  layerName: string,
  region: string,
  options: RevokeOptions,
  consumers: ConsumerScanner,
  calls: CallCounts,
): Promise<RegionRevoke> {
  const dryRun = !options.yes;
  const listed = await listLayerVersions(client, layerName);
  const existing = listed.map((v) => v.version);
  // Read before anything is removed: what the principal's functions name now.
  const accounts = accountsOfPrincipal(options);
  const elsewhere =
    listed.length > 0 && options.consumers && (accounts === undefined || accounts.length > 0)
      ? await consumers.usage(region, withoutVersion(listed[0].layerVersionArn), calls, accounts)
      : { usage: new Map<number, string[]>(), scanned: [], unscanned: [] };
  const chosen = options.versions ? existing.filter((v) => options.versions!.includes(v)) : existing;
  const notFound = (options.versions ?? []).filter((v) => !existing.includes(v));
  const versions: VersionRevoke[] = [];
  // One version at a time: each removal changes the version's policy revision.
  for (const version of chosen) {
    const { remove, keep } = selectStatementsToRevoke(await readPolicy(client, layerName, version), options.principal);
    const removed: string[] = [];
    const failed: Array<{ statementId: string; error: string }> = [];
    if (!dryRun) {
      for (const s of remove) {
        try {
          await client.send(
            new RemoveLayerVersionPermissionCommand({ LayerName: layerName, VersionNumber: version, StatementId: s.statementId }),
          );
          removed.push(s.statementId);
        } catch (e) {
          failed.push({ statementId: s.statementId, error: describeError(e) });
        }
      }
    }
    versions.push({ version, remove, keep, removed, failed, usedBy: elsewhere.usage.get(version) ?? [] });
  }
  return { versions, notFound, dryRun, scannedAccounts: elsewhere.scanned, unscannedAccounts: elsewhere.unscanned };
}
