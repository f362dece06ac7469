import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { generateTree } from "../bench/generate-tree";
import { buildLayerArchive, BuildLayerArchiveOptions } from "../modules";
import {
  cacheMaxBytes,
  loadSourceIndex,
  pruneArchives,
  saveSourceIndex,
  SOURCE_FIELDS,
  SourceField,
} from "../modules/packaging/archive-cache";
import { repoRoot, settle, tempDir, writeTree } from "./helpers/files";
import { rsaPrivateKeyPem } from "./helpers/secrets";

const build = (source: string, outDir: string, extra: Partial<BuildLayerArchiveOptions> = {}) =>
  buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir, s3Upload: true, ...extra });
const buildOnRuntime = (source: string, outDir: string, runtime: string) =>
  buildLayerArchive({ source, compatibleRuntimes: [runtime], outDir, s3Upload: true });

/** A real Python layer: packages installed on this machine, copied (symlinks resolved). */
function realPythonLayer(): string {
  const dir = tempDir("real-py-");
  fs.mkdirSync(path.join(dir, "python"));
  for (const pkg of ["jinja2", "yaml", "pygments", "markupsafe", "werkzeug"]) {
    const from = path.join("/usr/lib/python3/dist-packages", pkg);
    if (!fs.existsSync(from)) throw new Error(`${from} is needed for this test (Debian python3 packages)`);
    fs.cpSync(from, path.join(dir, "python", pkg), { recursive: true, dereference: true });
  }
  return dir;
}

/** An index record's JSON: between its format line and its seal (the SHA-256 line). */
function indexRecord(file: string): Record<string, unknown> {
  const text = fs.readFileSync(file, "utf8");
  expect(text.slice(0, text.indexOf("\n") + 1)).toBe("cdktf-lambda-layers index record 2\n");
  return JSON.parse(text.slice(text.indexOf("\n") + 1, -65));
}

