// LayeredFunction: an aws_lambda_function whose code is packaged by the reproducible archive
// builder and whose layers (built here or imported by ARN) are checked before anything deploys.
import type { LambdaFunction, LambdaFunctionConfig } from "@cdktf/provider-aws/lib/lambda-function";
import { Annotations, AssetType, TerraformAsset, TerraformProvider, TerraformStack, Token } from "cdktf";
import { Construct, IConstruct } from "constructs";
import * as path from "path";
import { ensureAwsProviderRequirement, regionOf } from "../aws/aws-provider";
import { AttachedLayer, checkAttachments, LayerFacts } from "../checks/attachment";
import { errors, LayerValidationError, LayerValidationErrors } from "../core/errors";
import { buildFunctionArchive, FunctionArchive } from "../packaging/function-archive";
import { ILambdaLayer, parseLayerVersionArn, unversionedLayerArn } from "./lambda-layer";
import { providerClasses } from "../aws/provider-classes";
import { regionGuard } from "./region-guard";
import { ARN_PARTITION_PATTERN } from "../aws/regions";
import { Architecture, parseArchitectures, Runtime, runtimeDeprecationWarning, RuntimeFamily } from "../aws/runtime";
import { escapeTemplateSequences } from "../aws/limits";

/** A layer to attach: one built here, one imported, or a versioned ARN string. */
export type LayerReference = ILambdaLayer | string;

/**
 * The aws_lambda_function settings this construct decides itself: the code (built from `source`),
 * and the settings it types and checks in its own form (runtime, architectures, layers, environment).
 */
export type OwnedFunctionSettings =
  | "filename"
  | "s3Bucket"
  | "s3Key"
  | "s3ObjectVersion"
  | "imageUri"
  | "imageConfig"
  | "packageType"
  | "sourceCodeHash"
  | "layers"
  | "runtime"
  | "architectures"
  | "environment"
  | "provider"
  | "count"
  | "forEach";

/**
 * Every other aws_lambda_function setting passes through unchanged: `vpcConfig`, `tracingConfig`,
 * `tags`, `deadLetterConfig`, `loggingConfig`, `ephemeralStorage`, `kmsKeyArn`, `publish`,
 * `reservedConcurrentExecutions`, `snapStart`, `fileSystemConfig`, `lifecycle`, `dependsOn`, …
 */
export interface LayeredFunctionProps extends Omit<LambdaFunctionConfig, OwnedFunctionSettings> {
  /** 1-64 characters of A-Z a-z 0-9 - _. */
  readonly functionName: string;
  /** AWS runtime identifier or Runtime instance. */
  readonly runtime: string | Runtime;
  /**
   * In the runtime family's form: `<file>.<function>` ("index.handler", "app.handler"), Ruby
   * `<file>.<method>` or `<file>.<Module::Class>.<method>`, Java `<Class>::<method>`, .NET
   * `<Assembly>::<Namespace.Class>::<Method>`, anything your `bootstrap` reads for OS-only runtimes.
   */
  readonly handler: string;
  /** ARN of the execution role. */
  readonly role: string;
  /** Folder holding the function's own code (dependencies in requirements.txt / package.json are installed). */
  readonly source: string;
  /** Exactly one architecture. @default ["x86_64"] */
  readonly architectures?: ReadonlyArray<string | Architecture>;
  /** Layers in merge order: for a file shipped twice, the later layer wins. At most 5. @default [] */
  readonly layers?: readonly LayerReference[];
  /** @default - none */
  readonly description?: string;
  /** MiB, 128-10240. @default 128 */
  readonly memorySize?: number;
  /** Seconds, 1-900. @default 3 */
  readonly timeout?: number;
  /** Environment variables. @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /** Globs relative to `source` left out of the code archive. @default [] */
  readonly excludes?: readonly string[];
  /** @default true */
  readonly defaultExcludes?: boolean;
  /** Paths that look like secrets but are not. @default [] */
  readonly allowSecrets?: readonly string[];
  /** @default [] */
  readonly pipArgs?: readonly string[];
  /** @default [] */
  readonly npmArgs?: readonly string[];
  /** @default $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache */
  readonly cacheDir?: string;
  /** @default - the stack's default AWS provider */
  readonly provider?: TerraformProvider;
  /** Deploy in this region through AWS provider 6.x's per-resource `region` argument. @default - the provider's region */
  readonly region?: string;
  /**
   * Deploy on a runtime on which Lambda no longer creates functions (past AWS's block-create date):
   * for a function that already exists on it, while you migrate. Synth still warns.
   * @default false
   */
  readonly allowDeprecatedRuntime?: boolean;
}

