// The published package works in a fresh cdktf app: `npm pack` once, then check what the tarball
// holds (LICENSE, the API reference, links that resolve), and install it into an app shaped exactly
// like `cdktf init --template=typescript` makes one (its tsconfig, cdktf.json and package.json, read
// from the installed cdktf-cli's template; peers and tools resolved from the npm cache that `npm ci`
// filled). That app type-checks a subpath import with tsc, synthesizes with `cdktf synth`, passes the
// real terraform (`cdktf diff --skip-provider-lock` against the provider mirror, then validate).
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { stripVTControlCharacters } from "util";
import { cdktfCli } from "./helpers/cdktf-cli";
import { exportedNames } from "./helpers/exports";
import { repoRoot, tempDir, writeTree } from "./helpers/files";
import { findProviderMirror, offlineOverride, requireTerraform } from "./helpers/terraform";

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));
const versionOf = (pkg: string) => JSON.parse(fs.readFileSync(path.join(repoRoot, "node_modules", pkg, "package.json"), "utf8")).version;
/** https://github.com/<owner>/<name>, from the `repository` field. */
const repositoryUrl = String(manifest.repository?.url)
  .replace(/^git\+/, "")
  .replace(/\.git$/, "");

let tarball: string;
let listing: string[];
let unpacked: string;

beforeAll(() => {
  const packDir = tempDir("pack-");
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: repoRoot, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  tarball = path.join(packDir, packed);
  listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).trim().split("\n");
  unpacked = tempDir("unpacked-");
  execFileSync("tar", ["-xzf", tarball, "-C", unpacked]);
  unpacked = path.join(unpacked, "package");
}, 180_000);

