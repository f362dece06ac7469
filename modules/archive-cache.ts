// The archive cache's upkeep: compressed entries reused from the last zip built for a source (so a
// changed file costs one file), integrity checks by hash before anything cached is shipped or
// reused, and an LRU prune that bounds the cache's size. Every write is a unique temporary file
// renamed into place, so two synths may share one cache.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { errors } from "./errors";
import { CompressedEntry } from "./zip-writer";

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
 * The key a compressed entry is cached under (within a pack of one compressor's settings): its
 * content's SHA-256, and whether its name asked for it to be stored.
 */
export function entryKey(content: Buffer, store: boolean): string {
  return crypto.createHash("sha256").update(content).digest("hex") + (store ? "s" : "");
}

/** Where a pack's entries are in its zip: key -> [data offset, compressed length, crc32, method, size]. */
type PackEntries = Record<string, [number, number, number, 0 | 8, number]>;

interface PackFile {
  /** The zip, relative to the cache folder. */
  readonly zip: string;
  readonly zipSha256: string;
  readonly entries: PackEntries;
}

/** Compressed entries of an earlier zip, verified by its hash, to assemble a new one from. */
export interface EntryPack {
  get(key: string, size: number): CompressedEntry | undefined;
  readonly warnings: readonly string[];
}

/**
 * The entries of the last zip built under `packKey` (a source folder and the compressor's
 * settings). A zip that is gone is an empty pack; one whose bytes no longer match its hash is
 * removed and reported, and nothing of it is reused.
 */
export function loadPack(cacheDir: string, packKey: string): EntryPack {
  const empty = (warnings: string[] = []): EntryPack => ({ get: () => undefined, warnings });
  let pack: PackFile;
  let zip: Buffer;
  try {
    pack = JSON.parse(fs.readFileSync(packPath(cacheDir, packKey), "utf8")) as PackFile;
    zip = fs.readFileSync(path.join(cacheDir, pack.zip));
  } catch {
    return empty(); // no pack yet, a pruned zip or a torn file: compress everything
  }
  if (sha256(zip) !== pack.zipSha256) {
    return empty([discardCorrupt(path.join(cacheDir, pack.zip))]);
  }
  return {
    warnings: [],
    get: (key, size) => {
      const at = pack.entries[key];
      if (!at || at[4] !== size || at[0] + at[1] > zip.length) return undefined;
      return { crc32: at[2], method: at[3], size, compressed: zip.subarray(at[0], at[0] + at[1]) };
    },
  };
}

/** Records where each entry of a freshly written zip is, for the next build of the same source. */
export function savePack(cacheDir: string, packKey: string, zipPath: string, zipSha256: string, entries: PackEntries): void {
  const file = packPath(cacheDir, packKey);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}`;
  const pack: PackFile = { zip: path.relative(cacheDir, zipPath), zipSha256, entries };
  fs.writeFileSync(tmp, JSON.stringify(pack));
  fs.renameSync(tmp, file);
}

/**
 * Checks a cached zip against the SHA-256 it is filed under before it is shipped, and marks it
 * used (its mtime) for the LRU prune. A zip that is gone is a miss; one that does not match is
 * removed and a warning returned: the caller rebuilds it.
 */
export function checkCachedZip(zipPath: string, zipSha256: string): { ok: boolean; warning?: string } {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(zipPath);
  } catch {
    return { ok: false };
  }
  if (sha256(bytes) !== zipSha256) return { ok: false, warning: discardCorrupt(zipPath) };
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

function discardCorrupt(zipPath: string): string {
  fs.rmSync(zipPath, { force: true });
  return `the cached archive ${zipPath} did not match its SHA-256 (corrupted or truncated): removed, and rebuilt from the source`;
}

function packPath(cacheDir: string, packKey: string): string {
  return path.join(cacheDir, "packs", `${packKey}.json`);
}

function sha256(bytes: Buffer): string {
  return crypto.createHash("sha256").update(bytes).digest("hex");
}
