// cdktn-lambda-layers, the CDK Terrain build of this library, end to end. `npm run pack:cdktn`'s
// build packs it; a fresh cdktn app installs it from the tarball beside cdktn 0.24, cdktn-cli 0.24,
// @cdktn/provider-aws 25 and constructs 10.7 from the registry (once per run, in a temp folder), with
// the future flags `cdktn init` writes (failOnConstructsOutsideOfStacks among them). The example
// app (main.ts, its imports moved to cdktn) then synthesizes the same resources and properties as on
// cdktf, validates, deploys against the emulator (the plan after it empty, the second deploy "No
// changes"), and an app deployed with cdktf plans no change once switched to cdktn.
//
// Every cdktn process runs on Node 22 from the registry (scripts/install-node.sh), whatever Node runs
// jest: cdktn-cli 0.24 requires 22.19. That build holds `node` only: npm and npx are the system's,
// run by the Node 22 first on PATH (their `#!/usr/bin/env node`).
import { execFileSync, spawnSync, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { CDKTN_RENAMES, frameworkLeftovers, PackageRename, rewriteModuleSpecifiers } from "../scripts/pack-cdktn";
import { cdktfCli } from "./helpers/cdktf-cli";
import { outputByStack } from "./helpers/deploy-output";
import { EMULATOR_ACCOUNT_ID, emulatorRequest, terraformIn, useEmulator } from "./helpers/emulator";
import { repoRoot, tempDir } from "./helpers/files";
import { cloneProject } from "./helpers/project";
import { requireTerraform } from "./helpers/terraform";

const ROLLOUT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const STACKS = ["example-layers", ...ROLLOUT_REGIONS.map((r) => `layers-${r}`)];
const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
/** What a user's app changes: the framework packages, and this library's name (the example imports ./modules). */
const APP_RENAMES: readonly PackageRename[] = [...CDKTN_RENAMES, { from: "./modules", to: "cdktn-lambda-layers" }];
/** What the cdktn app installs from the registry. */
const CDKTN_APP_DEPENDENCIES = { cdktn: "~0.24.0", "@cdktn/provider-aws": "^25.0.0", constructs: "~10.7.0" };
const CDKTN_APP_DEV_DEPENDENCIES = { "cdktn-cli": "~0.24.0", typescript: "^5.9.0", "ts-node": "^10.9.2", "@types/node": "^22.0.0" };

const emulator = useEmulator({ region: "us-east-1" });
const timings: Array<[string, number]> = [];

function timed<T>(label: string, work: () => T): T {
  const started = process.hrtime.bigint();
  try {
    return work();
  } finally {
    timings.push([label, Number(process.hrtime.bigint() - started) / 1e9]);
  }
}

const cleanup: string[] = [];
let nodeBin: string;
let tarball: string;
let app: string;

/** This process's environment (or `base`) with Node 22 first on PATH. */
function node22Env(base: NodeJS.ProcessEnv = process.env, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    ...base,
    PATH: `${nodeBin}${path.delimiter}${base.PATH}`,
    CI: "1",
    FORCE_COLOR: "0",
    CDKTF_LAYERS_QUIET: "1",
    CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1",
    ...extra,
  };
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
}

function must(r: SpawnSyncReturns<string>, what: string): string {
  if (r.status !== 0) throw new Error(`${what} exited ${r.status ?? r.signal}:\n${r.stdout}\n${r.stderr}${r.error ? `\n${r.error}` : ""}`);
  return r.stdout;
}

/** The app's main.ts: the repo's example with its imports moved to cdktn, by the build's own rewrite. */
function cdktnMain(): string {
  const { text, rewritten } = rewriteModuleSpecifiers("main.ts", fs.readFileSync(path.join(repoRoot, "main.ts"), "utf8"), APP_RENAMES);
  expect(rewritten).toEqual([
    "@cdktf/provider-aws/lib/iam-role -> @cdktn/provider-aws/lib/iam-role",
    "@cdktf/provider-aws/lib/iam-role-policy-attachment -> @cdktn/provider-aws/lib/iam-role-policy-attachment",
    "@cdktf/provider-aws/lib/provider -> @cdktn/provider-aws/lib/provider",
    "cdktf -> cdktn",
    "./modules -> cdktn-lambda-layers",
  ]);
  return text;
}

