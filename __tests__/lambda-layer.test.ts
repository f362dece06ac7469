import { DataArchiveFile } from "@cdktf/provider-archive/lib/data-archive-file";
import { LambdaLayerVersion } from "@cdktf/provider-aws/lib/lambda-layer-version";
import { S3Object } from "@cdktf/provider-aws/lib/s3-object";
import { Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import {
  DEFAULT_AWS_PROVIDER_VERSION,
  LambdaLayer,
  LambdaLayerProps,
  LayerValidationError,
  Runtime,
  setAwsProviderVersion,
} from "../modules";
import { settle, tempDir, tree } from "./helpers/files";
import { newStack, synthJson } from "./helpers/stacks";

const source = () => tree({ "python/shared/__init__.py": "VALUE = 1\n" });
const props = (overrides: Partial<LambdaLayerProps> = {}): LambdaLayerProps => ({
  layerName: "shared",
  source: source(),
  compatibleRuntimes: ["python3.12"],
  ...overrides,
});

describe("LambdaLayer", () => {
  test("publishes one layer version with the archive's hash, retained by default", () => {
    // GIVEN
    const { stack } = newStack();
    // WHEN
    const layer = new LambdaLayer(
      stack,
      "Shared",
      props({
        compatibleArchitectures: ["arm64"],
        description: "shared code",
        licenseInfo: "MIT",
      }),
    );
    // THEN
    const synthesized = Testing.synth(stack);
    expect(synthesized).toHaveResourceWithProperties(LambdaLayerVersion, {
      layer_name: "shared",
      compatible_runtimes: ["python3.12"],
      compatible_architectures: ["arm64"],
      description: "shared code",
      license_info: "MIT",
      skip_destroy: true,
      source_code_hash: layer.archive.contentBase64Sha256,
      filename: `assets/${assetFolder(synthesized)}/${layer.archive.contentSha256}/${layer.archive.contentSha256}.zip`,
    });
    expect(layer.archive.entries).toEqual(["python/shared/__init__.py"]);
  });

  test("exposes ARNs and version as references, and emits them as outputs", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props());
    const json = synthJson(stack);
    const [resourceName] = Object.keys(json.resource.aws_lambda_layer_version);
    expect(layer.layerArn).toMatch(/^\$\{TfToken/);
    expect(json.output).toEqual({
      Shared_layer_arn: expect.objectContaining({ value: `\${aws_lambda_layer_version.${resourceName}.layer_arn}` }),
      Shared_layer_version_arn: expect.objectContaining({ value: `\${aws_lambda_layer_version.${resourceName}.arn}` }),
      Shared_version: expect.objectContaining({ value: `\${aws_lambda_layer_version.${resourceName}.version}` }),
      Shared_content_sha256: expect.objectContaining({ value: layer.archive.contentSha256 }),
    });
  });

  test("leaves out outputs when asked", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Shared", props({ outputs: false }));
    expect(synthJson(stack).output).toBeUndefined();
  });

  test("retain: false lets Terraform delete old versions", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Shared", props({ retain: false }));
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LambdaLayerVersion, { skip_destroy: false });
  });

  test("accepts Runtime instances and leaves architectures out when none are declared", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Shared", props({ compatibleRuntimes: [Runtime.PYTHON_3_12, Runtime.PYTHON_3_13] }));
    const layer = Object.values(synthJson(stack).resource.aws_lambda_layer_version)[0] as Record<string, unknown>;
    expect(layer.compatible_runtimes).toEqual(["python3.12", "python3.13"]);
    expect(layer).not.toHaveProperty("compatible_architectures");
  });

  test("uploads through S3 under a content-addressed key", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ s3: { bucket: "my-artifacts", keyPrefix: "layers/" } }));
    const synthesized = Testing.synth(stack);
    const key = `layers/shared/${layer.archive.contentSha256}.zip`;
    expect(synthesized).toHaveResourceWithProperties(S3Object, {
      bucket: "my-artifacts",
      key,
      source_hash: layer.archive.contentBase64Sha256,
    });
    const json = JSON.parse(synthesized);
    const version = Object.values(json.resource.aws_lambda_layer_version)[0] as Record<string, unknown>;
    expect(version.s3_bucket).toMatch(/^\$\{aws_s3_object\..+\.bucket\}$/);
    expect(version.s3_key).toMatch(/^\$\{aws_s3_object\..+\.key\}$/);
    expect(version).not.toHaveProperty("filename");
  });

  test("archive_file packaging zips the staged folder during plan", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ packaging: "archive_file" }));
    const json = synthJson(stack);
    expect(JSON.stringify(json)).toContain("archive_file");
    expect(Testing.synth(stack)).toHaveDataSourceWithProperties(DataArchiveFile, {
      type: "zip",
      output_path: `archive-file/shared-${layer.node.addr.slice(0, 16)}.zip`,
    });
    const [dataName] = Object.keys(json.data.archive_file);
    expect(json.data.archive_file[dataName].source_dir).toMatch(new RegExp(`^assets/.+/${layer.archive.contentSha256}$`));
    const version = Object.values(json.resource.aws_lambda_layer_version)[0] as Record<string, unknown>;
    expect(version.filename).toBe(`\${data.archive_file.${dataName}.output_path}`);
    expect(version.source_code_hash).toBe(`\${data.archive_file.${dataName}.output_base64sha256}`);
    expect(json.terraform.required_providers.archive.source).toBe("hashicorp/archive");
    expect(fs.readdirSync(path.join(layer.archive.stagedDir!, "python", "shared"))).toEqual(["__init__.py"]);
  });

  test("requires hashicorp/aws with a constraint admitting 5.x and 6.x, which the user may change", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Shared", props());
    expect(synthJson(stack).terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: DEFAULT_AWS_PROVIDER_VERSION });
    setAwsProviderVersion(stack, "~> 5.100");
    expect(synthJson(stack).terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "~> 5.100" });
    expect(() => setAwsProviderVersion(stack, "latest")).toThrow(
      /`awsProviderVersion` is not a Terraform version constraint, got "latest"/,
    );
  });

  test("builds each archive once for several layers with the same content", () => {
    const { stack } = newStack();
    const src = tree({ "python/unique.py": `ID = "${process.hrtime.bigint()}"\n` });
    settle();
    const a = new LambdaLayer(stack, "A", props({ source: src, layerName: "a" }));
    const b = new LambdaLayer(stack, "B", props({ source: src, layerName: "b" }));
    expect(a.archive.cache).toBe("built");
    expect(b.archive.cache).toBe("metadata-hit");
    const c = new LambdaLayer(stack, "C", props({ layerName: "c", archive: a.archive, source: "/unused" }));
    expect(c.archive).toBe(a.archive);
  });

  test("turns packaging warnings into synth warnings", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ compatibleRuntimes: ["python3.12", "nodejs22.x"] }));
    const warnings = layer.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining("shared: nodejs22.x is declared compatible but finds nothing")]);
  });

  describe("refuses bad input at construction, naming the path, the field, the value and the fix", () => {
    test.each<[string, Partial<LambdaLayerProps>, string, RegExp]>([
      ["a name with a space", { layerName: "my layer!" }, "layerName", /must be 1-140 characters of A-Z a-z 0-9 - _, got "my layer!"/],
      ["an empty name", { layerName: "" }, "layerName", /got ""/],
      ["a name of 141 characters", { layerName: "a".repeat(141) }, "layerName", /1-140 characters/],
      [
        "an unknown runtime",
        { compatibleRuntimes: ["python2.7"] },
        "compatibleRuntimes",
        /not a Lambda runtime identifier.*got "python2.7"/,
      ],
      ["no runtimes", { compatibleRuntimes: [] }, "compatibleRuntimes", /at least one runtime, got \[\]/],
      ["16 runtimes", { compatibleRuntimes: Runtime.all.slice(0, 16).map((r) => r.name) }, "compatibleRuntimes", /at most 15/],
      ["a duplicate runtime", { compatibleRuntimes: ["python3.12", "python3.12"] }, "compatibleRuntimes", /lists "python3.12" twice/],
      [
        "an unknown architecture",
        { compatibleArchitectures: ["aarch64"] },
        "compatibleArchitectures",
        /"x86_64" or "arm64", got "aarch64"/,
      ],
      ["a long description", { description: "d".repeat(257) }, "description", /257 characters but Lambda accepts at most 256/],
      ["a long license", { licenseInfo: "l".repeat(513) }, "licenseInfo", /513 characters but Lambda accepts at most 512/],
      ["an unknown packaging", { packaging: "docker" as never }, "packaging", /one of "synth", "archive_file", got "docker"/],
      ["a bad bucket", { s3: { bucket: "My_Bucket" } }, "s3.bucket", /not a valid S3 bucket name/],
      ["a bad key prefix", { s3: { bucket: "ok-bucket", keyPrefix: "/layers" } }, "s3.keyPrefix", /end in "\/"/],
      [
        "a missing source",
        { source: "/no/such/folder" },
        "source",
        /"\/no\/such\/folder".*not an existing folder|not an existing folder.*"\/no\/such\/folder"/,
      ],
      ["an empty source", { source: tempDir() }, "source", /holds no files/],
      ["a secret", { source: tree({ "python/.env": "A=1" }) }, "source", /python\/.env \(dotenv file\)/],
    ])("%s", (_name, overrides, field, message) => {
      const { app, stack } = newStack();
      let caught: unknown;
      try {
        new LambdaLayer(stack, "Shared", props(overrides));
      } catch (e) {
        caught = e;
      }
      expect(caught).toBeInstanceOf(LayerValidationError);
      const err = caught as LayerValidationError;
      expect(err.field).toBe(field);
      expect(err.message).toMatch(/^test\/Shared: `/);
      expect(err.message).toMatch(message);
      expect(err.message).toContain("Fix: ");
      expect(filesUnder(app.outdir)).toEqual([]); // nothing written for a failed synth
    });

    test("an escaping symlink", () => {
      const { stack } = newStack();
      const src = source();
      fs.symlinkSync("/etc/hostname", path.join(src, "python", "host"));
      expect(() => new LambdaLayer(stack, "Shared", props({ source: src }))).toThrow(
        /^test\/Shared: `source` contains the symlink "python\/host" pointing outside/,
      );
    });
  });
});

describe("LambdaLayer.fromLayerVersionArn", () => {
  test("imports a layer version with its region, account and declared runtimes", () => {
    const { stack } = newStack();
    const arn = "arn:aws:lambda:eu-west-1:123456789012:layer:insights:52";
    const layer = LambdaLayer.fromLayerVersionArn(stack, "Insights", arn, {
      compatibleRuntimes: ["python3.12"],
      compatibleArchitectures: ["arm64"],
    });
    expect(layer.layerVersionArn).toBe(arn);
    expect(layer.region).toBe("eu-west-1");
    expect(layer.account).toBe("123456789012");
    expect(layer.compatibleRuntimes!.map((r) => r.name)).toEqual(["python3.12"]);
    expect(layer.compatibleArchitectures!.map((a) => a.name)).toEqual(["arm64"]);
  });

  test.each([
    ["an unversioned ARN", "arn:aws:lambda:eu-west-1:123456789012:layer:insights", /not a layer version ARN/],
    ["a function ARN", "arn:aws:lambda:eu-west-1:123456789012:function:f", /not a layer version ARN/],
    ["a short account", "arn:aws:lambda:eu-west-1:1234:layer:x:1", /not a layer version ARN/],
    ["version 0", "arn:aws:lambda:eu-west-1:123456789012:layer:x:0", /not a layer version ARN/],
    ["an unknown region", "arn:aws:lambda:mars-north-1:123456789012:layer:x:3", /not an AWS region this library knows/],
  ])("refuses %s", (_name, arn, message) => {
    const { stack } = newStack();
    expect(() => LambdaLayer.fromLayerVersionArn(stack, "X", arn)).toThrow(message);
    expect(() => LambdaLayer.fromLayerVersionArn(stack, "Y", arn)).toThrow(/^test\/Y: `layerVersionArn`/);
  });
});

function assetFolder(synthesized: string): string {
  const filename = (Object.values(JSON.parse(synthesized).resource.aws_lambda_layer_version)[0] as { filename: string }).filename;
  return filename.split("/")[1];
}

function filesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => !d.isDirectory())
    .map((d) => d.name);
}
