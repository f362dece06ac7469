// Every error the library throws, built by named factories so that each message says
// what happened, names the field and the bad value, and says how to fix it.
import * as path from "path";
import { toolName } from "./framework";

/** An input the library refuses. `field`, `value` and `fix` are kept for programmatic use. */
export class LayerValidationError extends Error {
  constructor(
    public readonly field: string,
    public readonly value: unknown,
    public readonly problem: string,
    public readonly fix: string,
    public readonly constructPath?: string,
  ) {
    super(formatMessage(field, value, problem, fix, constructPath));
    this.name = "LayerValidationError";
  }

  /** The same error, prefixed with the path of the construct that received the input. */
  public atConstruct(constructPath: string): LayerValidationError {
    if (this.constructPath) return this;
    return new LayerValidationError(this.field, this.value, this.problem, this.fix, constructPath);
  }
}

/**
 * Every input the checks at synth refused (they run when every layer is known), one per line,
 * each naming its construct path.
 */
export class LayerValidationErrors extends LayerValidationError {
  constructor(public readonly problems: readonly string[]) {
    super("layers", problems, "failed the checks at synth", "see each problem");
    this.message = `Validation failed, nothing was written:\n  ${problems.join("\n  ")}`;
    this.name = "LayerValidationError";
  }
}

/**
 * When a cdktf app is run by the cdktf CLI (which sets CDKTF_OUTDIR), a refused input is printed
 * once, as its message, without a stack trace: the trace points into this library, not at the
 * mistake, and the CLI repeats what the app printed. Other errors keep Node's default report.
 */
export function printRefusedInputsCleanly(): void {
  if (installed) return;
  installed = true;
  process.on("uncaughtException", (error: unknown) => {
    if (error instanceof Error && error.name === "LayerValidationError") {
      process.stderr.write(`Error: ${error.message}\n`);
    } else {
      process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    }
    process.exit(1);
  });
}
let installed = false;
if (process.env.CDKTF_OUTDIR) printRefusedInputsCleanly();

function formatMessage(field: string, value: unknown, problem: string, fix: string, at?: string): string {
  const where = at ? `${at}: ` : "";
  return `${where}\`${field}\` ${problem}, got ${describe(value)}. Fix: ${fix}`;
}

export function describe(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value) && value.length > 8) {
    return `[${value.slice(0, 8).map(describe).join(", ")}, … ${value.length - 8} more]`;
  }
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/** Backslashes are file name characters on Linux and macOS, not separators: say so when a path holds them. */
function windowsPathHint(value: string): string {
  if (path.sep === "\\" || typeof value !== "string" || !value.includes("\\")) return "";
  return `write the path with forward slashes (${JSON.stringify(value.replace(/\\/g, "/"))}): on this system a backslash is part of a file name, not a separator; `;
}