/** A fresh cdktn app shaped as `cdktn init --template=typescript` makes one, with the packed package installed. */
function installCdktnApp(): string {
  const dir = path.join(tempDir("cdktn-app-"), "app");
  cleanup.push(path.dirname(dir));
  fs.mkdirSync(dir);
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({
      name: "cdktn-consumer",
      version: "1.0.0",
      private: true,
      dependencies: { "cdktn-lambda-layers": `file:${tarball}`, ...CDKTN_APP_DEPENDENCIES },
      devDependencies: CDKTN_APP_DEV_DEPENDENCIES,
    }),
  );
  timed("npm install (cdktn app)", () =>
    must(run("npm", ["install", "--no-audit", "--no-fund"], dir, node22Env()), "npm install in the cdktn app"),
  );
  const template = path.join(dir, "node_modules", "cdktn-cli", "bundle", "templates", "typescript");
  fs.copyFileSync(path.join(template, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  // The future flags exactly as `cdktn init` writes them: every entry of cdktn's FUTURE_FLAGS.
  const futureFlags: Record<string, string> = require(path.join(dir, "node_modules", "cdktn", "lib", "features.js")).FUTURE_FLAGS;
  expect(futureFlags).toMatchObject({ failOnConstructsOutsideOfStacks: "true" });
  fs.writeFileSync(
    path.join(dir, "cdktf.json"),
    fs
      .readFileSync(path.join(template, "cdktf.json"), "utf8")
      .replace("{{projectId}}", "00000000-0000-4000-8000-000000000000")
      .replace("{{sendCrashReports}}", "false")
      .replace(
        "{{futureFlags}}",
        Object.entries(futureFlags)
          .map(([k, v]) => `    "${k}": "${v}"`)
          .join(",\n"),
      ),
  );
  fs.writeFileSync(path.join(dir, "main.ts"), cdktnMain());
  for (const folder of ["layers", "functions"]) fs.cpSync(path.join(repoRoot, folder), path.join(dir, folder), { recursive: true });
  return dir;
}

beforeAll(() => {
  requireTerraform();
  nodeBin = timed("install-node.sh 22", () =>
    execFileSync("bash", [path.join(repoRoot, "scripts", "install-node.sh"), "22"], { encoding: "utf8" }).trim(),
  );
  const version = execFileSync(path.join(nodeBin, "node"), ["--version"], { encoding: "utf8" }).trim();
  const [major, minor] = version.slice(1).split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 19))
    throw new Error(`cdktn-cli 0.24 needs Node >= 22.19; scripts/install-node.sh 22 gave ${version} in ${nodeBin}`);
  const packDir = tempDir("cdktn-pack-");
  cleanup.push(packDir);
  // The command users and CI run; it prints the tarball's path.
  const packed = timed("npm run pack:cdktn (build, rewrite, pack)", () =>
    must(run("npm", ["run", "--silent", "pack:cdktn", "--", "--pack-destination", packDir], repoRoot, process.env), "npm run pack:cdktn"),
  );
  tarball = packed.trim().split("\n").pop()!;
  expect(fs.readdirSync(packDir)).toEqual([path.basename(tarball)]);
  app = installCdktnApp();
}, 900_000);

afterAll(() => {
  // The app's node_modules holds about 700 MiB (@cdktn/provider-aws alone 460 MiB): one install per run.
  for (const dir of cleanup) fs.rmSync(dir, { recursive: true, force: true });
  // The figures BENCHMARKS.md quotes: how long each step of this suite took on this machine.
  console.log(`cdktn suite timings:\n${timings.map(([label, s]) => `  ${label}: ${s.toFixed(1)} s`).join("\n")}`);
});

