// The archive cache's upkeep: what the last build of a source knew of each file (so a changed file
// costs one file: the others' hashes and compressed bytes are reused), integrity checks by hash before anything cached is shipped or
// reused, and an LRU prune that bounds the cache's size. Every write is a unique temporary file
// renamed into place, so two synths may share one cache.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { errors } from "./errors";

/** The cache's default bound on its archives, in MiB (`CDKTF_LAYERS_CACHE_MAX_MIB`). */
export const DEFAULT_CACHE_MAX_MB = 2048;
/** Archives used this recently are never pruned: a synth running beside this one may be copying them. */
export const PRUNE_GRACE_MS = 10 * 60 * 1000;

/**
 * The bound on the archives the cache keeps, in bytes: `CDKTF_LAYERS_CACHE_MAX_MIB` or 2048 MiB.
 * @throws LayerValidationError for anything but a positive integer.
 */
export function cacheMaxBytes(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CDKTF_LAYERS_CACHE_MAX_MIB;
  if (raw === undefined || raw === "") return DEFAULT_CACHE_MAX_MB * 2 ** 20;
  if (!/^[1-9][0-9]*$/.test(raw.trim())) throw errors.invalidCacheMax(raw);
  return Number(raw.trim()) * 2 ** 20;
}

/**
 * The last zip built for a source (under one compressor's settings) and what it knew of each file,
 * in columns (a few flat arrays read and write faster than an object per file): per file its
 * archive path, the path read, its content's SHA-256 (64 hex characters each, concatenated), and
 * SOURCE_FIELDS numbers, in the order of SourceField.
 */
export interface SourceIndex {
  /** The zip, relative to the cache folder. */
  readonly zip: string;
  readonly zipSha256: string;
  readonly names: readonly string[];
  readonly paths: readonly string[];
  readonly shas: string;
  readonly numbers: Float64Array;
}

/**
 * The numbers kept per file: its metadata (size, mtime, ctime, inode, the "compressed" name hint),
 * where its compressed bytes are in the zip (data offset, compressed size, crc32, method) and
 * what the secret rules know of its bytes (0 no keyword, 1 marked by the pre-scan, 2 marked and
 * cleared by the rules).
 */
export enum SourceField {
  Size,
  MtimeMs,
  CtimeMs,
  Ino,
  Hint,
  Offset,
  CompressedSize,
  Crc32,
  Method,
  SecretMark,
}
export const SOURCE_FIELDS = 10;

/**
 * On disk, a source index is binary, so that reading it decodes no text per file: a first line
 * naming the format, a JSON line (zip, zipSha256, count and the byte lengths of the two name
 * lists), then the archive paths and the paths read (UTF-8, each list joined by NUL, which no path
 * holds), the SHA-256s (32 bytes each), and the numbers as float64 (exact; as decimal text,
 * converting a hundred thousand of them would cost more than the rest).
 */
const SOURCE_INDEX_FORMAT = "cdktf-lambda-layers source index 1\n";

/** The source index saved under `key`, or undefined (none yet, or a torn or foreign file). */
export function loadSourceIndex(cacheDir: string, key: string): SourceIndex | undefined {
  try {
    const bytes = fs.readFileSync(sourceIndexPath(cacheDir, key));
    if (bytes.toString("latin1", 0, SOURCE_INDEX_FORMAT.length) !== SOURCE_INDEX_FORMAT) return undefined;
    const lineEnd = bytes.indexOf(10, SOURCE_INDEX_FORMAT.length);
    const head = JSON.parse(bytes.toString("utf8", SOURCE_INDEX_FORMAT.length, lineEnd)) as {
      zip: string;
      zipSha256: string;
      count: number;
      namesBytes: number;
      pathsBytes: number;
    };
    const n = head.count;
    let at = lineEnd + 1;
    const list = (length: number) => {
      const text = bytes.toString("utf8", at, (at += length));
      return n === 0 ? [] : text.split("\0");
    };
    const names = list(head.namesBytes);
    const paths = list(head.pathsBytes);
    const shas = bytes.toString("hex", at, (at += n * 32));
    // A copy into memory of its own: a float64 view must start on an 8-byte boundary.
    const numbers = new Float64Array(new Uint8Array(bytes.subarray(at, at + n * SOURCE_FIELDS * 8)).buffer);
    const whole =
      typeof head.zip === "string" &&
      names.length === n &&
      paths.length === n &&
      shas.length === n * 64 &&
      numbers.length === n * SOURCE_FIELDS &&
      at + numbers.byteLength === bytes.length;
    return whole ? { zip: head.zip, zipSha256: head.zipSha256, names, paths, shas, numbers } : undefined;
  } catch {
    return undefined;
  }
}

