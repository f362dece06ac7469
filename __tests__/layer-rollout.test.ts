import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { App, TerraformStack, Testing } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { exampleRolloutProps } from "../main";
import { formatRolloutReport, LayerRollout, LayerRolloutProps, LayerValidationError, rolloutReport } from "../modules";
import { tempDir } from "./helpers/files";

const WAVES = [["us-east-1"], ["us-west-2", "eu-west-1"], ["eu-central-1", "ap-southeast-2"]];

function rollout(overrides: Partial<LayerRolloutProps> = {}) {
  const app = Testing.app();
  const r = new LayerRollout(app, "layers", { ...exampleRolloutProps(), ...overrides });
  return { app, rollout: r };
}

const stackJson = (r: LayerRollout, name: string) => JSON.parse(Testing.synth(r.stacks.find((s) => s.name === name)!.stack, true));

describe("LayerRollout, a stack per region", () => {
  const { app, rollout: r } = rollout();

  test("makes one stack per region, named after it, in wave order", () => {
    expect(r.stacks.map((s) => [s.wave, s.name])).toEqual([
      [1, "layers-us-east-1"],
      [2, "layers-us-west-2"],
      [2, "layers-eu-west-1"],
      [3, "layers-eu-central-1"],
      [3, "layers-ap-southeast-2"],
    ]);
  });

  test("chains every stack to all stacks of the wave before it", () => {
    const deps = (name: string) =>
      r.stacks
        .find((s) => s.name === name)!
        .stack.dependencies.map((d) => d.node.id)
        .sort();
    expect(deps("layers-us-east-1")).toEqual([]);
    expect(deps("layers-us-west-2")).toEqual(["layers-us-east-1"]);
    expect(deps("layers-eu-west-1")).toEqual(["layers-us-east-1"]);
    expect(deps("layers-ap-southeast-2")).toEqual(["layers-eu-west-1", "layers-us-west-2"]);
  });

  test("publishes every layer, its grant and the function in each region stack, with local state outside the output folder", () => {
    const json = stackJson(r, "layers-eu-west-1");
    expect(json.provider.aws).toEqual([{ region: "eu-west-1" }]);
    // Outside cdktf.out (rm -rf cdktf.out keeps it), relative: <outdir>/../terraform.<stack>.tfstate
    expect(json.terraform.backend).toEqual({ local: { path: "../../../terraform.layers-eu-west-1.tfstate" } });
    expect(
      Object.values(json.resource.aws_lambda_layer_version)
        .map((l: any) => l.layer_name)
        .sort(),
    ).toEqual(["nodejs-logging", "python-shared-utils"]);
    expect(Object.keys(json.resource.aws_lambda_layer_version_permission)).toHaveLength(2);
    expect(Testing.synth(r.stacks[2].stack)).toHaveResourceWithProperties(LambdaFunction, {
      function_name: "todos",
      runtime: "nodejs22.x",
    });
    expect(json.output["nodejs-logging_content_sha256"].value).toBe(r.archives.get("nodejs-logging")!.contentSha256);
  });

  test("builds each layer once for all stacks", () => {
    expect([...r.archives.keys()]).toEqual(["python-shared-utils", "nodejs-logging"]);
    for (const region of WAVES.flat()) expect(r.layerIn("nodejs-logging", region).archive).toBe(r.archives.get("nodejs-logging"));
  });

  test("writes a manifest at synth: waves, stacks, layers and content hashes", () => {
    app.synth();
    const manifest = JSON.parse(fs.readFileSync(path.join(app.outdir, "rollout-layers.json"), "utf8"));
    expect(manifest.waves.map((w: any) => w.regions)).toEqual(WAVES);
    expect(manifest.waves[2].stacks[0]).toEqual({
      name: "layers-eu-central-1",
      regions: ["eu-central-1"],
      dependsOn: ["layers-us-west-2", "layers-eu-west-1"],
    });
    expect(manifest.layers.map((l: any) => [l.layerName, l.contentSha256])).toEqual([...r.archives].map(([n, a]) => [n, a.contentSha256]));
    const markdown = fs.readFileSync(path.join(app.outdir, "rollout-layers.md"), "utf8");
    expect(markdown).toContain("| 3 | layers-ap-southeast-2 | ap-southeast-2 | local state | layers-us-west-2, layers-eu-west-1 |");
  });

  test("leaves only stacks on the App (CDK Terrain's failOnConstructsOutsideOfStacks), and keeps its path, app and context", () => {
    // The check cdktn's App.synth makes with that flag on (cdktf 0.21 has no such flag); the cdktn
    // suite synthesizes the rollout with it on (__tests__/cdktn.test.ts).
    expect(app.node.children.filter((c) => !TerraformStack.isStack(c)).map((c) => c.node.path)).toEqual([]);
    expect(app.node.children.map((c) => c.node.id)).toEqual(r.stacks.map((s) => s.name));
    expect(r.node.path).toBe("layers-rollout");
    expect(App.of(r)).toBe(app);
    const withContext = new App({ outdir: tempDir("rollout-context-"), context: { "rollout-test": "seen" } });
    expect(new LayerRollout(withContext, "layers", exampleRolloutProps()).node.tryGetContext("rollout-test")).toBe("seen");
  });
});