const MIB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB (${bytes} bytes)`;

export const errors = {
  /** An option the receiving function or construct does not know (`where`: "buildLayerArchive", "LambdaLayer props"). */
  unknownOption: (where: string, name: string, value: unknown, known: readonly string[], suggestion?: string) =>
    new LayerValidationError(
      name,
      value,
      `is not an option of ${where}`,
      `${suggestion ? `did you mean \`${suggestion}\`? ` : ""}the options of ${where} are ${known.join(", ")}`,
    ),

  invalidLayerName: (value: unknown) =>
    new LayerValidationError(
      "layerName",
      value,
      "must be 1-140 characters of A-Z a-z 0-9 - _",
      'rename the layer, for example "shared-utils" (Lambda refuses other characters)',
    ),

  noRuntimes: (value: unknown) =>
    new LayerValidationError(
      "compatibleRuntimes",
      value,
      "must name at least one runtime",
      'list the runtimes that load this layer, for example ["python3.12"]',
    ),

  tooManyRuntimes: (value: string[]) =>
    new LayerValidationError(
      "compatibleRuntimes",
      value,
      `lists ${value.length} runtimes but Lambda accepts at most 15`,
      "keep the 15 runtimes your functions use",
    ),

  unknownRuntime: (field: string, value: unknown, known: readonly string[], suggestion?: string) =>
    new LayerValidationError(
      field,
      value,
      "is not a Lambda runtime identifier this library knows",
      `${suggestion ? `did you mean ${JSON.stringify(suggestion)}? ` : ""}use one of ${known.join(", ")}; for a runtime newer than this library use Runtime.custom("name", "family")`,
    ),

  runtimesNotAList: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "must be a list of runtimes, not a single value",
      `wrap it in a list: ${field}: [${JSON.stringify(String(value))}]`,
    ),

  runtimeCreateBlocked: (field: string, runtime: string, blockedSince: string, successor: string | undefined) =>
    new LayerValidationError(
      field,
      runtime,
      `is a runtime on which Lambda has refused to create functions since ${blockedSince} (AWS deprecated it)`,
      `${successor ? `move the function to ${successor}` : "move the function to a supported runtime"}; for a function that already exists on it, set \`allowDeprecatedRuntime: true\` to keep deploying it while you migrate`,
    ),

  duplicate: (field: string, value: unknown, item: string) =>
    new LayerValidationError(field, value, `lists ${JSON.stringify(item)} twice`, "list each value once"),

  unknownArchitecture: (field: string, value: unknown) =>
    new LayerValidationError(field, value, 'must be "x86_64" or "arm64"', "use Architecture.X86_64 or Architecture.ARM_64"),

  tooManyArchitectures: (field: string, value: unknown) =>
    new LayerValidationError(field, value, "lists more than the two Lambda architectures", "list x86_64, arm64 or both"),

  tooLong: (field: string, value: string, max: number) =>
    new LayerValidationError(
      field,
      value.length > 60 ? `${value.slice(0, 57)}...` : value,
      `is ${value.length} characters but Lambda accepts at most ${max}`,
      `shorten it to ${max} characters`,
    ),

  invalidEnum: (field: string, value: unknown, allowed: readonly string[]) =>
    new LayerValidationError(
      field,
      value,
      `must be one of ${allowed.map((a) => JSON.stringify(a)).join(", ")}`,
      `set it to one of those values or leave it out for the default`,
    ),

  sourceMissing: (value: string) =>
    new LayerValidationError(
      "source",
      value,
      `is not an existing folder (looked for ${path.resolve(value)})`,
      `${windowsPathHint(value)}point \`source\` at the folder that holds the layer content (relative paths resolve from the working directory, ${process.cwd()})`,
    ),

  sourceNotFolder: (value: string) =>
    new LayerValidationError(
      "source",
      value,
      `is a file, not a folder (${path.resolve(value)})`,
      "point `source` at the folder that holds the layer content; a prebuilt zip is imported with LambdaLayer.fromLayerVersionArn after publishing",
    ),

  sourceEmpty: (value: string) =>
    new LayerValidationError("source", value, "holds no files once excludes are applied", "add the layer content, or loosen `excludes`"),

  layoutNotLoadable: (source: string, problem: string, whereLambdaLooks: string) =>
    new LayerValidationError(
      "source",
      source,
      problem,
      `Lambda extracts a layer into /opt and looks in ${whereLambdaLooks}; move the content there, or pass a plain package folder and let the builder place it`,
    ),

  ambiguousPlainFolder: (source: string, families: string[]) =>
    new LayerValidationError(
      "source",
      source,
      `is a plain folder (no python/, nodejs/, ruby/ or java/ at its top, and no native programs or libraries in bin/ or lib/) but the runtimes span several families (${families.join(", ")}), so the builder cannot tell where it belongs`,
      "lay the folder out yourself (for example python/… and nodejs/node_modules/…) or declare runtimes of one family",
    ),

  plainNodePackageWithoutName: (source: string) =>
    new LayerValidationError(
      "source",
      source,
      'is a plain Node.js folder but has no package.json with a "name", so it cannot be placed at nodejs/node_modules/<name>/',
      "add a package.json whose name is what functions will require(), or lay the folder out as nodejs/node_modules/<name>/ yourself",
    ),

  invalidNodePackageName: (source: string, name: string, problem: string) =>
    new LayerValidationError(
      "source",
      source,
      `is a plain Node.js package whose package.json name ${JSON.stringify(name)} ${problem}, so it is not a valid npm package name nor a safe place under nodejs/node_modules/`,
      'set package.json\'s "name" to what functions require(), following npm\'s rules: lower case, URL-safe, 214 characters at most, optionally "@scope/name" (for example "acme-utils")',
    ),

  plainPythonPackageName: (source: string, name: string) =>
    new LayerValidationError(
      "source",
      source,
      `is a Python package (it holds __init__.py) whose folder name ${JSON.stringify(name)} is not a Python identifier, so it could not be imported from /opt/python/${name}/`,
      "rename the folder to the name functions import (letters, digits and _, for example shared_utils), or lay it out yourself as python/<name>/__init__.py",
    ),

  plainFolderWithLib: (source: string, prefix: string, searchPath: string) =>
    new LayerValidationError(
      "source",
      source,
      `is a plain package folder with a lib/ folder (a gem's or a build's layout): placed under ${prefix} it would land in /opt/${prefix}lib/, which ${searchPath} does not search`,
      `pass the lib/ folder itself as \`source\` (its content then lands in /opt/${prefix}), or lay the folder out yourself under ${prefix}`,
    ),

  sitePackagesOutsidePython: (source: string, folder: string, target: string) =>
    new LayerValidationError(
      "source",
      source,
      `holds ${folder}/ at its top, which Lambda extracts to /opt/${folder}/: that is on LD_LIBRARY_PATH, not on sys.path, so nothing in it can be imported`,
      `move it under python/ (to ${target}; /opt/python/ is imported by every Python runtime, python/lib/pythonX.Y/site-packages/ only by pythonX.Y)`,
    ),

  nodeModulesAtTop: (source: string) =>
    new LayerValidationError(
      "source",
      source,
      "holds node_modules/ at its top, which Lambda extracts to /opt/node_modules/: that is not on NODE_PATH, so require() finds none of its packages",
      "move it to nodejs/node_modules/ (Lambda's NODE_PATH holds /opt/nodejs/node_modules), or declare the packages in nodejs/package.json and let the builder install them",
    ),

  symlinkEscapes: (source: string, link: string, target: string) =>
    new LayerValidationError(
      "source",
      source,
      `contains the symlink ${JSON.stringify(link)} pointing outside the source folder (to ${JSON.stringify(target)})`,
      "copy the target into the layer folder or remove the link: the archive may only hold the source folder's own content",
    ),

  symlinkDangling: (source: string, link: string, target: string) =>
    new LayerValidationError(
      "source",
      source,
      `contains the symlink ${JSON.stringify(link)} whose target ${JSON.stringify(target)} does not exist`,
      `restore ${JSON.stringify(target)}, point the link at an existing file inside the source folder, remove the link, or add ${JSON.stringify(link)} to \`excludes\``,
    ),

  symlinkLoop: (source: string, link: string, target: string) =>
    new LayerValidationError(
      "source",
      source,
      `contains the symlink ${JSON.stringify(link)} (to ${JSON.stringify(target)}) that leads back to itself through a loop of links`,
      `point the link at a real file or folder inside the source folder, remove it, or add ${JSON.stringify(link)} to \`excludes\``,
    ),

  nameNotUtf8: (source: string, escaped: string, glob: string) =>
    new LayerValidationError(
      "source",
      source,
      `contains "${escaped}", a name that is not valid UTF-8 (\\xNN is a byte outside any UTF-8 character): the layer's zip names its entries in UTF-8 text, and no Python import or Node.js require() can name such a file, so it cannot be shipped as it is`,
      `rename it to a UTF-8 name (\`convmv -r -f latin1 -t utf8 --notest <folder>\` renames a tree written in Latin-1), or leave it out with ${JSON.stringify(glob)} in \`excludes\``,
    ),

  secretsFound: (source: string, findings: string[]) =>
    new LayerValidationError(
      "source",
      source,
      `contains files that look like secrets: ${findings.join("; ")}`,
      "remove them from the layer (a layer is readable by everyone it is shared with), add them to `excludes`, or, if they are not secret, list their paths in `allowSecrets`",
    ),

  /** A warning, not an error: a value with a secret's shape but thin evidence of being one. */
  secretSuspected: (file: string, why: string) =>
    `${file} may hold a secret (${why}): check it, then remove it from the layer or list it in \`allowSecrets\` to silence this warning`,

  unzippedTooLarge: (source: string, bytes: number, limit: number) =>
    new LayerValidationError(
      "source",
      source,
      `unzips to ${mb(bytes)}, over Lambda's limit of ${mb(limit)} for a function and all its layers`,
      "split the content into several layers, exclude what the functions do not import, or use a container image",
    ),

  zippedTooLarge: (source: string, bytes: number, limit: number) =>
    new LayerValidationError(
      "source",
      source,
      `zips to ${mb(bytes)}, over the ${mb(limit)} Lambda accepts in a direct upload`,
      "set `s3` (bucket and key prefix) so the archive is uploaded to S3 in the layer's region and published from there",
    ),

  tooManyEntries: (source: string, count: number) =>
    new LayerValidationError(
      "source",
      source,
      `has ${count} files and folders, more than the 65,535 entries a zip without ZIP64 holds`,
      "exclude what the functions do not need (tests, docs, type stubs) or split the layer",
    ),

  fileTooLarge: (source: string, file: string, bytes: number) =>
    new LayerValidationError(
      "source",
      source,
      `contains ${JSON.stringify(file)} of ${mb(bytes)}, larger than any layer may unzip to`,
      "exclude it, or ship it another way (S3 at run time, a container image)",
    ),

  dependencyInstallFailed: (source: string, manifest: string, command: string, where: string, output: string, hint?: string) =>
    new LayerValidationError(
      "source",
      source,
      `declares dependencies in ${manifest} that could not be installed: \`${command}\` failed:\n${output.trim().split("\n").slice(-15).join("\n")}\n`,
      `run that command in ${where} to see the whole error and make the install work there, or pass \`pipArgs\` / \`npmArgs\` (for example --no-index --find-links ./wheels when PyPI is out of reach; relative paths resolve from the manifest's folder)${hint ? `; ${hint}` : ""}`,
    ),

  dependencyCacheUnwritable: (folder: string, why: string) =>
    new LayerValidationError(
      "cacheDir",
      folder,
      `could not take a finished dependency install (${why})`,
      `make the cache folder writable, or point \`cacheDir\` (or $CDKTF_LAYERS_CACHE_DIR) at a folder that is; \`${toolName()} cache clean\` empties it`,
    ),

  notACacheFolder: (folder: string, foreign: string[]) =>
    new LayerValidationError(
      "cacheDir",
      folder,
      `is not a cache folder of this library (it has no CACHEDIR.TAG and holds ${foreign.join(", ")}), so nothing was removed`,
      "pass the folder the builds use as `cacheDir` (default ./.layer-cache, or $CDKTF_LAYERS_CACHE_DIR)",
    ),

  invalidLayerVersionArn: (value: unknown) =>
    new LayerValidationError(
      "layerVersionArn",
      value,
      "is not a layer version ARN of the form arn:<partition>:lambda:<region>:<12-digit account>:layer:<name>:<version> (partition aws, aws-cn, aws-us-gov, aws-eusc, ...)",
      "copy the LayerVersionArn printed by `aws lambda list-layer-versions` (it ends in the version number)",
    ),

  unknownRegion: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "is not an AWS region this library knows",
      'use a region code such as "us-east-1" or "eu-west-1"',
    ),

  invalidS3Bucket: (value: unknown) =>
    new LayerValidationError(
      "s3.bucket",
      value,
      "is not a valid S3 bucket name (3-63 characters of a-z 0-9 . -, starting and ending with a letter or digit)",
      "name the bucket in the layer's own region that should hold the archive",
    ),

  invalidS3KeyPrefix: (value: unknown) =>
    new LayerValidationError(
      "s3.keyPrefix",
      value,
      'must be empty or end in "/" and must not start with "/"',
      'use a prefix such as "lambda-layers/"',
    ),

  emptySharing: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "grants nothing",
      "list `accounts`, set `organizationId`, or set `public: true`; leave `sharing` out to keep the layer private to this account",
    ),

  invalidAccount: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "must hold 12-digit account ids or arn:<partition>:iam::<account id>:root",
      'write the account as "123456789012" (user and role ARNs cannot be granted layer access)',
    ),

  publicNotExplicit: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "would share the layer with every AWS account, which needs `public: true` exactly",
      "set `sharing.public: true` if every account may use the layer, or list the accounts",
    ),

  duplicatePrincipal: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "grants a principal this layer already grants",
      "list each account (id or root ARN) and the organization once",
    ),

  invalidOrganizationId: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "is not an AWS Organizations id (o- followed by 10-32 lowercase letters or digits)",
      "copy the id from `aws organizations describe-organization` (Organization.Id)",
    ),

  redundantWithPublic: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "grants public access and also accounts or an organization, which public access already includes",
      "keep `public: true` alone, or drop it and keep the accounts and organization",
    ),

  tooManyLayers: (value: string[]) =>
    new LayerValidationError(
      "layers",
      value,
      `lists ${value.length} layers but a function may use at most 5`,
      "merge layers, or move content into the function's own package",
    ),

  duplicateLayer: (value: string[], layer: string, first: string) =>
    new LayerValidationError(
      "layers",
      value,
      `attaches ${layer} although ${first === layer ? "it is already attached" : `${first} (the same layer) is already attached`}`,
      "attach each layer once, in one version",
    ),

  incompatibleRuntime: (layer: string, runtime: string, declared: string[]) =>
    new LayerValidationError(
      "layers",
      layer,
      `declares runtimes ${declared.join(", ")}, not the function's ${runtime}`,
      `add ${runtime} to the layer's compatibleRuntimes if it really loads there, or attach a layer built for ${runtime}`,
    ),

  incompatibleArchitecture: (layer: string, arch: string, declared: string[]) =>
    new LayerValidationError(
      "layers",
      layer,
      `declares architectures ${declared.join(", ")}, not the function's ${arch}`,
      `attach a layer built for ${arch} (native code of the other architecture fails at cold start with "invalid ELF header")`,
    ),

  undeclaredArchitectureBinaries: (layer: string, arch: string, files: string[]) =>
    new LayerValidationError(
      "layers",
      layer,
      `declares no architectures but holds native code the function's ${arch} cannot load: ${files.slice(0, 5).join(", ")}${files.length > 5 ? ` and ${files.length - 5} more` : ""}`,
      `declare the layer's compatibleArchitectures (what its binaries were built for) and attach a layer built for ${arch}; an undeclared layer attaches to any function and fails at cold start with "invalid ELF header"`,
    ),

  /**
   * One binary's reason and fix in the native-binary refusal (which names the file and the declared
   * runtimes): an abi3 module whose wheel needs a newer CPython than a declared runtime.
   */
  abi3BelowMinimum: (wheelTag: string, minimum: string, distribution: string, below: string[], machine: string) => ({
    reason: `an abi3 module of ${distribution}, whose wheel is tagged ${wheelTag}: it needs CPython ${minimum} or later, so ${below.map((v) => `python${v}`).join(" and ")} cannot import it`,
    fix: `raise the runtime to python${minimum} or later (drop ${below.map((v) => `python${v}`).join(" and ")} from compatibleRuntimes), or install a ${distribution} wheel built for the lower minimum: \`pip install --platform manylinux2014_${machine} --python-version ${below[0]} --only-binary=:all: ${distribution}\``,
  }),

  layerInOtherRegion: (layer: string, layerRegion: string, functionRegion: string) =>
    new LayerValidationError(
      "layers",
      layer,
      `lives in ${layerRegion} but the function is in ${functionRegion}; layers are regional`,
      `publish the layer in ${functionRegion} (LayerFanout does that) and attach that version`,
    ),

  functionTooLarge: (bytes: number, limit: number, parts: string[]) =>
    new LayerValidationError(
      "layers",
      parts,
      `add up to ${mb(bytes)} unzipped with the function's code, over Lambda's ${mb(limit)}`,
      "attach fewer or smaller layers, or exclude what the function does not import",
    ),

  invalidFunctionName: (value: unknown) =>
    new LayerValidationError(
      "functionName",
      value,
      "must be 1-64 characters of A-Z a-z 0-9 - _",
      'rename the function, for example "todos-api"',
    ),

  invalidRoleArn: (value: unknown) =>
    new LayerValidationError(
      "role",
      value,
      "is not an IAM role ARN (arn:<partition>:iam::<12-digit account>:role/<name>)",
      "pass the ARN of the execution role, for example `role.arn` of an aws_iam_role",
    ),

  invalidHandler: (value: unknown, runtime: string, form: string, example: string) =>
    new LayerValidationError("handler", value, `is not a ${runtime} handler of the form ${form}`, `write it as ${example}`),

  singleArchitecture: (value: unknown) =>
    new LayerValidationError(
      "architectures",
      value,
      "must name exactly one architecture (Lambda runs a function on one)",
      'use ["x86_64"] or ["arm64"]',
    ),

  outOfRange: (field: string, value: unknown, min: number, max: number, unit: string) =>
    new LayerValidationError(field, value, `must be between ${min} and ${max} ${unit}`, `choose a value from ${min} to ${max}`),

  reservedEnvironment: (value: unknown, key: string) =>
    new LayerValidationError(
      "environment",
      value,
      `sets ${key}, which Lambda reserves`,
      "rename the variable; Lambda sets the reserved ones itself",
    ),

  noRegions: (field: string, value: unknown) =>
    new LayerValidationError(field, value, "must list at least one region", 'list the regions to publish in, for example ["us-east-1"]'),

  mixedPartitions: (field: string, value: unknown, partitions: string[]) =>
    new LayerValidationError(
      field,
      value,
      `mixes the AWS partitions ${partitions.join(", ")}, which need separate accounts and credentials`,
      "declare one fan-out or rollout per partition",
    ),

  providerForUnlistedRegion: (region: string, regions: readonly string[]) =>
    new LayerValidationError(
      "providers",
      region,
      `names a region that is not in \`regions\` (${regions.join(", ")})`,
      "add the region to `regions` or remove its provider",
    ),

  s3BucketNeedsRegion: (bucket: string) =>
    new LayerValidationError(
      "layer.s3.bucket",
      bucket,
      "is one bucket for several regions, but Lambda only publishes a layer from a bucket in the layer's own region",
      'write the bucket as a template with {region}, for example "artifacts-{region}", and create one bucket per region',
    ),

  regionNotInFanout: (path: string, region: string, regions: readonly string[]) =>
    new LayerValidationError(
      "region",
      region,
      `is not one of ${path}'s regions (${regions.join(", ")})`,
      "ask for a region the fan-out publishes in",
    ),

  emptyWave: (field: string, value: unknown) =>
    new LayerValidationError(field, value, "holds an empty wave", "remove the empty wave or put regions in it"),

  regionInTwoWaves: (field: string, value: unknown, region: string) =>
    new LayerValidationError(field, value, `puts ${region} in more than one wave`, "roll each region out in exactly one wave"),

  regionTwiceInWave: (field: string, value: unknown, region: string, wave: number) =>
    new LayerValidationError(field, value, `lists ${region} twice in wave ${wave}`, "list each region once"),

  invalidWorkspaceName: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "would make a Terraform Cloud workspace name that is not 1-90 characters of A-Z a-z 0-9 - _",
      "use a prefix of letters, digits, - and _ that leaves room for the stack name",
    ),

  invalidCloudOrganization: (value: unknown) =>
    new LayerValidationError(
      "cloud.organization",
      value,
      "is not a Terraform Cloud organization name (letters, digits, - and _)",
      "copy the organization name from Terraform Cloud's settings",
    ),

  invalidWorkspaceTag: (field: string, value: unknown) =>
    new LayerValidationError(
      field,
      value,
      "holds a tag HCP Terraform refuses (1-255 letters, digits, colons, hyphens and underscores)",
      field === "id"
        ? "use a rollout id of letters, digits, - and _: each stack adds the tag stack:<id>-<region>"
        : 'use tags such as "lambda-layers" or "wave:1"',
    ),

  duplicateLayerName: (value: unknown, name: string) =>
    new LayerValidationError("layers", value, `defines the layer ${JSON.stringify(name)} twice`, "give each layer its own layerName"),

  unknownRolloutLayer: (field: string, value: unknown, known: string[]) =>
    new LayerValidationError(
      field,
      value,
      `names a layer the rollout does not define (${known.join(", ")})`,
      "use the layerName of one of `layers`, or an ARN",
    ),

  stackNameClash: (field: string, value: unknown, kind: "output prefix" | "layer name", name: string, owner: string) =>
    new LayerValidationError(
      field,
      value,
      kind === "layer name"
        ? `publishes the layer name ${JSON.stringify(name)}, which ${owner} already publishes with the same provider and region: two resources would fight over one layer's versions`
        : `gives the Terraform output prefix ${JSON.stringify(name)}, which ${owner} already uses (ids are turned into output names by replacing every character but A-Z a-z 0-9 _ - with _)`,
      kind === "layer name"
        ? "give each layer its own layerName, or publish it once and attach that one construct everywhere"
        : "rename one of the two construct ids so that they differ in letters, digits, _ or -",
    ),

  regionArgumentNeedsProvider6: (value: unknown) =>
    new LayerValidationError(
      "awsProviderVersion",
      value,
      'admits no AWS provider 6.x, but providerMode "region-argument" uses the per-resource `region` argument that only 6.x has',
      'admit 6.x (for example ">= 6.0, < 7.0"), or use providerMode "aliases", which works with 5.x',
    ),

  runtimeNeedsNewerProvider: (
    field: "compatibleRuntimes" | "runtime",
    tooNew: ReadonlyArray<{ name: string; awsProvider: string }>,
    constraint: string,
    admitted: string,
    fixedConstraint: string,
  ) =>
    new LayerValidationError(
      field,
      tooNew.map((r) => r.name).join(", "),
      `${field === "runtime" ? "is" : "lists"} ${tooNew.map((r) => `${r.name} (hashicorp/aws accepts it from ${r.awsProvider})`).join(" and ")}, ` +
        `but the stack's AWS provider constraint ${JSON.stringify(constraint)} admits ${admitted}, whose plan-time validation rejects ` +
        `${tooNew.length === 1 ? "it" : "them"}: \`terraform plan\` would fail with "expected ${field === "runtime" ? "runtime" : "compatible_runtimes"} to be one of [...]"`,
      `require a provider that knows ${tooNew.length === 1 ? "it" : "them"}: setAwsProviderVersion(stack, ${JSON.stringify(fixedConstraint)}) ` +
        `(or that constraint as a LayerRollout's awsProviderVersion)`,
    ),

  providerForOtherRegion: (region: string, providerRegion: string) =>
    new LayerValidationError(
      `providers.${region}`,
      providerRegion,
      `is a provider of region ${providerRegion}, not of ${region}: the layer would be published in the wrong region`,
      `pass the provider configured with region "${region}" under the key "${region}"`,
    ),

  partitionMismatch: (field: string, value: unknown, partition: string, region: string, expected: string) =>
    new LayerValidationError(
      field,
      value,
      `names the partition ${partition}, but ${region} belongs to ${expected}`,
      `write the ARN as arn:${expected}:lambda:${region}:…`,
    ),

  wavesNotAList: (value: unknown) =>
    new LayerValidationError(
      "waves",
      value,
      "must be a list of waves, each a list of regions",
      `wrap the regions in lists, one list per wave: for example ${JSON.stringify(typeof value === "string" ? [[value]] : [["us-east-1"], ["eu-west-1"]])}`,
    ),

  waveNotAList: (value: unknown, wave: unknown, index: number) =>
    new LayerValidationError(
      "waves",
      value,
      `holds ${JSON.stringify(wave)} as wave ${index + 1}, but each wave is a list of regions`,
      `write that wave as ${JSON.stringify([wave])}`,
    ),

  rolloutNameClash: (field: string, value: unknown, other: string) =>
    new LayerValidationError(
      field,
      value,
      `is also the name of ${other} in the same rollout stack; construct ids of one stack must differ`,
      "rename the function (or the layer); AWS allows equal names, but the rollout names its constructs after them",
    ),

  invalidProviderConstraint: (value: unknown) =>
    new LayerValidationError(
      "awsProviderVersion",
      value,
      "is not a Terraform version constraint",
      'use a constraint such as ">= 5.80, < 7.0" or "~> 5.100"',
    ),

  invalidSsmParameterName: (value: unknown, problem: string) =>
    new LayerValidationError(
      "ssmParameter.name",
      value,
      problem,
      'use a path such as "/lambda-layers/{layerName}/latest": letters, digits and _ . - /, at most 15 levels, not starting with aws or ssm',
    ),

  invalidDeflateLevel: (value: unknown) =>
    new LayerValidationError(
      "CDKTF_LAYERS_DEFLATE_LEVEL",
      value,
      "must be an integer from 0 (store) to 9 (smallest)",
      "unset it for level 6 (the default), or set one digit",
    ),
  invalidCacheMax: (value: unknown) =>
    new LayerValidationError(
      "CDKTF_LAYERS_CACHE_MAX_MIB",
      value,
      "must be a positive whole number of mebibytes (MiB)",
      "unset it for the default bound (2048 MiB), or set for example 4096",
    ),
};
