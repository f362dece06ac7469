// Where a stack keeps local state: beside the output folder, never inside it. `rm -rf cdktf.out`
// (routine: it is build output) must not lose state, and a stack folder's relative path must not
// carry the synth machine's layout.
import { LocalBackend, TerraformStack } from "cdktf";

/**
 * The state file of a stack with local state, relative to its synthesized folder
 * (`<outdir>/stacks/<stack>/`): `terraform.<stack>.tfstate` in the folder that holds the output
 * folder (the project root with the default `cdktf.out`), the name cdktf's own default uses.
 * Every stack folder sits at the same depth, so a cross-stack reference (a remote-state lookup
 * with the producer's path, run from the consumer's folder) finds the producer's state too.
 * @group Internals
 */
export function localStatePath(stackName: string): string {
  return `../../../terraform.${stackName}.tfstate`;
}

/** Local state for `stack` at {@link localStatePath}. @group Internals */
export function localStateBackend(stack: TerraformStack): LocalBackend {
  return new LocalBackend(stack, { path: localStatePath(stack.node.id) });
}
