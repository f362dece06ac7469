// The public API of cdktf-lambda-layers. Declarations tagged `@group Internals` (listed apart in docs/api)
// are the rules and helpers the constructs and the CLI are built from: exported for tests and tooling,
// they may change in any release.
// The library lives in one folder per concern (core/, aws/, checks/, packaging/, terraform/,
// constructs/), each with a README.md saying what it holds and which folders it may import.
export { buildLayerArchive } from "./packaging/layer-archive";
export { defaultCacheDir, modeFor } from "./packaging/archive-builder";
export type { ArchiveRecord, BuiltArchive, PlannedFile } from "./packaging/archive-builder";
export type { BuildLayerArchiveOptions, LayerArchive, LayerContentOptions } from "./packaging/layer-archive";
export { LambdaLayer, ImportedLambdaLayer, parseLayerVersionArn, unversionedLayerArn } from "./constructs/lambda-layer";
export type { ILambdaLayer, LambdaLayerOptions, LambdaLayerProps, LayerPackaging, LayerS3Options } from "./constructs/lambda-layer";
export {
  Runtime,
  RuntimeFamily,
  Architecture,
  parseRuntimes,
  parseArchitectures,
  runtimeDeprecationWarning,
  layerRuntimeWarnings,
  closestRuntime,
  todayUtc,
} from "./aws/runtime";
export type { RuntimeLifecycle } from "./aws/runtime";
export { LAMBDA_OS_GLIBC, RUNTIME_CATALOGUE, RUNTIME_CATALOGUE_CHECKED, RUNTIME_CATALOGUE_SOURCE } from "./aws/runtime-catalogue";
export type { LambdaOs, RuntimeCatalogueEntry } from "./aws/runtime-catalogue";
export { searchPaths, checkLayout, isLaidOut, plainFolderPrefix, LAYOUT_ROOTS, RUNTIME_ROOTS, npmNameProblem } from "./checks/layout";
export type { LayoutFile, PlainFolderFacts } from "./checks/layout";
export { DEFAULT_EXCLUDES, walkSource } from "./packaging/source-files";
export type { SourceFile, WalkOptions } from "./packaging/source-files";
export { secretByContent, secretByName } from "./checks/secrets";
export {
  MAX_UNZIPPED_BYTES,
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_LAYERS_PER_FUNCTION,
  MAX_COMPATIBLE_RUNTIMES,
  MAX_DESCRIPTION_LENGTH,
  MAX_LICENSE_INFO_LENGTH,
} from "./aws/limits";
export { COMMERCIAL_REGIONS, isKnownRegion, isOptInRegion, partitionOf } from "./aws/regions";
export { DEFAULT_AWS_PROVIDER_VERSION, setAwsProviderVersion, awsProviderVersionOf, regionOf } from "./aws/aws-provider";
export { LayerValidationError, LayerValidationErrors, printRefusedInputsCleanly } from "./core/errors";
export { LayeredFunction } from "./constructs/layered-function";
export type { LayeredFunctionProps, LayerReference } from "./constructs/layered-function";
export { buildFunctionArchive } from "./packaging/function-archive";
export type { BuildFunctionArchiveOptions, FunctionArchive } from "./packaging/function-archive";
export { checkAttachments, shadowingWarnings } from "./checks/attachment";
export type { AttachedLayer, AttachmentTarget, LayerFacts } from "./checks/attachment";
export { parseSharing, LAYER_ACTION, grantLifecycle, GRANTS_ARE_KEPT } from "./constructs/sharing";
export type { LayerSharing, LayerGrant } from "./constructs/sharing";
export { LayerFanout, s3ForRegion } from "./constructs/layer-fanout";
export type { LayerFanoutProps, ProviderMode } from "./constructs/layer-fanout";
export { LayerRollout, manifestMarkdown } from "./constructs/layer-rollout";
export type { LayerRolloutProps, RolloutCloudOptions, RolloutFunction, RolloutManifest, RolloutStack } from "./constructs/layer-rollout";
export { cleanHcl, cleanHclOnSynth, tokenizeHcl } from "./terraform/hcl-output";
export type { HclSegment } from "./terraform/hcl-output";
export { parseRegions } from "./aws/regions";
export {
  rolloutReport,
  formatRolloutReport,
  driftOf,
  versionNotes,
  outputsFromStateFile,
  outputsFromTerraform,
  localStateFile,
  ReportInputError,
} from "./terraform/rollout-report";
export type { RolloutReport, LayerReport, RegionLayerState, Outputs } from "./terraform/rollout-report";
export {
  elfMachine,
  readElfMachine,
  classifyBinary,
  findNativeBinaries,
  binaryProblems,
  checkNativeBinaries,
  binariesForeignTo,
  describeBinary,
  withAbi3Minimums,
  abi3MinimumOf,
  compareGlibc,
} from "./checks/native-binaries";
export type {
  Abi3Minimum,
  BinaryCandidate,
  BinaryFormat,
  BinaryProblem,
  ByteReader,
  ElfMachine,
  NativeBinary,
  TextReader,
} from "./checks/native-binaries";
export { secretFindings } from "./checks/secrets";
export type { SecretFinding } from "./checks/secrets";
export { inspectLayer, inspectProblems, inspectIncomplete, formatInspectReport } from "./packaging/inspect";
export type { InspectOptions, InspectReport, InspectedDependencies, InspectedFile, RuntimeLayout, LayerPackage } from "./packaging/inspect";
export { archiveOptionsOf } from "./constructs/lambda-layer";
export { ssmParameterName, DEFAULT_SSM_PARAMETER_NAME } from "./constructs/ssm-parameter";
export type { LayerSsmParameter } from "./constructs/ssm-parameter";
export { localStateBackend, localStatePath } from "./terraform/local-state";
export { contentIdentity } from "./packaging/archive-builder";
export type { ContentFile } from "./packaging/archive-builder";
export { deflateLevel, DEFLATE_LEVEL } from "./packaging/zip-writer";
