// The real terraform and AWS provider on synthesized stacks: init (through the provider mirror
// when there is one), validate with no warnings, and an offline plan with mock credentials.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { Testing, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ExampleLayersStack, exampleRolloutProps } from "../main";
import { LambdaLayer, LayerRollout } from "../modules";
import { cdktfCli } from "./helpers/cdktf-cli";
import { repoRoot, tempDir, tree } from "./helpers/files";
import { fmtCheck, plan, requireTerraform, terraformInit, validate } from "./helpers/terraform";

beforeAll(() => {
  requireTerraform(); // fails, never skips, when terraform is missing
});

function expectValidNoWarnings(tf: ReturnType<typeof terraformInit>) {
  const result = validate(tf);
  expect(result).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
}

test("the example stack validates and plans its layers, grants and functions", () => {
  const app = Testing.app();
  const stack = new ExampleLayersStack(app, "example-layers");
  app.synth();
  const tf = terraformInit(path.join(app.outdir, "stacks", "example-layers"));
  expectValidNoWarnings(tf);
  const planned = plan(tf);
  const creates = planned.resource_changes.filter((c) => c.change.actions.includes("create"));
  const count = (type: string) => creates.filter((c) => c.type === type).length;
  expect(creates).toHaveLength(planned.resource_changes.length);
  expect([count("aws_lambda_layer_version"), count("aws_lambda_layer_version_permission"), count("aws_lambda_function")]).toEqual([
    2, 3, 3,
  ]);

  const python = creates.find((c) => c.change.after.layer_name === "python-shared-utils")!;
  expect(python.change.after).toMatchObject({
    compatible_runtimes: ["python3.12", "python3.13"],
    compatible_architectures: ["arm64", "x86_64"],
    skip_destroy: true,
    source_code_hash: stack.pythonUtils.archive.contentBase64Sha256,
  });
  const grants = creates.filter((c) => c.type === "aws_lambda_layer_version_permission").map((c) => c.change.after);
  expect(grants).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        principal: "111122223333",
        statement_id: "account-111122223333",
        action: "lambda:GetLayerVersion",
        skip_destroy: true,
      }),
      expect.objectContaining({ principal: "444455556666", statement_id: "account-444455556666" }),
      expect.objectContaining({ principal: "*", organization_id: "o-a1b2c3d4e5", statement_id: "org-o-a1b2c3d4e5" }),
    ]),
  );
  const functions = creates.filter((c) => c.type === "aws_lambda_function").map((c) => c.change.after);
  expect(functions).toEqual(
    expect.arrayContaining([
      expect.objectContaining({
        function_name: "example-todos",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        source_code_hash: stack.todos.archive.contentBase64Sha256,
      }),
      expect.objectContaining({ function_name: "example-users", handler: "index.handler" }),
      expect.objectContaining({ function_name: "example-orders", runtime: "python3.12", timeout: 10 }),
    ]),
  );
  expect(Object.keys(planned.output_changes ?? {})).toEqual(
    expect.arrayContaining(["python-shared-utils_layer_arn", "python-shared-utils_layer_version_arn", "python-shared-utils_version"]),
  );
});

test("an S3-uploaded layer plans the object in the bucket and the version published from it", () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s3-layer");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const layer = new LambdaLayer(stack, "Big", {
    layerName: "big",
    source: tree({ "python/big/__init__.py": "X = 1\n" }),
    compatibleRuntimes: ["python3.12"],
    s3: { bucket: "my-artifacts-eu-west-1" },
  });
  app.synth();
  const tf = terraformInit(path.join(app.outdir, "stacks", "s3-layer"), "eu-west-1");
  expectValidNoWarnings(tf);
  const changes = plan(tf).resource_changes;
  expect(changes.find((c) => c.type === "aws_s3_object")!.change.after).toMatchObject({
    bucket: "my-artifacts-eu-west-1",
    key: `lambda-layers/big/${layer.archive.contentSha256}.zip`,
  });
  expect(changes.find((c) => c.type === "aws_lambda_layer_version")!.change.after).toMatchObject({
    s3_bucket: "my-artifacts-eu-west-1",
    layer_name: "big",
    source_code_hash: layer.archive.contentBase64Sha256,
  });
});

/** Runs `npx cdktf synth` for the app into a new folder and returns it. */
function cliSynth(args: string[], env: NodeJS.ProcessEnv = {}): string {
  const out = tempDir("cli-synth-");
  const r = cdktfCli(["synth", ...args, "--output", out], {
    cwd: repoRoot,
    env: { ...process.env, CI: "1", CHECKPOINT_DISABLE: "1", ...env },
  });
  if (r.status !== 0) throw new Error(`cdktf synth failed:\n${r.stdout}\n${r.stderr}`);
  return out;
}

