import { execFileSync, spawn } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { completePlan, hashContents, PackResult, packZip, PlannedEntry, THREADS_FROM_BYTES } from "../modules/packaging/zip-writer";
import { SECRET_KEYWORDS } from "../modules/checks/secrets";
import { tempDir } from "./helpers/files";

// The engine itself, run on this thread (threads 0) or on worker threads in this process.
const engine = require("../modules/packaging/pack-engine.js") as {
  pack(plan: object, threads: number, onEntry?: (i: number, r: [string]) => void): PackResult;
};

/** Writes files into a folder and plans them (sorted, with their folders) as the builder does. */
function planFiles(contents: Record<string, Buffer>, hint: (name: string) => 0 | 1 = () => 0): PlannedEntry[] {
  const dir = tempDir();
  const entries: PlannedEntry[] = [{ name: "python/", mode: 0o755 }];
  for (const name of Object.keys(contents).sort()) {
    const abs = path.join(dir, name);
    fs.writeFileSync(abs, contents[name]);
    entries.push({ name: `python/${name}`, mode: 0o644, abs, size: contents[name].length, hint: hint(name) });
  }
  return entries;
}

/**
 * A file entry that holds the calling thread: a FIFO whose 3 bytes a child process writes only after
 * `ms`. The calling thread takes it first and blocks on it, so every other file of the job goes to
 * the workers, whose failures are then the ones reported.
 */
function holdingFifo(ms: number): PlannedEntry {
  const abs = path.join(tempDir(), "a_fifo");
  execFileSync("mkfifo", [abs]);
  spawn("timeout", ["30", "sh", "-c", `sleep ${ms / 1000}; printf abc > "$0"`, abs], { stdio: "ignore" }).unref();
  return { name: "python/a_fifo", mode: 0o644, abs, size: 3 };
}

/** Each file entry as read back by Python's zipfile: [name, method, bytes]. */
function readBack(zip: string): Array<[string, number, Buffer]> {
  const listing = JSON.parse(
    require("child_process").execFileSync(
      "python3",
      [
        "-c",
        "import json,sys,zipfile\nz=zipfile.ZipFile(sys.argv[1])\nassert z.testzip() is None\nprint(json.dumps([[i.filename,i.compress_type,z.read(i).hex()] for i in z.infolist() if not i.is_dir()]))",
        zip,
      ],
      { encoding: "utf8", maxBuffer: 1 << 30 },
    ),
  ) as Array<[string, number, string]>;
  return listing.map(([name, method, hex]) => [name, method, Buffer.from(hex, "hex")]);
}

// Above the size that moves the work to a process of its own: text that deflates, random bytes that do not, empties.
const MIXED: Record<string, Buffer> = {};
for (let i = 0; i < 300; i++) {
  const name = `m${String(i).padStart(3, "0")}.py`;
  if (i % 7 === 0) MIXED[name] = Buffer.alloc(0);
  else if (i % 5 === 0) MIXED[name] = crypto.randomBytes(20_000 + i);
  else MIXED[name] = Buffer.from(`line ${i} of a python module\n`.repeat(1_000 + i * 3));
}

