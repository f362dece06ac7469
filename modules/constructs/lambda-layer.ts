// The LambdaLayer construct: a layer folder in, a reproducible archive and one
// aws_lambda_layer_version (plus its S3 object, when uploading through S3) out.
import type { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import type { ArchiveProvider } from "@cdktf/provider-archive/lib/provider";
import { LambdaLayerVersion } from "@cdktf/provider-aws/lib/lambda-layer-version";
import { LambdaLayerVersionPermission } from "@cdktf/provider-aws/lib/lambda-layer-version-permission";
import type { SsmParameter } from "@cdktf/provider-aws/lib/ssm-parameter";
import { Annotations, AssetType, TerraformAsset, TerraformOutput, TerraformProvider, TerraformStack, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import type { LayerFacts } from "../checks/attachment";
import { ensureAwsProviderRequirement, qualifyProviderSource, regionOf } from "../aws/aws-provider";
import { errors, LayerValidationError } from "../core/errors";
import { claimStackName, outputPrefixFor } from "../terraform/stack-names";
import { buildLayerArchive, BuildLayerArchiveOptions, LayerArchive, LayerContentOptions } from "../packaging/layer-archive";
import {
  escapeTemplateSequences,
  MAX_DESCRIPTION_LENGTH,
  MAX_LICENSE_INFO_LENGTH,
  validateEnum,
  validateLayerName,
  validateMaxLength,
  validateS3Bucket,
  validateS3KeyPrefix,
} from "../aws/limits";
import type { NativeBinary } from "../checks/native-binaries";
import { providerClasses } from "../aws/provider-classes";
import { ARN_PARTITION_PATTERN, arnOf, isKnownRegion, partitionOf } from "../aws/regions";
import { Architecture, layerRuntimeWarnings, parseArchitectures, parseRuntimes, Runtime } from "../aws/runtime";
import { GRANTS_ARE_KEPT, grantLifecycle, LAYER_ACTION, LayerGrant, LayerSharing, parseSharing, sharingWarnings } from "./sharing";
import { optionNames, refuseUnknownOptions } from "../core/option-names";
import { LayerSsmParameter, layerArnParameter, ssmParameterName } from "./ssm-parameter";

/** A layer version other code can attach: one built here, or one imported by ARN. */
export interface ILambdaLayer extends LayerFacts {
  /** The versioned ARN (…:layer:name:7) that functions attach. */
  readonly layerVersionArn: string;
}

/** Where an archive over 50 MiB (or any archive, if you prefer) is uploaded before publishing. */
export interface LayerS3Options {
  /** A bucket in the layer's own region (Lambda only publishes from the same region). */
  readonly bucket: string;
  /**
   * Prefix for the object key; the key is `<prefix><layerName>/<contentSha256>.zip`, so content decides it.
   * @default "lambda-layers/"
   */
  readonly keyPrefix?: string;
}

export type LayerPackaging = "synth" | "archive_file";
const PACKAGINGS: readonly LayerPackaging[] = ["synth", "archive_file"];

/** Everything that describes a layer, independent of where (which provider) it is published. */
export interface LambdaLayerOptions extends LayerContentOptions {
  /**
   * The layer's name: 1-140 characters of A-Z a-z 0-9 - _.
   * @see https://docs.aws.amazon.com/lambda/latest/api/API_PublishLayerVersion.html
   */
  readonly layerName: string;
  /** Folder holding the layer content: laid out for /opt (python/, nodejs/node_modules/, …) or a plain package folder. */
  readonly source: string;
  /** AWS runtime identifiers (or Runtime instances) that may use the layer; 1 to 15. */
  readonly compatibleRuntimes: ReadonlyArray<string | Runtime>;
  /**
   * Architectures the layer supports.
   * @default - none declared: Lambda lets functions of any architecture attach it
   */
  readonly compatibleArchitectures?: ReadonlyArray<string | Architecture>;
  /** @default - no description. At most 256 characters. */
  readonly description?: string;
  /** SPDX identifier, URL or license text. @default - none. At most 512 characters. */
  readonly licenseInfo?: string;
  /**
   * Keep old versions when a new one is published or the resource is destroyed (`skip_destroy`).
   * Functions already using a deleted version keep running, but no new function and no redeploy can
   * reference it, so deleting breaks the next deploy of every consumer pinned to it.
   * @default true
   */
  readonly retain?: boolean;
  /**
   * "synth": the zip is built at synth into the stack's assets and referenced by a path relative to
   * the stack folder (plan and apply on different workers see the same file).
   * "archive_file": a `data "archive_file"` zips the staged folder during plan (see the caveat in docs/layers.md, Packaging modes).
   * @default "synth"
   */
  readonly packaging?: LayerPackaging;
  /** Upload the archive to S3 and publish from there (required over 50 MiB zipped). @default - direct upload */
  readonly s3?: LayerS3Options;
  /** Cache folder for archives and installs. @default $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache */
  readonly cacheDir?: string;
  /**
   * Accounts, an organization, or everyone allowed to use every version this construct publishes.
   * Each new version gets the same grants; Terraform never revokes a grant (removing a principal keeps its access to versions already published).
   * @default - private to the owning account
   */
  readonly sharing?: LayerSharing;
  /** Emit the `<id>_layer_arn`, `<id>_layer_version_arn`, `<id>_version` and `<id>_content_sha256` outputs. @default true */
  readonly outputs?: boolean;
  /**
   * Write the versioned ARN to an SSM parameter in the layer's region (each region of a fan-out or
   * rollout gets its own), updated exactly when the version changes.
   * @default - no parameter
   */
  readonly ssmParameter?: LayerSsmParameter;
}

export interface LambdaLayerProps extends LambdaLayerOptions {
  /** The AWS provider (region, account) to publish with. @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /**
   * Publish in this region through the per-resource `region` argument of AWS provider 6.x
   * (one provider process for many regions); the stack then requires provider 6.x.
   * @default - the provider's region
   */
  readonly region?: string;
  /** An archive already built for the same options (a fan-out builds once and publishes many times). @default - built here */
  readonly archive?: LayerArchive;
  /** An asset already holding `archive` in this stack (a fan-out copies the zip into a stack once). @default - a new asset */
  readonly archiveAsset?: TerraformAsset;
  /** With `packaging: "archive_file"`: the data source already zipping the staged folder (a fan-out zips once). @default - a new one */
  readonly archiveFile?: DataArchiveFile;
}

/** LambdaLayer's props as a value: the compiler keeps it equal to LambdaLayerProps' keys. */
const LAMBDA_LAYER_PROPS = optionNames<LambdaLayerProps>()({
  layerName: true,
  source: true,
  compatibleRuntimes: true,
  compatibleArchitectures: true,
  description: true,
  licenseInfo: true,
  retain: true,
  packaging: true,
  s3: true,
  cacheDir: true,
  sharing: true,
  outputs: true,
  ssmParameter: true,
  excludes: true,
  defaultExcludes: true,
  allowSecrets: true,
  allowForeignBinaries: true,
  pipArgs: true,
  npmArgs: true,
  provider: true,
  region: true,
  archive: true,
  archiveAsset: true,
  archiveFile: true,
});

/**
 * A Lambda layer built from a folder into a reproducible zip and published as a layer version.
 * A new version is published exactly when the archive's content changes.
 *
 * @example
 * new LambdaLayer(stack, "SharedUtils", {
 *   layerName: "shared-utils",
 *   source: "layers/python-shared-utils",
 *   compatibleRuntimes: ["python3.12"],
 *   compatibleArchitectures: ["arm64", "x86_64"],
 * });
 */
export class LambdaLayer extends Construct implements ILambdaLayer {
  /**
   * A layer published elsewhere, by its versioned ARN. Declare its runtimes and architectures to
   * have attachments checked against them.
   * @throws LayerValidationError for a malformed ARN or an unknown region.
   */
  public static fromLayerVersionArn(
    scope: Construct,
    id: string,
    layerVersionArn: string,
    options: { compatibleRuntimes?: ReadonlyArray<string | Runtime>; compatibleArchitectures?: ReadonlyArray<string | Architecture> } = {},
  ): ImportedLambdaLayer {
    return new ImportedLambdaLayer(scope, id, layerVersionArn, options);
  }

  /** The unversioned layer ARN (…:layer:name). */
  public readonly layerArn: string;
  /** The versioned layer ARN (…:layer:name:7). */
  public readonly layerVersionArn: string;
  /** The version number Lambda assigned (as a string token). */
  public readonly version: string;
  /** The archive that was published. */
  public readonly archive: LayerArchive;
  public readonly layerName: string;
  public readonly compatibleRuntimes: readonly Runtime[];
  public readonly compatibleArchitectures?: readonly Architecture[];
  /** The underlying resource, for overrides. */
  public readonly resource: LambdaLayerVersion;
  /** The grants made so far, in order. */
  public readonly grants: LayerGrant[] = [];
  /** The SSM parameter holding the versioned ARN, when `ssmParameter` is set. */
  public readonly ssmParameter?: SsmParameter;
  private readonly provider?: TerraformProvider;
  private readonly regionArgument?: string;
  /** `version` as a number, made once for every grant: each token cdktf makes captures a stack trace. */
  private versionNumber?: number;

  constructor(scope: Construct, id: string, props: LambdaLayerProps) {
    super(scope, id);
    try {
      refuseUnknownOptions("LambdaLayer props", props, LAMBDA_LAYER_PROPS, { outDir: "cacheDir" });
      validateLayerName(props.layerName);
      this.compatibleRuntimes = parseRuntimes(props.compatibleRuntimes);
      this.compatibleArchitectures = parseArchitectures(props.compatibleArchitectures);
      validateMaxLength("description", props.description, MAX_DESCRIPTION_LENGTH);
      validateMaxLength("licenseInfo", props.licenseInfo, MAX_LICENSE_INFO_LENGTH);
      const packaging = validateEnum("packaging", props.packaging, PACKAGINGS) ?? "synth";
      if (props.region !== undefined && !Token.isUnresolved(props.region) && !isKnownRegion(props.region))
        throw errors.unknownRegion("region", props.region);
      if (props.s3) {
        validateS3Bucket(props.s3.bucket);
        validateS3KeyPrefix(props.s3.keyPrefix);
        if (packaging === "archive_file") throw errors.invalidEnum("packaging", packaging, ["synth"]);
      }
      if (props.ssmParameter !== undefined) ssmParameterName(props.ssmParameter, props.layerName);
      this.archive = props.archive ?? buildLayerArchive(archiveOptionsOf(props));
      this.layerName = props.layerName;
      this.provider = props.provider;
      this.regionArgument = props.region;
      claimStackName(
        this,
        "layer name",
        `${props.provider?.node.path ?? "default provider"} ${props.region ?? ""} ${props.layerName}`,
        "layerName",
        props.layerName,
      );
      // An archive handed in (fan-outs, rollouts) is reported once by whoever built it, not per region.
      if (!props.archive)
        for (const warning of [...layerRuntimeWarnings(this.compatibleRuntimes), ...this.archive.warnings])
          Annotations.of(this).addWarning(`${props.layerName}: ${warning}`);
      ensureAwsProviderRequirement(this, props.region !== undefined, { field: "compatibleRuntimes", runtimes: this.compatibleRuntimes });
      this.resource = this.publish(props, packaging);
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    this.layerArn = this.resource.layerArn;
    this.layerVersionArn = this.resource.arn;
    this.version = this.resource.version;
    if (props.sharing !== undefined) this.grant(props.sharing);
    if (props.ssmParameter !== undefined) {
      const { layerName, layerVersionArn, provider, regionArgument: region } = this;
      this.ssmParameter = layerArnParameter(this, props.ssmParameter, { layerName, layerVersionArn, provider, region });
    }
    if (props.outputs ?? true) this.emitOutputs();
  }

  public get unzippedBytes(): number {
    return this.archive.unzippedBytes;
  }

  public get entries(): readonly string[] {
    return this.archive.entries;
  }

  /** The compiled code in the layer and what each file was built for. */
  public get nativeBinaries(): readonly NativeBinary[] {
    return this.archive.nativeBinaries;
  }

  /** The literal region this layer is published in, when known. */
  public get region(): string | undefined {
    return this.regionArgument ?? regionOf(this, this.provider);
  }

  /**
   * Lets accounts, an organization or everyone use every version this construct publishes
   * (`lambda:GetLayerVersion`). Permissions are per version: a new version gets them again.
   *
   * Terraform never revokes a grant (see `grantLifecycle`): removing a principal from the code
   * stops granting it on versions published from then on, and keeps its access to versions already
   * published. Revoke on purpose with `cdktf-lambda-layers revoke`.
   * @throws LayerValidationError for an empty block, a malformed or duplicate principal, or `"*"` without `public: true`.
   */
  public grant(sharing: LayerSharing): LambdaLayerVersionPermission[] {
    let grants: LayerGrant[];
    try {
      grants = parseSharing(sharing, this.grants);
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    // Said once per layer name in the app, not once per region of a fan-out or rollout.
    const told = toldGrantsAreKept.get(this.node.root) ?? new Set<string>();
    toldGrantsAreKept.set(this.node.root, told);
    if (grants.length > 0 && !told.has(this.layerName)) {
      told.add(this.layerName);
      Annotations.of(this).addInfo(`${this.layerName}: ${GRANTS_ARE_KEPT}`);
    }
    this.grants.push(...grants);
    for (const warning of sharingWarnings(grants)) Annotations.of(this).addWarning(`${this.layerName} ${warning}`);
    return grants.map(
      (g) =>
        new LambdaLayerVersionPermission(this, `permission-${g.statementId}`, {
          layerName: this.layerArn,
          versionNumber: (this.versionNumber ??= Token.asNumber(this.version)),
          principal: g.principal,
          organizationId: g.organizationId,
          action: LAYER_ACTION,
          statementId: g.statementId,
          ...grantLifecycle(),
          provider: this.provider,
          region: this.regionArgument,
        }),
    );
  }

  private publish(props: LambdaLayerProps, packaging: LayerPackaging): LambdaLayerVersion {
    const common = {
      layerName: props.layerName,
      // Both are sets to the provider: sorted, the generated code does not change with the user's order.
      compatibleRuntimes: this.compatibleRuntimes.map((r) => r.name).sort(),
      compatibleArchitectures: this.compatibleArchitectures?.map((a) => a.name).sort(),
      description: escapeTemplateSequences(props.description),
      licenseInfo: escapeTemplateSequences(props.licenseInfo),
      skipDestroy: props.retain ?? true,
      provider: props.provider,
      region: props.region,
    };
    if (packaging === "archive_file") {
      const zip = props.archiveFile ?? archiveFileOf(this, this.archive, props.layerName);
      return new LambdaLayerVersion(this, "layer-version", { ...common, filename: zip.outputPath, sourceCodeHash: zip.outputBase64Sha256 });
    }
    const asset =
      props.archiveAsset ??
      new TerraformAsset(this, "archive", { path: this.archive.path, type: AssetType.FILE, assetHash: this.archive.contentSha256 });
    if (!props.s3) {
      // The zip's path holds the construct's id (assets/<id>_archive_…/): a renamed or moved construct
      // must not publish the same content again. source_code_hash alone says when the content changed.
      return new LambdaLayerVersion(this, "layer-version", {
        ...common,
        filename: assetPathOf(asset),
        sourceCodeHash: this.archive.contentBase64Sha256,
        lifecycle: { ignoreChanges: ["filename"] },
      });
    }
    const object = new (providerClasses.s3Object())(this, "object", {
      bucket: props.s3.bucket,
      key: `${props.s3.keyPrefix ?? "lambda-layers/"}${props.layerName}/${this.archive.contentSha256}.zip`,
      source: assetPathOf(asset),
      sourceHash: this.archive.contentBase64Sha256,
      provider: props.provider,
      region: props.region,
    });
    return new LambdaLayerVersion(this, "layer-version", {
      ...common,
      s3Bucket: object.bucket,
      s3Key: object.key,
      sourceCodeHash: this.archive.contentBase64Sha256,
    });
  }

  private emitOutputs(): void {
    const prefix = outputPrefixFor(this);
    try {
      claimStackName(this, "output prefix", prefix, "id", this.node.id);
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    const output = (name: string, value: string, description: string) =>
      new TerraformOutput(this, `output-${name}`, { value, description }).overrideLogicalId(`${prefix}_${name}`);
    output("layer_arn", this.layerArn, `Unversioned ARN of layer ${this.layerName}`);
    output("layer_version_arn", this.layerVersionArn, `Versioned ARN of layer ${this.layerName}: what functions attach`);
    output("version", this.version, `Version number of layer ${this.layerName}`);
    output(
      "content_sha256",
      this.archive.contentSha256,
      `Content identity (SHA-256 of the canonical content) of layer ${this.layerName} (for drift reports)`,
    );
  }
}

/** A layer version published elsewhere, referenced by ARN. */
export class ImportedLambdaLayer extends Construct implements ILambdaLayer {
  public readonly layerVersionArn: string;
  /** The region in the ARN (undefined when the ARN is a token). */
  public readonly region?: string;
  public readonly account?: string;
  public readonly compatibleRuntimes?: readonly Runtime[];
  public readonly compatibleArchitectures?: readonly Architecture[];

  constructor(
    scope: Construct,
    id: string,
    layerVersionArn: string,
    options: { compatibleRuntimes?: ReadonlyArray<string | Runtime>; compatibleArchitectures?: ReadonlyArray<string | Architecture> } = {},
  ) {
    super(scope, id);
    try {
      const parsed = parseLayerVersionArn(layerVersionArn);
      this.region = parsed?.region;
      this.account = parsed?.account;
      this.compatibleRuntimes = options.compatibleRuntimes ? parseRuntimes(options.compatibleRuntimes) : undefined;
      this.compatibleArchitectures = parseArchitectures(options.compatibleArchitectures);
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    this.layerVersionArn = layerVersionArn;
  }
}

const LAYER_VERSION_ARN = new RegExp(
  `^arn:${ARN_PARTITION_PATTERN}:lambda:([a-z0-9-]+):(\\d{12}):layer:([A-Za-z0-9_-]{1,140}):([1-9]\\d*)$`,
);

/**
 * Splits a versioned layer ARN into its parts; undefined for a token.
 * @throws LayerValidationError for a malformed ARN or an unknown region.
 */
export function parseLayerVersionArn(
  arn: string,
): { partition: string; region: string; account: string; name: string; version: number } | undefined {
  if (typeof arn === "string" && Token.isUnresolved(arn)) return undefined;
  const m = typeof arn === "string" ? LAYER_VERSION_ARN.exec(arn) : null;
  if (!m) throw errors.invalidLayerVersionArn(arn);
  if (!isKnownRegion(m[2])) throw errors.unknownRegion("layerVersionArn", arn);
  if (partitionOf(m[2]) !== m[1]) throw errors.partitionMismatch("layerVersionArn", arn, m[1], m[2], partitionOf(m[2]));
  return { partition: m[1], region: m[2], account: m[3], name: m[4], version: Number(m[5]) };
}

/** The packaging options a layer definition implies: one mapping for LambdaLayer, fan-outs and rollouts. @group Internals */
export function archiveOptionsOf(layer: LambdaLayerOptions): BuildLayerArchiveOptions {
  return {
    source: layer.source,
    compatibleRuntimes: layer.compatibleRuntimes,
    compatibleArchitectures: layer.compatibleArchitectures,
    excludes: layer.excludes,
    defaultExcludes: layer.defaultExcludes,
    allowSecrets: layer.allowSecrets,
    allowForeignBinaries: layer.allowForeignBinaries,
    outDir: layer.cacheDir,
    s3Upload: layer.s3 !== undefined,
    pipArgs: layer.pipArgs,
    npmArgs: layer.npmArgs,
    stage: layer.packaging === "archive_file",
  };
}

/** The unversioned layer ARN of a parsed layer version ARN: what makes two versions the same layer. */
export function unversionedLayerArn(parsed: NonNullable<ReturnType<typeof parseLayerVersionArn>>): string {
  return arnOf("lambda", parsed.region, parsed.account, `layer:${parsed.name}`);
}

/**
 * A `data "archive_file"` zipping the archive's staged folder during plan, under an output path no
 * other layer of the stack uses (the construct's unique address is part of it).
 */
export function archiveFileOf(scope: Construct, archive: LayerArchive, layerName: string): DataArchiveFile {
  const staged = new TerraformAsset(scope, "staged", {
    path: archive.stagedDir!,
    type: AssetType.DIRECTORY,
    assetHash: archive.contentSha256,
  });
  return new (providerClasses.dataArchiveFile())(scope, "zip", {
    type: "zip",
    sourceDir: staged.path,
    outputPath: `archive-file/${layerName}-${scope.node.addr.slice(0, 16)}.zip`,
    provider: archiveProviderOf(scope),
  });
}

const toldGrantsAreKept = new WeakMap<IConstruct, Set<string>>();

const assetPaths = new WeakMap<TerraformAsset, string>();

/**
 * An asset's path, read once: cdktf derives it from the asset's logical id (an MD5 of its construct
 * path) on every read, and a fan-out's regions all read the one asset.
 */
function assetPathOf(asset: TerraformAsset): string {
  let known = assetPaths.get(asset);
  if (known === undefined) assetPaths.set(asset, (known = asset.path));
  return known;
}

/** The stack's archive provider, created on first use with its fully qualified source. */
function archiveProviderOf(scope: Construct): ArchiveProvider {
  const stack = TerraformStack.of(scope);
  const ArchiveProviderClass = providerClasses.archiveProvider();
  const existing = stack.node.children.find((c): c is ArchiveProvider => c instanceof ArchiveProviderClass);
  if (existing) return existing;
  qualifyProviderSource(stack, "archive", "hashicorp/archive", ">= 2.4, < 3.0");
  return new ArchiveProviderClass(stack, "archive");
}
