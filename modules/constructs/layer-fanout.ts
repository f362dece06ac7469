// LayerFanout: one layer definition published in many regions of one stack. The archive is built
// once and copied into the stack once; each region gets its own layer version (regions number
// their versions independently), its own grants and, with S3 upload, its own object in a bucket
// of that region.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Annotations, AssetType, Lazy, TerraformAsset, TerraformOutput, TerraformProvider, Token } from "cdktf";
import { Construct } from "constructs";
import { awsProviderFor } from "../aws/aws-provider";
import { errors, LayerValidationError } from "../core/errors";
import { buildLayerArchive, LayerArchive } from "../packaging/layer-archive";
import { archiveFileOf, archiveOptionsOf, LambdaLayer, LambdaLayerOptions, LayerS3Options } from "./lambda-layer";
import { parseRegions } from "../aws/regions";
import { layerRuntimeWarnings, parseRuntimes } from "../aws/runtime";
import { claimStackName, outputPrefixFor } from "../terraform/stack-names";

/** How regions are reached from one stack. */
export type ProviderMode = "aliases" | "region-argument";

export interface LayerFanoutProps {
  /** Regions to publish in; each is validated and may appear once. */
  readonly regions: readonly string[];
  /**
   * The layer, as for LambdaLayer without `provider`. With `s3`, write the bucket as a template
   * holding `{region}` (for example "artifacts-{region}"): a layer is only published from a bucket
   * in its own region.
   */
  readonly layer: LambdaLayerOptions;
  /**
   * "aliases": one AWS provider alias per region (works with provider 5.x and 6.x).
   * "region-argument": the stack's one AWS provider and each resource's `region` argument (provider
   * 6.x only; one provider process at plan time however many regions).
   * @default "aliases"
   */
  readonly providerMode?: ProviderMode;
  /** Providers to use per region instead of creating aliases. @default - created per region */
  readonly providers?: Readonly<Record<string, TerraformProvider>>;
  /** A role to assume in each region's provider (aliases mode), or one per region. @default - credentials from the environment */
  readonly assumeRoleArn?: string | Readonly<Record<string, string>>;
  /** An archive already built for `layer` (a rollout builds once for all its stacks). @default - built here */
  readonly archive?: LayerArchive;
}

/**
 * Publishes one layer in several regions of one stack.
 *
 * @example
 * const fanout = new LayerFanout(stack, "Utils", {
 *   regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
 *   layer: { layerName: "shared-utils", source: "layers/python-shared-utils", compatibleRuntimes: ["python3.12"] },
 * });
 * fanout.layerIn("eu-west-1").layerVersionArn;
 */
export class LayerFanout extends Construct {
  public readonly regions: readonly string[];
  /** The one archive every region publishes. */
  public readonly archive: LayerArchive;
  private readonly layers = new Map<string, LambdaLayer>();