/** Every file under `dir`, relative, sorted. */
function filesUnder(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true, encoding: "utf8" }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

/** A synthesized stack without the framework's own metadata: every "//" key. */
function withoutMetadata(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutMetadata);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([k]) => k !== "//")
        .map(([k, v]) => [k, withoutMetadata(v)]),
    );
  return value;
}

function cdktn(args: string[], cwd: string, env: NodeJS.ProcessEnv = node22Env()): SpawnSyncReturns<string> {
  return run(path.join(cwd, "node_modules", ".bin", "cdktn"), args, cwd, env);
}

describe("the package", () => {
  test("is named for cdktn, installs with no cdktf package, and imports cdktn packages only", () => {
    expect(path.basename(tarball)).toBe(`cdktn-lambda-layers-${manifest.version}.tgz`);
    const installed = path.join(app, "node_modules", "cdktn-lambda-layers");
    expect(JSON.parse(fs.readFileSync(path.join(installed, "package.json"), "utf8"))).toMatchObject({
      name: "cdktn-lambda-layers",
      version: manifest.version,
      peerDependencies: { cdktn: "^0.24.0", "@cdktn/provider-aws": "^25.0.0", constructs: ">=10.6.0 <10.8.0" },
      engines: { node: ">=22.19" },
      dependencies: expect.objectContaining({ "@cdktn/provider-archive": "^14.0.1" }),
      exports: manifest.exports,
      typesVersions: manifest.typesVersions,
    });
    // No cdktf anywhere in the app: a cdktf beside cdktn (pulled in by a @cdktf provider) crashes at synth.
    expect(fs.existsSync(path.join(app, "node_modules", "cdktf"))).toBe(false);
    expect(fs.existsSync(path.join(app, "node_modules", "@cdktf"))).toBe(false);
    const compiled = filesUnder(path.join(installed, "dist")).filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"));
    expect(compiled.length).toBeGreaterThan(60);
    const leftovers = compiled.flatMap((f) => frameworkLeftovers(f, fs.readFileSync(path.join(installed, "dist", f), "utf8")));
    expect(leftovers).toEqual([]);
    expect(fs.readFileSync(path.join(installed, "dist", "modules", "constructs", "layer-rollout.d.ts"), "utf8")).toContain(
      'import { App, TerraformStack } from "cdktn";',
    );
  });

  test("type-checks the example app against its declarations and cdktn's (the stock cdktn tsconfig)", () => {
    const tsc = timed("tsc --noEmit (cdktn app)", () =>
      run(path.join(app, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], app, node22Env()),
    );
    expect([tsc.status, tsc.stdout]).toEqual([0, ""]);
  });

  test("its CLI is cdktn-lambda-layers, and names itself so", () => {
    const bin = path.join(app, "node_modules", ".bin", "cdktn-lambda-layers");
    expect(must(run(bin, ["--version"], app, node22Env()), "cdktn-lambda-layers --version")).toBe(`${manifest.version}\n`);
    const report = run(bin, ["report", "nope"], app, node22Env());
    expect(report.status).toBe(2);
    expect(report.stderr).toContain("run `npx cdktn synth` first");
    const usage = run(bin, ["inspect"], app, node22Env());
    expect(usage.stderr).toContain("Usage: cdktn-lambda-layers inspect <folder|zip>");
    expect(usage.stderr).not.toContain("cdktf-lambda-layers");
  });
});

