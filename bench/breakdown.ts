// Where a full archive build spends its time, stage by stage, in one process on one tree.
// Usage: node dist/bench/breakdown.js <layer folder> [threads]; prints one JSON line of milliseconds.
// Each stage runs alone over every file, as the engine (modules/packaging/pack-engine.js) runs them per file.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as zlib from "zlib";
import { collectFiles } from "../modules/packaging/archive-builder";
import { parseRuntimes } from "../modules/aws/runtime";
import { SECRET_KEYWORDS } from "../modules/checks/secrets";
import { completePlan, DEFLATE_LEVEL, MEM_LEVEL, packZip } from "../modules/packaging/zip-writer";

const [source, threadsArg] = process.argv.slice(2);
const threads = Number(threadsArg ?? os.availableParallelism());
const ms: Record<string, number> = {};
function time<T>(stage: string, run: () => T): T {
  const started = process.hrtime.bigint();
  const result = run();
  ms[stage] = Math.round(Number(process.hrtime.bigint() - started) / 1e5) / 10;
  return result;
}

const engine = require("../modules/packaging/pack-engine.js") as {
  pack(plan: object, threads: number): unknown;
  mayHoldSecret(data: Uint8Array, keywords: readonly string[]): boolean;
};

const runtimes = parseRuntimes(["python3.12"]);
const { files } = time("walk (readdir + stat)", () =>
  collectFiles(path.resolve(source), source, "", [], { runtimes, cacheDir: os.tmpdir(), installDependencies: false }),
);
let scratch = Buffer.alloc(1 << 20);
const each = (stage: string, run: (data: Buffer) => void) =>
  time(stage, () => {
    for (const f of files) {
      if (scratch.length < f.size) scratch = Buffer.alloc(f.size * 2);
      const fd = fs.openSync(f.abs, "r");
      fs.readSync(fd, scratch, 0, f.size, 0);
      fs.closeSync(fd);
      run(scratch.subarray(0, f.size));
    }
  });
each("read (open, read, close into a reused buffer)", () => undefined);
const stages: Array<[string, (data: Buffer) => void]> = [
  ["read + per-file SHA-256", (d) => crypto.createHash("sha256").update(d).digest()],
  ["read + secret pre-scan (keywords, UTF-16)", (d) => engine.mayHoldSecret(d, SECRET_KEYWORDS)],
  ["read + CRC-32", (d) => zlib.crc32(d)],
  [
    `read + deflate level ${DEFLATE_LEVEL} (memLevel ${MEM_LEVEL}), this thread`,
    (d) => zlib.deflateRawSync(d, { level: DEFLATE_LEVEL, memLevel: MEM_LEVEL }),
  ],
];
for (const [stage, run] of stages) each(stage, run);

const entries = files.map((f) => ({ name: f.name, mode: f.mode, abs: f.abs, size: f.size, hint: 0 as const }));
const out = path.join(os.tmpdir(), `breakdown-${process.pid}.zip`);
time("engine on this thread (everything above, plus the zip written)", () =>
  engine.pack(completePlan({ out, entries, keywords: SECRET_KEYWORDS }), 0),
);
time(`engine on ${threads} worker threads`, () => packZip({ out, entries, keywords: [...SECRET_KEYWORDS] }, threads));
fs.rmSync(out, { force: true });
const zipOut = path.join(os.tmpdir(), `breakdown-infozip-${process.pid}.zip`);
time("Info-ZIP zip -r -X -q -6, whole job", () => spawnSync("zip", ["-r", "-X", "-q", "-6", zipOut, "."], { cwd: path.resolve(source) }));
fs.rmSync(zipOut, { force: true });
console.log(JSON.stringify({ files: files.length, mib: Math.round(files.reduce((s, f) => s + f.size, 0) / 2 ** 20), ms }));
