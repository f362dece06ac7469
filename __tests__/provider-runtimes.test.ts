// A stack whose AWS provider constraint admits a provider release too old for a declared runtime is
// refused at synth, naming the runtime, the release it needs and the fix; the real terraform shows
// what the refusal saves: `terraform validate` (and plan) failing on the runtime name.
import { App, TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  LambdaLayer,
  LayeredFunction,
  LayerFanout,
  LayerValidationError,
  Runtime,
  RuntimeFamily,
  RUNTIME_CATALOGUE,
  setAwsProviderVersion,
} from "../modules";
import { runtimeProviderProblem } from "../modules/aws/aws-provider";
import { compareVersions, parseVersion } from "../modules/aws/version-constraint";
import { tempDir, tree } from "./helpers/files";
import { terraformInit, validate } from "./helpers/terraform";

const ROLE = "arn:aws:iam::123456789012:role/fn";
const source = () => tree({ "python/util.py": "X = 1\n" });

function stackIn(app: App, id = "test"): TerraformStack {
  const stack = new TerraformStack(app, id);
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  return stack;
}

function layer(stack: TerraformStack, runtimes: Array<string | Runtime>, id = "Utils"): LambdaLayer {
  return new LambdaLayer(stack, id, { layerName: id.toLowerCase(), source: source(), compatibleRuntimes: runtimes });
}

