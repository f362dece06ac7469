// `cdktf-lambda-layers cache clean|prune`: what it removes, what it keeps, and that it never
// touches a folder that is not a cache.
import * as fs from "fs";
import * as path from "path";
import { main } from "../bin/cdktf-lambda-layers";
import { buildLayerArchive } from "../modules";
import { pruneCache } from "../modules/cache-maintenance";
import { tempDir, tree } from "./helpers/files";

function run(...argv: string[]): { code: number; out: string; err: string } {
  let out = "";
  let err = "";
  const code = main(
    argv,
    (s) => (out += s),
    (s) => (err += s),
  );
  return { code, out, err };
}

function filledCache(): string {
  const cache = tempDir("cache-");
  buildLayerArchive({ source: tree({ "python/a.py": "A = 1\n" }), compatibleRuntimes: ["python3.12"], outDir: cache, stage: true });
  fs.mkdirSync(path.join(cache, "deps", ".tmp-abc-123"), { recursive: true });
  fs.writeFileSync(path.join(cache, "deps", ".tmp-abc-123", "half"), "x");
  // The zip a crashed build was writing, beside the cache's folders.
  fs.writeFileSync(path.join(cache, ".tmp-999-abcdef.zip"), "PK");
  return cache;
}

test("prune removes what interrupted builds left and keeps recent entries", () => {
  const cache = filledCache();
  const r = run("cache", "prune", "--cache-dir", cache);
  expect(r).toMatchObject({ code: 0, err: "" });
  expect(r.out).toMatch(/^pruned .+: removed 2 entries \(3 B\), kept 5\n$/); // zip, metadata and content index records, source index, staged folder
  expect(fs.existsSync(path.join(cache, "deps", ".tmp-abc-123"))).toBe(false);
  expect(fs.existsSync(path.join(cache, ".tmp-999-abcdef.zip"))).toBe(false);
  expect(fs.readdirSync(path.join(cache, "archives"))).toHaveLength(1);
});

test("prune --older-than removes entries written before the cut-off", () => {
  const cache = filledCache();
  const later = pruneCache(cache, { olderThanDays: 1, now: Date.now() + 2 * 24 * 3600 * 1000 });
  expect(later).toMatchObject({ removed: 7, kept: 0 });
  expect(fs.readdirSync(path.join(cache, "archives"))).toEqual([]);
});

test("clean empties the cache, and the next build rebuilds", () => {
  const cache = filledCache();
  const r = run("cache", "clean", "--cache-dir", cache);
  expect(r.code).toBe(0);
  expect(r.out).toMatch(/removed 7 entries/);
  for (const part of ["archives", "index", "deps", "staged"]) expect(fs.readdirSync(path.join(cache, part))).toEqual([]);
  const again = buildLayerArchive({ source: tree({ "python/a.py": "A = 1\n" }), compatibleRuntimes: ["python3.12"], outDir: cache });
  expect(again.cache).toBe("built");
});

test("a folder that is not a cache is refused and left untouched", () => {
  const notCache = tree({ "archives/keep.zip": "x", "main.ts": "" });
  const r = run("cache", "clean", "--cache-dir", notCache);
  expect(r.code).toBe(1);
  expect(r.err).toContain("is not a cache folder of this library");
  expect(fs.existsSync(path.join(notCache, "archives", "keep.zip"))).toBe(true);
});

test("usage errors", () => {
  expect(run("cache").code).toBe(2);
  expect(run("cache", "clean", "--older-than", "3").code).toBe(2);
  expect(run("cache", "prune", "--older-than", "soon").code).toBe(2);
});