const RESERVED_ENVIRONMENT = new Set([
  "_HANDLER",
  "_X_AMZN_TRACE_ID",
  "AWS_DEFAULT_REGION",
  "AWS_REGION",
  "AWS_EXECUTION_ENV",
  "AWS_LAMBDA_FUNCTION_NAME",
  "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
  "AWS_LAMBDA_FUNCTION_VERSION",
  "AWS_LAMBDA_INITIALIZATION_TYPE",
  "AWS_LAMBDA_LOG_GROUP_NAME",
  "AWS_LAMBDA_LOG_STREAM_NAME",
  "AWS_ACCESS_KEY",
  "AWS_ACCESS_KEY_ID",
  "AWS_SECRET_ACCESS_KEY",
  "AWS_SESSION_TOKEN",
  "AWS_LAMBDA_RUNTIME_API",
  "LAMBDA_TASK_ROOT",
  "LAMBDA_RUNTIME_DIR",
]);
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const ROLE_ARN = new RegExp(`^arn:${ARN_PARTITION_PATTERN}:iam::\\d{12}:role/[\\w+=,.@/-]{1,512}$`);

/**
 * A Lambda function with checked layers.
 *
 * @example
 * const fn = new LayeredFunction(stack, "Todos", {
 *   functionName: "todos", runtime: "nodejs20.x", handler: "index.handler",
 *   role: role.arn, source: "functions/todos", layers: [loggingLayer],
 * });
 * fn.addLayers("arn:aws:lambda:us-east-1:123456789012:layer:insights:52");
 */
export class LayeredFunction extends Construct {
  public readonly functionName: string;
  public readonly runtime: Runtime;
  public readonly architecture: Architecture;
  /** The code archive. */
  public readonly archive: FunctionArchive;
  public readonly resource: LambdaFunction;
  /** ARN of the function (unqualified). */
  public readonly functionArn: string;
  private readonly attached: LayerReference[] = [];
  private readonly attachedInfo: AttachedLayer[] = [];
  private readonly provider?: TerraformProvider;
  private readonly regionArgument?: string;
  private readonly warned = new Set<string>();
  private guarded = false;

  constructor(scope: Construct, id: string, props: LayeredFunctionProps) {
    super(scope, id);
    try {
      if (!Token.isUnresolved(props.functionName) && !FUNCTION_NAME.test(props.functionName))
        throw errors.invalidFunctionName(props.functionName);
      this.runtime = Runtime.of(props.runtime, "runtime");
      checkRuntimeLifecycle(this.runtime, props.allowDeprecatedRuntime ?? false);
      const archs = parseArchitectures(props.architectures ?? ["x86_64"], "architectures")!;
      if (archs.length !== 1) throw errors.singleArchitecture(props.architectures);
      this.architecture = archs[0];
      if (!Token.isUnresolved(props.role) && !ROLE_ARN.test(props.role)) throw errors.invalidRoleArn(props.role);
      validateHandler(props.handler, this.runtime);
      validateRange("memorySize", props.memorySize, 128, 10240, "MiB");
      validateRange("timeout", props.timeout, 1, 900, "seconds");
      for (const key of Object.keys(props.environment ?? {})) {
        if (RESERVED_ENVIRONMENT.has(key)) throw errors.reservedEnvironment(props.environment, key);
      }
      this.archive = buildFunctionArchive({
        source: props.source,
        runtime: this.runtime,
        architectures: [this.architecture],
        excludes: props.excludes,
        defaultExcludes: props.defaultExcludes,
        allowSecrets: props.allowSecrets,
        outDir: props.cacheDir,
        pipArgs: props.pipArgs,
        npmArgs: props.npmArgs,
      });
    } catch (e) {
      throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
    }
    this.functionName = props.functionName;
    this.provider = props.provider;
    this.regionArgument = props.region;
    const runtimeWarning = runtimeDeprecationWarning(this.runtime, "function");
    for (const warning of [
      ...(runtimeWarning ? [runtimeWarning] : []),
      ...this.archive.warnings,
      ...handlerWarnings(props.handler, this.runtime, this.archive.entries),
    ]) {
      Annotations.of(this).addWarning(`${props.functionName}: ${warning}`);
    }
    ensureAwsProviderRequirement(this, props.region !== undefined, { field: "runtime", runtimes: [this.runtime] });

    const code = new TerraformAsset(this, "code", { path: this.archive.path, type: AssetType.FILE, assetHash: this.archive.contentSha256 });
    this.resource = new (providerClasses.lambdaFunction())(this, "function", {
      ...passThroughSettings(props),
      functionName: props.functionName,
      runtime: this.runtime.name,
      handler: props.handler,
      role: props.role,
      architectures: [this.architecture.name],
      filename: code.path,
      sourceCodeHash: this.archive.contentBase64Sha256,
      description: escapeTemplateSequences(props.description),
      memorySize: props.memorySize,
      timeout: props.timeout,
      environment: props.environment && Object.keys(props.environment).length > 0 ? { variables: { ...props.environment } } : undefined,
      region: props.region,
      provider: props.provider,
    });
    this.functionArn = this.resource.arn;
    this.node.addValidation({ validate: () => this.validateLayers() });
    this.node.addValidation({ validate: () => this.guardRegionAtPlan() });
    validateBeforeAnyStackIsWritten(this);
    if (props.layers) this.addLayers(...props.layers);
  }