describe("LayerRollout, a stack per wave", () => {
  const { rollout: r } = rollout({ stackPer: "wave" });

  test("makes one stack per wave with a provider alias per region", () => {
    expect(r.stacks.map((s) => [s.name, s.regions])).toEqual([
      ["layers-wave-1", ["us-east-1"]],
      ["layers-wave-2", ["us-west-2", "eu-west-1"]],
      ["layers-wave-3", ["eu-central-1", "ap-southeast-2"]],
    ]);
    const json = stackJson(r, "layers-wave-2");
    expect((json.provider.aws as any[]).map((p) => p.alias).sort()).toEqual(["eu-west-1", "us-west-2"]);
    const fns = Object.values(json.resource.aws_lambda_function) as any[];
    expect(fns.map((f) => [f.function_name, f.provider]).sort()).toEqual([
      ["todos", "aws.eu-west-1"],
      ["todos", "aws.us-west-2"],
    ]);
    expect(r.stacks[2].stack.dependencies.map((d) => d.node.id)).toEqual(["layers-wave-2"]);
  });
});

describe("LayerRollout in Terraform Cloud", () => {
  test("gives each stack its own named workspace in the project, with no credentials", () => {
    const { rollout: r } = rollout({ cloud: { organization: "acme", workspacePrefix: "lambda-", project: "layers" } });
    const json = stackJson(r, "layers-eu-central-1");
    expect(json.terraform.cloud).toEqual({ organization: "acme", workspaces: { name: "lambda-layers-eu-central-1", project: "layers" } });
    expect(json.terraform.backend).toBeUndefined();
    expect(r.stacks.map((s) => s.workspace)).toEqual([
      "lambda-layers-us-east-1",
      "lambda-layers-us-west-2",
      "lambda-layers-eu-west-1",
      "lambda-layers-eu-central-1",
      "lambda-layers-ap-southeast-2",
    ]);
    expect(JSON.stringify(json)).not.toMatch(/access_key|secret_key|token/);
  });

  test("selects workspaces by tags plus a tag of the stack's own", () => {
    const { rollout: r } = rollout({ cloud: { organization: "acme", workspaceTags: ["lambda-layers"] } });
    expect(stackJson(r, "layers-us-west-2").terraform.cloud.workspaces).toEqual({
      tags: ["lambda-layers", "stack:layers-us-west-2", "wave:2"],
    });
  });

  test("assumes a per-region role when asked", () => {
    const { rollout: r } = rollout({ assumeRoleArn: "arn:aws:iam::123456789012:role/layers-{region}" });
    expect(stackJson(r, "layers-eu-west-1").provider.aws[0].assume_role).toEqual([
      { role_arn: "arn:aws:iam::123456789012:role/layers-eu-west-1", session_name: "cdktf-lambda-layers" },
    ]);
  });
});

