// Fresh apps and stacks for construct tests, and synthesized JSON as an object.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, Testing } from "cdktf";
import { tempDir } from "./files";

/** A fresh app writing to a temporary folder, and a stack with a default AWS provider. */
export function newStack(region = "us-east-1"): { app: App; stack: TerraformStack } {
  const app = Testing.app({ stackTraces: false });
  const stack = new TerraformStack(app, "test");
  new AwsProvider(stack, "aws", { region });
  return { app, stack };
}

/** The stack's Terraform JSON, validations run. */
export function synthJson(stack: TerraformStack): any {
  return JSON.parse(Testing.synth(stack, true));
}

/** A full synth of the app into a temporary folder; returns the stack folder. */
export function fullSynth(stack: TerraformStack): string {
  return Testing.fullSynth(stack);
}

export { tempDir };