  /** The attached layers, in merge order. */
  public get layers(): readonly LayerReference[] {
    return [...this.attached];
  }

  /**
   * Attaches layers after those already attached (later layers win for a file shipped twice).
   * A malformed ARN throws now; count, duplicates, runtime, architecture, region and size are
   * checked at synth, when every layer is known.
   */
  public addLayers(...layers: LayerReference[]): this {
    for (const layer of layers) {
      let info: AttachedLayer;
      try {
        info = describeLayer(layer);
      } catch (e) {
        throw e instanceof LayerValidationError ? e.atConstruct(this.node.path) : e;
      }
      this.attached.push(layer);
      this.attachedInfo.push(info);
    }
    // Set (not a lazy value) so the attribute is left out while no layer is attached: cdktf's HCL
    // output cannot render an omitted lazy list.
    if (this.attached.length > 0) this.resource.layers = this.attached.map((l) => (typeof l === "string" ? l : l.layerVersionArn));
    return this;
  }

  /**
   * Where the function's region is a token (a variable, usual with Terraform Cloud), the region
   * check cannot run at synth: a precondition makes `terraform plan` fail with the same message.
   */
  private guardRegionAtPlan(): string[] {
    if (this.guarded || this.regionArgument !== undefined || regionOf(this, this.provider) !== undefined) return [];
    this.guarded = true;
    regionGuard(this, this.resource, this.provider, this.attachedInfo);
    return [];
  }

  private validateLayers(): string[] {
    const result = checkAttachments(
      {
        runtime: this.runtime,
        architecture: this.architecture,
        region: this.regionArgument ?? regionOf(this, this.provider),
        codeUnzippedBytes: this.archive.unzippedBytes,
      },
      this.attachedInfo,
    );
    for (const warning of result.warnings) {
      // Validations run on every synth of the same tree: each warning is added once.
      if (this.warned.has(warning)) continue;
      this.warned.add(warning);
      Annotations.of(this).addWarning(`${this.functionName}: ${warning}`);
    }
    return result.errors;
  }
}

const functionsByApp = new WeakMap<IConstruct, LayeredFunction[]>();
const preparedStacks = new WeakSet<TerraformStack>();

/**
 * cdktf validates and writes one stack after another, so an app whose second stack fails its
 * checks would leave the first one written. Every stack with a LayeredFunction checks all of the
 * app's functions while stacks are prepared, before any stack is written: a failing synth writes
 * nothing.
 */
function validateBeforeAnyStackIsWritten(fn: LayeredFunction): void {
  const root = fn.node.root;
  functionsByApp.set(root, [...(functionsByApp.get(root) ?? []), fn]);
  const stack = TerraformStack.of(fn);
  if (preparedStacks.has(stack)) return;
  preparedStacks.add(stack);
  const prepare = stack.prepareStack.bind(stack);
  stack.prepareStack = () => {
    prepare();
    const problems = (functionsByApp.get(root) ?? []).flatMap((f) => f.node.validate().map((message) => `[${f.node.path}] ${message}`));
    if (problems.length > 0) throw new LayerValidationErrors(problems);
  };
}

/** What the checks need to know about one layer reference. */
function describeLayer(layer: LayerReference): AttachedLayer {
  const arn = typeof layer === "string" ? layer : layer.layerVersionArn;
  const parsed = parseLayerVersionArn(arn); // undefined for a token, such as a layer built here
  const name = layer instanceof Construct ? layer.node.path : parsed ? arn : "a layer ARN known at apply time";
  const facts: LayerFacts = typeof layer === "string" ? { region: parsed?.region } : layer;
  return {
    label: name,
    identity: parsed ? unversionedLayerArn(parsed) : layer instanceof Construct ? layer.node.path : arn,
    compatibleRuntimes: facts.compatibleRuntimes,
    compatibleArchitectures: facts.compatibleArchitectures,
    unzippedBytes: facts.unzippedBytes,
    region: facts.region,
    entries: facts.entries,
    nativeBinaries: facts.nativeBinaries,
  };
}

