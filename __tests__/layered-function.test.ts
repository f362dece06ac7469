import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import {
  Architecture,
  AttachedLayer,
  checkAttachments,
  LambdaLayer,
  LambdaLayerProps,
  LayeredFunction,
  LayeredFunctionProps,
  LayerValidationError,
  Runtime,
} from "../modules";
import { tree } from "./helpers/files";
import { newStack, synthJson } from "./helpers/stacks";

const ROLE = "arn:aws:iam::123456789012:role/fn";
const code = () => tree({ "index.js": "exports.handler = async () => ({ ok: true });\n" });
const fnProps = (overrides: Partial<LayeredFunctionProps> = {}): LayeredFunctionProps => ({
  functionName: "todos",
  runtime: "nodejs22.x",
  handler: "index.handler",
  role: ROLE,
  source: code(),
  ...overrides,
});
const nodeLayer = (
  files: Record<string, string> = { "nodejs/node_modules/a/index.js": "" },
  overrides: Partial<LambdaLayerProps> = {},
): LambdaLayerProps => ({
  layerName: "a",
  source: tree(files),
  compatibleRuntimes: ["nodejs22.x"],
  compatibleArchitectures: ["x86_64"],
  ...overrides,
});

function validationErrors(stack: Parameters<typeof Testing.synth>[0]): string {
  try {
    Testing.synth(stack, true);
  } catch (e) {
    return String((e as Error).message);
  }
  return "";
}

describe("checkAttachments", () => {
  const target = { runtime: Runtime.NODEJS_24_X, architecture: Architecture.X86_64, region: "us-east-1", codeUnzippedBytes: 1000 };
  const layer = (label: string, extra: Partial<AttachedLayer> = {}): AttachedLayer => ({ label, identity: label, ...extra });

  test.each<[string, AttachedLayer[], RegExp | null]>([
    ["five layers", ["a", "b", "c", "d", "e"].map((l) => layer(l)), null],
    ["six layers", ["a", "b", "c", "d", "e", "f"].map((l) => layer(l)), /lists 6 layers but a function may use at most 5/],
    ["the same layer twice", [layer("a"), layer("a")], /attaches a although it is already attached/],
    [
      "two versions of one layer",
      [layer("x:1", { identity: "x" }), layer("x:2", { identity: "x" })],
      /attaches x:2 although x:1 \(the same layer\)/,
    ],
    ["a matching runtime", [layer("a", { compatibleRuntimes: [Runtime.NODEJS_24_X, Runtime.NODEJS_22_X] })], null],
    [
      "another runtime",
      [layer("py", { compatibleRuntimes: [Runtime.PYTHON_3_12] })],
      /declares runtimes python3.12, not the function's nodejs24.x, got "py"/,
    ],
    ["undeclared runtimes (imported)", [layer("arn")], null],
    ["a matching architecture", [layer("a", { compatibleArchitectures: [Architecture.X86_64, Architecture.ARM_64] })], null],
    [
      "another architecture",
      [layer("arm", { compatibleArchitectures: [Architecture.ARM_64] })],
      /declares architectures arm64, not the function's x86_64/,
    ],
    ["the same region", [layer("a", { region: "us-east-1" })], null],
    ["another region", [layer("eu", { region: "eu-west-1" })], /lives in eu-west-1 but the function is in us-east-1/],
    ["249 MB in all", [layer("a", { unzippedBytes: 262_144_000 - 1000 })], null],
    [
      "over 250 MB in all",
      [layer("a", { unzippedBytes: 200_000_000 }), layer("b", { unzippedBytes: 62_144_001 })],
      /add up to 250.0 MiB .* over Lambda's 250.0 MiB/,
    ],
  ])("%s", (_name, layers, expected) => {
    const { errors } = checkAttachments(target, layers);
    if (expected) expect(errors.join("\n")).toMatch(expected);
    else expect(errors).toEqual([]);
  });

  test("warns which files two layers both ship, and that the later one wins", () => {
    const { warnings } = checkAttachments(target, [
      layer("first", { entries: ["python/a.py", "python/b.py", "bin/x"] }),
      layer("second", { entries: ["python/a.py", "python/c.py"] }),
      layer("third", { entries: ["bin/x", "python/b.py"] }),
    ]);
    expect(warnings).toEqual([
      "layers first (position 1) and second (position 2) both ship /opt/python/a.py: Lambda merges layers into /opt in the order listed, so the copies from second win",
      "layers first (position 1) and third (position 3) both ship /opt/bin/x, /opt/python/b.py: Lambda merges layers into /opt in the order listed, so the copies from third win",
    ]);
  });
});

