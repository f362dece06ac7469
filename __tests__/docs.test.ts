// The committed API reference (docs/api) is what typedoc makes of the current JSDoc: a prop added
// without regenerating the docs fails here. Regenerate with `npm run docs`. And the TypeScript
// blocks of the README and the guides compile as written.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, tempDir } from "./helpers/files";
import { readmeBlocks } from "./helpers/readme";

function filesUnder(dir: string): Map<string, string> {
  const files = new Map<string, string>();
  for (const rel of fs.readdirSync(dir, { recursive: true }).map(String)) {
    const abs = path.join(dir, rel);
    if (fs.statSync(abs).isFile()) files.set(rel, fs.readFileSync(abs, "utf8"));
  }
  return files;
}

test("docs/api matches the JSDoc of modules/", () => {
  const out = tempDir("typedoc-");
  const r = spawnSync("npx", ["typedoc", "--treatWarningsAsErrors", "--out", out], { cwd: repoRoot, encoding: "utf8" });
  expect(r.status).toBe(0);
  const fresh = filesUnder(out);
  const committed = filesUnder(path.join(repoRoot, "docs", "api"));
  expect([...committed.keys()].sort()).toEqual([...fresh.keys()].sort());
  for (const [rel, text] of fresh) expect([rel, committed.get(rel)]).toEqual([rel, text]);
  expect(fresh.get(path.join("classes", "LambdaLayer.md"))).toContain("layerVersionArn");
}, 120_000);

// Every TypeScript block of the README and of the guides under docs/, as a user pastes it into a
// fresh `cdktf init` app: each block is its own file (a module: its imports included), type-checked
// under the tsconfig the cdktf template writes (CommonJS, node10 resolution, strict, ES2018) against
// the packed package.
test("every ts block of the README and the guides type-checks on its own in a cdktf init app", () => {
  const documents = [
    "README.md",
    ...fs
      .readdirSync(path.join(repoRoot, "docs"))
      .filter((f) => f.endsWith(".md"))
      .map((f) => `docs/${f}`),
  ];
  const blocks = documents.flatMap((doc) =>
    readmeBlocks(fs.readFileSync(path.join(repoRoot, doc), "utf8"))
      .filter((b) => b.lang === "ts" || b.lang === "typescript")
      .map((b) => ({ ...b, at: `${doc}:${b.line}`, file: `${doc.replace(/[/.]/g, "-")}-line-${b.line}.ts` })),
  );
  expect(blocks.filter((b) => b.at.startsWith("README.md:")).length).toBeGreaterThanOrEqual(6);

  const app = tempDir("readme-app-");
  const template = path.join(repoRoot, "node_modules", "cdktf-cli", "bundle", "templates", "typescript");
  fs.copyFileSync(path.join(template, "tsconfig.json"), path.join(app, "tsconfig.json"));
  const modules = path.join(app, "node_modules");
  fs.mkdirSync(modules);
  for (const entry of fs.readdirSync(path.join(repoRoot, "node_modules"))) {
    if (entry !== ".bin" && entry !== "cdktf-lambda-layers")
      fs.symlinkSync(path.join(repoRoot, "node_modules", entry), path.join(modules, entry));
  }
  const packDir = tempDir("readme-pack-");
  const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", packDir], { cwd: repoRoot, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  fs.mkdirSync(path.join(modules, "cdktf-lambda-layers"));
  execFileSync("tar", ["-xzf", path.join(packDir, packed), "-C", path.join(modules, "cdktf-lambda-layers"), "--strip-components=1"]);

  const problems = new Map<string, string[]>(blocks.map((b) => [b.file, []]));
  for (const block of blocks) {
    // Without imports a block is a script sharing one global scope with the others: it is checked as
    // a module anyway (so its own undeclared names are reported), and refused for the missing imports.
    const isModule = /^import /m.test(block.code);
    if (!isModule) problems.get(block.file)!.push(`${block.at}: imports nothing: a block must be complete`);
    fs.writeFileSync(path.join(app, block.file), isModule ? block.code : `${block.code}export {};\n`);
  }
  const tsc = spawnSync(path.join(repoRoot, "node_modules", ".bin", "tsc"), ["--noEmit", "--pretty", "false", "-p", app], {
    cwd: app,
    encoding: "utf8",
  });
  for (const line of tsc.stdout.split("\n").filter(Boolean)) {
    const at = /^(.+-line-(\d+)\.ts)\((\d+),\d+\): (.*)$/.exec(line);
    const block = at && blocks.find((b) => b.file === at[1]);
    if (!at || !block) throw new Error(`tsc reported outside the documents' blocks: ${line}`);
    problems.get(block.file)!.push(`${block.at.split(":")[0]}:${block.line + Number(at[3])}: ${at[4]}`);
  }
  // Every block's problems at once, by heading and place.
  const failing = blocks.filter((b) => problems.get(b.file)!.length > 0).map((b) => [`${b.heading} (${b.at})`, problems.get(b.file)]);
  expect(failing).toEqual([]);
  expect(tsc.status).toBe(0);
}, 300_000);
