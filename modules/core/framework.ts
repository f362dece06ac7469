// The CDK framework this build of the library runs on. One source builds two packages:
// cdktf-lambda-layers (CDK for Terraform) and cdktn-lambda-layers (CDK Terrain), the second by
// rewriting every module specifier of the compiled output (scripts/pack-cdktn.ts). The specifier
// below is rewritten with the others, so messages name the CLI and the tool the user actually runs;
// names written into generated Terraform or cache formats stay the same on both (they are data).

/** "cdktf" (CDK for Terraform) or "cdktn" (CDK Terrain): the framework package this build imports. @group Internals */
export type FrameworkName = "cdktf" | "cdktn";

let name: FrameworkName | undefined;

/** The framework package this build imports, read from its package.json once. @group Internals */
export function frameworkName(): FrameworkName {
  name ??= (require("cdktf/package.json") as { name: string }).name === "cdktn" ? "cdktn" : "cdktf";
  return name;
}

/** The framework's CLI command in a message: `npx cdktf synth` or `npx cdktn synth`. @group Internals */
export function frameworkCommand(command: string): string {
  return `npx ${frameworkName()} ${command}`;
}

/** This package's CLI (and package) name: cdktf-lambda-layers or cdktn-lambda-layers. @group Internals */
export function toolName(): string {
  return `${frameworkName()}-lambda-layers`;
}
