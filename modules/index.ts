// The public API of cdktf-lambda-layers. Declarations tagged `@group Internals` (listed apart in docs/api)
// are the rules and helpers the constructs and the CLI are built from: exported for tests and tooling,
// they may change in any release.
export { buildLayerArchive } from "./layer-archive";
export { defaultCacheDir, modeFor } from "./archive-builder";
export type { ArchiveRecord, BuiltArchive, PlannedFile } from "./archive-builder";
export type { BuildLayerArchiveOptions, LayerArchive, LayerContentOptions } from "./layer-archive";
export { LambdaLayer, ImportedLambdaLayer, parseLayerVersionArn, unversionedLayerArn } from "./lambda-layer";
export type { ILambdaLayer, LambdaLayerOptions, LambdaLayerProps, LayerPackaging, LayerS3Options } from "./lambda-layer";
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
} from "./runtime";
export type { RuntimeLifecycle } from "./runtime";
export { LAMBDA_OS_GLIBC, RUNTIME_CATALOGUE, RUNTIME_CATALOGUE_CHECKED, RUNTIME_CATALOGUE_SOURCE } from "./runtime-catalogue";
export type { LambdaOs, RuntimeCatalogueEntry } from "./runtime-catalogue";
export { searchPaths, checkLayout, isLaidOut, plainFolderPrefix, LAYOUT_ROOTS, RUNTIME_ROOTS, npmNameProblem } from "./layout";
export type { LayoutFile, PlainFolderFacts } from "./layout";
export { DEFAULT_EXCLUDES, walkSource } from "./source-files";
export type { SourceFile, WalkOptions } from "./source-files";
export { secretByContent, secretByName } from "./secrets";
export {
  MAX_UNZIPPED_BYTES,
  MAX_DIRECT_UPLOAD_BYTES,
  MAX_LAYERS_PER_FUNCTION,
  MAX_COMPATIBLE_RUNTIMES,
  MAX_DESCRIPTION_LENGTH,
  MAX_LICENSE_INFO_LENGTH,
} from "./limits";
export { COMMERCIAL_REGIONS, isKnownRegion, isOptInRegion, partitionOf } from "./regions";
export { DEFAULT_AWS_PROVIDER_VERSION, setAwsProviderVersion, awsProviderVersionOf, regionOf } from "./aws-provider";
export { LayerValidationError, LayerValidationErrors, printRefusedInputsCleanly } from "./errors";
export { LayeredFunction } from "./layered-function";
export type { LayeredFunctionProps, LayerReference } from "./layered-function";
export { buildFunctionArchive } from "./function-archive";
export type { BuildFunctionArchiveOptions, FunctionArchive } from "./function-archive";
export { checkAttachments, shadowingWarnings } from "./attachment";
export type { AttachedLayer, AttachmentTarget, LayerFacts } from "./attachment";
export { parseSharing, LAYER_ACTION, grantLifecycle, GRANTS_ARE_KEPT } from "./sharing";
export type { LayerSharing, LayerGrant } from "./sharing";
export { LayerFanout, s3ForRegion } from "./layer-fanout";
export type { LayerFanoutProps, ProviderMode } from "./layer-fanout";
export { LayerRollout, manifestMarkdown } from "./layer-rollout";
export type { LayerRolloutProps, RolloutCloudOptions, RolloutFunction, RolloutManifest, RolloutStack } from "./layer-rollout";
export { cleanHcl, cleanHclOnSynth, tokenizeHcl } from "./hcl-output";
export type { HclSegment } from "./hcl-output";
export { parseRegions } from "./regions";
export {
  rolloutReport,
  formatRolloutReport,
  driftOf,
  versionNotes,
  outputsFromStateFile,
  outputsFromTerraform,
  localStateFile,
  ReportInputError,
} from "./rollout-report";
export type { RolloutReport, LayerReport, RegionLayerState, Outputs } from "./rollout-report";
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
} from "./native-binaries";
export type {
  Abi3Minimum,
  BinaryCandidate,
  BinaryFormat,
  BinaryProblem,
  ByteReader,
  ElfMachine,
  NativeBinary,
  TextReader,
} from "./native-binaries";
export { secretFindings } from "./secrets";
export type { SecretFinding } from "./secrets";
export { inspectLayer, inspectProblems, inspectIncomplete, formatInspectReport } from "./inspect";
export type { InspectOptions, InspectReport, InspectedDependencies, InspectedFile, RuntimeLayout, LayerPackage } from "./inspect";
export { archiveOptionsOf } from "./lambda-layer";
export { ssmParameterName, DEFAULT_SSM_PARAMETER_NAME } from "./ssm-parameter";
export type { LayerSsmParameter } from "./ssm-parameter";
export { localStateBackend, localStatePath } from "./local-state";
export { contentIdentity } from "./archive-builder";
export type { ContentFile } from "./archive-builder";
export { deflateLevel, DEFLATE_LEVEL } from "./zip-writer";
