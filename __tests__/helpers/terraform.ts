// Runs the real terraform on a synthesized stack folder: init through a provider mirror when one
// exists, validate, plan with mock credentials. The mocks live in an override file written into
// the test's copy of the stack, never in generated code. Missing terraform fails the test.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./files";

/** Where a provider filesystem mirror may live: $TF_PROVIDER_MIRROR first. */
const MIRROR_CANDIDATES = [
  process.env.TF_PROVIDER_MIRROR,
  "/opt/tf-plugins",
  "/usr/share/terraform/plugins",
  `${process.env.HOME}/.terraform.d/plugins`,
];

export function findProviderMirror(): string | undefined {
  return MIRROR_CANDIDATES.find((dir) => dir && fs.existsSync(path.join(dir, "registry.terraform.io", "hashicorp", "aws")));
}

export function requireTerraform(): string {
  const result = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (result.error || result.status !== 0) {
    throw new Error(
      `terraform is required for this test but could not be run (${result.error ?? result.stderr}). Install Terraform >= 1.5 on the PATH.`,
    );
  }
  return result.stdout.split("\n")[0];
}

export interface TerraformRun {
  readonly dir: string;
  run(args: string[]): { status: number; stdout: string; stderr: string };
}

/**
 * Copies a stack folder, adds offline mocks, and runs `terraform init` in the copy.
 * @param options.backend false for stacks whose backend needs a network (Terraform Cloud): init -backend=false, validate only
 */
export function terraformInit(stackDir: string, region = "us-east-1", options: { backend?: boolean } = {}): TerraformRun {
  requireTerraform();
  // The copy keeps the stack's depth below a project folder (<project>/cdktf.out/stacks/<stack>), so
  // relative state paths (local backends, cross-stack remote state) resolve inside the copy.
  const dir = path.join(tempDir("tf-project-"), "cdktf.out", "stacks", path.basename(stackDir));
  fs.cpSync(stackDir, dir, { recursive: true });
  writeRemoteStateStubs(dir);
  const mirror = findProviderMirror();
  const cliConfig = path.join(dir, ".terraformrc.test");
  fs.writeFileSync(cliConfig, mirror ? `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n` : "");
  const backend = options.backend ?? true;
  fs.writeFileSync(path.join(dir, "zz_offline_override.tf.json"), JSON.stringify(offlineOverride(stackDir, region, backend), null, 2));
  const env = { ...process.env, TF_CLI_CONFIG_FILE: cliConfig, TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  const run = (args: string[]) => {
    const r = spawnSync("terraform", [...args], { cwd: dir, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
    return { status: r.status ?? -1, stdout: r.stdout ?? "", stderr: r.stderr ?? "" };
  };
  const init = run(["init", "-input=false", "-no-color", `-backend=${backend}`]);
  if (init.status !== 0) throw new Error(`terraform init failed in ${dir}:\n${init.stdout}\n${init.stderr}`);
  return { dir, run };
}

/**
 * A producer's state for every local `terraform_remote_state` a stack reads (cross-stack
 * references), holding a stub string for each output the stack uses: an offline plan of a consumer
 * stack needs its producer's outputs, not its resources.
 */
function writeRemoteStateStubs(dir: string): void {
  const json = path.join(dir, "cdk.tf.json");
  const text = fs.readFileSync(fs.existsSync(json) ? json : path.join(dir, "cdk.tf"), "utf8");
  const sources: Record<string, string> = {};
  if (fs.existsSync(json)) {
    const data = JSON.parse(text).data?.terraform_remote_state ?? {};
    for (const [name, block] of Object.entries<{ backend: string; config?: { path?: string } }>(data))
      if (block.backend === "local" && block.config?.path) sources[name] = block.config.path;
  } else {
    for (const m of text.matchAll(/data "terraform_remote_state" "([\w-]+)" \{\s*backend\s*= "local"[^}]*?config = \{\s*path = "([^"]+)"/g))
      sources[m[1]] = m[2];
  }
  for (const [name, statePath] of Object.entries(sources)) {
    const outputs = [...text.matchAll(new RegExp(`data\\.terraform_remote_state\\.${name}\\.outputs\\.([\\w-]+)`, "g"))].map((m) => m[1]);
    const state = {
      version: 4,
      terraform_version: "1.11.4",
      serial: 1,
      lineage: "remote-state-stub",
      outputs: Object.fromEntries(outputs.map((o) => [o, { value: "arn:aws:iam::123456789012:role/remote-state-stub", type: "string" }])),
      resources: [],
    };
    fs.writeFileSync(path.resolve(dir, statePath), JSON.stringify(state));
  }
}

/** Mock credentials and skip flags for every aws provider block (aliases included), local state. */
export function offlineOverride(stackDir: string, region: string, backend: boolean): object {
  const mock = {
    access_key: "mock-access-key",
    secret_key: "mock-secret-key",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
  const providers = awsProviderBlocks(stackDir);
  return {
    provider: { aws: providers.length ? providers.map((p) => ({ ...p, ...mock, region: p.region ?? region })) : [{ ...mock, region }] },
    ...(backend ? { terraform: { backend: { local: { path: "terraform.tfstate" } } } } : {}),
  };
}

/** The aws provider blocks of a stack (JSON or HCL), as alias and region. */
function awsProviderBlocks(stackDir: string): Array<{ alias?: string; region?: string }> {
  const json = path.join(stackDir, "cdk.tf.json");
  if (fs.existsSync(json)) {
    const blocks = JSON.parse(fs.readFileSync(json, "utf8")).provider?.aws ?? [];
    return blocks.map((b: { alias?: string; region?: string }) => (b.alias ? { alias: b.alias, region: b.region } : { region: b.region }));
  }
  const hcl = path.join(stackDir, "cdk.tf");
  if (!fs.existsSync(hcl)) return [];
  const blocks = fs.readFileSync(hcl, "utf8").match(/^provider "aws" \{[\s\S]*?^\}/gm) ?? [];
  return blocks.map((b) => {
    const alias = /^\s*alias\s*=\s*"([^"]+)"/m.exec(b)?.[1];
    const region = /^\s*region\s*=\s*"([^"]+)"/m.exec(b)?.[1];
    return alias ? { alias, region } : { region };
  });
}

/** `terraform fmt -check` on the stack folder: the exit status and the files it would change. */
export function fmtCheck(tf: TerraformRun): { status: number; files: string } {
  const r = tf.run(["fmt", "-check", "-no-color"]);
  return { status: r.status, files: r.stdout };
}

/** validate -json, returning the parsed diagnostics. */
export function validate(tf: TerraformRun): { valid: boolean; warning_count: number; error_count: number; diagnostics: unknown[] } {
  const r = tf.run(["validate", "-json", "-no-color"]);
  return JSON.parse(r.stdout);
}

/** plan, saved and rendered as JSON; throws with terraform's output when the plan fails. */
export function plan(tf: TerraformRun): {
  resource_changes: Array<{ address: string; type: string; change: { actions: string[]; after: Record<string, unknown> } }>;
  planned_values: unknown;
  output_changes?: Record<string, unknown>;
} {
  const p = tf.run(["plan", "-input=false", "-no-color", "-lock=false", "-out=test.tfplan"]);
  if (p.status !== 0) throw new Error(`terraform plan failed in ${tf.dir}:\n${p.stdout}\n${p.stderr}`);
  const show = tf.run(["show", "-json", "test.tfplan"]);
  return JSON.parse(show.stdout);
}
