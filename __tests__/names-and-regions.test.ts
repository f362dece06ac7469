// Names unique per stack (outputs, layer names, construct ids), providers and buckets of the right
// region, ARNs of the right partition, rollout inputs in the shape they must have, and the report
// reading what synth wrote.
import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { spawnSync } from "child_process";
import { App, TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import {
  LambdaLayer,
  LambdaLayerOptions,
  LayerFanout,
  LayerRollout,
  LayerRolloutProps,
  localStateFile,
  parseLayerVersionArn,
  rolloutReport,
  setAwsProviderVersion,
} from "../modules";
import { tempDir, tree } from "./helpers/files";
import { newStack } from "./helpers/stacks";
import { refusal } from "./helpers/refusal";

const layer = (overrides: Partial<LambdaLayerOptions> = {}): LambdaLayerOptions => ({
  layerName: "utils",
  source: tree({ "python/utils.py": "" }),
  compatibleRuntimes: ["python3.13"],
  ...overrides,
});
const rolloutProps = (overrides: Partial<LayerRolloutProps> = {}): LayerRolloutProps => ({
  layers: [layer()],
  waves: [["us-east-1"], ["eu-west-1", "us-west-2"]],
  ...overrides,
});

describe("output names", () => {
  test("a fan-out whose id starts with a digit gets valid, prefixed output names", () => {
    const { stack } = newStack();
    new LayerFanout(stack, "2024-utils", { regions: ["us-east-1", "eu-west-1"], layer: layer() });
    const outputs = Object.keys(JSON.parse(Testing.synth(stack, true)).output);
    expect(outputs.sort()).toEqual([
      "_2024-utils_content_sha256",
      "_2024-utils_layer_arns",
      "_2024-utils_layer_version_arns",
      "_2024-utils_versions",
    ]);
  });

  test.each([
    [
      "two layers",
      (s: TerraformStack) => [new LambdaLayer(s, "utils.v1", layer()), new LambdaLayer(s, "utils v1", layer({ layerName: "other" }))],
    ],
    [
      "two fan-outs",
      (s: TerraformStack) => [
        new LayerFanout(s, "utils.v1", { regions: ["eu-west-1"], layer: layer() }),
        new LayerFanout(s, "utils v1", { regions: ["eu-west-1"], layer: layer({ layerName: "other" }) }),
      ],
    ],
  ])("%s whose ids sanitise to one output name are refused, naming both", (_name, make) => {
    const { stack } = newStack();
    const error = refusal(() => make(stack));
    expect(error.message).toMatch(/^test\/utils v1: `id` gives the Terraform output prefix "utils_v1", which test\/utils.v1 already uses/);
  });
});

describe("one layer name per provider and region in a stack", () => {
  test("two LambdaLayers publishing one layerName with one provider are refused", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "A", layer());
    const error = refusal(() => new LambdaLayer(stack, "B", layer({ source: tree({ "python/other.py": "" }) })));
    expect(error.field).toBe("layerName");
    expect(error.message).toMatch(
      /^test\/B: `layerName` publishes the layer name .*utils.*, which test\/A already publishes with the same provider and region/,
    );
  });

  test("the same layerName through providers of two regions is fine", () => {
    const { stack } = newStack();
    const west = new AwsProvider(stack, "west", { region: "eu-west-1", alias: "west" });
    new LambdaLayer(stack, "A", layer());
    expect(() => new LambdaLayer(stack, "B", { ...layer(), provider: west })).not.toThrow();
  });
});

describe("archive_file packaging", () => {
  test("a fan-out zips once: one staged folder, one data source, one output path for every region", () => {
    const { stack } = newStack();
    const fanout = new LayerFanout(stack, "Utils", {
      regions: ["us-east-1", "eu-west-1", "us-west-2"],
      layer: layer({ packaging: "archive_file" }),
    });
    const json = JSON.parse(Testing.synth(stack, true));
    const zips = Object.values(json.data.archive_file) as Array<{ output_path: string }>;
    expect(zips).toHaveLength(1);
    expect(zips[0].output_path).toBe(`archive-file/utils-${fanout.node.addr.slice(0, 16)}.zip`);
    const filenames = new Set(Object.values(json.resource.aws_lambda_layer_version).map((v) => (v as { filename: string }).filename));
    expect(filenames.size).toBe(1);
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataArchiveFile, { type: "zip" });
  });

  test("two layers in one stack write different output paths", () => {
    const { stack } = newStack();
    const west = new AwsProvider(stack, "west", { region: "eu-west-1", alias: "west" });
    new LambdaLayer(stack, "A", layer({ packaging: "archive_file" }));
    new LambdaLayer(stack, "B", { ...layer({ packaging: "archive_file" }), provider: west });
    const paths = Object.values(JSON.parse(Testing.synth(stack, true)).data.archive_file).map(
      (d) => (d as { output_path: string }).output_path,
    );
    expect(new Set(paths).size).toBe(2);
  });
});

