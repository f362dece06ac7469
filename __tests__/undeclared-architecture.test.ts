// Issue 12.3: a layer that declares no architectures attaches to any function as far as Lambda
// is concerned, so the native code it holds decides which functions it suits.
import { execFileSync } from "child_process";
import * as path from "path";
import { Testing } from "cdktf";
import { LambdaLayer, LambdaLayerProps, LayeredFunction } from "../modules";
import { compileSharedObject, elfHeader, EM, HOST, OTHER } from "./helpers/elf";
import { tempDir, tree, unzipTo } from "./helpers/files";
import { newStack } from "./helpers/stacks";

const ROLE = "arn:aws:iam::123456789012:role/fn";
const compiled = compileSharedObject();
const layerProps = (files: Record<string, Buffer | string>, extra: Partial<LambdaLayerProps> = {}): LambdaLayerProps => ({
  layerName: "native",
  source: tree(files),
  compatibleRuntimes: ["python3.12"],
  cacheDir: tempDir("cache-"),
  ...extra,
});
const fn = (architecture: string) => ({
  functionName: `fn-${architecture}`,
  runtime: "python3.12",
  handler: "app.handler",
  role: ROLE,
  source: tree({ "app.py": "def handler(event, context):\n    return 42\n" }),
  architectures: [architecture],
});

function synthError(build: (stack: ReturnType<typeof newStack>["stack"]) => void): string {
  const { stack } = newStack();
  build(stack);
  try {
    Testing.synth(stack, true);
  } catch (e) {
    return (e as Error).message;
  }
  return "";
}

test(`an undeclared layer holding ${HOST.name} code is refused on an ${OTHER.name} function, naming the file`, () => {
  const message = synthError((stack) => {
    const layer = new LambdaLayer(stack, "Native", layerProps({ "lib/libanswer.so": compiled, "python/app_native.py": "" }));
    new LayeredFunction(stack, "Fn", { ...fn(OTHER.name), layers: [layer] });
  });
  expect(message).toMatch(
    new RegExp(
      `\`layers\` declares no architectures but holds native code the function's ${OTHER.name} cannot load: lib/libanswer\\.so, got "test/Native".*Fix: declare the layer's compatibleArchitectures`,
    ),
  );
});

test("following the fix (declaring what the binaries were built for) gives a layer its own architecture's functions load", () => {
  const { stack } = newStack();
  const layer = new LambdaLayer(stack, "Native", layerProps({ "lib/libanswer.so": compiled }, { compatibleArchitectures: [HOST.name] }));
  new LayeredFunction(stack, "Fn", { ...fn(HOST.name), layers: [layer] });
  expect(() => Testing.synth(stack, true)).not.toThrow();
  // What Lambda's loader does with /opt/lib on LD_LIBRARY_PATH: the library loads and answers.
  const opt = unzipTo(layer.archive.path);
  const answer = execFileSync(
    "python3",
    ["-c", `import ctypes; print(ctypes.CDLL(${JSON.stringify(path.join(opt, "lib/libanswer.so"))}).answer())`],
    {
      encoding: "utf8",
    },
  );
  expect(answer.trim()).toBe("42");
});

test("an undeclared layer with a build for each architecture, or with no native code, attaches to both", () => {
  for (const arch of [HOST.name, OTHER.name]) {
    expect(
      synthError((stack) => {
        const both = new LambdaLayer(
          stack,
          "Both",
          layerProps({ "lib/linux-x64/libanswer.so": elfHeader(EM.x86_64), "lib/linux-arm64/libanswer.so": elfHeader(EM.aarch64) }),
        );
        const pure = new LambdaLayer(stack, "Pure", layerProps({ "python/pure.py": "" }, { layerName: "pure" }));
        new LayeredFunction(stack, "Fn", { ...fn(arch), layers: [both, pure] });
      }),
    ).toBe("");
  }
});