  constructor(scope: Construct, id: string, props: LayerFanoutProps) {
    super(scope, id);
    const mode = props.providerMode ?? "aliases";
    try {
      this.regions = parseRegions(props.regions, "regions");
      if (mode !== "aliases" && mode !== "region-argument") throw errors.invalidEnum("providerMode", mode, ["aliases", "region-argument"]);
      for (const [region, provider] of Object.entries(props.providers ?? {})) {
        if (!this.regions.includes(region)) throw errors.providerForUnlistedRegion(region, this.regions);
        checkProviderRegion(region, provider);
      }
      if (props.layer.s3 && this.regions.length > 1 && !props.layer.s3.bucket.includes("{region}")) {
        throw errors.s3BucketNeedsRegion(props.layer.s3.bucket);
      }
      this.archive = props.archive ?? buildLayerArchive(archiveOptionsOf(props.layer));
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }

    if (!props.archive)
      for (const warning of [...layerRuntimeWarnings(parseRuntimes(props.layer.compatibleRuntimes)), ...this.archive.warnings])
        Annotations.of(this).addWarning(`${props.layer.layerName}: ${warning}`);
    // One copy of the zip (or of the staged folder, and one data source zipping it) in the stack folder, whatever the region count.
    const archiveFile = props.layer.packaging === "archive_file" ? archiveFileOf(this, this.archive, props.layer.layerName) : undefined;
    const archiveAsset = archiveFile
      ? undefined
      : new TerraformAsset(this, "archive", { path: this.archive.path, type: AssetType.FILE, assetHash: this.archive.contentSha256 });
    for (const region of this.regions) {
      const assumeRoleArn = typeof props.assumeRoleArn === "string" ? props.assumeRoleArn : props.assumeRoleArn?.[region];
      const provider = props.providers?.[region] ?? (mode === "aliases" ? awsProviderFor(this, region, { assumeRoleArn }) : undefined);
      this.layers.set(
        region,
        new LambdaLayer(this, region, {
          ...props.layer,
          s3: s3ForRegion(props.layer.s3, region),
          provider,
          region: mode === "region-argument" ? region : undefined,
          archive: this.archive,
          archiveAsset,
          archiveFile,
          outputs: false,
        }),
      );
    }
    this.emitOutputs();
  }

  /** The layer published in `region`. @throws when the region is not one of `regions`. */
  public layerIn(region: string): LambdaLayer {
    const layer = this.layers.get(region);
    if (!layer) throw errors.regionNotInFanout(this.node.path, region, this.regions);
    return layer;
  }

  /** Region -> versioned layer ARN, as references. */
  public get layerVersionArns(): Record<string, string> {
    return Object.fromEntries([...this.layers].map(([region, layer]) => [region, layer.layerVersionArn]));
  }

  private emitOutputs(): void {
    const prefix = outputPrefixFor(this);
    try {
      claimStackName(this, "output prefix", prefix, "id", this.node.id);
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    // A lazy value, not the map itself: cdktf 0.21's TerraformOutput tests an object value with
    // util.isArray, which Node 22 and later deprecate at run time (DEP0044, a DeprecationWarning on
    // every synth); an unresolved value skips that test and resolves to the same map at synth.
    const map = (pick: (l: LambdaLayer) => string) =>
      Lazy.anyValue({ produce: () => Object.fromEntries([...this.layers].map(([region, layer]) => [region, pick(layer)])) });
    new TerraformOutput(this, "output-layer_version_arns", {
      value: map((l) => l.layerVersionArn),
      description: "Region -> versioned layer ARN",
    }).overrideLogicalId(`${prefix}_layer_version_arns`);
    new TerraformOutput(this, "output-versions", {
      value: map((l) => l.version),
      description: "Region -> layer version number",
    }).overrideLogicalId(`${prefix}_versions`);
    new TerraformOutput(this, "output-layer_arns", {
      value: map((l) => l.layerArn),
      description: "Region -> unversioned layer ARN",
    }).overrideLogicalId(`${prefix}_layer_arns`);
    new TerraformOutput(this, "output-content_sha256", {
      value: this.archive.contentSha256,
      description: "Content identity (SHA-256 of the canonical content) every region publishes",
    }).overrideLogicalId(`${prefix}_content_sha256`);
  }
}

/** The S3 options for one region: "{region}" in the bucket name becomes the region. @group Internals */
export function s3ForRegion(s3: LayerS3Options | undefined, region: string): LayerS3Options | undefined {
  return s3 && { ...s3, bucket: s3.bucket.split("{region}").join(region) };
}

/** A provider handed in for `region` must publish there (a literal region that differs is refused; a token cannot be checked). */
function checkProviderRegion(region: string, provider: TerraformProvider): void {
  if (!(provider instanceof AwsProvider)) return;
  const providerRegion = provider.region;
  if (providerRegion !== undefined && !Token.isUnresolved(providerRegion) && providerRegion !== region) {
    throw errors.providerForOtherRegion(region, providerRegion);
  }
}