test("a fan-out refuses a provider of another region for a region key", () => {
  const { stack } = newStack();
  const west = new AwsProvider(stack, "west", { region: "eu-west-1", alias: "west" });
  const error = refusal(
    () => new LayerFanout(stack, "Utils", { regions: ["us-east-1", "eu-west-2"], layer: layer(), providers: { "eu-west-2": west } }),
  );
  expect(error.message).toBe(
    'test/Utils: `providers.eu-west-2` is a provider of region eu-west-1, not of eu-west-2: the layer would be published in the wrong region, got "eu-west-1". Fix: pass the provider configured with region "eu-west-2" under the key "eu-west-2"',
  );
});

test.each([
  [
    "arn:aws:lambda:cn-north-1:123456789012:layer:x:1",
    /names the partition aws, but cn-north-1 belongs to aws-cn.*arn:aws-cn:lambda:cn-north-1/,
  ],
  ["arn:aws-cn:lambda:us-east-1:123456789012:layer:x:1", /names the partition aws-cn, but us-east-1 belongs to aws/],
  ["arn:aws-us-gov:lambda:eu-west-1:123456789012:layer:x:1", /names the partition aws-us-gov, but eu-west-1 belongs to aws/],
])("a layer ARN whose partition does not match its region is refused: %s", (arn, message) => {
  expect(refusal(() => parseLayerVersionArn(arn)).message).toMatch(message);
  expect(parseLayerVersionArn("arn:aws-cn:lambda:cn-north-1:123456789012:layer:x:1")?.partition).toBe("aws-cn");
});

describe("providerMode region-argument needs AWS provider 6.x", () => {
  test.each(["~> 5.100", ">= 5.80, < 6.0", "5.100.0"])("a rollout with awsProviderVersion %s is refused at synth", (constraint) => {
    const error = refusal(
      () =>
        new LayerRollout(
          Testing.app(),
          "r",
          rolloutProps({ stackPer: "wave", providerMode: "region-argument", awsProviderVersion: constraint }),
        ),
    );
    expect(error.field).toBe("awsProviderVersion");
    expect(error.message).toMatch(/admits no AWS provider 6.x.*Fix: admit 6.x/);
  });

  test.each([">= 5.80, < 7.0", "~> 6.0", "~> 6.2.0", ">= 6.10"])("%s is accepted", (constraint) => {
    expect(
      () =>
        new LayerRollout(
          Testing.app(),
          "r",
          rolloutProps({ stackPer: "wave", providerMode: "region-argument", awsProviderVersion: constraint }),
        ),
    ).not.toThrow();
  });

  test("a fan-out in region-argument mode in a stack pinned to 5.x is refused, in either order", () => {
    const a = newStack();
    setAwsProviderVersion(a.stack, "~> 5.100");
    expect(
      refusal(() => new LayerFanout(a.stack, "U", { regions: ["us-east-1", "eu-west-1"], layer: layer(), providerMode: "region-argument" }))
        .field,
    ).toBe("awsProviderVersion");
    const b = newStack();
    new LayerFanout(b.stack, "U", { regions: ["us-east-1", "eu-west-1"], layer: layer(), providerMode: "region-argument" });
    expect(refusal(() => setAwsProviderVersion(b.stack, "~> 5.100")).field).toBe("awsProviderVersion");
  });
});