describe("the framework differences the package handles", () => {
  test("with failOnConstructsOutsideOfStacks on, cdktn refuses a construct on the App and accepts LayerRollout; the AWS constraint replaces @cdktn/provider-aws's exact version", () => {
    // Plain JavaScript on Node 22 against the installed packages: no ts-node, so it takes a second.
    const probe = `
const { App, TerraformStack } = require("cdktn");
const { Construct } = require("constructs");
const { AwsProvider } = require("@cdktn/provider-aws/lib/provider");
const { LayerRollout, LambdaLayer } = require("cdktn-lambda-layers");
const fs = require("fs");
const path = require("path");
const context = { failOnConstructsOutsideOfStacks: "true" };
const result = {};
const orphanApp = new App({ outdir: fs.mkdtempSync(path.join(process.argv[1], "orphan-")), context });
new Construct(orphanApp, "on-the-app");
try { orphanApp.synth(); } catch (e) { result.orphan = e.message; }
const rolloutApp = new App({ outdir: fs.mkdtempSync(path.join(process.argv[1], "rollout-")), context });
new LayerRollout(rolloutApp, "r", { layers: [{ layerName: "l", source: "layers/python-shared-utils", compatibleRuntimes: ["python3.12"] }], waves: [["us-east-1"], ["eu-west-1"]] });
rolloutApp.synth();
result.rolloutStacks = fs.readdirSync(path.join(rolloutApp.outdir, "stacks")).sort();
const providerApp = new App({ outdir: fs.mkdtempSync(path.join(process.argv[1], "provider-")) });
const bare = new TerraformStack(providerApp, "bare");
new AwsProvider(bare, "aws", { region: "us-east-1" });
const withLayer = new TerraformStack(providerApp, "with-layer");
new AwsProvider(withLayer, "aws", { region: "us-east-1" });
new LambdaLayer(withLayer, "l", { layerName: "l", source: "layers/python-shared-utils", compatibleRuntimes: ["python3.12"] });
providerApp.synth();
const aws = (s) => JSON.parse(fs.readFileSync(path.join(providerApp.outdir, "stacks", s, "cdk.tf.json"), "utf8")).terraform.required_providers.aws;
result.bare = aws("bare");
result.withLayer = aws("with-layer");
console.log(JSON.stringify(result));
`;
    const out = must(run(path.join(nodeBin, "node"), ["-e", probe, tempDir("cdktn-probe-")], app, node22Env()), "the cdktn probe");
    const result = JSON.parse(out.trim().split("\n").pop()!);
    expect(result.orphan).toContain("Found constructs outside of a TerraformStack");
    expect(result.orphan).toContain("- on-the-app");
    expect(result.rolloutStacks).toEqual(["r-eu-west-1", "r-us-east-1"]);
    // @cdktn/provider-aws 25 pins the exact AWS provider it was generated from (6.66.0 for 25.7.0; it
    // writes the qualified source, where @cdktf/provider-aws 21 writes the bare "aws")...
    expect(result.bare).toEqual({ source: "hashicorp/aws", version: expect.stringMatching(/^6\.\d+\.\d+$/) });
    // ...which the library's stack-level override replaces (this machine's mirror has 5.100 only).
    expect(result.withLayer).toEqual({ source: "hashicorp/aws", version: ">= 5.80, < 7.0" });
  });
});