describe("entry cache: one changed file costs one file", () => {
  /** Runs `fn`, returning the files under `dir` it opened (through Node's one `fs` object, as every module does). */
  function openedUnder<T>(dir: string, fn: () => T): { result: T; opened: string[] } {
    const nodeFs = require("fs") as typeof fs;
    const openSync = nodeFs.openSync;
    const opened: string[] = [];
    nodeFs.openSync = ((...args: Parameters<typeof fs.openSync>) => {
      opened.push(String(args[0]));
      return openSync(...args);
    }) as typeof fs.openSync;
    try {
      return { result: fn(), opened: opened.filter((p) => p.startsWith(dir)) };
    } finally {
      nodeFs.openSync = openSync;
    }
  }
  const archivesIn = (cache: string) => fs.readdirSync(path.join(cache, "archives")).sort();

  const generated = () => {
    const dir = tempDir("gen-");
    generateTree(dir, 6, 600);
    return dir;
  };
  test.each([
    ["the generated bench tree", generated, "python3.12"],
    ["a real Python layer (Debian's CPython 3.11 packages)", realPythonLayer, "python3.11"],
  ])("on %s, a rebuild copies every unchanged entry and its zip is byte-identical to a build from nothing", (_, makeSource, runtime) => {
    const src = makeSource();
    const build = (source: string, outDir: string) => buildOnRuntime(source, outDir, runtime);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    expect(first.cache).toBe("built");
    expect(first.entriesReused).toBe(0);

    const victim = first.entries.find((e) => e.endsWith(".py"))!;
    fs.appendFileSync(path.join(src, victim), "\n# changed\n");
    fs.writeFileSync(path.join(src, "python", "added_module.py"), "ADDED = True\n");
    const second = build(src, cache);
    expect(second.cache).toBe("built");
    expect(second.entriesCompressed).toBe(2);
    expect(second.entriesReused).toBe(first.entries.length - 1);

    const fromNothing = build(src, tempDir("fresh-"));
    expect(fromNothing.entriesReused).toBe(0);
    expect(fs.readFileSync(second.path).equals(fs.readFileSync(fromNothing.path))).toBe(true);
    expect(second.zipSha256).toBe(fromNothing.zipSha256);
    expect(second.contentSha256).toBe(fromNothing.contentSha256);
    execFileSync("unzip", ["-tq", second.path]);
  });

  test("only the changed file is read again: the others' hashes and entries come from the source index, unread", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 100);
    settle();
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const changed = path.join(src, first.entries[5]);
    fs.appendFileSync(changed, "\n# changed\n");
    const { result: second, opened } = openedUnder(src, () => build(src, cache));
    // The native-binary rules read the first bytes of each compiled file (cheap, and they depend on
    // the declared runtimes); of the rest, only the changed file is opened.
    const binaries = first.entries.filter((e) => e.endsWith(".so")).map((e) => path.join(src, e));
    expect(binaries.length).toBeGreaterThan(0);
    expect(opened.filter((p) => !binaries.includes(p))).toEqual([changed]);
    expect([second.entriesCompressed, second.entriesReused]).toEqual([1, first.entries.length - 1]);
    // And after `touch`, every file is read and hashed again, but none is compressed again.
    execFileSync("find", [src, "-type", "f", "-exec", "touch", "{}", "+"]);
    const touched = build(src, cache);
    expect(touched.cache).toBe("content-hit");
    expect(touched.contentSha256).toBe(second.contentSha256);
  });

  test("a zip identical to the last one is not written again, and is still filed when its index records were lost", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 50);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    fs.rmSync(path.join(cache, "index"), { recursive: true });
    execFileSync("find", [src, "-type", "f", "-exec", "touch", "{}", "+"]);
    const again = build(src, cache);
    expect([again.cache, again.entriesCompressed, again.entriesReused]).toEqual(["built", 0, first.entries.length]);
    expect(again.zipSha256).toBe(first.zipSha256);
    expect(fs.readFileSync(again.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
    expect(fs.readdirSync(cache).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
  });

  test("after touch, the files are hashed and nothing is compressed or written; the index learns their new metadata", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 100);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const zipBefore = fs.statSync(first.path);
    execFileSync("find", [src, "-type", "f", "-exec", "touch", "-d", "2030-01-01", "{}", "+"]);
    settle(); // the touch stamped every ctime: until the window has passed, a rebuild hashes them again
    const touched = build(src, cache);
    expect([touched.cache, touched.path, touched.zipSha256]).toEqual(["content-hit", first.path, first.zipSha256]);
    expect(touched.entriesCompressed).toBeUndefined();
    expect(archivesIn(cache)).toEqual([first.zipSha256]);
    expect(fs.statSync(first.path).ino).toBe(zipBefore.ino); // the same file, not a copy
    expect(fs.readdirSync(cache).filter((n) => n.startsWith(".tmp-"))).toEqual([]);
    // The source index took the new times: after one more change, only that file is read.
    const changed = path.join(src, first.entries[7]);
    fs.appendFileSync(changed, "\n# changed\n");
    const binaries = first.entries.filter((e) => e.endsWith(".so")).map((e) => path.join(src, e));
    const { result: next, opened } = openedUnder(src, () => build(src, cache));
    expect(opened.filter((p) => !binaries.includes(p))).toEqual([changed]);
    expect([next.cache, next.entriesCompressed, next.entriesReused]).toEqual(["built", 1, first.entries.length - 1]);
  });

  test("a file edited in place to the same size is hashed, found new and compressed; the others are copied unread", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 100);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const victim = path.join(
      src,
      first.entries.find((e) => e.endsWith(".py"))!,
    );
    const bytes = fs.readFileSync(victim);
    bytes[0] = bytes[0] === 0x23 ? 0x20 : 0x23; // same size, other content
    fs.writeFileSync(victim, bytes);
    const second = build(src, cache);
    expect([second.cache, second.entriesCompressed, second.entriesReused]).toEqual(["built", 1, first.entries.length - 1]);
    expect(second.contentSha256).not.toBe(first.contentSha256);
    expect(fs.readFileSync(second.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
    // Edited back: the same names and sizes, and content built before: that archive, nothing written.
    bytes[0] = bytes[0] === 0x23 ? 0x20 : 0x23;
    fs.writeFileSync(victim, bytes);
    const back = build(src, cache);
    expect([back.cache, back.path, back.zipSha256]).toEqual(["content-hit", first.path, first.zipSha256]);
    expect(archivesIn(cache)).toEqual([first.zipSha256, second.zipSha256].sort());
  });

  test("a file the secret rules cleared is not read by them again while its bytes stay the same", () => {
    const src = tempDir("gen-");
    // "cret" is a keyword of the AWS secret key rule: the pre-scan marks the file, the rules find a placeholder.
    writeTree(src, {
      "python/settings.py": 'aws_secret_access_key = None\nSECRET_NAME = "db"\n',
      "python/other.py": "X = 1\n",
      "python/.npmrc": "registry=https://registry.npmjs.org/\n",
    });
    settle();
    const cache = tempDir("cache-");
    const settings = path.join(src, "python", "settings.py");
    const npmrc = path.join(src, "python", ".npmrc");
    const count = (opened: string[], file: string) => opened.filter((p) => p === file).length;
    const first = openedUnder(src, () => build(src, cache));
    expect(count(first.opened, settings)).toBe(2); // the engine, then the rules
    fs.appendFileSync(path.join(src, "python", "other.py"), "Y = 2\n");
    const second = openedUnder(src, () => build(src, cache));
    expect(second.result.cache).toBe("built");
    expect(count(second.opened, settings)).toBe(0);
    // A credential file is read by its own syntax on every build that is not a metadata hit.
    expect(count(second.opened, npmrc)).toBe(1);
    // After touch its bytes are hashed again, but they are the bytes the rules cleared.
    execFileSync("touch", ["-d", "2030-01-01", settings]);
    const touched = openedUnder(src, () => build(src, cache));
    expect(touched.result.cache).toBe("content-hit");
    expect(count(touched.opened, settings)).toBe(1);
    // New bytes go to the rules again, and a real key in them is refused.
    fs.writeFileSync(settings, 'aws_secret_access_key = "wJalrXUtnFEMI/K7MDENGbPxRfiCYzQ2mLkP9vTq"\n');
    expect(() => build(src, cache)).toThrow(/settings\.py:1 \(AWS secret access key\)/);
  });

  test("a removed file leaves the rest reused and the bytes those of a fresh build", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 100);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    fs.rmSync(path.join(src, first.entries[3]));
    const second = build(src, cache);
    expect([second.entriesCompressed, second.entriesReused]).toEqual([0, first.entries.length - 1]);
    expect(fs.readFileSync(second.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
  });

  test("a renamed file's entry is copied by its hash; a new copy of an unchanged file is compressed; the bytes are a fresh build's", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 100);
    // Older than the first build's racy window: the unchanged original must count as unchanged.
    settle();
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const [renamed, copied] = [first.entries[3], first.entries[7]];
    fs.renameSync(path.join(src, renamed), path.join(src, "python/zz_renamed.py"));
    fs.copyFileSync(path.join(src, copied), path.join(src, "python/zz_copy.py"));
    const second = build(src, cache);
    // The renamed file's old row is kept by no file, so its content is known; the copied file's row
    // is kept by the unchanged original, so the copy is compressed again (to the same bytes).
    expect([second.cache, second.entriesCompressed, second.entriesReused]).toEqual(["built", 1, first.entries.length]);
    expect(second.entries).toEqual(expect.arrayContaining(["python/zz_renamed.py", "python/zz_copy.py"]));
    expect(fs.readFileSync(second.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
  });
});

