// Every example synthesizes, and every stack it writes passes the real terraform: validate with
// no warnings, and an offline plan where the backend is local (Terraform Cloud stacks are
// initialised without their backend, which needs the network).
import { App, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { plan, terraformInit, validate } from "./helpers/terraform";

const examples: Array<[string, (app: App) => unknown, Record<string, number>]> = [
  ["python-shared-utils-layer", require("../examples/python-shared-utils-layer/main").build, { aws_lambda_layer_version: 1 }],
  [
    "node-layer-two-functions",
    require("../examples/node-layer-two-functions/main").build,
    { aws_lambda_layer_version: 1, aws_lambda_function: 2 },
  ],
  ["sharing", require("../examples/sharing/main").build, { aws_lambda_layer_version: 1, aws_lambda_layer_version_permission: 4 }],
  ["large-layer-s3", require("../examples/large-layer-s3/main").build, { aws_lambda_layer_version: 1, aws_s3_object: 1, aws_s3_bucket: 1 }],
  ["multi-region-waves-tfc", require("../examples/multi-region-waves-tfc/main").build, {}],
  ["public-layer-by-arn", require("../examples/public-layer-by-arn/main").build, { aws_lambda_function: 1 }],
];

describe.each(examples)("examples/%s", (name, build, expected) => {
  const app = Testing.app();
  build(app);
  app.synth();
  const stacksDir = path.join(app.outdir, "stacks");
  const stacks = fs.readdirSync(stacksDir);

  test("has a README and a cdktf.json", () => {
    expect(fs.existsSync(path.join(__dirname, "..", "examples", name, "README.md"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(__dirname, "..", "examples", name, "cdktf.json"), "utf8")).app).toContain("main.ts");
  });

  test.each(stacks)(
    "stack %s validates with no warnings (and plans when local)",
    (stack) => {
      const dir = path.join(stacksDir, stack);
      const json = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8"));
      const cloud = json.terraform.cloud !== undefined;
      const region = (json.provider.aws as Array<{ region: string; alias?: string }>).find((p) => !p.alias)?.region ?? "us-east-1";
      const tf = terraformInit(dir, region, { backend: !cloud });
      expect(validate(tf)).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
      if (cloud) {
        expect(json.terraform.cloud.workspaces.name).toBe(`lambda-${stack}`);
        return;
      }
      const changes = plan(tf).resource_changes;
      for (const [type, count] of Object.entries(expected))
        expect([type, changes.filter((c) => c.type === type).length]).toEqual([type, count]);
    },
    120_000,
  );
});