const APP_STACKS = [
  "example-layers",
  "layers-us-east-1",
  "layers-us-west-2",
  "layers-eu-west-1",
  "layers-eu-central-1",
  "layers-ap-southeast-2",
];
const REGION_OF: Record<string, string> = { "example-layers": "ca-central-1" };

describe("the app's HCL (`cdktf synth --hcl`)", () => {
  let out: string;
  beforeAll(() => {
    out = cliSynth(["--hcl"]);
  }, 120_000);

  test("holds every stack, each self-contained, with no absolute path of the synth machine", () => {
    expect(fs.readdirSync(path.join(out, "stacks")).sort()).toEqual([...APP_STACKS].sort());
    for (const name of fs.readdirSync(path.join(out, "stacks"))) {
      const dir = path.join(out, "stacks", name);
      const hcl = fs.readFileSync(path.join(dir, "cdk.tf"), "utf8");
      expect(hcl).not.toContain(repoRoot);
      expect(hcl).not.toContain(os.tmpdir());
      expect(hcl).not.toMatch(/provider\s*=\s*"/); // no quoted provider references
      expect(hcl).not.toMatch(/=\s*"\$\{[^"]*\}"\s*$/m); // no interpolation-only strings
      for (const filename of hcl.match(/filename\s*=\s*"([^"]+)"/g) ?? []) {
        const rel = /"([^"]+)"/.exec(filename)![1];
        expect(fs.existsSync(path.join(dir, rel))).toBe(true); // every file the stack needs is inside its folder
      }
    }
    expect(fs.readFileSync(path.join(out, "rollout-layers.md"), "utf8")).toContain("| 3 | layers-ap-southeast-2 |");
  });

  test.each(APP_STACKS)(
    "%s passes fmt -check, validates with no warnings and plans offline",
    (name) => {
      const tf = terraformInit(path.join(out, "stacks", name), REGION_OF[name] ?? name.replace("layers-", ""));
      expect(fmtCheck(tf)).toEqual({ status: 0, files: "" });
      expectValidNoWarnings(tf);
      const changes = plan(tf).resource_changes;
      expect(changes.filter((c) => c.type === "aws_lambda_layer_version")).toHaveLength(2);
      expect(changes.every((c) => c.change.actions.join() === "create")).toBe(true);
    },
    120_000,
  );
});

describe("the app's JSON (`cdktf synth`)", () => {
  let out: string;
  beforeAll(() => {
    out = cliSynth([]);
  }, 120_000);

  test.each(APP_STACKS)(
    "%s validates with no warnings and plans offline",
    (name) => {
      const tf = terraformInit(path.join(out, "stacks", name), REGION_OF[name] ?? name.replace("layers-", ""));
      expectValidNoWarnings(tf);
      const changes = plan(tf).resource_changes;
      expect(changes.filter((c) => c.type === "aws_lambda_function").length).toBeGreaterThan(0);
    },
    120_000,
  );
});

test("the rollout in Terraform Cloud form: a cloud block per stack, fmt-clean and valid HCL", () => {
  const out = cliSynth(["--hcl"], { TFC_ORGANIZATION: "acme" });
  for (const name of APP_STACKS.filter((n) => n.startsWith("layers-"))) {
    const dir = path.join(out, "stacks", name);
    const hcl = fs.readFileSync(path.join(dir, "cdk.tf"), "utf8");
    expect(hcl).toMatch(
      new RegExp(`cloud \\{[\\s\\S]*organization = "acme"[\\s\\S]*name\\s+= "lambda-${name}"[\\s\\S]*project = "lambda-layers"`),
    );
    const tf = terraformInit(dir, name.replace("layers-", ""), { backend: false });
    expect(fmtCheck(tf)).toEqual({ status: 0, files: "" });
    expectValidNoWarnings(tf);
  }
}, 180_000);

test("a wave stack with provider aliases validates and plans each region through its alias", () => {
  const app = Testing.app();
  const rollout = new LayerRollout(app, "waves", { ...exampleRolloutProps(), stackPer: "wave" });
  app.synth();
  const wave3 = rollout.stacks[2];
  const tf = terraformInit(path.join(app.outdir, "stacks", wave3.name), "eu-central-1");
  expectValidNoWarnings(tf);
  const changes = plan(tf).resource_changes;
  expect(changes.filter((c) => c.type === "aws_lambda_layer_version")).toHaveLength(4);
  expect(changes.filter((c) => c.type === "aws_lambda_function")).toHaveLength(2);
}, 120_000);