describe("already-compressed members", () => {
  test("a Java layer of real jars, gzip files and images: compressed streams stored, and the zip no bigger than deflating all gives", () => {
    const src = tempDir("java-");
    const lib = path.join(src, "java", "lib");
    fs.mkdirSync(lib, { recursive: true });
    const jars = fs
      .readdirSync("/usr/share/java")
      .filter((n) => n.endsWith(".jar") && !fs.lstatSync(path.join("/usr/share/java", n)).isSymbolicLink());
    expect(jars.length).toBeGreaterThan(20);
    for (const jar of jars) fs.copyFileSync(path.join("/usr/share/java", jar), path.join(lib, jar));
    const streams = ["/usr/share/doc/python3-pip/html/topics/deps.png", "/usr/share/doc/nodejs/contributing/doc_img/compare-boxplot.png"];
    streams.push(
      ...fs
        .readdirSync("/usr/share/doc")
        .slice(0, 40)
        .map((d) => path.join("/usr/share/doc", d, "changelog.Debian.gz")),
    );
    const assets = streams.filter((f) => fs.existsSync(f));
    expect(assets.length).toBeGreaterThan(10);
    assets.forEach((f, i) => fs.copyFileSync(f, path.join(lib, `asset-${i}${path.extname(f)}`)));

    const built = buildLayerArchive({ source: src, compatibleRuntimes: ["java21"], outDir: tempDir("cache-") });
    const script =
      "import json,sys,zipfile\nprint(json.dumps({i.filename: [i.compress_type, i.compress_size] for i in zipfile.ZipFile(sys.argv[1]).infolist()}))";
    const inZip: Record<string, [number, number]> = JSON.parse(execFileSync("python3", ["-c", script, built.path], { encoding: "utf8" }));
    let ours = 0;
    let deflatingAll = 0;
    for (const name of fs.readdirSync(lib)) {
      const data = fs.readFileSync(path.join(lib, name));
      const [method, size] = inZip[`java/lib/${name}`];
      if (name.endsWith(".gz")) expect([name, method, size]).toEqual([name, 0, data.length]);
      if (name === "asset-1.png") expect(method).toBe(8); // a PNG of unshrunk pixels: its sample says deflate
      ours += size;
      deflatingAll += Math.min(data.length, zlib.deflateRawSync(data, { level: 6 }).length); // the previous release: deflate unless it grows
    }
    expect(ours).toBeLessThanOrEqual(deflatingAll * 1.001);
    execFileSync("unzip", ["-tq", built.path]);
  });
});

