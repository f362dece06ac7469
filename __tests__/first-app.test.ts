// The README's "first app" block, run as written from an empty folder: cdktf init, TypeScript 5 and
// cdktf-cli, the package (a tarball packed from this checkout stands in for the git URL) and the AWS
// provider bindings, the .gitignore entries, main.ts, `npx cdktf synth`. Then the README's way for
// Node 24 and later (run the app itself) on this process's Node writes the same cdktf.out/.
// Packages come from the npm cache that `npm ci` filled (prefer-offline), the registry otherwise.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { cdktfCliEnv } from "./helpers/cdktf-cli";
import { repoRoot, tempDir } from "./helpers/files";
import { readmeBlock } from "./helpers/readme";

const GIT_URL = "git+https://github.com/cdktf-lambda-layers/cdktf-lambda-layers.git";

function filesUnder(dir: string): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const abs = path.join(dir, rel);
    if (fs.statSync(abs).isFile()) files.set(rel, fs.readFileSync(abs));
  }
  return files;
}

test("the README's first-app block works from an empty folder, and the Node 24+ way writes the same cdktf.out", () => {
  const block = readmeBlock("A first app, from an empty folder", "sh").code;
  // The package's install line is the one the Install section gives; the tarball replaces the URL.
  expect(block.split(GIT_URL).length).toBe(2);
  expect(readmeBlock("Install", "sh").code).toBe(`npm install ${GIT_URL}\n`);

  const packDir = tempDir("first-app-pack-");
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: repoRoot, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  const script = block.replace(GIT_URL, path.join(packDir, packed));

  const parent = tempDir("first-app-");
  // A non-interactive shell, as in CI; the cdktf CLI (init and synth) on a Node it starts on.
  const env = cdktfCliEnv({
    ...process.env,
    CI: "1",
    npm_config_prefer_offline: "true",
    npm_config_audit: "false",
    npm_config_fund: "false",
  });
  delete env.CDKTF_LAYERS_CACHE_DIR; // the app's own ./.layer-cache, as the block's .gitignore expects
  const run = spawnSync("bash", ["-euo", "pipefail", "-c", script], { cwd: parent, env, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (run.status !== 0)
    throw new Error(`the first-app block exited ${run.status}:\n${run.stdout.slice(-4000)}\n${run.stderr.slice(-4000)}`);

  const app = path.join(parent, "hello-layers");
  expect(run.stdout).toContain("Generated Terraform code for the stacks: hello-layers");
  const manifest = JSON.parse(fs.readFileSync(path.join(app, "package.json"), "utf8"));
  expect(manifest.devDependencies).toMatchObject({
    typescript: expect.stringMatching(/^\^5\./),
    "cdktf-cli": expect.stringMatching(/^\^0\.21\./),
  });
  expect(manifest.dependencies).toMatchObject({ "@cdktf/provider-aws": expect.stringMatching(/^\^21\./) });
  expect(manifest.dependencies["cdktf-lambda-layers"]).toContain(packed);
  expect(fs.readFileSync(path.join(app, ".gitignore"), "utf8").split("\n")).toEqual(expect.arrayContaining([".layer-cache/", "*.tfstate"]));

  const stack = JSON.parse(fs.readFileSync(path.join(app, "cdktf.out", "stacks", "hello-layers", "cdk.tf.json"), "utf8"));
  expect(Object.values(stack.resource.aws_lambda_layer_version)).toEqual([
    expect.objectContaining({ layer_name: "greeting", compatible_runtimes: ["python3.12"] }),
  ]);
  expect(stack.terraform.backend).toEqual({ local: { path: "../../../terraform.hello-layers.tfstate" } });
  expect(Object.keys(stack.output)).toEqual(expect.arrayContaining(["greeting_arn"]));
  expect(fs.existsSync(path.join(app, ".layer-cache"))).toBe(true);

  // The README's Node 24+ block, its first line (the second needs AWS): the app on this process's Node.
  const node24 = readmeBlock("Node", "sh").code.split("\n")[0];
  expect(node24).toMatch(/^npx ts-node main\.ts\s/);
  const viaCli = path.join(parent, "cdktf.out.cli");
  fs.renameSync(path.join(app, "cdktf.out"), viaCli);
  const direct = spawnSync("bash", ["-euo", "pipefail", "-c", node24], {
    cwd: app,
    env: { ...env, PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH}` },
    encoding: "utf8",
  });
  expect([direct.status, direct.stderr]).toEqual([0, expect.any(String)]);
  const cli = filesUnder(viaCli);
  const app24 = filesUnder(path.join(app, "cdktf.out"));
  cli.delete("manifest.json");
  app24.delete("manifest.json");
  expect([...app24.keys()].sort()).toEqual([...cli.keys()].sort());
  for (const [rel, bytes] of cli) expect([rel, app24.get(rel)!.equals(bytes)]).toEqual([rel, true]);
}, 900_000);