describe("the packing engine", () => {
  const entries = planFiles(MIXED);
  const total = Object.values(MIXED).reduce((s, b) => s + b.length, 0);

  test("writes the same zip on this thread, on 1, 2 and 3 threads (0, 1 and 2 workers) and through packZip, and the files read back byte for byte", () => {
    expect(total).toBeGreaterThan(THREADS_FROM_BYTES); // so that packZip runs the engine on worker threads
    const zips: Buffer[] = [];
    for (const threads of [0, 1, 2, 3]) {
      const out = path.join(tempDir(), "t.zip");
      const result = engine.pack(completePlan({ out, entries }), threads);
      expect([result.compressed, result.reused]).toEqual([entries.length - 1, 0]);
      zips.push(fs.readFileSync(out));
    }
    const out = path.join(tempDir(), "packzip.zip");
    const child = packZip({ out, entries }, 2);
    zips.push(fs.readFileSync(out));
    for (const zip of zips) expect(zip.equals(zips[0])).toBe(true);
    expect(child.zipSha256).toBe(crypto.createHash("sha256").update(zips[0]).digest("hex"));
    const back = readBack(out);
    expect(back.map(([name]) => name)).toEqual(entries.slice(1).map((e) => e.name));
    back.forEach(([name, method, bytes]) => {
      const original = MIXED[name.slice("python/".length)];
      expect(bytes.equals(original)).toBe(true);
      // Random bytes and empty files are stored (deflate would not shrink them); text is deflated.
      expect(method).toBe(original.length === 0 || isRandom(original) ? 0 : 8);
    });
    // Each file's SHA-256 and CRC-32 are reported, and the data offsets point at its bytes in the zip.
    child.entries.forEach((r, i) => {
      if (!r) return expect(entries[i].name.endsWith("/")).toBe(true);
      const original = MIXED[entries[i].name.slice("python/".length)];
      expect(r[0]).toBe(crypto.createHash("sha256").update(original).digest("hex"));
      expect(r[1]).toBe(zlib.crc32(original) >>> 0);
      const data = zips[0].subarray(r[4], r[4] + r[3]);
      expect((r[2] === 8 ? zlib.inflateRawSync(data) : data).equals(original)).toBe(true);
    });
  });

  test("a file that changed since it was listed fails the build with its name, on this thread and on workers, and leaves no zip", () => {
    const grown = entries.map((e) => (e.name === "python/m001.py" ? { ...e, size: (e.size ?? 0) - 1 } : e));
    for (const threads of [0, 2]) {
      expect(() => engine.pack(completePlan({ out: path.join(tempDir(), "x.zip"), entries: grown }), threads)).toThrow(
        /python\/m001\.py changed while the archive was being built \(\d+ bytes listed, more read\): build again/,
      );
    }
    // The calling thread held on a FIFO taken first: the worker meets the file and its error is the one reported.
    const held = [grown[0], holdingFifo(1500), ...grown.slice(1)];
    expect(() => engine.pack(completePlan({ out: path.join(tempDir(), "w.zip"), entries: held }), 2)).toThrow(
      /python\/m001\.py changed while the archive was being built/,
    );
    const out = path.join(tempDir(), "y.zip");
    expect(() => packZip({ out, entries: grown }, 2)).toThrow(/python\/m001\.py changed while the archive was being built/);
    expect(fs.existsSync(out)).toBe(false); // nothing is left half-written
    const gone = entries.map((e) => (e.name === "python/m002.py" ? { ...e, abs: `${e.abs}.missing` } : e));
    expect(() => packZip({ out, entries: gone }, 2)).toThrow(/ENOENT.*m002\.py\.missing/);
  });

  test("with files over 1 MiB among small ones (the workers take those first) the zip is the same on this thread and on two; onEntry sees every file in zip order, and what it throws removes the zip", () => {
    const withLarge = planFiles({
      ...Object.fromEntries(Object.entries(MIXED).slice(0, 40)),
      "m005.py": Buffer.from("big text\n".repeat(300_000)), // 2.6 MiB, among the small ones
      "m030.py": crypto.randomBytes(3 << 20),
    });
    const zips: Buffer[] = [];
    for (const threads of [0, 2]) {
      const out = path.join(tempDir(), "l.zip");
      const seen: Array<[number, string]> = [];
      const result = engine.pack(completePlan({ out, entries: withLarge }), threads, (i: number, r: [string]) => seen.push([i, r[0]]));
      const files = withLarge.flatMap((e, i) => (e.abs ? [i] : []));
      expect(seen).toEqual(files.map((i) => [i, result.entries[i]![0]]));
      zips.push(fs.readFileSync(out));
    }
    expect(zips[1].equals(zips[0])).toBe(true);
    const out = path.join(tempDir(), "t.zip");
    const stop = () => {
      throw new Error("refused by the caller");
    };
    expect(() => packZip({ out, entries: withLarge }, 2, stop)).toThrow("refused by the caller");
    expect(fs.existsSync(out)).toBe(false);
  });

  test("hashing alone gives each file's SHA-256 on this thread and on workers, and names a file that changed or is gone", () => {
    const files = entries.filter((e) => e.abs).map((e) => ({ name: e.name, abs: e.abs!, size: e.size! }));
    const expected = files.map((f) => crypto.createHash("sha256").update(fs.readFileSync(f.abs)).digest("hex"));
    for (const threads of [0, 1, 2, 3]) expect(hashContents(files, threads)).toEqual(expected);
    // Over THREADS_FROM_BYTES, so the default runs on worker threads.
    expect(hashContents(files)).toEqual(expected);
    const shrunk = files.map((f) => (f.name === "python/m006.py" ? { ...f, size: f.size + 1 } : f));
    const gone = files.map((f) => (f.name === "python/m009.py" ? { ...f, abs: `${f.abs}.missing` } : f));
    for (const threads of [0, 2]) {
      expect(() => hashContents(shrunk, threads)).toThrow(/python\/m006\.py changed while the archive was being built/);
      expect(() => hashContents(gone, threads)).toThrow(/ENOENT.*m009\.py\.missing/);
    }
    // The calling thread held on a FIFO it takes first: a worker meets the changed file, and the
    // calling thread, once free, takes no more files and reports the worker's error.
    const fifo = holdingFifo(1500);
    const held = [{ name: fifo.name, abs: fifo.abs!, size: 3 }, ...shrunk];
    expect(() => hashContents(held, 2)).toThrow(/python\/m006\.py changed while the archive was being built/);
  });

  test("a name that says compressed has the sample decide: noise is stored, text is still deflated, on this thread and on two", () => {
    const contents: Record<string, Buffer> = {};
    for (let i = 0; i < 40; i++) contents[`t${i}.gz`] = Buffer.from(`row ${i} of a module\n`.repeat(10_000));
    for (let i = 0; i < 10; i++) contents[`n${i}.gz`] = crypto.randomBytes(100_000);
    const hinted = planFiles(contents, () => 1);
    for (const threads of [0, 2]) {
      const out = path.join(tempDir(), "h.zip");
      const result = engine.pack(completePlan({ out, entries: hinted }), threads);
      result.entries.forEach((r, i) => r && expect(r[2]).toBe(hinted[i].name.includes("/t") ? 8 : 0));
    }
  });

  test("stores a large entry whose sample does not shrink, whatever its name", () => {
    const noise = Buffer.concat([crypto.randomBytes(300_000), Buffer.alloc(200_000, 0x61)]);
    const planned = planFiles({ "blob.py": noise });
    const result = engine.pack(completePlan({ out: path.join(tempDir(), "s.zip"), entries: planned }), 0);
    expect(result.entries[1]![2]).toBe(0);
    expect(result.entries[1]![3]).toBe(noise.length);
  });

  test("content known by its hash is copied from the earlier zip, not compressed again; a pack that fails its hash is not used", () => {
    const first = path.join(tempDir(), "first.zip");
    const a = engine.pack(completePlan({ out: first, entries }), 0);
    const known: Record<string, [number, number, number, 0 | 8]> = {};
    a.entries.forEach((r) => r && (known[r[0]] = [r[4], r[3], r[1], r[2]]));
    const second = path.join(tempDir(), "second.zip");
    const b = engine.pack(completePlan({ out: second, entries, known, pack: { path: first, sha256: a.zipSha256 } }), 2);
    // Every byte would be the first zip's: it is not written again.
    expect([b.compressed, b.reused, b.packRejected, b.sameAsPack, b.zipSha256]).toEqual([0, entries.length - 1, false, true, a.zipSha256]);
    expect(fs.existsSync(second)).toBe(false);
    // One file fewer: the common part is copied, the rest written, and the zip is a build from nothing's.
    const fewer = entries.filter((e) => e.name !== "python/m150.py");
    const partial = engine.pack(completePlan({ out: second, entries: fewer, known, pack: { path: first, sha256: a.zipSha256 } }), 2);
    const fresh = path.join(tempDir(), "fresh.zip");
    engine.pack(completePlan({ out: fresh, entries: fewer }), 0);
    expect(partial.sameAsPack).toBe(false);
    expect(fs.readFileSync(second).equals(fs.readFileSync(fresh))).toBe(true);
    expect(partial.zipSha256).toBe(crypto.createHash("sha256").update(fs.readFileSync(fresh)).digest("hex"));
    const third = path.join(tempDir(), "third.zip");
    const c = engine.pack(completePlan({ out: third, entries, known, pack: { path: first, sha256: "0".repeat(64) } }), 2);
    expect([c.compressed, c.reused, c.packRejected]).toEqual([entries.length - 1, 0, true]);
    expect(fs.readFileSync(third).equals(fs.readFileSync(first))).toBe(true);
  });

  test("entries larger than the windows the earlier zip is read through are copied and compared whole", () => {
    // Stored noise of 6 and 2 MiB (over the 4 MiB copy window and the 1 MiB compare window) between small text files.
    const big: Record<string, Buffer> = {
      "a.py": Buffer.from("a = 1\n".repeat(5_000)),
      "b.bin": crypto.randomBytes(6 << 20),
      "c.py": Buffer.from("c = 1\n".repeat(5_000)),
      "d.bin": crypto.randomBytes(2 << 20),
      "e.py": Buffer.from("e = 1\n".repeat(5_000)),
    };
    const planned = planFiles(big);
    const first = path.join(tempDir(), "first.zip");
    const a = engine.pack(completePlan({ out: first, entries: planned }), 0);
    const known: Record<string, [number, number, number, 0 | 8]> = {};
    a.entries.forEach((r) => r && (known[r[0]] = [r[4], r[3], r[1], r[2]]));
    const pack = { path: first, sha256: a.zipSha256 };
    // The same files: compared with the earlier zip a window at a time, and not written.
    const same = engine.pack(completePlan({ out: path.join(tempDir(), "same.zip"), entries: planned, known, pack }), 2);
    expect([same.sameAsPack, same.reused, same.zipSha256]).toEqual([true, 5, a.zipSha256]);
    // The last file changed: a prefix of over 8 MiB is copied, then the rest written; the zip is a build from nothing's.
    fs.appendFileSync(planned[5].abs!, "# changed\n");
    const changed = planned.map((e, i) => (i === 5 ? { ...e, size: e.size! + 10 } : e));
    const out = path.join(tempDir(), "changed.zip");
    const b = engine.pack(completePlan({ out, entries: changed, known, pack }), 2);
    const fresh = path.join(tempDir(), "fresh.zip");
    engine.pack(completePlan({ out: fresh, entries: changed }), 0);
    expect([b.sameAsPack, b.reused, b.compressed]).toEqual([false, 4, 1]);
    expect(fs.readFileSync(out).equals(fs.readFileSync(fresh))).toBe(true);
    // The first file changed: nothing is a prefix, and every big entry is copied from the earlier zip.
    fs.appendFileSync(planned[1].abs!, "# changed\n");
    const head = changed.map((e, i) => (i === 1 ? { ...e, size: e.size! + 10 } : e));
    const out2 = path.join(tempDir(), "head.zip");
    const c = engine.pack(completePlan({ out: out2, entries: head, known, pack }), 0);
    engine.pack(completePlan({ out: fresh, entries: head }), 0);
    expect([c.reused, c.compressed]).toEqual([3, 2]);
    expect(fs.readFileSync(out2).equals(fs.readFileSync(fresh))).toBe(true);
    expect(readBack(out2).map(([name, , bytes]) => [name, bytes.length])).toEqual(head.filter((e) => e.abs).map((e) => [e.name, e.size]));
  });

  test("marks files holding a secret rule's keyword or UTF-16 text, and no others", () => {
    const planned = planFiles({
      "plain.py": Buffer.from("x = 1\n".repeat(100)),
      "key.py": Buffer.from("KEY = 'AKIA' + rest\n"),
      "utf16.txt": Buffer.from("\ufeffhello world, a long enough line", "utf16le"),
    });
    const result = engine.pack(completePlan({ out: path.join(tempDir(), "k.zip"), entries: planned, keywords: ["AKIA", "cret"] }), 0);
    const suspect = Object.fromEntries(planned.flatMap((e, i) => (result.entries[i] ? [[e.name, result.entries[i]![5]]] : [])));
    expect(suspect).toEqual({ "python/key.py": 1, "python/plain.py": 0, "python/utf16.txt": 1 });
  });

  test("with the secret rules' own keywords, English text and a binary full of two-byte chance matches are not marked", () => {
    // A megabyte of noise holds "gh" about sixteen times. Any whole keyword chance put in it is broken up.
    const noise = crypto.randomBytes(1 << 20);
    for (const keyword of SECRET_KEYWORDS) for (let i = noise.indexOf(keyword); i >= 0; i = noise.indexOf(keyword, i)) noise[i] ^= 1;
    expect(noise.includes("gh")).toBe(true);
    const planned = planFiles({
      "lib.so": noise,
      "prose.py": Buffer.from("# the right thing, though it might be high enough\n".repeat(50)),
      "token.py": Buffer.from(`TOKEN = "ghp_${"a1B2".repeat(9)}"\n`),
    });
    const keywords = [...SECRET_KEYWORDS];
    const result = engine.pack(completePlan({ out: path.join(tempDir(), "g.zip"), entries: planned, keywords }), 0);
    const marked = planned.filter((_, i) => result.entries[i]?.[5] === 1).map((e) => e.name);
    expect(marked).toEqual(["python/token.py"]);
  });
});

function isRandom(b: Buffer): boolean {
  return zlib.deflateRawSync(b).length >= b.length;
}