describe("cache health", () => {
  test("a source index reads back exactly (any name, the numbers to the last bit), and a torn or foreign one is no index", () => {
    const cache = tempDir("cache-");
    const names = ["python/a b.py", "python/é/ünïcode.py", "python/new\nline.py"];
    const index = {
      zip: "archives/x/y.zip",
      zipSha256: "ab".repeat(32),
      names,
      paths: names.map((n) => `/src/${n}`),
      shas: "0123456789abcdef".repeat(12),
      numbers: Float64Array.from({ length: 30 }, (_, i) => (i === 1 ? 1764435010123.456 : i === 3 ? 2 ** 53 - 1 : i * 7)),
      readAt: 1764435010999.25,
    };
    saveSourceIndex(cache, "k", index);
    expect(loadSourceIndex(cache, "k")).toEqual(index);
    const file = path.join(cache, "sources", "k.bin");
    const bytes = fs.readFileSync(file);
    const warnings: string[] = [];
    const warn = (w: string) => warnings.push(w);
    fs.writeFileSync(file, bytes.subarray(0, bytes.length - 8));
    expect(loadSourceIndex(cache, "k", warn)).toBeUndefined();
    expect(fs.existsSync(file)).toBe(false); // removed: the next build writes a good one
    fs.writeFileSync(file, JSON.stringify(index));
    expect(loadSourceIndex(cache, "k", warn)).toBeUndefined();
    expect(warnings).toEqual([expect.stringMatching(/did not match its checksum \(damaged or truncated\)/), expect.anything()]);
    // Another version's index is no index, and no damage: rebuilt without a word.
    fs.writeFileSync(file, Buffer.concat([Buffer.from("cdktf-lambda-layers source index 1\n"), bytes.subarray(35)]));
    expect(loadSourceIndex(cache, "k", warn)).toBeUndefined();
    expect(loadSourceIndex(cache, "missing", warn)).toBeUndefined();
    expect(warnings).toHaveLength(2);
  });

  test("index records keep no entry names (a hit returns the files' own); an older version's record is not read", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 50);
    writeTree(src, { "python/new\nline.py": "A = 1\n" });
    settle();
    const cache = tempDir("cache-");
    const first = build(src, cache);
    expect(first.entries).toContain("python/new\nline.py");
    const records = fs.readdirSync(path.join(cache, "index")).map((f) => path.join(cache, "index", f));
    expect(records.length).toBeGreaterThan(0);
    for (const file of records) {
      const record = indexRecord(file);
      expect(record).not.toHaveProperty("entries");
      expect(record.zipSha256).toBe(first.zipSha256);
    }

    const hit = build(src, cache);
    expect(hit.cache).toBe("metadata-hit");
    expect(hit.entries).toEqual(first.entries);
    // What versions before the seal and the racy rule wrote (plain JSON, no readAt) vouches for nothing.
    for (const file of records) {
      fs.writeFileSync(file.replace(/\.rec$/, ".json"), JSON.stringify({ ...indexRecord(file), entries: ["python/stale.py"] }));
      fs.rmSync(file);
    }
    // Filed again from the source index: every entry copied, nothing compressed, no warning.
    const old = build(src, cache);
    expect([old.cache, old.entriesCompressed, old.entries, old.zipSha256, old.warnings]).toEqual([
      "built",
      0,
      first.entries,
      first.zipSha256,
      [],
    ]);
  });

  test("a truncated cached zip is detected by its hash, rebuilt with a warning, and never returned", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 50);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const good = fs.readFileSync(first.path);
    fs.truncateSync(first.path, good.length - 100);

    const again = build(src, cache);
    expect(again.cache).toBe("built");
    expect(again.warnings.join("\n")).toMatch(/did not match its SHA-256 \(corrupted or truncated\): removed, and rebuilt/);
    expect(fs.readFileSync(again.path).equals(good)).toBe(true);
  });

  test("a corrupted zip is not used as a source of entries: everything is compressed again, with a warning", () => {
    const src = tempDir("gen-");
    generateTree(src, 1, 50);
    const cache = tempDir("cache-");
    const first = build(src, cache);
    const bytes = fs.readFileSync(first.path);
    bytes[200] ^= 0xff;
    fs.writeFileSync(first.path, bytes);
    fs.appendFileSync(path.join(src, first.entries[0]), "# changed\n");

    const second = build(src, cache);
    expect([second.entriesCompressed, second.entriesReused]).toEqual([first.entries.length, 0]);
    expect(second.warnings.join("\n")).toMatch(/did not match its SHA-256/);
    expect(fs.readFileSync(second.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
  });

  describe("a damaged cache record is discarded with a warning, never used: the rebuild is a fresh build's bytes", () => {
    /** Rewrites one row's field in the source index in place: the same length, so only the seal can tell. */
    function alterSourceIndex(
      cache: string,
      entry: string,
      alter: (bytes: Buffer, field: (f: SourceField) => number, sha: number) => void,
    ) {
      const dir = path.join(cache, "sources");
      const [name] = fs.readdirSync(dir);
      const file = path.join(dir, name);
      const index = loadSourceIndex(cache, name.replace(/\.bin$/, ""))!;
      const row = index.names.indexOf(entry);
      expect(row).toBeGreaterThanOrEqual(0);
      const bytes = fs.readFileSync(file);
      const numbersAt = bytes.length - 65 - index.names.length * SOURCE_FIELDS * 8;
      alter(bytes, (f) => numbersAt + (row * SOURCE_FIELDS + f) * 8, numbersAt - index.names.length * 32 + row * 32);
      fs.writeFileSync(file, bytes);
    }
    // Each damage, and whether another file is edited (so that the metadata misses and the source index is read).
    const damages: Array<[string, (cache: string, entry: string) => void, boolean?]> = [
      // What each did before the seal: a zip failing `unzip -t` under a clean build's content hash,
      // a bad-CRC (stored) entry, a wrong content identity, and a raw RangeError.
      [
        "an entry offset",
        (cache, entry) =>
          alterSourceIndex(cache, entry, (b, at) => b.writeDoubleLE(b.readDoubleLE(at(SourceField.Offset)) + 2, at(SourceField.Offset))),
      ],
      ["a compression method", (cache, entry) => alterSourceIndex(cache, entry, (b, at) => b.writeDoubleLE(0, at(SourceField.Method)))],
      ["a hash byte", (cache, entry) => alterSourceIndex(cache, entry, (b, _, sha) => (b[sha + 5] ^= 0x01))],
      ["a CRC", (cache, entry) => alterSourceIndex(cache, entry, (b, at) => (b[at(SourceField.Crc32) + 7] ^= 0x80))],
      [
        "the index records' source_code_hash",
        (cache) => {
          for (const name of fs.readdirSync(path.join(cache, "index"))) {
            const file = path.join(cache, "index", name);
            const text = fs.readFileSync(file, "latin1");
            fs.writeFileSync(
              file,
              text.replace(/"contentBase64Sha256":"(.)/, (_, c: string) => `"contentBase64Sha256":"${c === "A" ? "B" : "A"}`),
              "latin1",
            );
          }
        },
        false,
      ],
    ];
    test.each(damages)("%s", (_, damage, edit = true) => {
      const src = tempDir("gen-");
      generateTree(src, 1, 60);
      settle();
      const cache = tempDir("cache-");
      const first = build(src, cache);
      const kept = first.entries.find((e) => e.endsWith(".py"))!;
      const edited = first.entries.filter((e) => e.endsWith(".py"))[3];
      expect(first.entries.filter((e) => e === kept || e === edited)).toHaveLength(2);
      damage(cache, kept);
      // Another file edited: the metadata misses, and the unchanged files' rows would be used.
      if (edit) fs.appendFileSync(path.join(src, edited), "# edited\n");
      settle();
      const again = build(src, cache);
      expect(again.warnings).toContainEqual(
        expect.stringMatching(
          /^the cache record .+ did not match its checksum \(damaged or truncated\): removed, and rebuilt from the source$/,
        ),
      );
      const fresh = build(src, tempDir("fresh-"));
      expect([again.contentSha256, again.contentBase64Sha256, again.zipSha256]).toEqual([
        fresh.contentSha256,
        fresh.contentBase64Sha256,
        fresh.zipSha256,
      ]);
      expect(fs.readFileSync(again.path).equals(fs.readFileSync(fresh.path))).toBe(true);
      execFileSync("unzip", ["-tq", again.path]);
      // Repaired: the next build finds good records, and says nothing.
      const next = build(src, cache);
      expect([next.cache, next.warnings]).toEqual(["metadata-hit", []]);
    });
  });

  test.each([
    [
      "a byte of a file changed (same size)",
      (file: string) => fs.writeFileSync(file, Buffer.from(fs.readFileSync(file).map((b, i) => (i === 0 ? b ^ 1 : b)))),
    ],
    ["a file made executable", (file: string) => fs.chmodSync(file, 0o755)],
    ["a file added", (file: string) => fs.writeFileSync(`${file}.extra`, "")],
    ["a file removed", (file: string) => fs.rmSync(file)],
  ])("a staged folder that no longer holds its content (%s) is staged again, with a warning", (_, damage) => {
    const src = tempDir("gen-");
    generateTree(src, 1, 40);
    settle();
    const cache = tempDir("cache-");
    const first = build(src, cache, { stage: true });
    const victim = first.entries.find((e) => e.endsWith(".py"))!;
    damage(path.join(first.stagedDir!, victim));
    const again = build(src, cache, { stage: true });
    expect(again.cache).toBe("metadata-hit");
    expect(again.warnings).toEqual([
      `the staged folder ${first.stagedDir} did not hold the content it is named after (changed or damaged): removed, and staged again`,
    ]);
    expect(again.stagedDir).toBe(first.stagedDir);
    execFileSync("diff", ["-r", src, again.stagedDir!]);
    expect(fs.statSync(path.join(again.stagedDir!, victim)).mode & 0o777).toBe(0o644);
    expect(build(src, cache, { stage: true }).warnings).toEqual([]);
  });

  test("after touch, content is a hit under the allowances it was scanned with, and refused without them", () => {
    const src = tempDir("secret-");
    writeTree(src, { "python/conf.ini": rsaPrivateKeyPem(), "python/a.py": "A = 1\n" });
    const cache = tempDir("cache-");
    expect(build(src, cache, { allowSecrets: ["python/conf.ini"] }).cache).toBe("built");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(src, "python/a.py"), later, later);
    expect(build(src, cache, { allowSecrets: ["python/conf.ini"] }).cache).toBe("content-hit");
    expect(() => build(src, cache)).toThrow(/private key/);
  });

  test("two processes building the same layer into one cache at once get the same bytes and no error", async () => {
    const src = tempDir("gen-");
    generateTree(src, 8, 400);
    const cache = tempDir("shared-cache-");
    const script = `require("ts-node/register/transpile-only");
const a = require("./modules").buildLayerArchive({ source: ${JSON.stringify(src)}, compatibleRuntimes: ["python3.12"], outDir: ${JSON.stringify(cache)}, s3Upload: true, stage: true });
process.stdout.write(JSON.stringify({ path: a.path, zipSha256: a.zipSha256, sha: require("crypto").createHash("sha256").update(require("fs").readFileSync(a.path)).digest("hex") }));`;
    const run = () =>
      new Promise<{ code: number | null; out: string; err: string }>((resolve) => {
        const child = spawn(process.execPath, ["-e", script], { cwd: repoRoot, env: { ...process.env, CDKTF_LAYERS_QUIET: "1" } });
        let out = "";
        let err = "";
        child.stdout.on("data", (d) => (out += d));
        child.stderr.on("data", (d) => (err += d));
        child.on("close", (code) => resolve({ code, out, err }));
      });
    const [a, b] = await Promise.all([run(), run()]);
    expect([a.code, a.err, b.code, b.err]).toEqual([0, "", 0, ""]);
    const [ra, rb] = [JSON.parse(a.out), JSON.parse(b.out)];
    expect(ra.path).toBe(rb.path);
    expect([ra.sha, rb.sha]).toEqual([ra.zipSha256, ra.zipSha256]);
    expect(fs.readFileSync(ra.path).equals(fs.readFileSync(build(src, tempDir("fresh-")).path))).toBe(true);
  });

  test("the prune removes least recently used archives down to the bound, keeping the current one and recent ones", () => {
    const cache = tempDir("prune-");
    const old = Date.now() - 3 * 3600_000;
    const dirs = ["a", "b", "c"].map((name, i) => {
      const dir = path.join(cache, "archives", name);
      writeTree(dir, { "x.zip": Buffer.alloc(1000) });
      const used = new Date(old + i * 60_000);
      fs.utimesSync(path.join(dir, "x.zip"), used, used);
      return dir;
    });
    writeTree(path.join(cache, "archives", "recent"), { "x.zip": Buffer.alloc(1000) });

    const removed = pruneArchives(cache, 1500, [dirs[0]]);
    expect(removed).toEqual([dirs[1], dirs[2]]);
    expect(fs.readdirSync(path.join(cache, "archives")).sort()).toEqual(["a", "recent"]);
  });

  test.each([
    [undefined, 2048],
    ["512", 512],
  ])("CDKTF_LAYERS_CACHE_MAX_MIB=%s bounds the cache at %i MB", (value, mb) => {
    expect(cacheMaxBytes(value === undefined ? {} : { CDKTF_LAYERS_CACHE_MAX_MIB: value })).toBe(mb * 2 ** 20);
  });

  test.each(["0", "-5", "1.5", "lots"])("CDKTF_LAYERS_CACHE_MAX_MIB=%s is refused, naming the setting and the fix", (value) => {
    expect(() => cacheMaxBytes({ CDKTF_LAYERS_CACHE_MAX_MIB: value })).toThrow(/CDKTF_LAYERS_CACHE_MAX_MIB.*positive whole number.*2048/s);
  });

  test("a bad CDKTF_LAYERS_CACHE_MAX_MIB stops a build before anything is written", () => {
    const cache = tempDir("cache-");
    const src = tempDir("gen-");
    generateTree(src, 1, 10);
    const previous = process.env.CDKTF_LAYERS_CACHE_MAX_MIB;
    process.env.CDKTF_LAYERS_CACHE_MAX_MIB = "lots";
    try {
      expect(() => build(src, cache)).toThrow(/CDKTF_LAYERS_CACHE_MAX_MIB/);
      expect(fs.readdirSync(cache)).toEqual([]);
    } finally {
      if (previous === undefined) delete process.env.CDKTF_LAYERS_CACHE_MAX_MIB;
      else process.env.CDKTF_LAYERS_CACHE_MAX_MIB = previous;
    }
  });

  test("a build over the bound prunes older archives of the same cache", () => {
    const cache = tempDir("cache-");
    const stale = path.join(cache, "archives", "stale");
    writeTree(stale, { "x.zip": Buffer.alloc(4 << 20) });
    const long = new Date(Date.now() - 3600_000);
    fs.utimesSync(path.join(stale, "x.zip"), long, long);
    const src = tempDir("gen-");
    generateTree(src, 1, 20);
    const previous = process.env.CDKTF_LAYERS_CACHE_MAX_MIB;
    process.env.CDKTF_LAYERS_CACHE_MAX_MIB = "2";
    try {
      const built = build(src, cache);
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.existsSync(built.path)).toBe(true);
    } finally {
      if (previous === undefined) delete process.env.CDKTF_LAYERS_CACHE_MAX_MIB;
      else process.env.CDKTF_LAYERS_CACHE_MAX_MIB = previous;
    }
  });
});
