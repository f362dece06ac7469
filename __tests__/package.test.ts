// The published package works in a fresh cdktf app: `npm pack`, install the tarball into a
// throwaway app (peers resolved from the npm cache that `npm ci` filled), synthesize a layer with
// plain node, and run the real terraform on it; the packaged CLI runs too.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, tempDir, writeTree } from "./helpers/files";
import { plan, requireTerraform, terraformInit, validate } from "./helpers/terraform";

const versionOf = (pkg: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")).version;

test("npm pack output installs into a fresh cdktf app, synthesizes a layer and validates", () => {
  requireTerraform();
  const packDir = tempDir("pack-");
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: repoRoot, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  const tarball = path.join(packDir, packed);
  const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" });
  expect(listing).toContain("package/dist/modules/index.d.ts");
  expect(listing).toContain("package/dist/bin/cdktf-lambda-layers.js");
  expect(listing).toContain("package/dist/operations/index.js");
  expect(listing).not.toContain("package/__tests__");
  expect(listing).not.toMatch(/package\/modules\/.*\.ts\n/);

  const app = writeTree(tempDir("consumer-"), {
    "package.json": JSON.stringify({
      name: "consumer",
      version: "1.0.0",
      private: true,
      dependencies: {
        "cdktf-lambda-layers": `file:${tarball}`,
        cdktf: versionOf("cdktf"),
        constructs: versionOf("constructs"),
        "@cdktf/provider-aws": versionOf("@cdktf/provider-aws"),
      },
    }),
    "layer/python/greeting/__init__.py": "def hello(name):\n    return f'hello {name}'\n",
    "main.js": `
const { App, TerraformStack } = require("cdktf");
const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
const { LambdaLayer, setAwsProviderVersion } = require("cdktf-lambda-layers");
const { LayerFanout } = require("cdktf-lambda-layers/layer-fanout");
const app = new App({ outdir: "cdktf.out" });
const stack = new TerraformStack(app, "consumer");
new AwsProvider(stack, "aws", { region: "eu-west-1" });
setAwsProviderVersion(stack, "~> 5.100");
new LambdaLayer(stack, "Greeting", { layerName: "greeting", source: "layer", compatibleRuntimes: ["python3.12"], cacheDir: ".layer-cache" });
new LayerFanout(stack, "Everywhere", { regions: ["eu-west-1", "us-east-1"], layer: { layerName: "greeting-all", source: "layer", compatibleRuntimes: ["python3.12"], cacheDir: ".layer-cache" } });
app.synth();
`,
  });
  const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: app,
    encoding: "utf8",
  });
  expect(install.status).toBe(0);

  const synth = spawnSync("node", ["main.js"], { cwd: app, encoding: "utf8", env: { ...process.env, CDKTF_LAYERS_QUIET: "1" } });
  expect(synth.stderr).toBe("");
  expect(synth.status).toBe(0);
  const stackDir = path.join(app, "cdktf.out", "stacks", "consumer");
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  expect(json.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "~> 5.100" });
  const tf = terraformInit(stackDir, "eu-west-1");
  expect(validate(tf)).toMatchObject({ valid: true, warning_count: 0 });
  expect(plan(tf).resource_changes.filter((c) => c.type === "aws_lambda_layer_version")).toHaveLength(3);

  const cli = spawnSync(path.join(app, "node_modules", ".bin", "cdktf-lambda-layers"), ["inspect", "layer", "--runtime", "python3.12"], {
    cwd: app,
    encoding: "utf8",
  });
  expect(cli.status).toBe(0);
  expect(cli.stdout).toContain("/opt/python/greeting");
}, 300_000);
