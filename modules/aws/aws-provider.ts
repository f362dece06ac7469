// The AWS provider requirement a stack emits. @cdktf/provider-aws 21.x pins the exact provider
// version it was generated from (6.x) under the bare source "aws"; layers work on 5.x too, so the
// constraint is the user's, and the source is always the fully qualified "hashicorp/aws".
import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { Annotations, App, TerraformProvider, TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";
import { errors, LayerValidationError, LayerValidationErrors } from "../core/errors";
import { cleanHclOnSynth } from "../terraform/hcl-output";
import type { Runtime } from "./runtime";
import {
  admitsWithin,
  compareVersions,
  formatVersion,
  oldestAdmitted,
  parseVersion,
  parseVersionConstraint,
  raiseFloor,
} from "./version-constraint";

/** Admits AWS provider 5.80 and later, and 6.x. */
export const DEFAULT_AWS_PROVIDER_VERSION = ">= 5.80, < 7.0";

const chosen = new WeakMap<TerraformStack, string>();

/**
 * Sets the AWS provider version constraint of the stack that holds `scope`.
 * @example setAwsProviderVersion(stack, "~> 5.100")
 * @throws LayerValidationError when `constraint` is not a Terraform version constraint.
 */
export function setAwsProviderVersion(scope: IConstruct, constraint: string): void {
  parseVersionConstraint(constraint);
  const stack = TerraformStack.of(scope);
  if (needsProvider6.has(stack) && !admitsProvider6(constraint)) throw errors.regionArgumentNeedsProvider6(constraint);
  explicit.add(stack);
  applyConstraint(stack, constraint.trim());
}

/** The constraint in force for the stack holding `scope` (the default until one is set). */
export function awsProviderVersionOf(scope: IConstruct): string {
  return chosen.get(TerraformStack.of(scope)) ?? DEFAULT_AWS_PROVIDER_VERSION;
}

/** Admits only AWS provider 6.x, which has the per-resource `region` argument. */
export const AWS_PROVIDER_6_VERSION = ">= 6.0, < 7.0";

const explicit = new WeakSet<TerraformStack>();
const needsProvider6 = new WeakSet<TerraformStack>();

/**
 * Whether a version constraint admits some AWS provider 6.x release: the per-resource `region`
 * argument exists from 6.0 on.
 */
export function admitsProvider6(constraint: string): boolean {
  try {
    return admitsWithin(constraint, "6.0.0", "7.0.0");
  } catch {
    return true; // not ours to judge: setAwsProviderVersion validates the syntax
  }
}

const watched = new WeakSet<TerraformStack>();
const warned = new WeakSet<TerraformStack>();

/** Above this many AWS provider configurations in one stack, synth warns (see README, plan memory). */
export const MAX_AWS_PROVIDERS_PER_STACK = 4;

/**
 * Applies the default constraint unless the stack already has one, and watches the stack's AWS
 * provider count; called by every construct that emits AWS resources.
 * @param needsRegionArgument the construct uses the 6.x per-resource `region` argument
 * @param declared the runtimes the construct writes into a resource the provider validates
 */
export function ensureAwsProviderRequirement(scope: IConstruct, needsRegionArgument = false, declared?: DeclaredRuntimes): void {
  const stack = TerraformStack.of(scope);
  if (declared) declareRuntimes(scope, stack, declared);
  if (needsRegionArgument) {
    needsProvider6.add(stack);
    if (explicit.has(stack) && !admitsProvider6(chosen.get(stack)!)) throw errors.regionArgumentNeedsProvider6(chosen.get(stack));
  }
  if (!chosen.has(stack) || (needsRegionArgument && !explicit.has(stack) && chosen.get(stack) !== AWS_PROVIDER_6_VERSION)) {
    applyConstraint(stack, needsRegionArgument ? AWS_PROVIDER_6_VERSION : DEFAULT_AWS_PROVIDER_VERSION);
  }
  if (!watched.has(stack)) {
    watched.add(stack);
    stack.node.addValidation({ validate: () => warnOnManyProviders(stack) });
    cleanHclOnSynth(stack);
  }
}

function applyConstraint(stack: TerraformStack, constraint: string): void {
  chosen.set(stack, constraint);
  stack.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: constraint });
}

/** Each AWS provider configuration is its own plugin process at plan time: warn before a plan outgrows a CI worker. */
function warnOnManyProviders(stack: TerraformStack): string[] {
  const count = stack.node.findAll().filter((c) => c instanceof AwsProvider).length;
  if (count > MAX_AWS_PROVIDERS_PER_STACK && !warned.has(stack)) {
    warned.add(stack); // validations run on every synth of the same tree: warn once
    Annotations.of(stack).addWarning(
      `stack ${stack.node.id} configures ${count} AWS providers; terraform starts one provider process per configuration at plan ` +
        `time (about 80 MiB each on top of about 0.8 GiB), more than a 2 GiB Terraform Cloud or CI worker holds from about 15 on. ` +
        `Split it with LayerRollout (stackPer "region"), or use providerMode "region-argument" (AWS provider 6.x, one provider process).`,
    );
  }
  return [];
}

/**
 * The stack's aliased AWS provider for a region, created on first use. Credentials always come
 * from the environment (or Terraform Cloud dynamic credentials); an optional role is assumed.
 */
