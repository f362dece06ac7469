// `revoke`: removes one principal's statements from chosen versions of a layer, by the statement
// ids the policy holds; every other principal's statement stays. A dry run unless told otherwise.
import { LambdaClient, RemoveLayerVersionPermissionCommand } from "@aws-sdk/client-lambda";
import { AwsOptions, describeError, forEachRegion, OperationResult } from "./aws";
import { listLayerVersions, readPolicy } from "./layer-reads";
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
}

export interface RegionRevoke {
  readonly versions: VersionRevoke[];
  /** Requested versions that do not exist in the region. */
  readonly notFound: number[];
  readonly dryRun: boolean;
}

/** Revokes `options.principal` on versions of `layerName` in each region. */
export async function revokeLayerGrant(
  layerName: string,
  regions: readonly string[],
  options: RevokeOptions,
): Promise<OperationResult<RegionRevoke>> {
  if (options.principal.kind === "other") throw new Error("revoke takes an account, an organization or public");
  return forEachRegion(layerName, regions, options, (client) => regionRevoke(client, layerName, options));
}

async function regionRevoke(client: LambdaClient, layerName: string, options: RevokeOptions): Promise<RegionRevoke> {
  const dryRun = !options.yes;
  const existing = (await listLayerVersions(client, layerName)).map((v) => v.version);
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
    versions.push({ version, remove, keep, removed, failed });
  }
  return { versions, notFound, dryRun };
}