describe("LayerRollout input", () => {
  test.each<[string, Partial<LayerRolloutProps>, string, RegExp]>([
    [
      "one bucket for every region (a stack per region)",
      { layers: [layer({ s3: { bucket: "artifacts" } })] },
      "layer.s3.bucket",
      /is one bucket for several regions.*\{region\}/,
    ],
    [
      "a duplicate region inside one wave",
      { waves: [["us-east-1", "eu-west-1", "us-east-1"]] },
      "waves",
      /lists us-east-1 twice in wave 1, got/,
    ],
    [
      "a string where waves are expected",
      { waves: "us-east-1" as unknown as string[][] },
      "waves",
      /must be a list of waves, each a list of regions.*\[\["us-east-1"\]\]/,
    ],
    [
      "a string as one wave",
      { waves: ["us-east-1", ["eu-west-1"]] as unknown as string[][] },
      "waves",
      /holds "us-east-1" as wave 1, but each wave is a list of regions.*\["us-east-1"\]/,
    ],
    [
      "a function deployed nowhere",
      {
        functions: [
          {
            functionName: "f",
            runtime: "python3.13",
            handler: "app.handler",
            role: "arn:aws:iam::123456789012:role/r",
            source: ".",
            regions: [],
          },
        ],
      },
      "functions[f].regions",
      /must list at least one region/,
    ],
    [
      "a function named like a layer",
      {
        functions: [
          { functionName: "utils", runtime: "python3.13", handler: "app.handler", role: "arn:aws:iam::123456789012:role/r", source: "." },
        ],
      },
      "functions[].functionName",
      /is also the name of the layer utils/,
    ],
    [
      "a tag HCP Terraform refuses",
      { cloud: { organization: "acme", workspaceTags: ["lambda layers"] } },
      "cloud.workspaceTags",
      /tag HCP Terraform refuses \(1-255 letters, digits, colons, hyphens and underscores\)/,
    ],
  ])("refuses %s", (_name, overrides, field, message) => {
    const error = refusal(() => new LayerRollout(Testing.app(), "r", rolloutProps(overrides)));
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  test("accepts the tags HCP Terraform accepts, uppercase included", () => {
    expect(
      () =>
        new LayerRollout(
          Testing.app(),
          "r",
          rolloutProps({ cloud: { organization: "acme", workspaceTags: ["Team:Payments", "lambda_layers"] } }),
        ),
    ).not.toThrow();
  });

  test("checks the stack: tag it generates from the rollout id", () => {
    const error = refusal(
      () => new LayerRollout(Testing.app(), "my.rollout", rolloutProps({ cloud: { organization: "acme", workspaceTags: ["layers"] } })),
    );
    expect(error.field).toBe("id");
    expect(error.message).toMatch(/got "stack:my.rollout-us-east-1"/);
  });
});

describe("the report", () => {
  function synthesized(layerName: string) {
    const outdir = tempDir("report-names-");
    const app = new App({ outdir });
    const rollout = new LayerRollout(
      app,
      "r",
      rolloutProps({ layers: [layer({ layerName })], waves: [["us-east-1"], ["eu-west-1", "us-west-2"]], stackPer: "wave" }),
    );
    app.synth();
    return { outdir, rollout };
  }
  const state = (outputs: Record<string, unknown>) =>
    JSON.stringify({
      version: 4,
      serial: 1,
      lineage: "x",
      outputs: Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, { value: v, type: "string" }])),
      resources: [],
    });

  test("finds the outputs of a layer whose name starts with a digit, under the names synth wrote", () => {
    const { outdir, rollout } = synthesized("2fa-utils");
    const sha = rollout.archives.get("2fa-utils")!.contentSha256;
    const written = (name: string) =>
      Object.keys(JSON.parse(fs.readFileSync(path.join(outdir, "stacks", name, "cdk.tf.json"), "utf8")).output);
    const wave1 = written("r-wave-1");
    expect(wave1).toContain("_2fa-utils_version");
    fs.mkdirSync(path.dirname(localStateFile(path.join(outdir, "stacks", "r-wave-1"))), { recursive: true });
    fs.mkdirSync(path.dirname(localStateFile(path.join(outdir, "stacks", "r-wave-2"))), { recursive: true });
    fs.writeFileSync(
      localStateFile(path.join(outdir, "stacks", "r-wave-1")),
      state({
        "_2fa-utils_version": "3",
        "_2fa-utils_layer_version_arn": "arn:aws:lambda:us-east-1:123456789012:layer:2fa-utils:3",
        "_2fa-utils_content_sha256": sha,
      }),
    );
    expect(written("r-wave-2")).toContain("_2fa-utils_versions");
    fs.writeFileSync(
      localStateFile(path.join(outdir, "stacks", "r-wave-2")),
      state({ "_2fa-utils_versions": { "eu-west-1": "3", "us-west-2": "5" }, "_2fa-utils_content_sha256": sha }),
    );
    const report = rolloutReport(outdir, "r");
    expect(report.layers[0].regions.map((r) => [r.region, r.version])).toEqual([
      ["us-east-1", 3],
      ["eu-west-1", 3],
      ["us-west-2", 5],
    ]);
    // One content under two version numbers is reported, not drift: Lambda numbers versions per region.
    expect(report.drift).toBe(false);
    expect(report.layers[0].notes).toEqual([
      expect.stringContaining("different version numbers: us-east-1 v3, eu-west-1 v3, us-west-2 v5"),
    ]);
  });

  test.each([
    ["an empty", "", /tfstate is empty, so its deployed outputs cannot be read/],
    ["a damaged", '{"version": 4, "outputs": {', /tfstate is not a Terraform state file \(/],
  ])("on %s state file exits 1 naming the file, not 2", (_name, content, message) => {
    const { outdir } = synthesized("utils");
    const file = localStateFile(path.join(outdir, "stacks", "r-wave-2"));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    const r = spawnSync(
      "node",
      ["-r", "ts-node/register/transpile-only", "bin/cdktf-lambda-layers.ts", "report", "r", "--outdir", outdir],
      {
        cwd: path.resolve(__dirname, ".."),
        encoding: "utf8",
      },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(file);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain("Usage:");
  });
});