describe("the example app on cdktn", () => {
  let cdktnOut: string;

  test("synthesizes with cdktn synth the same resources, properties and archives as on cdktf", () => {
    // Each framework builds its own zips (a cache of its own): the comparison is of two builds.
    const synth = timed("cdktn synth (example app, 6 stacks)", () =>
      cdktn(["synth"], app, node22Env(process.env, { CDKTF_LAYERS_CACHE_DIR: tempDir("cdktn-cache-") })),
    );
    expect([synth.status, synth.stdout]).toEqual([
      0,
      expect.stringContaining(`Generated Terraform code for the stacks: ${[...STACKS].sort().join(", ")}`),
    ]);
    expect(synth.stdout).toContain("revoke on purpose with `cdktn-lambda-layers revoke`");
    cdktnOut = path.join(app, "cdktf.out");

    const cdktfOut = path.join(tempDir("cdktf-synth-"), "cdktf.out");
    timed("cdktf synth (the same example, from source)", () =>
      must(
        run("node", ["--require", "ts-node/register/transpile-only", "main.ts"], repoRoot, {
          ...process.env,
          CDKTF_OUTDIR: cdktfOut,
          CDKTF_LAYERS_QUIET: "1",
          CDKTF_LAYERS_CACHE_DIR: tempDir("cdktf-cache-"),
        }),
        "cdktf synth of the example",
      ),
    );
    expect(fs.readdirSync(path.join(cdktnOut, "stacks")).sort()).toEqual([...STACKS].sort());
    expect(fs.readdirSync(path.join(cdktfOut, "stacks")).sort()).toEqual([...STACKS].sort());
    for (const stack of STACKS) {
      const [tf, tn] = [cdktfOut, cdktnOut].map((out) => path.join(out, "stacks", stack));
      const [tfJson, tnJson] = [tf, tn].map((dir) => JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")));
      expect([stack, withoutMetadata(tnJson)]).toEqual([stack, withoutMetadata(tfJson)]);
      // The framework metadata differs in the framework's version only.
      expect(tfJson["//"].metadata.version).toBe("0.21.0");
      expect(tnJson["//"].metadata.version).toMatch(/^0\.24\.\d+$/);
      expect({ ...tnJson["//"], metadata: { ...tnJson["//"].metadata, version: "-" } }).toEqual({
        ...tfJson["//"],
        metadata: { ...tfJson["//"].metadata, version: "-" },
      });
      expect(tnJson.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: ">= 5.80, < 7.0" });
      // The layer and function zips: byte for byte.
      const files = filesUnder(tf).filter((f) => f !== "cdk.tf.json");
      expect([stack, filesUnder(tn).filter((f) => f !== "cdk.tf.json")]).toEqual([stack, files]);
      expect(files.filter((f) => f.endsWith(".zip")).length).toBeGreaterThan(0);
      for (const f of files)
        expect([stack, f, fs.readFileSync(path.join(tn, f)).equals(fs.readFileSync(path.join(tf, f)))]).toEqual([stack, f, true]);
    }
    expect(fs.readFileSync(path.join(cdktnOut, "rollout-layers.json"), "utf8")).toBe(
      fs.readFileSync(path.join(cdktfOut, "rollout-layers.json"), "utf8"),
    );
  }, 600_000);

  test("deploys with cdktn deploy against the emulator; every stack validates and plans empty; the second deploy changes nothing", async () => {
    const env = node22Env(emulator().env);
    const deploy = () => must(cdktn(["deploy", "*", "--auto-approve", "--skip-provider-lock"], app, env), "cdktn deploy '*'");
    const first = outputByStack(
      timed("cdktn deploy '*' (fresh account)", () => deploy()),
      STACKS,
    );
    for (const stack of STACKS) expect([stack, first.get(stack)]).toEqual([stack, expect.stringContaining("Apply complete!")]);

    timed("terraform validate + plan (6 stacks)", () => {
      for (const stack of STACKS) {
        const tf = terraformIn(path.join(app, "cdktf.out", "stacks", stack), emulator());
        const validate = JSON.parse(tf.run(["validate", "-json", "-no-color"]).stdout);
        expect([stack, validate]).toEqual([stack, expect.objectContaining({ valid: true, error_count: 0 })]);
        const plan = tf.plan();
        expect([stack, plan.status, plan.stdout]).toEqual([stack, 0, expect.stringContaining("No changes.")]);
      }
    });

    // The layers, grants and functions exist in the account as on cdktf (deploy-all.test.ts).
    for (const region of ROLLOUT_REGIONS) {
      const versions = await emulatorRequest(
        { ...emulator(), region },
        { service: "lambda", method: "GET", path: "/2018-10-31/layers/nodejs-logging/versions" },
      );
      expect([region, versions.json.LayerVersions.map((v: any) => v.Version)]).toEqual([region, [1]]);
      const fn = await emulatorRequest(
        { ...emulator(), region },
        { service: "lambda", method: "GET", path: "/2015-03-31/functions/todos/configuration" },
      );
      expect(fn.json.Role).toBe(`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/example-layers-functions`);
      expect(fn.json.Layers.map((l: any) => l.Arn)).toEqual([`arn:aws:lambda:${region}:${EMULATOR_ACCOUNT_ID}:layer:nodejs-logging:1`]);
    }
    const grants = async (layer: string) => {
      const policy = await emulatorRequest(
        { ...emulator(), region: "ca-central-1" },
        { service: "lambda", method: "GET", path: `/2018-10-31/layers/${layer}/versions/1/policy` },
      );
      return JSON.parse(policy.json.Policy)
        .Statement.map((s: any) => s.Condition?.StringEquals?.["aws:PrincipalOrgID"] ?? s.Principal.AWS)
        .sort();
    };
    expect(await grants("nodejs-logging")).toEqual(["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"]);
    expect(await grants("python-shared-utils")).toEqual(["o-a1b2c3d4e5"]);

    const second = outputByStack(
      timed("cdktn deploy '*' (no changes)", () => deploy()),
      STACKS,
    );
    for (const stack of STACKS)
      expect([stack, second.get(stack)]).toEqual([
        stack,
        expect.stringContaining("No changes. Your infrastructure matches the configuration."),
      ]);
  }, 1_800_000);
});

