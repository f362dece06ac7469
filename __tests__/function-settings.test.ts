// LayeredFunction as a stock aws_lambda_function: every setting passes through, handlers in each
// family's own form, literal template sequences in descriptions, the region check at plan when the
// region is a variable, and refused inputs printed once at synth.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { spawnSync } from "child_process";
import { App, TerraformStack, TerraformVariable, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { LambdaLayer, LayeredFunction, LayeredFunctionProps, LayerValidationError, setAwsProviderVersion } from "../modules";
import { tempDir, tree } from "./helpers/files";
import { newStack } from "./helpers/stacks";
import { plan, requireTerraform, terraformInit, validate } from "./helpers/terraform";

const ROLE = "arn:aws:iam::123456789012:role/fn";
const fnProps = (overrides: Partial<LayeredFunctionProps> = {}): LayeredFunctionProps => ({
  functionName: "todos",
  runtime: "nodejs22.x",
  handler: "index.handler",
  role: ROLE,
  source: tree({ "index.js": "exports.handler = async () => 1;\n" }),
  ...overrides,
});
const functionJson = (stack: TerraformStack) =>
  Object.values(JSON.parse(Testing.synth(stack, true)).resource.aws_lambda_function)[0] as Record<string, unknown>;

test("every aws_lambda_function setting the construct does not own reaches the resource", () => {
  const { stack } = newStack();
  new LayeredFunction(
    stack,
    "Fn",
    fnProps({
      vpcConfig: { subnetIds: ["subnet-0123456789abcdef0"], securityGroupIds: ["sg-0123456789abcdef0"] },
      tracingConfig: { mode: "Active" },
      tags: { team: "payments" },
      deadLetterConfig: { targetArn: "arn:aws:sqs:us-east-1:123456789012:dlq" },
      ephemeralStorage: { size: 1024 },
      reservedConcurrentExecutions: 5,
      kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc",
      publish: true,
    }),
  );
  expect(functionJson(stack)).toMatchObject({
    vpc_config: { subnet_ids: ["subnet-0123456789abcdef0"], security_group_ids: ["sg-0123456789abcdef0"] },
    tracing_config: { mode: "Active" },
    tags: { team: "payments" },
    dead_letter_config: { target_arn: "arn:aws:sqs:us-east-1:123456789012:dlq" },
    ephemeral_storage: { size: 1024 },
    reserved_concurrent_executions: 5,
    kms_key_arn: "arn:aws:kms:us-east-1:123456789012:key/abc",
    publish: true,
    function_name: "todos",
  });
});

describe("handlers in each runtime family's own form", () => {
  test.each<[string, string, string]>([
    ["provided.al2023", "bootstrap", "a custom runtime's bootstrap"],
    ["dotnet8", "MyApp::MyApp.Function::FunctionHandler", ".NET Assembly::Namespace.Class::Method"],
    ["dotnet8", "MyApp", "a .NET executable assembly"],
    ["ruby3.4", "function.Handler::Process.handler", "Ruby file.Module::Class.method"],
    ["ruby3.4", "lambda_function.lambda_handler", "Ruby file.method"],
    ["java21", "com.example.Handler::handleRequest", "Java Class::method"],
    ["python3.13", "pkg/app.handler", "Python module.function"],
  ])("%s accepts %s (%s)", (runtime, handler) => {
    const { stack } = newStack();
    // ruby3.4 needs a newer provider than the default constraint admits (the runtime catalogue's awsProvider).
    setAwsProviderVersion(stack, ">= 5.100, < 7.0");
    new LayeredFunction(stack, "Fn", fnProps({ runtime, handler, source: tree({ "x.txt": "" }) }));
    expect(functionJson(stack).handler).toBe(handler);
  });

  test.each<[string, string, RegExp]>([
    [
      "dotnet8",
      "MyApp::Function",
      /of the form <Assembly>::<Namespace.Class>::<Method>.*Fix: write it as "MyApp::MyApp.Function::Handler"/,
    ],
    ["ruby3.4", "handler", /of the form <file>.<method> or <file>.<Module::Class>.<method>.*"function.Handler::Process.handler"/],
    ["provided.al2023", "has space", /any name your bootstrap reads.*"bootstrap"/],
    ["python3.13", "app", /of the form <module>.<function>.*"app.handler"/],
  ])("%s refuses %s in its own form", (runtime, handler, message) => {
    const { stack } = newStack();
    let caught: unknown;
    try {
      new LayeredFunction(stack, "Fn", fnProps({ runtime, handler, source: tree({ "x.txt": "" }) }));
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    expect((caught as LayerValidationError).message).toMatch(message);
  });
});

test("descriptions and license info holding ${ and %{ reach terraform literally and validate", () => {
  requireTerraform();
  const app = new App({ outdir: tempDir("escape-"), stackTraces: false });
  const stack = new TerraformStack(app, "escape");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const text = "Renders ${name} and %{ if x }y%{ endif }; $${kept}";
  new LambdaLayer(stack, "L", {
    layerName: "l",
    source: tree({ "python/l.py": "" }),
    compatibleRuntimes: ["python3.13"],
    description: text,
    licenseInfo: "see ${LICENSE}",
  });
  new LayeredFunction(stack, "F", fnProps({ description: text }));
  app.synth();
  const tf = terraformInit(path.join(app.outdir, "stacks", "escape"));
  expect(validate(tf)).toMatchObject({ valid: true, error_count: 0 });
  const after = Object.fromEntries(plan(tf).resource_changes.map((c) => [c.type, c.change.after]));
  expect(after.aws_lambda_layer_version).toMatchObject({ description: text, license_info: "see ${LICENSE}" });
  expect(after.aws_lambda_function).toMatchObject({ description: text });
}, 180_000);

describe("a provider region known only at plan (a variable)", () => {
  function tokenRegionStack(layerArn: string) {
    const app = new App({ outdir: tempDir("guard-"), stackTraces: false });
    const stack = new TerraformStack(app, "guard");
    const region = new TerraformVariable(stack, "region", { type: "string" });
    new AwsProvider(stack, "aws", { region: region.stringValue });
    new LayeredFunction(stack, "Fn", fnProps({ layers: [layerArn] }));
    app.synth();
    return terraformInit(path.join(app.outdir, "stacks", "guard"));
  }
  const ARN = "arn:aws:lambda:us-east-1:123456789012:layer:insights:52";

  test("plan fails with the synth check's message when the layer lives in another region", () => {
    requireTerraform();
    const tf = tokenRegionStack(ARN);
    const r = tf.run(["plan", "-input=false", "-no-color", "-lock=false", "-var", "region=eu-west-1"]);
    expect(r.status).not.toBe(0);
    const message = r.stderr.replace(/\s*\n[│ ]*/g, " ");
    expect(message).toContain(
      `[guard/Fn] \`layers\` lives in us-east-1 but the function is in eu-west-1; layers are regional, got "${ARN}". Fix: publish the layer in eu-west-1 (LayerFanout does that) and attach that version`,
    );
  }, 180_000);

  test("plan succeeds in the layer's own region", () => {
    requireTerraform();
    const tf = tokenRegionStack(ARN);
    const r = tf.run(["plan", "-input=false", "-no-color", "-lock=false", "-var", "region=us-east-1"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  }, 180_000);
});

test("at synth (run by the cdktf CLI), a refused input prints once as one line, without a stack trace", () => {
  const dir = tempDir("clean-error-");
  const app = path.join(dir, "app.ts");
  fs.writeFileSync(
    app,
    [
      `import { App, TerraformStack } from ${JSON.stringify(require.resolve("cdktf"))};`,
      `import { LambdaLayer } from ${JSON.stringify(path.resolve(__dirname, "..", "modules"))};`,
      `const stack = new TerraformStack(new App(), "s");`,
      `new LambdaLayer(stack, "L", { layerName: "bad name", source: ".", compatibleRuntimes: ["python3.13"] });`,
    ].join("\n"),
  );
  const env: NodeJS.ProcessEnv = { ...process.env, CDKTF_OUTDIR: path.join(dir, "out") };
  delete env.JEST_WORKER_ID;
  const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", app], {
    cwd: path.resolve(__dirname, ".."),
    env,
    encoding: "utf8",
  });
  expect(r.status).toBe(1);
  expect(r.stderr).toBe(
    'Error: s/L: `layerName` must be 1-140 characters of A-Z a-z 0-9 - _, got "bad name". Fix: rename the layer, for example "shared-utils" (Lambda refuses other characters)\n',
  );
}, 60_000);
