// The AWS provider requirement a stack emits. @cdktf/provider-aws 21.x pins the exact provider
// version it was generated from (6.x) under the bare source "aws"; layers work on 5.x too, so the
// constraint is the user's, and the source is always the fully qualified "hashicorp/aws".
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformProvider, TerraformStack, Token } from "cdktf";
import { IConstruct } from "constructs";
import { errors } from "./errors";

/** Admits AWS provider 5.80 and later, and 6.x. */
export const DEFAULT_AWS_PROVIDER_VERSION = ">= 5.80, < 7.0";

const CONSTRAINT = /^\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*(?:,\s*(?:(?:=|!=|>|>=|<|<=|~>)\s*)?\d+(?:\.\d+){0,2}(?:-[0-9A-Za-z.-]+)?\s*)*$/;

const chosen = new WeakMap<TerraformStack, string>();

/**
 * Sets the AWS provider version constraint of the stack that holds `scope`.
 * @example setAwsProviderVersion(stack, "~> 5.100")
 * @throws LayerValidationError when `constraint` is not a Terraform version constraint.
 */
export function setAwsProviderVersion(scope: IConstruct, constraint: string): void {
  if (typeof constraint !== "string" || !CONSTRAINT.test(constraint)) throw errors.invalidProviderConstraint(constraint);
  const stack = TerraformStack.of(scope);
  chosen.set(stack, constraint.trim());
  stack.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: constraint.trim() });
}

/** The constraint in force for the stack holding `scope` (the default until one is set). */
export function awsProviderVersionOf(scope: IConstruct): string {
  return chosen.get(TerraformStack.of(scope)) ?? DEFAULT_AWS_PROVIDER_VERSION;
}

/** Applies the default constraint unless the stack already has one; called by every construct that emits AWS resources. */
export function ensureAwsProviderRequirement(scope: IConstruct): void {
  const stack = TerraformStack.of(scope);
  if (!chosen.has(stack)) setAwsProviderVersion(stack, DEFAULT_AWS_PROVIDER_VERSION);
}

/** Emits a provider's fully qualified source for a stack (cdktf writes the bare name). */
export function qualifyProviderSource(scope: IConstruct, name: string, source: string, version: string): void {
  TerraformStack.of(scope).addOverride(`terraform.required_providers.${name}`, { source, version });
}

/**
 * The literal region an AWS provider publishes to: the given one, else the stack's default
 * (unaliased) AWS provider. Undefined when it is a token or there is no such provider.
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