describe("LayerRollout refuses bad input", () => {
  test.each<[string, Partial<LayerRolloutProps>, string, RegExp]>([
    ["no waves", { waves: [] }, "waves", /at least one region/],
    ["an empty wave", { waves: [["us-east-1"], []] }, "waves", /holds an empty wave/],
    ["a region in two waves", { waves: [["us-east-1"], ["eu-west-1", "us-east-1"]] }, "waves", /puts us-east-1 in more than one wave/],
    ["an unknown region", { waves: [["us-east-1"], ["eu-westt-1"]] }, "waves", /not an AWS region this library knows, got "eu-westt-1"/],
    ["a duplicate region in a wave", { waves: [["us-east-1", "us-east-1"]] }, "waves", /more than one wave|twice/],
    [
      "a workspace prefix with a space",
      { cloud: { organization: "acme", workspacePrefix: "my layers " } },
      "cloud.workspacePrefix",
      /Terraform Cloud workspace name.*got "my layers layers-us-east-1"/,
    ],
    [
      "a workspace name over 90 characters",
      { cloud: { organization: "acme", workspacePrefix: "x".repeat(80) } },
      "cloud.workspacePrefix",
      /1-90 characters/,
    ],
    ["a bad organization", { cloud: { organization: "acme corp" } }, "cloud.organization", /organization name/],
    [
      "a tag with a dot",
      { cloud: { organization: "acme", workspaceTags: ["lambda.layers"] } },
      "cloud.workspaceTags",
      /tag HCP Terraform refuses/,
    ],
    [
      "a function on an undefined layer",
      { functions: [{ ...exampleRolloutProps().functions![0], layers: ["nope"] }] },
      "functions[todos].layers",
      /names a layer the rollout does not define/,
    ],
  ])("%s", (_name, overrides, field, message) => {
    let caught: unknown;
    try {
      rollout(overrides);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    expect((caught as LayerValidationError).field).toBe(field);
    expect((caught as LayerValidationError).message).toMatch(/^layers-rollout: /);
    expect((caught as LayerValidationError).message).toMatch(message);
  });
});

describe("rollout report", () => {
  /** Synthesizes the rollout, then writes local state files carrying the outputs a deploy leaves. */
  function deployed(states: Record<string, { version?: number; sha?: "newest" | string } | undefined>) {
    const outdir = path.join(tempDir("report-"), "cdktf.out");
    const app = new App({ outdir });
    const r = new LayerRollout(app, "layers", exampleRolloutProps());
    app.synth();
    for (const s of r.stacks) {
      const state = states[s.regions[0]];
      if (!state) continue;
      const outputs: Record<string, { value: unknown; type: string }> = {};
      for (const [name, archive] of r.archives) {
        const sha = state.sha === undefined || state.sha === "newest" ? archive.contentSha256 : state.sha;
        outputs[`${name}_version`] = { value: String(state.version), type: "string" };
        outputs[`${name}_layer_version_arn`] = {
          value: `arn:aws:lambda:${s.regions[0]}:123456789012:layer:${name}:${state.version}`,
          type: "string",
        };
        outputs[`${name}_content_sha256`] = { value: sha, type: "string" };
      }
      fs.writeFileSync(
        path.join(outdir, "..", `terraform.${s.name}.tfstate`),
        JSON.stringify({ version: 4, terraform_version: "1.11.4", serial: 1, lineage: "x", outputs, resources: [] }),
      );
    }
    return rolloutReport(outdir, "layers");
  }

  test("reports every region on the newest content without drift", () => {
    const report = deployed(Object.fromEntries(WAVES.flat().map((r) => [r, { version: 4 }])));
    expect(report.drift).toBe(false);
    expect(report.layers[0].regions.map((r) => [r.region, r.version])).toEqual(WAVES.flat().map((r) => [r, 4]));
    expect(formatRolloutReport(report)).toContain("No drift");
  });

  test("finds a region not deployed, a region on old content, and one content under two version numbers", () => {
    const report = deployed({
      "us-east-1": { version: 4 },
      "us-west-2": { version: 4 },
      "eu-west-1": { version: 7 },
      "eu-central-1": { version: 3, sha: "0".repeat(64) },
    });
    expect(report.drift).toBe(true);
    expect(report.layers[1].drift).toEqual([
      "not deployed in ap-southeast-2",
      "missing the newest content (" + report.layers[1].newestSha256.slice(0, 12) + ") in eu-central-1 (runs 000000000000)",
    ]);
    expect(report.layers[1].notes).toEqual([
      `content ${report.layers[1].newestSha256.slice(0, 12)} has different version numbers: us-east-1 v4, us-west-2 v4, eu-west-1 v7 (Lambda numbers versions per region: pin functions by ARN per region, not by number)`,
    ]);
    expect(formatRolloutReport(report)).toMatch(/eu-central-1\s+v3\s+old 000000000000/);
  });
});

describe("the report command", () => {
  test("prints the versions per region and exits 1 on drift, 2 without a manifest", () => {
    const { spawnSync } = require("child_process") as typeof import("child_process");
    const outdir = tempDir("report-cli-");
    const app = new App({ outdir });
    new LayerRollout(app, "layers", exampleRolloutProps());
    app.synth();
    const cli = (args: string[]) =>
      spawnSync("node", ["-r", "ts-node/register/transpile-only", "bin/cdktf-lambda-layers.ts", ...args], {
        cwd: path.resolve(__dirname, ".."),
        encoding: "utf8",
      });
    const r = cli(["report", "layers", "--outdir", outdir]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain("drift: not deployed in us-east-1, us-west-2, eu-west-1, eu-central-1, ap-southeast-2");
    const missing = cli(["report", "nope", "--outdir", outdir]);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toContain("no rollout manifest");
  });
});
