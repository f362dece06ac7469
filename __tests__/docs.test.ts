// The committed API reference (docs/api) is what typedoc makes of the current JSDoc: a prop added
// without regenerating the docs fails here. Regenerate with `npm run docs`.
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, tempDir } from "./helpers/files";

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
