// The operations API: reads and changes deployed layers in AWS at run time, on the AWS SDK.
// Synth-time code (modules/) never imports this folder; import it as "cdktf-lambda-layers/operations".
export { forEachRegion, mapLimit, formatCalls, totalCalls } from "./aws";
export type { AwsOptions, CallCounts, ConsumerAccounts, OperationResult, RegionOutcome } from "./aws";
export { ConsumerScanner, ACCOUNT_CONCURRENCY } from "./consumers";
export type { ConsumerUsage, UnscannedAccount } from "./consumers";
export { layerVersions, PER_VERSION_CONCURRENCY } from "./versions";
export type { LayerVersionDetails, RegionVersions } from "./versions";
export { pruneLayerVersions, pruneDecisions, checkKeep } from "./prune";
export type { PruneDecision, PruneFacts, PruneOptions, PruneReason, RegionPrune } from "./prune";
export { layerGrants, compareWithDeclared } from "./grants";
export type { GrantsOptions, RegionGrants, VersionGrants } from "./grants";
export { accountsOfPrincipal, revokeLayerGrant } from "./revoke";
export type { RegionRevoke, RevokeOptions, VersionRevoke } from "./revoke";
export { accountOfArn, granteesOf, parsePolicy, parsePrincipal, principalLabel, samePrincipal, selectStatementsToRevoke } from "./policy";
export type { PolicyStatement, Principal, RevokeSelection } from "./policy";
export { listLayerVersions, layerUsage, readPolicy, PAGE_SIZE } from "./layer-reads";
export type { LayerVersionSummary } from "./layer-reads";
export {
  DeploymentReadError,
  declaredFromDeployment,
  declaredPrincipals,
  manifestRegions,
  pinnedFromDeployment,
  pinnedVersions,
  readRolloutManifest,
  readStackOutputs,
  stackBackend,
  stackDirs,
} from "./deployment";
export type { DeploymentSource } from "./deployment";
export { formatGrants, formatPrune, formatRevoke, formatVersions } from "./format";
export { grantsExitCode, pruneExitCode, revokeExitCode, versionsExitCode, runOperation } from "./cli";