describe("LayeredFunction", () => {
  test("packages its code reproducibly and attaches layers in order", () => {
    const { stack } = newStack();
    const logging = new LambdaLayer(stack, "Logging", nodeLayer());
    const fn = new LayeredFunction(
      stack,
      "Todos",
      fnProps({ layers: [logging], memorySize: 256, timeout: 10, environment: { LOG_LEVEL: "debug" } }),
    );
    fn.addLayers("arn:aws:lambda:us-east-1:123456789012:layer:insights:52");
    const json = synthJson(stack);
    const [layerName] = Object.keys(json.resource.aws_lambda_layer_version);
    expect(Testing.synth(stack)).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "todos",
      runtime: "nodejs22.x",
      handler: "index.handler",
      role: ROLE,
      architectures: ["x86_64"],
      memory_size: 256,
      timeout: 10,
      environment: { variables: { LOG_LEVEL: "debug" } },
      source_code_hash: fn.archive.contentBase64Sha256,
      layers: [`\${aws_lambda_layer_version.${layerName}.arn}`, "arn:aws:lambda:us-east-1:123456789012:layer:insights:52"],
    });
    expect(fn.archive.entries).toEqual(["index.js"]);
    expect(fn.layers).toHaveLength(2);
  });

  test("leaves layers out when none are attached", () => {
    const { stack } = newStack();
    new LayeredFunction(stack, "Todos", fnProps());
    const fn = Object.values(synthJson(stack).resource.aws_lambda_function)[0] as Record<string, unknown>;
    expect(fn).not.toHaveProperty("layers");
  });

  test.each<[string, (stack: ReturnType<typeof newStack>["stack"]) => void, RegExp]>([
    [
      "a sixth layer added later",
      (stack) => {
        const fn = new LayeredFunction(stack, "Fn", fnProps());
        fn.addLayers(...[1, 2, 3, 4, 5].map((v) => `arn:aws:lambda:us-east-1:123456789012:layer:l${v}:1`));
        fn.addLayers("arn:aws:lambda:us-east-1:123456789012:layer:l6:1");
      },
      /\[test\/Fn\] `layers` lists 6 layers but a function may use at most 5/,
    ],
    [
      "a Python layer on a Node function",
      (stack) => {
        const py = new LambdaLayer(stack, "Py", {
          layerName: "py",
          source: tree({ "python/a.py": "" }),
          compatibleRuntimes: ["python3.12"],
        });
        new LayeredFunction(stack, "Fn", fnProps({ layers: [py] }));
      },
      /`layers` declares runtimes python3.12, not the function's nodejs22.x, got "test\/Py"/,
    ],
    [
      "an arm64 layer on an x86_64 function",
      (stack) => {
        const arm = new LambdaLayer(stack, "Arm", nodeLayer(undefined, { compatibleArchitectures: ["arm64"] }));
        new LayeredFunction(stack, "Fn", fnProps({ layers: [arm] }));
      },
      /declares architectures arm64, not the function's x86_64.*invalid ELF header/,
    ],
    [
      "an imported layer of another runtime",
      (stack) => {
        const imported = LambdaLayer.fromLayerVersionArn(stack, "Ext", "arn:aws:lambda:us-east-1:123456789012:layer:ext:3", {
          compatibleRuntimes: ["python3.12"],
        });
        new LayeredFunction(stack, "Fn", fnProps({ layers: [imported] }));
      },
      /declares runtimes python3.12, not the function's nodejs22.x/,
    ],
    [
      "an imported ARN from another region",
      (stack) => {
        new LayeredFunction(stack, "Fn", fnProps({ layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:ext:3"] }));
      },
      /lives in eu-west-1 but the function is in us-east-1; layers are regional/,
    ],
    [
      "a layer published in another region",
      (stack) => {
        const eu = new AwsProvider(stack, "eu", { region: "eu-west-1", alias: "eu" });
        const layer = new LambdaLayer(stack, "EuLayer", nodeLayer(undefined, { provider: eu }));
        new LayeredFunction(stack, "Fn", fnProps({ layers: [layer] }));
      },
      /lives in eu-west-1 but the function is in us-east-1/,
    ],
    [
      "the same layer twice",
      (stack) => {
        const layer = new LambdaLayer(stack, "L", nodeLayer());
        new LayeredFunction(stack, "Fn", fnProps({ layers: [layer, layer] }));
      },
      /attaches test\/L although it is already attached/,
    ],
    [
      "two versions of one imported layer",
      (stack) => {
        new LayeredFunction(
          stack,
          "Fn",
          fnProps({ layers: ["arn:aws:lambda:us-east-1:123456789012:layer:ext:3", "arn:aws:lambda:us-east-1:123456789012:layer:ext:4"] }),
        );
      },
      /the same layer\) is already attached/,
    ],
    [
      "code and layers over 250 MB",
      (stack) => {
        const big = tree({ "nodejs/node_modules/big/index.js": "" });
        fs.writeFileSync(path.join(big, "nodejs/node_modules/big/blob.bin"), "");
        fs.truncateSync(path.join(big, "nodejs/node_modules/big/blob.bin"), 200_000_000);
        const a = new LambdaLayer(stack, "A", nodeLayer(undefined, { source: big, s3: { bucket: "my-bucket" } }));
        const other = tree({ "nodejs/node_modules/other/index.js": "" });
        fs.writeFileSync(path.join(other, "nodejs/node_modules/other/blob.bin"), "");
        fs.truncateSync(path.join(other, "nodejs/node_modules/other/blob.bin"), 62_200_000);
        const b = new LambdaLayer(stack, "B", nodeLayer(undefined, { source: other, layerName: "b", s3: { bucket: "my-bucket" } }));
        new LayeredFunction(stack, "Fn", fnProps({ layers: [a, b] }));
      },
      /add up to 250\.\d MiB .* unzipped with the function's code, over Lambda's 250.0 MiB/,
    ],
  ])("refuses at synth: %s", (_name, build, message) => {
    const { stack } = newStack();
    build(stack);
    expect(validationErrors(stack)).toMatch(message);
  });

  test("warns at synth about files two attached layers both ship", () => {
    const { stack } = newStack();
    const a = new LambdaLayer(stack, "A", nodeLayer({ "nodejs/node_modules/shared/index.js": "a" }));
    const b = new LambdaLayer(stack, "B", nodeLayer({ "nodejs/node_modules/shared/index.js": "b" }, { layerName: "b" }));
    const fn = new LayeredFunction(stack, "Fn", fnProps({ layers: [a, b] }));
    Testing.synth(stack, true);
    const warnings = fn.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringContaining(
        "both ship /opt/nodejs/node_modules/shared/index.js: Lambda merges layers into /opt in the order listed, so the copies from test/B win",
      ),
    ]);
  });

  test("warns when the handler's file is not in the code", () => {
    const { stack } = newStack();
    const fn = new LayeredFunction(stack, "Fn", fnProps({ handler: "app.handler" }));
    const warnings = fn.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining('handler "app.handler" needs app.js or app.mjs or app.cjs')]);
  });

  test.each<[string, Partial<LayeredFunctionProps>, string, RegExp]>([
    ["a bad name", { functionName: "my function" }, "functionName", /1-64 characters/],
    ["an unknown runtime", { runtime: "node20" }, "runtime", /got "node20"/],
    ["two architectures", { architectures: ["x86_64", "arm64"] }, "architectures", /exactly one architecture/],
    ["a role that is not a role ARN", { role: "arn:aws:iam::123456789012:user/bob" }, "role", /not an IAM role ARN/],
    [
      "a role ARN of no partition",
      { role: "arn:aws-mars:iam::123456789012:role/fn" },
      "role",
      /not an IAM role ARN \(arn:<partition>:iam::/,
    ],
    ["a handler without a function", { handler: "index" }, "handler", /<file>.<export>.*"index.handler"/],
    ["a memory size of 64", { memorySize: 64 }, "memorySize", /between 128 and 10240 MiB, got 64/],
    ["a timeout of 901", { timeout: 901 }, "timeout", /between 1 and 900 seconds, got 901/],
    ["a reserved variable", { environment: { AWS_REGION: "x" } }, "environment", /sets AWS_REGION, which Lambda reserves/],
    ["a malformed layer ARN", { layers: ["arn:aws:lambda:us-east-1:123456789012:layer:x"] }, "layerVersionArn", /not a layer version ARN/],
    ["a missing code folder", { source: "/no/code" }, "source", /not an existing folder/],
  ])("refuses at construction: %s", (_name, overrides, field, message) => {
    const { stack } = newStack();
    let caught: unknown;
    try {
      new LayeredFunction(stack, "Fn", fnProps(overrides));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    expect((caught as LayerValidationError).field).toBe(field);
    expect((caught as LayerValidationError).message).toMatch(/^test\/Fn: `/);
    expect((caught as LayerValidationError).message).toMatch(message);
  });
});

test("an app whose second stack fails its checks writes no stack at all", () => {
  const app = Testing.app();
  const first = new TerraformStack(app, "first");
  new AwsProvider(first, "aws", { region: "us-east-1" });
  new LayeredFunction(first, "Ok", fnProps());
  const second = new TerraformStack(app, "second");
  new AwsProvider(second, "aws", { region: "us-east-1" });
  new LayeredFunction(second, "Bad", fnProps({ layers: ["arn:aws:lambda:eu-west-1:123456789012:layer:ext:3"] }));
  expect(() => app.synth()).toThrow(
    /nothing was written:\n {2}\[second\/Bad\] `layers` lives in eu-west-1 but the function is in us-east-1/,
  );
  const written = fs
    .readdirSync(app.outdir, { recursive: true })
    .map(String)
    .filter((f) => fs.statSync(path.join(app.outdir, f)).isFile());
  expect(written).toEqual([]);
});