/** The handler forms of each runtime family: the pattern, the form in words, and an example. */
const HANDLER_FORMS: Record<RuntimeFamily, { pattern: RegExp; form: string; example: string }> = {
  [RuntimeFamily.PYTHON]: {
    pattern: /^[\w./-]+\.[A-Za-z_]\w*$/,
    form: "<module>.<function>",
    example: '"app.handler" for def handler() in app.py',
  },
  [RuntimeFamily.NODEJS]: {
    pattern: /^[\w./-]+\.[A-Za-z_$][\w$]*$/,
    form: "<file>.<export>",
    example: '"index.handler" for exports.handler in index.js',
  },
  [RuntimeFamily.RUBY]: {
    pattern: /^[\w./-]+?\.(?:[A-Za-z_]\w*(?:::[A-Za-z_]\w*)*\.)?[A-Za-z_]\w*[?!]?$/,
    form: "<file>.<method> or <file>.<Module::Class>.<method>",
    example: '"function.handler" or "function.Handler::Process.handler"',
  },
  [RuntimeFamily.JAVA]: {
    pattern: /^[\w.$]+(::\w+)?$/,
    form: "<package.Class>::<method>",
    example: '"com.example.Handler::handleRequest"',
  },
  [RuntimeFamily.DOTNET]: {
    pattern: /^[\w.-]+(::[\w.+`]+::\w+)?$/,
    form: "<Assembly>::<Namespace.Class>::<Method> (or the assembly name of an executable assembly)",
    example: '"MyApp::MyApp.Function::Handler"',
  },
  [RuntimeFamily.PROVIDED]: {
    pattern: /^\S{1,128}$/,
    form: "any name your bootstrap reads (1-128 characters without spaces)",
    example: '"bootstrap"',
  },
};

function validateHandler(handler: string, runtime: Runtime): void {
  if (Token.isUnresolved(handler)) return;
  const rule = HANDLER_FORMS[runtime.family];
  if (typeof handler !== "string" || handler.length > 128 || !rule.pattern.test(handler)) {
    throw errors.invalidHandler(handler, runtime.name, rule.form, rule.example);
  }
}

/** Past AWS's block-create date a new function fails at apply: refuse at synth unless the user opts in. */
function checkRuntimeLifecycle(runtime: Runtime, allowDeprecated: boolean): void {
  const state = runtime.lifecycle();
  if ((state === "create-blocked" || state === "update-blocked") && !allowDeprecated) {
    throw errors.runtimeCreateBlocked("runtime", runtime.name, runtime.blockCreateDate!, runtime.successor()?.name);
  }
}

/** The props that are aws_lambda_function settings this construct does not own, unchanged. */
function passThroughSettings(props: LayeredFunctionProps): Partial<LambdaFunctionConfig> {
  const {
    functionName: _functionName,
    runtime: _runtime,
    handler: _handler,
    role: _role,
    source: _source,
    architectures: _architectures,
    layers: _layers,
    description: _description,
    environment: _environment,
    excludes: _excludes,
    defaultExcludes: _defaultExcludes,
    allowSecrets: _allowSecrets,
    pipArgs: _pipArgs,
    npmArgs: _npmArgs,
    cacheDir: _cacheDir,
    provider: _provider,
    region: _region,
    allowDeprecatedRuntime: _allowDeprecatedRuntime,
    ...settings
  } = props;
  return settings;
}

/** A handler whose file is not in the code archive works only if a layer ships it: say so. */
function handlerWarnings(handler: string, runtime: Runtime, entries: readonly string[]): string[] {
  if (Token.isUnresolved(handler)) return [];
  const file = handler.slice(0, handler.lastIndexOf("."));
  const candidates =
    runtime.family === RuntimeFamily.PYTHON
      ? [`${file.replace(/\./g, "/")}.py`]
      : runtime.family === RuntimeFamily.NODEJS
        ? [".js", ".mjs", ".cjs"].map((ext) => `${file}${ext}`)
        : [];
  if (candidates.length === 0 || candidates.some((c) => entries.includes(path.posix.normalize(c)))) return [];
  return [`handler ${JSON.stringify(handler)} needs ${candidates.join(" or ")} at the top of the code archive, which does not have it`];
}

function validateRange(field: string, value: number | undefined, min: number, max: number, unit: string): void {
  if (value === undefined || Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) throw errors.outOfRange(field, value, min, max, unit);
}
