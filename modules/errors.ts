// Every error the library throws, built by named factories so that each message says
// what happened, names the field and the bad value, and says how to fix it.

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

const MIB = 1024 * 1024;
const mb = (bytes: number) => `${(bytes / MIB).toFixed(1)} MiB (${bytes} bytes)`;

export const errors = {
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

  unknownRuntime: (field: string, value: unknown, known: readonly string[]) =>
    new LayerValidationError(
      field,
      value,
      "is not a Lambda runtime identifier this library knows",
      `use one of ${known.join(", ")}; for a runtime newer than this library use Runtime.custom("name", "family")`,
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
      "is not an existing folder",
      "point `source` at the folder that holds the layer content (relative paths resolve from the working directory)",
    ),

  sourceNotFolder: (value: string) =>
    new LayerValidationError(
      "source",
      value,
      "is a file, not a folder",
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

  dependencyInstallFailed: (source: string, manifest: string, command: string, where: string, output: string) =>
    new LayerValidationError(
      "source",
      source,
      `declares dependencies in ${manifest} that could not be installed: \`${command}\` failed:\n${output.trim().split("\n").slice(-15).join("\n")}\n`,
      `run that command in ${where} to see the whole error and make the install work there, or pass \`pipArgs\` / \`npmArgs\` (for example --no-index --find-links ./wheels when PyPI is out of reach; relative paths resolve from the manifest's folder)`,
    ),

  dependencyCacheUnwritable: (folder: string, why: string) =>
    new LayerValidationError(
      "cacheDir",
      folder,
      `could not take a finished dependency install (${why})`,
      "make the cache folder writable, or point `cacheDir` (or $CDKTF_LAYERS_CACHE_DIR) at a folder that is; `cdktf-lambda-layers cache clean` empties it",
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
      "is not a layer version ARN of the form arn:aws:lambda:<region>:<12-digit account>:layer:<name>:<version>",
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
      "must hold 12-digit account ids or arn:aws:iam::<account id>:root",
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
      "is not an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>)",
      "pass the ARN of the execution role, for example `role.arn` of an aws_iam_role",
    ),

  invalidHandler: (value: unknown, runtime: string, example: string) =>
    new LayerValidationError("handler", value, `is not a ${runtime} handler of the form <file>.<function>`, `write it as ${example}`),

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

  invalidWorkspaceTag: (value: unknown) =>
    new LayerValidationError(
      "cloud.workspaceTags",
      value,
      "holds a tag Terraform Cloud refuses (lowercase letters, digits, -, _ and :, starting with a letter or digit, at most 255)",
      'use tags such as "lambda-layers" or "wave:1"',
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
};