describe("the tarball", () => {
  test("holds the built library, the CLI, LICENSE and the API reference, and no sources or tests", () => {
    expect(listing).toEqual(
      expect.arrayContaining([
        "package/dist/modules/index.d.ts",
        "package/dist/bin/cdktf-lambda-layers.js",
        "package/dist/operations/index.js",
        "package/LICENSE",
        "package/docs/api/README.md",
        "package/docs/api/classes/LambdaLayer.md",
      ]),
    );
    expect(listing.filter((f) => f.startsWith("package/__tests__/") || /^package\/(modules|bin)\/.*\.ts$/.test(f))).toEqual([]);
    expect(fs.readFileSync(path.join(unpacked, "LICENSE"), "utf8")).toMatch(/^\s*Apache License\s+Version 2\.0, January 2004/);
    expect(manifest.license).toBe("Apache-2.0");
    expect(repositoryUrl).toMatch(/^https:\/\/github\.com\/[\w.-]+\/[\w.-]+$/);
  });

  test("every link in its markdown resolves: relative links to packed files, repository links to files in the repository", () => {
    const markdown = listing.filter((f) => f.endsWith(".md")).map((f) => f.slice("package/".length));
    expect(markdown).toEqual(expect.arrayContaining(["README.md", "BENCHMARKS.md"]));
    const broken: string[] = [];
    let checked = 0;
    for (const file of markdown) {
      const text = fs.readFileSync(path.join(unpacked, file), "utf8");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const [link] = target.split("#");
        const external = /^[a-z]+:/i.test(link) || link.startsWith("//");
        if (link === "" || (external && !link.startsWith(`${repositoryUrl}/`))) continue;
        checked++;
        if (link.startsWith(`${repositoryUrl}/`)) {
          // <repository>/tree/main/<path> or /blob/main/<path>: a file or folder tracked in the repository.
          const m = /^\/(?:tree|blob)\/main\/(.+?)\/?$/.exec(link.slice(repositoryUrl.length));
          const tracked = m && spawnSync("git", ["ls-files", "--error-unmatch", m[1]], { cwd: repoRoot }).status === 0;
          if (!tracked) broken.push(`${file}: ${target}`);
        } else if (!fs.existsSync(path.join(unpacked, path.dirname(file), decodeURIComponent(link)))) {
          broken.push(`${file}: ${target}`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(100);
  });

  test("typesVersions gives every subpath export its declaration file, for node10 module resolution", () => {
    const subpaths = Object.entries(manifest.exports as Record<string, { types: string } | string>).filter(
      ([subpath]) => subpath !== "." && subpath !== "./package.json",
    );
    expect(subpaths.length).toBeGreaterThan(20);
    expect(manifest.typesVersions).toEqual({
      "*": Object.fromEntries(subpaths.map(([subpath, target]) => [subpath.slice(2), [(target as { types: string }).types.slice(2)]])),
    });
    for (const [subpath, target] of subpaths) {
      expect([subpath, listing.includes(`package/${(target as { types: string }).types.slice(2)}`)]).toEqual([subpath, true]);
    }
  });
});

let consumer: string | undefined;

/** The stock app with the packed package installed, made once for the tests that need it. */
function installedConsumer(): string {
  if (consumer) return consumer;
  const template = path.join(repoRoot, "node_modules", "cdktf-cli", "bundle", "templates", "typescript");
  const stock = JSON.parse(fs.readFileSync(path.join(template, "package.json"), "utf8").replace("{{ $base }}", "consumer"));
  const app = writeTree(tempDir("consumer-"), {
    // What cdktf init writes, and the packages its post-install hook adds (jest left out). TypeScript 5:
    // a fresh init today installs typescript@latest (7), which ts-node (cdktf.json's app) cannot load.
    "package.json": JSON.stringify({
      ...stock,
      dependencies: {
        "cdktf-lambda-layers": `file:${tarball}`,
        cdktf: versionOf("cdktf"),
        constructs: versionOf("constructs"),
        "@cdktf/provider-aws": versionOf("@cdktf/provider-aws"),
      },
      devDependencies: { "@types/node": versionOf("@types/node"), typescript: versionOf("typescript"), "ts-node": versionOf("ts-node") },
    }),
    "tsconfig.json": fs.readFileSync(path.join(template, "tsconfig.json")),
    "cdktf.json": fs
      .readFileSync(path.join(template, "cdktf.json"), "utf8")
      .replace("{{projectId}}", "00000000-0000-4000-8000-000000000000")
      .replace("{{sendCrashReports}}", "false")
      .replace("{{futureFlags}}", ""),
    "layer/python/greeting/__init__.py": "def hello(name):\n    return f'hello {name}'\n",
    "main.ts": `import { Construct } from "constructs";
import { App, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { LambdaLayer, setAwsProviderVersion } from "cdktf-lambda-layers";
import { LayerFanout } from "cdktf-lambda-layers/layer-fanout";
import type { LambdaLayerOptions } from "cdktf-lambda-layers/lambda-layer";

class MyStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AwsProvider(this, "aws", { region: "eu-west-1" });
    setAwsProviderVersion(this, "~> 5.100");
    const layer: LambdaLayerOptions = { layerName: "greeting", source: "layer", compatibleRuntimes: ["python3.12"] };
    new LambdaLayer(this, "Greeting", layer);
    const everywhere = new LayerFanout(this, "Everywhere", { regions: ["eu-west-1", "us-east-1"], layer: { ...layer, layerName: "greeting-all" } });
    new TerraformOutput(this, "us_east_1_arn", { value: everywhere.layerIn("us-east-1").layerVersionArn });
  }
}

const app = new App();
new MyStack(app, "consumer");
app.synth();
`,
  });
  const install = spawnSync("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--ignore-scripts"], {
    cwd: app,
    encoding: "utf8",
  });
  expect([install.status, install.stderr]).toEqual([0, expect.anything()]);
  consumer = app;
  return app;
}

test("every entry point of the installed package exports the names it exported before modules/ was split into folders", () => {
  // __tests__/data/exported-names.json was recorded from the built package of the flat modules/ folder.
  const before = JSON.parse(fs.readFileSync(path.join(__dirname, "data", "exported-names.json"), "utf8"));
  const installed = exportedNames(path.join(installedConsumer(), "node_modules", "cdktf-lambda-layers"));
  expect(Object.keys(installed).sort()).toEqual(Object.keys(before).sort());
  expect(Object.keys(installed).length).toBe(32);
  expect(installed).toEqual(before);
}, 300_000);

test("a stock `cdktf init --template=typescript` app type-checks a subpath import, synthesizes, validates and diffs offline", () => {
  requireTerraform();
  const app = installedConsumer();

  // The stock tsconfig resolves modules the node10 way (module CommonJS): subpaths need typesVersions.
  const tsc = spawnSync(path.join(app, "node_modules", ".bin", "tsc"), ["--noEmit", "-p", "."], { cwd: app, encoding: "utf8" });
  expect(tsc.stdout).toBe("");
  expect(tsc.status).toBe(0);

  const env: NodeJS.ProcessEnv = {
    ...process.env,
    CHECKPOINT_DISABLE: "1",
    CDKTF_LAYERS_QUIET: "1",
    CDKTF_LAYERS_CACHE_DIR: path.join(app, ".layer-cache"),
  };
  const cdktf = (...args: string[]) => cdktfCli(args, { cwd: app, env });
  const synth = cdktf("synth");
  expect([synth.status, synth.stdout]).toEqual([0, expect.stringContaining("Generated Terraform code for the stacks: consumer")]);
  const stackDir = path.join(app, "cdktf.out", "stacks", "consumer");
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  expect(json.terraform.required_providers.aws).toEqual({ source: "hashicorp/aws", version: "~> 5.100" });

  // The CI recipe of docs/regions-and-terraform-cloud.md (Offline and CI): a provider mirror in the CLI config and --skip-provider-lock, so cdktf never
  // asks the public registry (`terraform providers lock` would, mirror or not). Mock credentials come
  // from the same override file the other terraform tests use.
  const mirror = findProviderMirror();
  const cliConfig = path.join(app, "mirror.tfrc");
  fs.writeFileSync(cliConfig, mirror ? `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n` : "");
  fs.writeFileSync(path.join(stackDir, "zz_offline_override.tf.json"), JSON.stringify(offlineOverride(stackDir, "eu-west-1", true)));
  env.TF_CLI_CONFIG_FILE = cliConfig;
  const diff = cdktf("diff", "consumer", "--skip-synth", "--skip-provider-lock");
  expect([diff.status, stripVTControlCharacters(diff.stdout)]).toEqual([
    0,
    expect.stringContaining("Plan: 3 to add, 0 to change, 0 to destroy."),
  ]);
  const validate = spawnSync("terraform", ["validate", "-json", "-no-color"], { cwd: stackDir, encoding: "utf8", env });
  expect(JSON.parse(validate.stdout)).toMatchObject({ valid: true, warning_count: 0 });

  const bin = path.join(app, "node_modules", ".bin", "cdktf-lambda-layers");
  const version = spawnSync(bin, ["--version"], { cwd: app, encoding: "utf8" });
  expect([version.status, version.stdout]).toEqual([0, `${manifest.version}\n`]);
  const cli = spawnSync(bin, ["inspect", "layer", "--runtime", "python3.12"], { cwd: app, encoding: "utf8" });
  expect(cli.status).toBe(0);
  expect(cli.stdout).toContain("/opt/python/greeting");
}, 420_000);
