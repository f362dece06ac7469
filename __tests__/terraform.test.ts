// The real terraform and AWS provider on synthesized stacks: init (through the provider mirror
// when there is one), validate with no warnings, and an offline plan with mock credentials.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { spawnSync } from "child_process";
import { Testing, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { ExampleLayersStack } from "../main";
import { LambdaLayer } from "../modules";
import { repoRoot, tempDir, tree } from "./helpers/files";
import { plan, requireTerraform, terraformInit, validate } from "./helpers/terraform";

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
  expect([count("aws_lambda_layer_version"), count("aws_lambda_layer_version_permission"), count("aws_lambda_function")]).toEqual([2, 3, 3]);

  const python = creates.find((c) => c.change.after.layer_name === "python-shared-utils")!;
  expect(python.change.after).toMatchObject({
    compatible_runtimes: ["python3.12", "python3.13"],
    compatible_architectures: ["arm64", "x86_64"],
    skip_destroy: true,
    source_code_hash: stack.pythonUtils.archive.base64Sha256,
  });
  const grants = creates.filter((c) => c.type === "aws_lambda_layer_version_permission").map((c) => c.change.after);
  expect(grants).toEqual(expect.arrayContaining([
    expect.objectContaining({ principal: "111122223333", statement_id: "account-111122223333", action: "lambda:GetLayerVersion", skip_destroy: true }),
    expect.objectContaining({ principal: "444455556666", statement_id: "account-444455556666" }),
    expect.objectContaining({ principal: "*", organization_id: "o-a1b2c3d4e5", statement_id: "org-o-a1b2c3d4e5" }),
  ]));
  const functions = creates.filter((c) => c.type === "aws_lambda_function").map((c) => c.change.after);
  expect(functions).toEqual(expect.arrayContaining([
    expect.objectContaining({ function_name: "example-todos", runtime: "nodejs20.x", architectures: ["arm64"], source_code_hash: stack.todos.archive.base64Sha256 }),
    expect.objectContaining({ function_name: "example-users", handler: "index.handler" }),
    expect.objectContaining({ function_name: "example-orders", runtime: "python3.12", timeout: 10 }),
  ]));
  expect(Object.keys(planned.output_changes ?? {})).toEqual(expect.arrayContaining([
    "python-shared-utils_layer_arn", "python-shared-utils_layer_version_arn", "python-shared-utils_version",
  ]));
});

test("an S3-uploaded layer plans the object in the bucket and the version published from it", () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s3-layer");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const layer = new LambdaLayer(stack, "Big", {
    layerName: "big", source: tree({ "python/big/__init__.py": "X = 1\n" }), compatibleRuntimes: ["python3.12"],
    s3: { bucket: "my-artifacts-eu-west-1" },
  });
  app.synth();
  const tf = terraformInit(path.join(app.outdir, "stacks", "s3-layer"), "eu-west-1");
  expectValidNoWarnings(tf);
  const changes = plan(tf).resource_changes;
  expect(changes.find((c) => c.type === "aws_s3_object")!.change.after).toMatchObject({
    bucket: "my-artifacts-eu-west-1", key: `lambda-layers/big/${layer.archive.sha256}.zip`,
  });
  expect(changes.find((c) => c.type === "aws_lambda_layer_version")!.change.after).toMatchObject({
    s3_bucket: "my-artifacts-eu-west-1", layer_name: "big", source_code_hash: layer.archive.base64Sha256,
  });
});

test("`cdktf synth --hcl` on the app writes HCL that validates and plans, with only relative paths", () => {
  const out = tempDir("hcl-");
  const r = spawnSync("npx", ["cdktf", "synth", "--hcl", "--output", out], {
    cwd: repoRoot, encoding: "utf8", env: { ...process.env, CI: "1", CHECKPOINT_DISABLE: "1" },
  });
  expect(r.status).toBe(0);
  const stackDir = path.join(out, "stacks", "example-layers");
  const hcl = fs.readFileSync(path.join(stackDir, "cdk.tf"), "utf8");
  expect(hcl).toContain("resource \"aws_lambda_layer_version\"");
  expect(hcl).not.toContain(repoRoot); // no absolute path of the synth machine
  const tf = terraformInit(stackDir);
  expectValidNoWarnings(tf);
  const changes = plan(tf).resource_changes;
  expect(changes.filter((c) => c.type === "aws_lambda_layer_version")).toHaveLength(2);
  expect(changes.filter((c) => c.type === "aws_lambda_function")).toHaveLength(3);
}, 180_000);
