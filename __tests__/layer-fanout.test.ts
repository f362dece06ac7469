import { App, TerraformAsset, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import * as fs from "fs";
import * as path from "path";
import { COMMERCIAL_REGIONS, LambdaLayerOptions, LayerFanout, LayerValidationError } from "../modules";
import { tree } from "./helpers/files";

const layer = (overrides: Partial<LambdaLayerOptions> = {}): LambdaLayerOptions => ({
  layerName: "utils",
  source: tree({ "python/utils.py": `ID = "${process.hrtime.bigint()}"\n` }),
  compatibleRuntimes: ["python3.12"],
  sharing: { accounts: ["123456789012"] },
  ...overrides,
});

function fanoutStack(regions: string[], overrides: Partial<ConstructorParameters<typeof LayerFanout>[2]> = {}) {
  const app = Testing.app();
  const stack = new TerraformStack(app, "fanout");
  const fanout = new LayerFanout(stack, "Utils", { regions, layer: layer(), ...overrides });
  return { app, stack, fanout, json: () => JSON.parse(Testing.synth(stack, true)) };
}

describe.each([1, 4, 17])("LayerFanout over %i regions", (n) => {
  const regions = COMMERCIAL_REGIONS.slice(0, n);
  const { app, stack, fanout, json } = fanoutStack([...regions]);
  const synthesized = json();

  test("publishes one layer version and its grants per region, each through that region's provider alias", () => {
    const versions = Object.values(synthesized.resource.aws_lambda_layer_version) as Array<Record<string, unknown>>;
    const grants = Object.values(synthesized.resource.aws_lambda_layer_version_permission) as Array<Record<string, unknown>>;
    expect(versions).toHaveLength(n);
    expect(grants).toHaveLength(n);
    expect(versions.map((v) => v.provider).sort()).toEqual(regions.map((r) => `aws.${r}`).sort());
    expect(grants.map((g) => g.provider).sort()).toEqual(regions.map((r) => `aws.${r}`).sort());
    const providers = synthesized.provider.aws as Array<{ alias: string; region: string }>;
    expect(providers.map((p) => [p.alias, p.region]).sort()).toEqual(regions.map((r) => [r, r]).sort());
    for (const p of providers) expect(Object.keys(p).sort()).toEqual(["alias", "region"]); // no credentials in generated code
  });

  test("maps region to version ARN and to version number in outputs", () => {
    const arns = synthesized.output.Utils_layer_version_arns.value as Record<string, string>;
    const numbers = synthesized.output.Utils_versions.value as Record<string, string>;
    expect(Object.keys(arns).sort()).toEqual([...regions].sort());
    expect(Object.keys(numbers).sort()).toEqual([...regions].sort());
    expect(arns[regions[0]]).toMatch(/^\$\{aws_lambda_layer_version\..+\.arn\}$/);
    expect(numbers[regions[0]]).toMatch(/^\$\{aws_lambda_layer_version\..+\.version\}$/);
    expect(synthesized.output.Utils_content_sha256.value).toBe(fanout.archive.contentSha256);
    expect(fanout.layerIn(regions[n - 1]).archive).toBe(fanout.archive);
  });

  test("builds the archive once and copies it into the stack once", () => {
    expect(fanout.archive.cache).toBe("built");
    const versions = Object.values(synthesized.resource.aws_lambda_layer_version) as Array<{ filename: string; source_code_hash: string }>;
    expect(new Set(versions.map((v) => v.filename)).size).toBe(1);
    expect(new Set(versions.map((v) => v.source_code_hash))).toEqual(new Set([fanout.archive.contentBase64Sha256]));
    app.synth();
    const stackDir = path.join(app.outdir, "stacks", "fanout");
    const zips = fs
      .readdirSync(stackDir, { recursive: true })
      .map(String)
      .filter((f) => f.endsWith(".zip"));
    expect(zips).toHaveLength(1);
  });

  test(n > 4 ? "warns that the stack starts more than 4 AWS providers" : "does not warn about provider count", () => {
    const warnings = stack.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    if (n > 4) expect(warnings).toEqual([expect.stringContaining(`configures ${n} AWS providers`)]);
    else expect(warnings).toEqual([]);
  });
});

test("reads the one asset's path once, not once per region (cdktf hashes the construct path on every read)", () => {
  // GIVEN
  const pathReads = jest.spyOn(TerraformAsset.prototype, "path", "get");
  try {
    // WHEN
    const { json } = fanoutStack(COMMERCIAL_REGIONS.slice(0, 17));
    // THEN
    expect(pathReads).toHaveBeenCalledTimes(1);
    const versions = Object.values(json().resource.aws_lambda_layer_version) as Array<{ filename: string }>;
    expect(versions).toHaveLength(17);
    expect(new Set(versions.map((v) => v.filename)).size).toBe(1);
  } finally {
    pathReads.mockRestore();
  }
});

describe("LayerFanout options", () => {
  test("region-argument mode uses one provider, the region argument, and requires provider 6.x", () => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "s");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    new LayerFanout(stack, "Utils", { regions: ["us-east-1", "eu-west-1", "ap-south-1"], layer: layer(), providerMode: "region-argument" });
    const json = JSON.parse(Testing.synth(stack, true));
    expect(json.provider.aws).toHaveLength(1);
    const versions = Object.values(json.resource.aws_lambda_layer_version) as Array<Record<string, unknown>>;
    expect(versions.map((v) => v.region).sort()).toEqual(["ap-south-1", "eu-west-1", "us-east-1"]);
    expect(versions.every((v) => v.provider === undefined)).toBe(true);
    const grants = Object.values(json.resource.aws_lambda_layer_version_permission) as Array<Record<string, unknown>>;
    expect(grants.map((g) => g.region).sort()).toEqual(["ap-south-1", "eu-west-1", "us-east-1"]);
    expect(json.terraform.required_providers.aws.version).toBe(">= 6.0, < 7.0");
  });

  test("S3 upload goes to each region's own bucket", () => {
    const { json } = fanoutStack(["us-east-1", "eu-west-1"], { layer: layer({ s3: { bucket: "artifacts-{region}" } }) });
    const objects = Object.values(json().resource.aws_s3_object) as Array<Record<string, unknown>>;
    expect(objects.map((o) => [o.bucket, o.provider]).sort()).toEqual([
      ["artifacts-eu-west-1", "aws.eu-west-1"],
      ["artifacts-us-east-1", "aws.us-east-1"],
    ]);
  });

  test("assumes a role per region, from the environment's credentials", () => {
    const { json } = fanoutStack(["us-east-1", "eu-west-1"], { assumeRoleArn: { "eu-west-1": "arn:aws:iam::123456789012:role/deployer" } });
    const providers = json().provider.aws as Array<Record<string, unknown>>;
    expect(providers.find((p) => p.alias === "eu-west-1")!.assume_role).toEqual([
      { role_arn: "arn:aws:iam::123456789012:role/deployer", session_name: "cdktf-lambda-layers" },
    ]);
    expect(providers.find((p) => p.alias === "us-east-1")).not.toHaveProperty("assume_role");
  });

  test.each<[string, Partial<ConstructorParameters<typeof LayerFanout>[2]>, string, RegExp]>([
    ["no regions", { regions: [] }, "regions", /at least one region/],
    ["an unknown region", { regions: ["us-east-1", "mars-1"] }, "regions", /not an AWS region this library knows, got "mars-1"/],
    ["a duplicate region", { regions: ["us-east-1", "us-east-1"] }, "regions", /lists "us-east-1" twice/],
    ["two partitions", { regions: ["us-east-1", "cn-north-1"] }, "regions", /mixes the AWS partitions aws, aws-cn/],
    [
      "one bucket for several regions",
      { regions: ["us-east-1", "eu-west-1"], layer: layer({ s3: { bucket: "artifacts" } }) },
      "layer.s3.bucket",
      /\{region\}/,
    ],
    [
      "a provider for another region",
      { regions: ["us-east-1"], providers: { "eu-west-1": undefined as never } },
      "providers",
      /not in `regions`/,
    ],
  ])("refuses %s", (_name, overrides, field, message) => {
    const app = new App({ outdir: fs.mkdtempSync(path.join(require("os").tmpdir(), "fo-")) });
    const stack = new TerraformStack(app, "s");
    let caught: unknown;
    try {
      new LayerFanout(stack, "Utils", { regions: ["us-east-1"], layer: layer(), ...overrides });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    expect((caught as LayerValidationError).field).toBe(field);
    expect((caught as LayerValidationError).message).toMatch(/^s\/Utils: /);
    expect((caught as LayerValidationError).message).toMatch(message);
  });

  test("layerIn refuses a region it does not publish in", () => {
    const { fanout } = fanoutStack(["us-east-1"]);
    expect(() => fanout.layerIn("eu-west-1")).toThrow(/`region` is not one of fanout\/Utils's regions \(us-east-1\), got "eu-west-1"/);
  });
});

test("reports a packaging warning once for the fan-out, not once per region", () => {
  const app = Testing.app();
  const stack = new TerraformStack(app, "s");
  new LayerFanout(stack, "Utils", {
    regions: ["us-east-1", "eu-west-1", "ap-south-1"],
    layer: layer({ compatibleRuntimes: ["python3.12", "nodejs22.x"] }),
  });
  const warnings = stack.node
    .findAll()
    .flatMap((c) => c.node.metadata)
    .filter((m) => m.type === "@cdktf/warn")
    .map((m) => String(m.data));
  expect(warnings).toEqual([expect.stringContaining("utils: nodejs22.x is declared compatible but finds nothing")]);
});