/** The error a validated synth of the stack throws (cdktf lists every validation error). */
function synthError(stack: TerraformStack): string {
  try {
    Testing.synth(stack, true);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("expected the synth to be refused");
}

describe("a layer", () => {
  test("on python3.14 with the default constraint is refused, naming the runtime, the release it needs and the fix", () => {
    const stack = stackIn(Testing.app());
    layer(stack, ["python3.14", "python3.13"]);
    expect(synthError(stack)).toContain(
      '[test/Utils] `compatibleRuntimes` lists python3.14 (hashicorp/aws accepts it from 6.21.0), but the stack\'s AWS provider constraint ">= 5.80, < 7.0" admits 5.80.0, ' +
        'whose plan-time validation rejects it: `terraform plan` would fail with "expected compatible_runtimes to be one of [...]", got "python3.14". ' +
        'Fix: require a provider that knows it: setAwsProviderVersion(stack, ">= 6.21.0, < 7.0.0") (or that constraint as a LayerRollout\'s awsProviderVersion)',
    );
  });

  test("passes once the constraint is raised, also after the layer was declared: the check reads the final constraint", () => {
    const stack = stackIn(Testing.app());
    layer(stack, ["python3.14"]);
    setAwsProviderVersion(stack, ">= 6.21.0, < 7.0.0");
    const json = JSON.parse(Testing.synth(stack, true));
    expect(json.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: ">= 6.21.0, < 7.0.0" });
    expect(Object.values<any>(json.resource.aws_lambda_layer_version)[0].compatible_runtimes).toEqual(["python3.14"]);
  });

  test("names every runtime too new for the constraint, and the fix takes the newest of them", () => {
    const stack = stackIn(Testing.app());
    setAwsProviderVersion(stack, "~> 6.0");
    layer(stack, ["python3.14", "nodejs24.x", "python3.13"]);
    new LambdaLayer(stack, "Net", { layerName: "net", source: tree({ "lib/x.dll": "" }), compatibleRuntimes: ["dotnet10", "dotnet8"] });
    const message = synthError(stack);
    expect(message).toContain(
      '[test/Utils] `compatibleRuntimes` lists python3.14 (hashicorp/aws accepts it from 6.21.0) and nodejs24.x (hashicorp/aws accepts it from 6.21.0), but the stack\'s AWS provider constraint "~> 6.0" admits 6.0.0, whose plan-time validation rejects them',
    );
    expect(message).toContain('setAwsProviderVersion(stack, ">= 6.21.0, < 7.0.0")');
    expect(message).toContain("[test/Net] `compatibleRuntimes` lists dotnet10 (hashicorp/aws accepts it from 6.27.0)");
    expect(message).toContain('setAwsProviderVersion(stack, ">= 6.27.0, < 7.0.0")');
  });

  test("a runtime made with Runtime.custom has no provider version and is not checked", () => {
    const stack = stackIn(Testing.app());
    layer(stack, [Runtime.custom("python3.99", RuntimeFamily.PYTHON)]);
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  test("a full synth of an app whose second stack is refused writes no stack at all", () => {
    const outdir = tempDir("provider-runtimes-");
    const app = new App({ outdir });
    layer(stackIn(app, "fine"), ["python3.13"]);
    layer(stackIn(app, "too-new"), ["python3.14"]);
    let error: unknown;
    try {
      app.synth();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LayerValidationError);
    expect((error as Error).message).toMatch(
      /^Validation failed, nothing was written:\n {2}\[too-new\/Utils\] `compatibleRuntimes` lists python3\.14 \(hashicorp\/aws accepts it from 6\.21\.0\)/,
    );
    const written = fs
      .readdirSync(outdir, { recursive: true })
      .map(String)
      .filter((f) => fs.statSync(path.join(outdir, f)).isFile());
    expect(written).toEqual([]);
  });
});

test("a function on nodejs24.x in a stack pinned to 5.x is refused with the `runtime` wording", () => {
  const stack = stackIn(Testing.app());
  setAwsProviderVersion(stack, "~> 5.100");
  new LayeredFunction(stack, "Fn", {
    functionName: "fn",
    runtime: "nodejs24.x",
    handler: "index.handler",
    role: ROLE,
    source: tree({ "index.mjs": "export const handler = async () => 1;\n" }),
  });
  expect(synthError(stack)).toContain(
    '[test/Fn] `runtime` is nodejs24.x (hashicorp/aws accepts it from 6.21.0), but the stack\'s AWS provider constraint "~> 5.100" admits 5.100.0, whose plan-time validation rejects it: ' +
      '`terraform plan` would fail with "expected runtime to be one of [...]", got "nodejs24.x". Fix: require a provider that knows it: setAwsProviderVersion(stack, ">= 6.21.0, < 7.0.0")',
  );
});

test("a fan-out reports one line for the problem, naming each regional layer", () => {
  const app = new App({ outdir: tempDir("provider-runtimes-") });
  const stack = stackIn(app);
  new LayerFanout(stack, "Utils", {
    regions: ["us-east-1", "eu-west-1"],
    layer: { layerName: "utils", source: source(), compatibleRuntimes: ["python3.14"] },
  });
  let message = "";
  try {
    app.synth();
  } catch (e) {
    message = (e as Error).message;
  }
  const lines = message.split("\n").slice(1);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^ {2}\[test\/Utils\/[\w-]+, test\/Utils\/[\w-]+\] `compatibleRuntimes` lists python3\.14/);
  expect(lines[0]).toContain("us-east-1");
  expect(lines[0]).toContain("eu-west-1");
});

test.each<[string, string[], string | null]>([
  [">= 5.80, < 7.0", ["python3.13", "nodejs22.x", "java21"], null],
  [">= 5.80, < 7.0", ["ruby3.4"], "5.100.0"],
  ["~> 5.100", ["ruby3.4", "dotnet8"], null],
  ["~> 6.0", ["dotnet10"], "6.27.0"],
  [">= 6.27", ["dotnet10", "python3.14", "java25"], null],
  [">= 6.21", ["dotnet10", "python3.14"], "6.27.0"],
  ["6.25.0", ["python3.14", "nodejs24.x"], null],
  ["6.25.0", ["dotnet10"], "6.27.0"],
  ["> 6.20.0, != 6.20.1", ["python3.14"], "6.21.0"],
  ["< 7.0", ["python3.12"], "5.27.0"],
  [">= 6.66", ["java17.al2023", "ruby4.0"], null],
  ["= 6.0.0-beta1", ["provided.al2023"], null],
])("constraint %s with %j: refused needing %s", (constraint, runtimes, needed) => {
  const problem = runtimeProviderProblem({ field: "compatibleRuntimes", runtimes: runtimes.map((r) => Runtime.of(r)) }, constraint);
  if (needed === null) expect(problem).toBeUndefined();
  else
    expect(problem?.fix).toMatch(
      new RegExp(`^require a provider that knows (it|them): setAwsProviderVersion\\(stack, ">= ${needed.replace(/\./g, "\\.")}`),
    );
});

describe("with the real terraform and provider 5.100.0 (the mirror CI installs)", () => {
  test("before the check: a python3.14 layer under the default constraint synthesizes, and terraform validate fails on the runtime name", () => {
    // skipValidation is the app's own switch for validations: the refusal steps aside, as the library did before it existed.
    const app = new App({ outdir: tempDir("provider-runtimes-"), skipValidation: true });
    layer(stackIn(app), ["python3.14"]);
    app.synth();
    const tf = terraformInit(path.join(app.outdir, "stacks", "test"));
    const result = validate(tf) as { valid: boolean; diagnostics: Array<{ severity: string; summary: string; detail: string }> };
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => d.summary)).toEqual([
      expect.stringMatching(/^expected compatible_runtimes to be one of \[.*\], got python3\.14$/),
    ]);
  });

  test("5.100.0 accepts every catalogued runtime the catalogue says it does, and rejects exactly the others, as the check predicts", () => {
    const app = new App({ outdir: tempDir("provider-runtimes-"), skipValidation: true });
    const stack = stackIn(app);
    setAwsProviderVersion(stack, "5.100.0");
    const names = RUNTIME_CATALOGUE.map((e) => e.name);
    for (let i = 0; i < names.length; i += 15) layer(stack, names.slice(i, i + 15), `Chunk${i}`);
    app.synth();
    const tf = terraformInit(path.join(app.outdir, "stacks", "test"));
    const result = validate(tf) as { diagnostics: Array<{ summary: string }> };
    const rejected = result.diagnostics.map((d) => /got (\S+)$/.exec(d.summary)?.[1] ?? d.summary).sort();
    const newer = RUNTIME_CATALOGUE.filter((e) => compareVersions(parseVersion(e.awsProvider), parseVersion("5.100.0")) > 0).map(
      (e) => e.name,
    );
    expect(rejected).toEqual([...newer].sort());
    expect(newer).toEqual(expect.arrayContaining(["nodejs24.x", "python3.14", "java25", "dotnet10", "ruby4.0", "java17.al2023"]));
    const flagged = runtimeProviderProblem({ field: "compatibleRuntimes", runtimes: names.map((n) => Runtime.of(n)) }, "5.100.0")!.value;
    expect(String(flagged).split(", ").sort()).toEqual([...newer].sort());
  });
});