export function awsProviderFor(scope: IConstruct, region: string, options: { assumeRoleArn?: string } = {}): AwsProvider {
  const stack = TerraformStack.of(scope);
  const id = `aws-${region}`;
  const existing = stack.node.tryFindChild(id);
  if (existing instanceof AwsProvider) return existing;
  return new AwsProvider(stack, id, {
    region,
    alias: region,
    assumeRole: assumeRoleOf(options.assumeRoleArn),
  });
}

/** Emits a provider's fully qualified source for a stack (cdktf writes the bare name). */
export function qualifyProviderSource(scope: IConstruct, name: string, source: string, version: string): void {
  TerraformStack.of(scope).addOverride(`terraform.required_providers.${name}`, { source, version });
}

/**
 * The literal region an AWS provider publishes to: the given one, else the stack's default
 * (unaliased) AWS provider. Undefined when it is a token or there is no such provider.
 * @group Internals
 */
export function regionOf(scope: IConstruct, provider?: TerraformProvider): string | undefined {
  const chosenProvider = provider ?? defaultAwsProvider(TerraformStack.of(scope));
  if (!(chosenProvider instanceof AwsProvider)) return undefined;
  const region = chosenProvider.region;
  return region && !Token.isUnresolved(region) ? region : undefined;
}

function defaultAwsProvider(stack: TerraformStack): AwsProvider | undefined {
  return stack.node.findAll().find((c): c is AwsProvider => c instanceof AwsProvider && !c.alias);
}

/** The provider's `assume_role` block for an optional role (undefined: credentials as the environment gives them). */
export function assumeRoleOf(roleArn: string | undefined): AwsProviderConfig["assumeRole"] {
  return roleArn ? [{ roleArn, sessionName: "cdktf-lambda-layers" }] : undefined;
}

/** Runtimes a construct writes into a resource the AWS provider validates at plan time. */
export interface DeclaredRuntimes {
  /** The construct's input: `compatibleRuntimes` (aws_lambda_layer_version) or `runtime` (aws_lambda_function). */
  readonly field: "compatibleRuntimes" | "runtime";
  readonly runtimes: readonly Runtime[];
}

const declarationsByApp = new WeakMap<IConstruct, IConstruct[]>();
const declarationsOf = new WeakMap<IConstruct, DeclaredRuntimes>();
const checkedStacks = new WeakSet<TerraformStack>();

/**
 * The provider rejects a runtime name newer than itself at `terraform plan` ("expected runtime to be
 * one of [...]"), far from its cause. The check runs at synth, when the stack's constraint is final
 * (setAwsProviderVersion may come after the construct): as a validation of the construct, and before
 * any stack of the app is written, so that a refused app writes nothing.
 */
function declareRuntimes(scope: IConstruct, stack: TerraformStack, declared: DeclaredRuntimes): void {
  declarationsOf.set(scope, declared);
  scope.node.addValidation({ validate: () => runtimeProviderProblems(scope) });
  const root = scope.node.root;
  declarationsByApp.set(root, [...(declarationsByApp.get(root) ?? []), scope]);
  if (checkedStacks.has(stack)) return;
  checkedStacks.add(stack);
  const prepare = stack.prepareStack.bind(stack);
  stack.prepareStack = () => {
    prepare();
    if (App.of(stack).skipValidation) return; // the app asked for no validations (new App({ skipValidation: true }))
    // A fan-out repeats one layer per region: one line per problem, naming every construct it concerns.
    const byMessage = new Map<string, string[]>();
    for (const c of declarationsByApp.get(root) ?? []) {
      for (const m of runtimeProviderProblems(c)) byMessage.set(m, [...(byMessage.get(m) ?? []), c.node.path]);
    }
    if (byMessage.size > 0) throw new LayerValidationErrors([...byMessage].map(([m, paths]) => `[${paths.join(", ")}] ${m}`));
  };
}

/** The refusal for a construct whose runtimes the stack's provider constraint may not know (none: []). */
export function runtimeProviderProblems(scope: IConstruct): string[] {
  const declared = declarationsOf.get(scope);
  if (!declared) return [];
  const constraint = awsProviderVersionOf(scope);
  const problem = runtimeProviderProblem(declared, constraint);
  return problem ? [problem.message] : [];
}

/**
 * The error for `declared` under `constraint`, or undefined when every version the constraint admits
 * accepts every declared runtime. A runtime without a provider version (Runtime.custom) is not checked.
 * @group Internals
 */
export function runtimeProviderProblem(declared: DeclaredRuntimes, constraint: string): LayerValidationError | undefined {
  const admitted = oldestAdmitted(constraint);
  if (admitted === undefined) return undefined; // a constraint no version meets is terraform's error to report
  const tooNew = declared.runtimes.filter(
    (r): r is Runtime & { awsProviderVersion: string } =>
      r.awsProviderVersion !== undefined && compareVersions(admitted, parseVersion(r.awsProviderVersion)) < 0,
  );
  if (tooNew.length === 0) return undefined;
  const needed = tooNew.map((r) => r.awsProviderVersion).reduce((a, b) => (compareVersions(parseVersion(a), parseVersion(b)) >= 0 ? a : b));
  return errors.runtimeNeedsNewerProvider(
    declared.field,
    tooNew.map((r) => ({ name: r.name, awsProvider: r.awsProviderVersion })),
    constraint,
    formatVersion(admitted),
    raiseFloor(constraint, needed),
  );
}