test("migration: an app deployed with cdktf-lambda-layers, switched to cdktn and cdktn-lambda-layers, plans no change", async () => {
  await emulator().reset();
  const project = cloneProject();
  cleanup.push(path.dirname(project));
  const cdktfDeploy = timed("cdktf deploy '*' (the app before the switch)", () =>
    must(
      // The cdktf CLI on a Node it starts on (Node 22 when the suite runs on 24 or later).
      cdktfCli(["deploy", "*", "--auto-approve", "--skip-provider-lock"], {
        cwd: project,
        env: { ...emulator().env, CI: "1", FORCE_COLOR: "0", CDKTF_LAYERS_QUIET: "1" },
        maxBuffer: 64 * 1024 * 1024,
      }),
      "cdktf deploy '*'",
    ),
  );
  const applied = outputByStack(cdktfDeploy, STACKS);
  for (const stack of STACKS) expect([stack, applied.get(stack)]).toEqual([stack, expect.stringContaining("Apply complete!")]);

  // The switch, as docs/cdktn.md gives it: other packages (node_modules of the cdktn app: cdktn,
  // cdktn-cli, @cdktn/provider-aws, cdktn-lambda-layers), the imports renamed; cdktf.json, the
  // state files and the stack names stay. The library's source leaves the app: only the package is used.
  fs.rmSync(path.join(project, "node_modules"));
  fs.symlinkSync(path.join(app, "node_modules"), path.join(project, "node_modules"), "dir");
  fs.writeFileSync(path.join(project, "main.ts"), cdktnMain());
  fs.rmSync(path.join(project, "modules"), { recursive: true });
  // Synthesized as on another machine: no archive the cdktf build left in the cache.
  const synth = timed("cdktn synth (the switched app)", () =>
    cdktn(["synth"], project, node22Env(emulator().env, { CDKTF_LAYERS_CACHE_DIR: tempDir("switched-cache-") })),
  );
  expect([synth.status, synth.stdout]).toEqual([0, expect.stringContaining("Generated Terraform code for the stacks")]);

  timed("terraform init + plan (6 stacks, after the switch)", () => {
    for (const stack of STACKS) {
      const tf = terraformIn(path.join(project, "cdktf.out", "stacks", stack), emulator());
      tf.init();
      const plan = tf.plan();
      expect([stack, plan.status, plan.stdout]).toEqual([stack, 0, expect.stringContaining("No changes.")]);
    }
  });
}, 1_800_000);
