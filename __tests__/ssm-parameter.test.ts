// The optional SSM parameter holding a layer's versioned ARN: one per region, on LambdaLayer,
// LayerFanout and LayerRollout, named by a template and checked against SSM's naming rules; applied
// with terraform against the emulator, it follows the layer version.
import { App, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LambdaLayer, LambdaLayerOptions, LayerFanout, LayerRollout, LayerValidationError } from "../modules";
import * as fs from "fs";
import * as path from "path";
import { terraformIn, useEmulator } from "./helpers/emulator";
import { tree } from "./helpers/files";
import { newStack, synthJson } from "./helpers/stacks";

const layer = (overrides: Partial<LambdaLayerOptions> = {}): LambdaLayerOptions => ({
  layerName: "utils",
  source: tree({ "python/utils.py": "X = 1\n" }),
  compatibleRuntimes: ["python3.12"],
  ...overrides,
});

const parameters = (json: any) => Object.values(json.resource.aws_ssm_parameter ?? {}) as Array<Record<string, unknown>>;

describe("LambdaLayer ssmParameter", () => {
  test("GIVEN the default name THEN one String parameter holds the versioned ARN", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Utils", layer({ ssmParameter: {} }));
    expect(parameters(synthJson(stack))).toEqual([
      {
        name: "/lambda-layers/utils/latest",
        type: "String",
        value: expect.stringMatching(/^\$\{aws_lambda_layer_version\.Utils_layer-version_[0-9A-F]+\.arn\}$/),
        description: "Versioned ARN of Lambda layer utils",
      },
    ]);
  });

  test("GIVEN a template THEN {layerName} is replaced", () => {
    const { stack } = newStack();
    const l = new LambdaLayer(stack, "Utils", layer({ ssmParameter: { name: "/acme/layers/{layerName}/arn", description: "for SAM" } }));
    expect(parameters(synthJson(stack))).toMatchObject([{ name: "/acme/layers/utils/arn", description: "for SAM" }]);
    expect(l.ssmParameter).toBeDefined();
  });

  test("GIVEN no ssmParameter THEN no parameter", () => {
    const { stack } = newStack();
    const l = new LambdaLayer(stack, "Utils", layer());
    expect(parameters(synthJson(stack))).toEqual([]);
    expect(l.ssmParameter).toBeUndefined();
  });

  test.each([
    { label: "a space", name: "/lambda layers/{layerName}", problem: /may hold only letters, digits and _ \. - \//u },
    { label: "a relative path", name: "lambda-layers/{layerName}", problem: /must start with \/ when it is a path/ },
    { label: "the aws prefix", name: "/aws/{layerName}", problem: /must not start with aws or ssm/ },
    { label: "the ssm prefix", name: "SSM-{layerName}", problem: /must not start with aws or ssm/ },
    { label: "16 levels", name: `/${Array.from({ length: 16 }, (_, i) => `l${i}`).join("/")}`, problem: /has more than 15 levels/ },
    { label: "1012 characters", name: `/${"x".repeat(1011)}`, problem: /is longer than 1011 characters/ },
  ])("GIVEN a name with $label THEN construction fails naming the construct and field", ({ name, problem }) => {
    const { stack } = newStack();
    let error: unknown;
    try {
      new LambdaLayer(stack, "Utils", layer({ ssmParameter: { name } }));
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(LayerValidationError);
    expect((error as Error).message).toMatch(problem);
    expect((error as Error).message).toMatch(/^test\/Utils: `ssmParameter.name`/);
  });
});

describe("LayerFanout ssmParameter", () => {
  test.each(["aliases", "region-argument"] as const)("GIVEN %s mode THEN one parameter per region, in that region", (providerMode) => {
    const app = Testing.app();
    const stack = new TerraformStack(app, "fanout");
    if (providerMode === "region-argument") new AwsProvider(stack, "aws", { region: "us-east-1" });
    new LayerFanout(stack, "Utils", { regions: ["us-east-1", "eu-west-1"], providerMode, layer: layer({ ssmParameter: {} }) });
    const params = parameters(synthJson(stack));
    expect(params.map((p) => p.name)).toEqual(["/lambda-layers/utils/latest", "/lambda-layers/utils/latest"]);
    // Each region's parameter is written in that region and holds that region's layer version.
    const pairs = params.map((p) => [
      providerMode === "aliases" ? String(p.provider).replace(/^aws\./, "") : p.region,
      /^\$\{aws_lambda_layer_version\.Utils_([a-z0-9-]+)_layer-version_[0-9A-F]+\.arn\}$/.exec(String(p.value))?.[1],
    ]);
    expect(pairs.sort()).toEqual([
      ["eu-west-1", "eu-west-1"],
      ["us-east-1", "us-east-1"],
    ]);
  });
});

describe("LayerRollout ssmParameter", () => {
  test("GIVEN a layer with ssmParameter THEN each region's stack writes its own parameter", () => {
    const app = new App({ outdir: Testing.app().outdir });
    const r = new LayerRollout(app, "layers", {
      layers: [layer({ ssmParameter: { name: "/layers/{layerName}" } }), layer({ layerName: "plain" })],
      waves: [["us-east-1"], ["eu-west-1", "ap-southeast-2"]],
      stackPer: "wave",
    });
    const byStack = Object.fromEntries(r.stacks.map((s) => [s.name, parameters(JSON.parse(Testing.synth(s.stack, true)))]));
    expect(byStack["layers-wave-1"]).toMatchObject([{ name: "/layers/utils" }]);
    expect(byStack["layers-wave-2"].map((p) => [p.name, p.provider]).sort()).toEqual([
      ["/layers/utils", "aws.ap-southeast-2"],
      ["/layers/utils", "aws.eu-west-1"],
    ]);
  });
});

describe("ssmParameter against the emulator", () => {
  const emulator = useEmulator();

  const getParameter = async (name: string) => {
    const res = await fetch(emulator().endpoint, {
      method: "POST",
      headers: {
        "content-type": "application/x-amz-json-1.1",
        "x-amz-target": "AmazonSSM.GetParameter",
        authorization: `AWS4-HMAC-SHA256 Credential=emulator/20260101/${emulator().region}/ssm/aws4_request, SignedHeaders=host, Signature=0`,
      },
      body: JSON.stringify({ Name: name }),
    });
    return ((await res.json()) as { Parameter: { Value: string; Version: number } }).Parameter;
  };

  /** The stack of a layer whose content is `content`, synthesized into its own folder. */
  const synthesize = (source: string) => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Utils", layer({ layerName: "ssm-utils", source, ssmParameter: {} }));
    return path.join(Testing.fullSynth(stack), "stacks", "test");
  };

  test("holds the versioned ARN and changes exactly when the version changes", async () => {
    const source = tree({ "python/utils.py": "X = 1\n" });
    const dir = synthesize(source);
    const tf = terraformIn(dir, emulator());
    tf.init();
    tf.apply();
    const arn = (v: number) => `arn:aws:lambda:us-east-1:${emulator().accountId}:layer:ssm-utils:${v}`;
    expect(await getParameter("/lambda-layers/ssm-utils/latest")).toMatchObject({ Value: arn(1), Version: 1 });

    // The same content synthesized again: nothing to do.
    fs.cpSync(synthesize(source), dir, { recursive: true });
    expect(tf.plan().status).toBe(0);

    // New content: a new layer version, and the parameter follows it in place.
    fs.writeFileSync(path.join(source, "python/utils.py"), "X = 2\n");
    fs.cpSync(synthesize(source), dir, { recursive: true });
    expect(tf.plan().status).toBe(2);
    tf.apply();
    expect(await getParameter("/lambda-layers/ssm-utils/latest")).toMatchObject({ Value: arn(2), Version: 2 });
    expect(tf.plan().status).toBe(0);
  }, 600_000);
});
