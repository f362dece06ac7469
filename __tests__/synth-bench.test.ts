// The synth benchmark compares like with like: its hand-written program must write the same
// Terraform as LayerFanout (bench/synth-equivalence.ts), and the check must see a difference.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { assertSameTerraform } from "../bench/synth-equivalence";
import { SynthBenchPlan } from "../bench/synth-plan";
import { buildLayerArchive } from "../modules";
import { repoRoot, tempDir, tree } from "./helpers/files";

function runBenchProgram(kind: "handwritten" | "library", planFile: string): string {
  const outdir = tempDir(`synth-${kind}-`);
  const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", `bench/synth-${kind}.ts`, planFile, outdir], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  expect(Object.keys(JSON.parse(r.stdout)).sort()).toEqual(["cpuMs", "maxRssMb", "ms"]);
  return path.join(outdir, "stacks", kind);
}

describe("the synth benchmark", () => {
  // GIVEN: a small plan (2 layers x 3 regions x 2 accounts), archives built beforehand as the bench does
  const cacheDir = process.env.CDKTF_LAYERS_CACHE_DIR!;
  const layers = [0, 1].map((i) => {
    const source = tree({ [`python/pkg${i}/__init__.py`]: `VALUE = ${i}\n` });
    const a = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: cacheDir });
    return { name: `layer-${i}`, source, zip: a.path, sha256: a.contentSha256, base64Sha256: a.contentBase64Sha256 };
  });
  const plan: SynthBenchPlan = {
    regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
    accounts: ["111122223333", "444455556666"],
    cacheDir,
    layers,
  };
  const planFile = path.join(tempDir(), "plan.json");
  fs.writeFileSync(planFile, JSON.stringify(plan));
  // WHEN
  const handwritten = runBenchProgram("handwritten", planFile);
  const library = runBenchProgram("library", planFile);

  test("the hand-written program writes the same Terraform as LayerFanout", () => {
    expect(() =>
      assertSameTerraform({ label: "hand-written", stackDir: handwritten }, { label: "LayerFanout", stackDir: library }),
    ).not.toThrow();
    const json = JSON.parse(fs.readFileSync(path.join(handwritten, "cdk.tf.json"), "utf8"));
    expect(Object.keys(json.resource.aws_lambda_layer_version)).toHaveLength(6);
    expect(Object.keys(json.resource.aws_lambda_layer_version_permission)).toHaveLength(12);
    expect(Object.keys(json.output)).toHaveLength(8);
  });

  test.each<[string, (json: any) => void, RegExp]>([
    [
      "a permission without its lifecycle",
      (json) => delete Object.values<any>(json.resource.aws_lambda_layer_version_permission)[0].lifecycle,
      /^synth bench: resource.aws_lambda_layer_version_permission differs:/,
    ],
    ["an output fewer", (json) => delete json.output[Object.keys(json.output)[0]], /^synth bench: output differs:/],
    [
      "a resource fewer",
      (json) => delete json.resource.aws_lambda_layer_version[Object.keys(json.resource.aws_lambda_layer_version)[0]],
      /^synth bench: hand-written writes 5 resource.aws_lambda_layer_version, LayerFanout 6$/,
    ],
    [
      "another provider requirement",
      (json) => (json.terraform.required_providers.aws.version = "~> 5.0"),
      /^synth bench: terraform differs:/,
    ],
  ])("refuses %s", (_what, change, message) => {
    const changed = tempDir("synth-changed-");
    fs.cpSync(handwritten, changed, { recursive: true });
    const file = path.join(changed, "cdk.tf.json");
    const json = JSON.parse(fs.readFileSync(file, "utf8"));
    change(json);
    fs.writeFileSync(file, JSON.stringify(json));
    expect(() => assertSameTerraform({ label: "hand-written", stackDir: changed }, { label: "LayerFanout", stackDir: library })).toThrow(
      message,
    );
  });
});
