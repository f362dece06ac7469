// The AWS provider requirement a stack emits. @cdktf/provider-aws 21.x pins the exact provider
// version it was generated from (6.x) under the bare source "aws"; layers work on 5.x too, so the
// constraint is the user's, and the source is always the fully qualified "hashicorp/aws".
import { AwsProvider, AwsProviderConfig } from "@cdktf/provider-aws/lib/provider";
import { Annotations, TerraformProvider, TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";
import { errors } from "./errors";
import { cleanHclOnSynth } from "./hcl-output";

/** Admits AWS provider 5.80 and later, and 6.x. */
export const DEFAULT_AWS_PROVIDER_VERSION = ">= 5.80, < 7.0";

const CONSTRAINT =
  /^\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*(?:,\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*)*$/;

const chosen = new WeakMap<TerraformStack, string>();

/**
 * Sets the AWS provider version constraint of the stack that holds `scope`.
 * @example setAwsProviderVersion(stack, "~> 5.100")
 * @throws LayerValidationError when `constraint` is not a Terraform version constraint.
 */
export function setAwsProviderVersion(scope: IConstruct, constraint: string): void {
  if (typeof constraint !== "string" || !CONSTRAINT.test(constraint)) throw errors.invalidProviderConstraint(constraint);
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
 * argument exists from 6.0 on. Checked against 6.0.0, the latest 6.x imaginable, and every 6.x
 * version the constraint names.
 */
export function admitsProvider6(constraint: string): boolean {
  const clauses = constraint.split(",").map((c) => /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\d+(?:\.\d+){0,2})/.exec(c));
  if (clauses.some((c) => c === null)) return true; // not ours to judge: setAwsProviderVersion validates the syntax
  const named = clauses.map((c) => c![2]).filter((v) => v.startsWith("6"));
  const candidates = ["6.0.0", "6.999.999", ...named.map((v) => padVersion(v))];
  return candidates.some((v) => clauses.every((c) => satisfies(v, c![1] ?? "=", c![2])));
}

function padVersion(v: string): string {
  return [...v.split("."), "0", "0"].slice(0, 3).join(".");
}

function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((v) => padVersion(v).split(".").map(Number));
  for (let i = 0; i < 3; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return 0;
}

function satisfies(version: string, op: string, bound: string): boolean {
  const c = compareVersions(version, bound);
  switch (op) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    default: {
      // ~> 5.100 admits >= 5.100, < 6.0; ~> 6.2.0 admits >= 6.2.0, < 6.3.0
      const parts = bound.split(".").map(Number);
      const upper = parts.length === 1 ? [parts[0] + 1] : [...parts.slice(0, -2), parts[parts.length - 2] + 1];
      return c >= 0 && compareVersions(version, upper.join(".")) < 0;
    }
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
 */
export function ensureAwsProviderRequirement(scope: IConstruct, needsRegionArgument = false): void {
  const stack = TerraformStack.of(scope);
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
