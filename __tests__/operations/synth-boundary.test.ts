// The synth-time library never loads the AWS SDK: `cdktf synth` runs main.ts, which imports
// modules/ (through modules/index.ts); only operations/ talks to AWS. Checked in a plain node
// process, whose require.cache lists every module loaded.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { COMMERCIAL_REGIONS } from "../../modules/aws/regions";
import { tempDir, tree } from "../helpers/files";

const repoRoot = path.resolve(__dirname, "..", "..");

/** The modules a plain node process has loaded after requiring `entry` and running `then` (a script using `lib`). */
function loaded(entry: string, then = ""): { awsSdk: string[]; operations: string[]; providerClasses: string[]; modules: number } {
  const script = `
    const lib = require(${JSON.stringify(entry)});
    ${then}
    const files = Object.keys(require.cache);
    console.log(JSON.stringify({
      awsSdk: files.filter((f) => f.includes("@aws-sdk")),
      operations: files.filter((f) => f.startsWith(${JSON.stringify(path.join(repoRoot, "operations") + path.sep)})),
      providerClasses: [...new Set(files.map((f) => f.split("node_modules/").pop()).filter((f) => f.startsWith("@cdktf/provider-")).map((f) => f.split("/").slice(0, 4).join("/")))].sort(),
      modules: files.length,
    }));
  `;
  const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

test.each(["./modules/index.ts", "./main.ts", "./bin/cdktf-lambda-layers.ts"])("loading %s loads no @aws-sdk module", (entry) => {
  const { awsSdk, modules } = loaded(entry);
  expect(awsSdk).toEqual([]);
  expect(modules).toBeGreaterThan(10);
});

test("synthesizing a LayerFanout over every commercial region with grants loads no @aws-sdk module and nothing of operations/", () => {
  // GIVEN: a layer folder and an output folder
  const source = tree({ "python/utils/__init__.py": "VALUE = 1\n" });
  const outdir = tempDir();
  // WHEN: a plain node process builds, publishes, shares and synthesizes it, as `cdktf synth` runs main.ts
  const { awsSdk, operations, providerClasses } = loaded(
    "./modules/index.ts",
    `
    const { App, TerraformStack } = require("cdktf");
    const app = new App({ outdir: ${JSON.stringify(outdir)} });
    const stack = new TerraformStack(app, "fanout");
    new lib.LayerFanout(stack, "Utils", {
      regions: lib.COMMERCIAL_REGIONS,
      layer: { layerName: "utils", source: ${JSON.stringify(source)}, compatibleRuntimes: ["python3.12"], sharing: { accounts: ["123456789012"] } },
    });
    app.synth();
    `,
  );
  // THEN: the stack was written; neither the SDK nor the operations were loaded, and of the provider
  // classes only those of the resources written (a function's, S3's, SSM's, archive_file's load on use)
  const written = JSON.parse(fs.readFileSync(path.join(outdir, "stacks", "fanout", "cdk.tf.json"), "utf8"));
  expect(Object.keys(written.resource.aws_lambda_layer_version_permission)).toHaveLength(COMMERCIAL_REGIONS.length);
  expect(awsSdk).toEqual([]);
  expect(operations).toEqual([]);
  expect(providerClasses).toEqual([
    "@cdktf/provider-aws/lib/lambda-layer-version",
    "@cdktf/provider-aws/lib/lambda-layer-version-permission",
    "@cdktf/provider-aws/lib/provider",
  ]);
});

test("the operations do load it (the check above can see the SDK)", () => {
  const { awsSdk, operations } = loaded("./operations/index.ts");
  expect(awsSdk.some((f) => f.includes("@aws-sdk/client-lambda"))).toBe(true);
  expect(operations.length).toBeGreaterThan(0);
});
