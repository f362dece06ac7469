// The archive cache's upkeep: what the last build of a source knew of each file (so a changed file
// costs one file: the others' hashes and compressed bytes are reused), integrity checks by hash before anything cached is shipped or
// reused, and an LRU prune that bounds the cache's size. Every write is a unique temporary file
// renamed into place, so two synths may share one cache. Every record read back carries a
// checksum over its bytes (a damaged one is removed, with a warning, and rebuilt), and metadata
// vouches for a file's content only when its timestamps are safely older than the moment its
// content was read (git's "racily clean" rule), whatever the filesystem's timestamp granularity.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { errors } from "../core/errors";

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
  /**
   * When the build that wrote it began reading files (ms since the epoch, before any was read): a
   * row's metadata vouches for its content only when the file is not racy (isRacy) against it.
   */
  readonly readAt: number;
}

/**
 * How far a timestamp may lag behind the moment of the write it records, in ms. A filesystem
 * stores timestamps truncated to its granularity, from the kernel's coarse clock (up to a jiffy,
 * 10 ms at HZ=100, behind the clock Date.now() reads). A timestamp in whole seconds may come from
 * a filesystem that keeps no finer: ext2/ext3 with 128-byte inodes, HFS+ and many network or
 * container mounts (1 s), FAT (2 s); it is given 2 s plus a jiffy's margin. A timestamp with a
 * fraction of a second proves its filesystem keeps finer ones (exFAT 10 ms; ext4, XFS, btrfs,
 * tmpfs, APFS, NTFS nanoseconds or 100 ns), and is given the fine window.
 */
export function timestampSlackMs(timeMs: number): number {
  return timeMs % 1000 === 0 ? COARSE_SLACK_MS : FINE_SLACK_MS;
}
const FINE_SLACK_MS = 100;
const COARSE_SLACK_MS = 2000 + FINE_SLACK_MS;

/**
 * How far ahead of this process's clock a file's timestamp may be and still be a write seen now:
 * a network filesystem stamps files with its server's clock. A timestamp further ahead (a file
 * from `touch -d 2030-01-01`) was set by hand, not by a write.
 */
const CLOCK_AHEAD_MS = 24 * 3600 * 1000;

/**
 * Whether a file's metadata cannot vouch for the content read at `readAt`: git's "racily clean"
 * rule. Every write stamps the file's mtime and ctime with the current time, less at most the
 * slack; so a write after `readAt`, seen at `now`, leaves timestamps from `readAt` less the slack
 * on. A file with a timestamp in that band may have been edited after its bytes were read without
 * a trace in its metadata (an in-place edit in the same clock tick as the build changes neither
 * size, mtime, ctime nor inode): it must be read and hashed again. The band ends a day after
 * `now` (CLOCK_AHEAD_MS): a server clock ahead of ours keeps recent files racy, never trusted,
 * while a file dated years ahead by hand is not hashed on every build. The ctime counts too: tools
 * that restore an mtime (`touch -d`, `cp -p`, archive extractors) cannot set it. Assumes the
 * file's filesystem is not behind this process's clock by more than the slack, as no local one is.
 */
