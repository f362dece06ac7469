// Makes `cdktf synth --hcl` output fit for Terraform Cloud: cdktf writes quoted provider
// references and interpolation-only strings, and does not format its files. After a stack is
// written, its cdk.tf is rewritten in place and, when terraform is on the PATH, formatted.
import { spawnSync } from "child_process";
import { ISynthesisSession, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";

const wrapped = new WeakSet<TerraformStack>();

/** Post-processes the stack's HCL after every synth (idempotent per stack; JSON output is left alone). */
export function cleanHclOnSynth(stack: TerraformStack): void {
  if (wrapped.has(stack)) return;
  wrapped.add(stack);
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession): void {
      inner.synthesize(session);
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      const file = path.join(dir, "cdk.tf");
      if (!fs.existsSync(file)) return;
      const project = (stack.toTerraform() as { terraform?: { cloud?: { workspaces?: { project?: string } } } }).terraform?.cloud
        ?.workspaces?.project;
      fs.writeFileSync(file, restoreCloudProject(cleanHcl(fs.readFileSync(file, "utf8")), project));
      formatWithTerraform(dir);
    },
  };
}

/**
 * Rewrites what Terraform warns about or what Terraform Cloud trips on:
 * `provider = "aws.eu-west-1"` -> `provider = aws.eu-west-1`, `"${a.b.c}"` -> `a.b.c`, and
 * quoted references in `depends_on` and `lifecycle.ignore_changes`.
 * @group Internals
 */
export function cleanHcl(hcl: string): string {
  return hcl
    .replace(/^(\s*provider\s*=\s*)"([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)"\s*$/gm, "$1$2")
    .replace(/"\$\{([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\]|\["[^"\\]*"\])*)\}"/g, "$1")
    .replace(
      /^(\s*depends_on\s*=\s*\[)([^\]]*)\]/gm,
      (_m, head: string, list: string) => `${head}${list.replace(/"([A-Za-z_][\w-]*(?:\.[\w-]+)+)"/g, "$1")}]`,
    )
    .replace(
      /^(\s*ignore_changes\s*=\s*\[)([^\]]*)\]/gm,
      (_m, head: string, list: string) => `${head}${list.replace(/"([A-Za-z_][\w-]*)"/g, "$1")}]`,
    )
    .replace(/\n{3,}/g, "\n\n");
}

/** cdktf's HCL drops the Terraform Cloud `project` of a `cloud` block's workspaces: put it back. */
export function restoreCloudProject(hcl: string, project: string | undefined): string {
  if (!project) return hcl;
  return hcl.replace(
    /(\n(\s*)cloud \{[\s\S]*?\n(\s*)workspaces \{\n)([\s\S]*?)(\n\s*\})/,
    (match, head: string, _i: string, indent: string, body: string, tail: string) =>
      /^\s*project\s*=/m.test(body) ? match : `${head}${body}\n${indent}  project = ${JSON.stringify(project)}${tail}`,
  );
}

function formatWithTerraform(dir: string): void {
  // Without terraform the file stays valid, only unformatted: nothing to fail the synth over, so the result is not read.
  spawnSync("terraform", ["fmt", "-list=false", dir]);
}