/** Records what a build knew of each file, for the next build of the same source. */
export function saveSourceIndex(cacheDir: string, key: string, index: SourceIndex): void {
  const file = sourceIndexPath(cacheDir, key);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`;
  const names = Buffer.from(index.names.join("\0"), "utf8");
  const paths = Buffer.from(index.paths.join("\0"), "utf8");
  const head = {
    zip: index.zip,
    zipSha256: index.zipSha256,
    count: index.names.length,
    namesBytes: names.length,
    pathsBytes: paths.length,
  };
  const { numbers } = index;
  fs.writeFileSync(
    tmp,
    Buffer.concat([
      Buffer.from(`${SOURCE_INDEX_FORMAT}${JSON.stringify(head)}\n`, "utf8"),
      names,
      paths,
      Buffer.from(index.shas, "hex"),
      Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength),
    ]),
  );
  fs.renameSync(tmp, file);
}

/**
 * Checks a cached zip against the SHA-256 it is filed under before it is shipped, and marks it
 * used (its mtime) for the LRU prune. A zip that is gone is a miss; one that does not match is
 * removed and a warning returned: the caller rebuilds it.
 */
export function checkCachedZip(zipPath: string, zipSha256: string): { ok: boolean; warning?: string } {
  let digest: string;
  try {
    digest = fileSha256(zipPath);
  } catch {
    return { ok: false };
  }
  if (digest !== zipSha256) return { ok: false, warning: discardCorrupt(zipPath) };
  markUsed(zipPath);
  return { ok: true };
}

/** Sets a zip's mtime to now: the prune removes the least recently used first. */
export function markUsed(zipPath: string): void {
  const now = new Date();
  try {
    fs.utimesSync(zipPath, now, now);
  } catch {
    // removed by a concurrent prune: the next build finds it missing and rebuilds it
  }
}

/**
 * Removes the least recently used archives until those left total at most `maxBytes`. Archives in
 * `keep` and any used within PRUNE_GRACE_MS stay, so the cache may stay above the bound for a while.
 * @returns the archive folders removed
 */
export function pruneArchives(cacheDir: string, maxBytes: number, keep: readonly string[] = [], now = Date.now()): string[] {
  const root = path.join(cacheDir, "archives");
  let folders: Array<{ dir: string; bytes: number; used: number }>;
  try {
    folders = fs
      .readdirSync(root, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => {
        const dir = path.join(root, d.name);
        let bytes = 0;
        let used = 0;
        for (const name of safeReaddir(dir)) {
          try {
            const stat = fs.statSync(path.join(dir, name));
            bytes += stat.size;
            used = Math.max(used, stat.mtimeMs);
          } catch {
            // removed meanwhile
          }
        }
        return { dir, bytes, used };
      });
  } catch {
    return [];
  }
  let total = folders.reduce((sum, f) => sum + f.bytes, 0);
  const kept = new Set(keep.map((k) => path.resolve(k)));
  const removed: string[] = [];
  for (const folder of folders.sort((a, b) => a.used - b.used)) {
    if (total <= maxBytes) break;
    if (kept.has(folder.dir) || now - folder.used < PRUNE_GRACE_MS) continue;
    fs.rmSync(folder.dir, { recursive: true, force: true });
    total -= folder.bytes;
    removed.push(folder.dir);
  }
  return removed;
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

export function discardCorrupt(zipPath: string): string {
  fs.rmSync(zipPath, { force: true });
  return `the cached archive ${zipPath} did not match its SHA-256 (corrupted or truncated): removed, and rebuilt from the source`;
}

function sourceIndexPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, "sources", `${key}.bin`);
}

/** Read in pieces through one buffer kept for the process: a fresh buffer the zip's size costs more in page faults than the read. */
let chunk: Buffer | undefined;

/** SHA-256 (hex) of a file's bytes. */
function fileSha256(file: string): string {
  chunk ??= Buffer.allocUnsafeSlow(1 << 20);
  const hash = crypto.createHash("sha256");
  const fd = fs.openSync(file, "r");
  try {
    for (let n = fs.readSync(fd, chunk, 0, chunk.length, null); n > 0; n = fs.readSync(fd, chunk, 0, chunk.length, null)) {
      hash.update(chunk.subarray(0, n));
    }
  } finally {
    fs.closeSync(fd);
  }
  return hash.digest("hex");
}
