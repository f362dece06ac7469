// Where a full archive build spends its time, stage by stage, in one process on one tree.
// Usage: node dist/bench/breakdown.js <layer folder> [threads]; prints one JSON line of milliseconds.
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { collectFiles, contentIdentity } from "../modules/archive-builder";
import { compressAll, sharedContents } from "../modules/parallel-deflate";
import { parseRuntimes } from "../modules/runtime";
import { secretByContent } from "../modules/secrets";
import { DEFLATE_LEVEL, writeZipToFd } from "../modules/zip-writer";

const [source, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? 2);
const ms: Record<string, number> = {};
function time<T>(stage: string, run: () => T): T {
  const started = process.hrtime.bigint();
  const result = run();
  ms[stage] = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  return result;
}

const runtimes = parseRuntimes(["python3.12"]);
const { files } = time("walk", () =>
  collectFiles(path.resolve(source), source, "", [], { runtimes, cacheDir: os.tmpdir(), installDependencies: false }),
);
const contents = time("read", () =>
  sharedContents(
    files.map((f) => f.size),
    (i, into) => {
      const fd = fs.openSync(files[i].abs, "r");
      try {
        return fs.readSync(fd, into, 0, into.length, 0);
      } finally {
        fs.closeSync(fd);
      }
    },
    (i) => files[i].name,
  ),
);
time("secret scan", () => contents.forEach((c) => secretByContent(c)));
time("content identity (sha256)", () => contentIdentity(files, contents));
time("per-file sha256", () => contents.forEach((c) => crypto.createHash("sha256").update(c).digest()));
time("crc32", () => contents.forEach((c) => zlib.crc32(c)));
time("deflate, 1 thread", () => contents.forEach((c) => zlib.deflateRawSync(c, { level: DEFLATE_LEVEL })));
const compressed = time(`compressAll, ${threads} threads (crc32 + deflate + hand-off)`, () => compressAll(contents, threads));
const entries = files.map((f) => ({ name: f.name, mode: f.mode }));
const out = path.join(os.tmpdir(), `breakdown-${process.pid}.zip`);
time("write zip", () => {
  const fd = fs.openSync(out, "w");
  writeZipToFd(fd, entries, (i) => compressed[i]);
  fs.closeSync(fd);
});
fs.rmSync(out);
const bytes = contents.reduce((s, c) => s + c.length, 0);
process.stdout.write(`${JSON.stringify({ files: files.length, mb: Math.round(bytes / 2 ** 20), ms })}\n`);
