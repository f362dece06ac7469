// Names that must be unique within one Terraform stack: output names (derived from construct ids,
// so two ids can sanitise to one name) and the Lambda layer names published through one provider
// and region. One place derives output names, so the `report` command finds what synth wrote.
import { TerraformStack } from "cdktf";
import { Construct } from "constructs";
import { errors } from "../core/errors";

/**
 * The output name prefix for construct ids below a stack: ids joined with "_", every character
 * Terraform refuses in a name replaced by "_", and "_" in front when the result does not start with
 * a letter or "_" (Terraform names must).
 */
export function outputPrefixOf(ids: readonly string[]): string {
  const name = ids.join("_").replace(/[^A-Za-z0-9_-]/g, "_");
  return /^[A-Za-z_]/.test(name) ? name : `_${name}`;
}

/** The output prefix of a construct: its ids below its stack. */
export function outputPrefixFor(construct: Construct): string {
  const stack = TerraformStack.of(construct);
  return outputPrefixOf(construct.node.scopes.slice(stack.node.scopes.length).map((s) => s.node.id));
}

const claimed = new WeakMap<TerraformStack, Map<string, string>>();

/**
 * Records that `construct` owns `name` of `kind` in its stack.
 * @throws LayerValidationError when another construct of the stack already owns it.
 */
export function claimStackName(
  construct: Construct,
  kind: "output prefix" | "layer name",
  name: string,
  field: string,
  value: unknown,
): void {
  const stack = TerraformStack.of(construct);
  const names = claimed.get(stack) ?? new Map<string, string>();
  claimed.set(stack, names);
  const key = `${kind}\u0000${name}`;
  const owner = names.get(key);
  if (owner !== undefined && owner !== construct.node.path) throw errors.stackNameClash(field, value, kind, name, owner);
  names.set(key, construct.node.path);
}