export function isRacy(file: { readonly mtimeMs: number; readonly ctimeMs: number }, readAt: number, now: number): boolean {
  const inBand = (t: number) => t + timestampSlackMs(t) >= readAt && t <= now + CLOCK_AHEAD_MS;
  return inBand(file.mtimeMs) || inBand(file.ctimeMs);
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
 * naming the format, a JSON line (zip, zipSha256, readAt, count and the byte lengths of the two
 * name lists), then the archive paths and the paths read (UTF-8, each list joined by NUL, which no
 * path holds), the SHA-256s (32 bytes each), and the numbers as float64 (exact; as decimal text,
 * converting a hundred thousand of them would cost more than the rest); sealed (writeSealed).
 */
const SOURCE_INDEX_FORMAT = "cdktf-lambda-layers source index 2\n";

/**
 * The source index saved under `key`, or undefined: none yet, one of an older format, or a damaged
 * one (removed, and `warn` told).
 */
export function loadSourceIndex(cacheDir: string, key: string, warn: (warning: string) => void = () => {}): SourceIndex | undefined {
  const file = sourceIndexPath(cacheDir, key);
  const bytes = readSealed(file, SOURCE_INDEX_FORMAT, warn);
  if (!bytes) return undefined;
  try {
    const lineEnd = bytes.indexOf(10);
    const head = JSON.parse(bytes.toString("utf8", 0, lineEnd)) as {
      zip: string;
      zipSha256: string;
      readAt: number;
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
      typeof head.zipSha256 === "string" &&
      Number.isFinite(head.readAt) &&
      names.length === n &&
      paths.length === n &&
      shas.length === n * 64 &&
      numbers.length === n * SOURCE_FIELDS &&
      at + numbers.byteLength === bytes.length;
    if (whole) return { zip: head.zip, zipSha256: head.zipSha256, names, paths, shas, numbers, readAt: head.readAt };
  } catch {
    // sealed, yet not what this version writes: treated as damaged below
  }
  warn(discardDamaged(file));
  return undefined;
}

/** Records what a build knew of each file, for the next build of the same source. */
export function saveSourceIndex(cacheDir: string, key: string, index: SourceIndex): void {
  const names = Buffer.from(index.names.join("\0"), "utf8");
  const paths = Buffer.from(index.paths.join("\0"), "utf8");
  const head = {
    zip: index.zip,
    zipSha256: index.zipSha256,
    readAt: index.readAt,
    count: index.names.length,
    namesBytes: names.length,
    pathsBytes: paths.length,
  };
  const { numbers } = index;
  writeSealed(sourceIndexPath(cacheDir, key), SOURCE_INDEX_FORMAT, [
    Buffer.from(`${JSON.stringify(head)}\n`, "utf8"),
    names,
    paths,
    Buffer.from(index.shas, "hex"),
    Buffer.from(numbers.buffer, numbers.byteOffset, numbers.byteLength),
  ]);
}

/** What every cache record's format line starts with: a file that starts so, but not with the current format line, is an older version's. */
const FORMAT_PREFIX = "cdktf-lambda-layers ";
/** The seal: the SHA-256 (hex) of everything before it, and a line break. */
const SEAL_BYTES = 65;

/**
 * Writes a cache record: the format line, the body, and the seal, the SHA-256 of the bytes before
 * it. A unique temporary file (named with this process's id, see cache-maintenance) renamed into
 * place: a reader sees the whole old record or the whole new one.
 */
export function writeSealed(file: string, format: string, body: readonly Uint8Array[]): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `${tempPrefix()}${path.basename(file)}`);
  const content = Buffer.concat([Buffer.from(format, "utf8"), ...body]);
  const seal = Buffer.from(`${crypto.createHash("sha256").update(content).digest("hex")}\n`, "latin1");
  fs.writeFileSync(tmp, Buffer.concat([content, seal]));
  fs.renameSync(tmp, file);
}

/**
 * A cache record's body, checked against its seal: undefined when there is none, when it is an
 * older version's (rebuilt without a word), or when it is damaged: then it is removed and `warn`
 * is told. A record is data, never trusted: a flipped bit in an entry offset would ship a broken
 * zip, in a hash a wrong content identity.
 */
export function readSealed(file: string, format: string, warn: (warning: string) => void): Buffer | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  const formatLength = Buffer.byteLength(format);
  const firstLine = bytes.toString("latin1", 0, bytes.indexOf(10) + 1);
  // Another version's record (its first line names its format): not ours to read, and not damage.
  if (firstLine !== format && firstLine.startsWith(FORMAT_PREFIX)) return undefined;
  const end = bytes.length - SEAL_BYTES;
  const sealed =
    firstLine === format &&
    end >= formatLength &&
    bytes[bytes.length - 1] === 10 &&
    crypto.createHash("sha256").update(bytes.subarray(0, end)).digest("hex") === bytes.toString("latin1", end, end + 64);
  if (sealed) return bytes.subarray(formatLength, end);
  warn(discardDamaged(file));
  return undefined;
}

/** Removes a damaged cache record, and says so. */
function discardDamaged(file: string): string {
  fs.rmSync(file, { force: true });
  return `the cache record ${file} did not match its checksum (damaged or truncated): removed, and rebuilt from the source`;
}

/**
 * How every temporary file and folder of the cache is named: `.tmp-<pid>-`, then something unique.
 * `cache prune` leaves it alone while that process is alive (cache-maintenance).
 */
export function tempPrefix(): string {
  return `.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}-`;
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
