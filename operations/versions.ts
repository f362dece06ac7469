// `versions`: per region, every version of a layer with its content hash, size, runtimes, grants
// and the functions of this account that use it.
import { GetLayerVersionCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { AwsOptions, CallCounts, forEachRegion, mapLimit, OperationResult } from "./aws";
import { ConsumerScanner, mergeUsage, UnscannedAccount } from "./consumers";
import { layerUsage, listLayerVersions, readPolicy, withoutVersion } from "./layer-reads";
import { PolicyStatement } from "./policy";

export interface LayerVersionDetails {
  readonly version: number;
  readonly layerVersionArn: string;
  readonly createdDate?: string;
  /** Base64 SHA-256 of the zip, as Lambda reports it (`CodeSha256`). */
  readonly codeSha256?: string;
  /** Zipped size in bytes. */
  readonly codeSize?: number;
  readonly compatibleRuntimes: string[];
  readonly compatibleArchitectures: string[];
  readonly grants: PolicyStatement[];
  /**
   * Functions of the region using the version: `name` (or `name:3` for a published function version)
   * in this account, `account:name` in a scanned consumer account.
   */
  readonly usedBy: string[];
}

export interface RegionVersions {
  /** Newest first. */
  readonly versions: LayerVersionDetails[];
  /** Consumer accounts read (see `AwsOptions.consumers`). */
  readonly scannedAccounts: string[];
  /** Consumer accounts that could not be read: their functions are missing from `usedBy`. */
  readonly unscannedAccounts: UnscannedAccount[];
}

/** Requests per region in flight at once for per-version reads. */
export const PER_VERSION_CONCURRENCY = 4;

/**
 * Lists every version of `layerName` in each region. Requests per region: ListLayerVersions and
 * ListFunctions one per 50 items, GetLayerVersion and GetLayerVersionPolicy one per version; per
 * consumer account, ListFunctions one per 50 items (and one AssumeRole for the whole operation).
 */
export async function layerVersions(
  layerName: string,
  regions: readonly string[],
  options: AwsOptions = {},
): Promise<OperationResult<RegionVersions>> {
  const consumers = new ConsumerScanner(options);
  return forEachRegion(layerName, regions, options, (client, region, calls) => regionVersions(client, layerName, region, consumers, calls));
}

async function regionVersions(
  client: LambdaClient,
  layerName: string,
  region: string,
  consumers: ConsumerScanner,
  calls: CallCounts,
): Promise<RegionVersions> {
  const listed = await listLayerVersions(client, layerName);
  if (listed.length === 0) return { versions: [], scannedAccounts: [], unscannedAccounts: [] };
  const arn = withoutVersion(listed[0].layerVersionArn);
  const [own, elsewhere] = await Promise.all([layerUsage(client, arn), consumers.usage(region, arn, calls)]);
  const usage = mergeUsage(own, elsewhere.usage);
  const versions = await mapLimit(listed, PER_VERSION_CONCURRENCY, async (v): Promise<LayerVersionDetails> => {
    const [detail, grants] = await Promise.all([
      client.send(new GetLayerVersionCommand({ LayerName: layerName, VersionNumber: v.version })),
      readPolicy(client, layerName, v.version),
    ]);
    return {
      version: v.version,
      layerVersionArn: v.layerVersionArn,
      createdDate: v.createdDate,
      codeSha256: detail.Content?.CodeSha256,
      codeSize: detail.Content?.CodeSize,
      compatibleRuntimes: v.compatibleRuntimes,
      compatibleArchitectures: v.compatibleArchitectures,
      grants,
      usedBy: usage.get(v.version) ?? [],
    };
  });
  return { versions, scannedAccounts: elsewhere.scanned, unscannedAccounts: elsewhere.unscanned };
}
