// `cdktf-lambda-layers cache clean|prune`: what it removes, what it keeps (what running builds
// write or use), and that it never touches a folder that is not a cache.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { generateTree } from "../bench/generate-tree";
import { main } from "../bin/cdktf-lambda-layers";
import { buildLayerArchive } from "../modules";
import { pruneCache } from "../modules/packaging/cache-maintenance";
import { repoRoot, tempDir, tree } from "./helpers/files";

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

/** The id of a process that has exited: what a crashed build's temporary files are named with. */
function deadPid(): number {
  const { pid } = spawnSync(process.execPath, ["-e", ""]);
  return pid!;
}

const hoursAgo = (hours: number) => new Date(Date.now() - hours * 3600 * 1000);

/** Sets the mtime of `entry` and everything in it. */
function backdate(entry: string, when: Date): void {
  if (fs.statSync(entry).isDirectory()) for (const name of fs.readdirSync(entry)) backdate(path.join(entry, name), when);
  fs.utimesSync(entry, when, when);
}

/** A cache holding one build's entries, and what two builds that crashed an hour ago left. */
function filledCache(): string {
  const cache = tempDir("cache-");
  buildLayerArchive({ source: tree({ "python/a.py": "A = 1\n" }), compatibleRuntimes: ["python3.12"], outDir: cache, stage: true });
  const install = path.join(cache, "deps", ".tmp-abc-123");
  fs.mkdirSync(install, { recursive: true });
  fs.writeFileSync(path.join(install, "half"), "x");
  backdate(install, hoursAgo(1));
  // The zip a crashed build was writing, beside the cache's folders.
  const zip = path.join(cache, `.tmp-${deadPid()}-abcdef-archive.zip`);
  fs.writeFileSync(zip, "PK");
  backdate(zip, hoursAgo(1));
  return cache;
}

test("prune removes what interrupted builds left and keeps recent entries", () => {
  const cache = filledCache();
  const r = run("cache", "prune", "--cache-dir", cache);
  expect(r).toMatchObject({ code: 0, err: "" });
  expect(r.out).toMatch(/^pruned .+: removed 2 entries \(3 B\), kept 5\n$/); // zip, metadata and content index records, source index, staged folder
  expect(fs.existsSync(path.join(cache, "deps", ".tmp-abc-123"))).toBe(false);
  expect(fs.readdirSync(cache).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  expect(fs.readdirSync(path.join(cache, "archives"))).toHaveLength(1);
});

describe("in-flight files of running builds are left alone", () => {
  let holder: ChildProcess | undefined;
  afterEach(() => {
    if (holder?.exitCode === null) holder.kill("SIGKILL");
    holder = undefined;
  });

  /** Starts a process that writes a temporary zip named as a build names it, holds it open, and waits. */
  function holdTemporaryZip(cache: string): Promise<string> {
    const script = `const fs = require("fs"), path = require("path");
const file = path.join(${JSON.stringify(cache)}, ".tmp-" + process.pid + "-0123456789ab-archive.zip");
const fd = fs.openSync(file, "w");
fs.writeSync(fd, "PK\\x03\\x04 half a zip");
process.stdout.write(file + "\\n");
setInterval(() => {}, 1000);`;
    holder = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    return new Promise((resolve, reject) => {
      holder!.stdout!.once("data", (d: Buffer) => resolve(d.toString().trim()));
      holder!.once("exit", (code) => reject(new Error(`the holder exited with ${code}`)));
    });
  }

  test("a temporary zip a live process holds survives prune and clean, even untouched for hours; once the process is gone, prune removes it", async () => {
    const cache = filledCache();
    const held = await holdTemporaryZip(cache);
    // Untouched for two hours: past the grace period, so only its writer being alive keeps it.
    backdate(held, hoursAgo(2));
    expect(run("cache", "prune", "--cache-dir", cache, "--older-than", "0").code).toBe(0);
    expect(fs.existsSync(held)).toBe(true);
    expect(run("cache", "clean", "--cache-dir", cache).code).toBe(0);
    expect(fs.existsSync(held)).toBe(true);

    const gone = new Promise((resolve) => holder!.once("exit", resolve));
    holder!.kill("SIGKILL");
    await gone;
    const r = run("cache", "prune", "--cache-dir", cache);
    expect(r.out).toMatch(/removed 1 entries/);
    expect(fs.existsSync(held)).toBe(false);
  });

  test("a synth running beside back-to-back prunes (--older-than 0) completes, and its zip is a fresh build's", async () => {
    const src = tempDir("gen-");
    generateTree(src, 8, 600);
    const cache = tempDir("shared-cache-");
    fs.writeFileSync(path.join(cache, "CACHEDIR.TAG"), "Signature: 8a477f597d28d172789f06886806bc55\n");
    const script = `require("ts-node/register/transpile-only");
const a = require("./modules").buildLayerArchive({ source: ${JSON.stringify(src)}, compatibleRuntimes: ["python3.12"], outDir: ${JSON.stringify(cache)}, s3Upload: true, stage: true });
process.stdout.write(JSON.stringify({ path: a.path, staged: a.stagedDir }));`;
    const synth = spawn(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...process.env, CDKTF_LAYERS_QUIET: "1" } });
    let out = "";
    let err = "";
    synth.stdout.on("data", (d) => (out += d));
    synth.stderr.on("data", (d) => (err += d));
    const done = new Promise<number | null>((resolve) => synth.on("close", resolve));
    let prunes = 0;
    let sawTemporary = false;
    for (let exited = false; !exited; prunes++) {
      sawTemporary ||= fs.existsSync(cache) && fs.readdirSync(cache).some((n) => n.startsWith(".tmp-"));
      expect(run("cache", "prune", "--cache-dir", cache, "--older-than", "0").code).toBe(0);
      exited = await Promise.race([done.then(() => true), new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 2))]);
    }
    expect([await done, err]).toEqual([0, ""]);
    expect(sawTemporary).toBe(true); // the prunes ran while the zip was being written
    expect(prunes).toBeGreaterThan(10);
    const built = JSON.parse(out) as { path: string; staged: string };
    const fresh = buildLayerArchive({ source: src, compatibleRuntimes: ["python3.12"], outDir: tempDir("fresh-"), s3Upload: true });
    expect(fs.readFileSync(built.path).equals(fs.readFileSync(fresh.path))).toBe(true);
    expect(fs.existsSync(built.staged)).toBe(true);
  });

  test("an archive used within the grace period stays, however old its folder", () => {
    const cache = filledCache();
    const source = tree({ "python/a.py": "A = 1\n" });
    const built = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: cache });
    for (const part of ["archives", "index", "sources", "staged"]) backdate(path.join(cache, part), hoursAgo(24 * 40));
    // A synth uses the archive now: it checks and marks the zip, and is about to copy it.
    const used = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: cache });
    expect(used.path).toBe(built.path);
    const r = pruneCache(cache);
    expect(r.removed).toBeGreaterThan(0);
    expect(fs.existsSync(used.path)).toBe(true);
  });
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
