// Emptying and pruning the build cache (archives, index, entry packs, dependency installs, staged folders):
// what `cdktf-lambda-layers cache clean|prune` runs. Only a folder that is recognisably this
// library's cache is touched, so a mistyped --cache-dir never deletes anything else.
import * as fs from "fs";
import * as path from "path";
import { errors } from "./errors";
import { CACHEDIR_TAG } from "./source-files";

/** The folders the builder writes inside a cache folder ("packs": what versions before the source index wrote). */
const CACHE_PARTS = ["archives", "index", "sources", "packs", "deps", "staged"];

export interface CacheCleanResult {
  readonly cacheDir: string;
  /** Entries (zips, index records, install folders, staged folders, leftovers) removed. */
  readonly removed: number;
  readonly removedBytes: number;
  /** Entries left in place. */
  readonly kept: number;
}

export interface PruneOptions {
  /** Remove entries written longer ago than this many days. @default 30 */
  readonly olderThanDays?: number;
  /** The current time, for tests. @default Date.now() */
  readonly now?: number;
}

/**
 * Removes everything the cache holds; the next synth rebuilds what it needs.
 * @throws LayerValidationError when `cacheDir` is not a cache folder of this library.
 */
export function cleanCache(cacheDir: string): CacheCleanResult {
  return sweep(cacheDir, () => true);
}

/**
 * Removes what a crashed or concurrent build left behind (`.tmp-*`, `*.stale-*`) and entries
 * written more than `olderThanDays` days ago. Entries still in use are rebuilt on demand.
 * @throws LayerValidationError when `cacheDir` is not a cache folder of this library.
 */
export function pruneCache(cacheDir: string, options: PruneOptions = {}): CacheCleanResult {
  const cutoff = (options.now ?? Date.now()) - (options.olderThanDays ?? 30) * 24 * 3600 * 1000;
  return sweep(cacheDir, (name, stat) => isLeftover(name) || stat.mtimeMs < cutoff);
}

function isLeftover(name: string): boolean {
  return name.startsWith(".tmp-") || /\.(stale|tmp)-/.test(name);
}

function sweep(cacheDir: string, remove: (name: string, stat: fs.Stats) => boolean): CacheCleanResult {
  const dir = path.resolve(cacheDir);
  if (!fs.existsSync(dir)) return { cacheDir: dir, removed: 0, removedBytes: 0, kept: 0 };
  checkIsCache(dir);
  let removed = 0;
  let removedBytes = 0;
  let kept = 0;
  // A build writes its zip beside the folders first (`.tmp-*`): one that crashed leaves it there.
  const entries = [
    ...fs
      .readdirSync(dir)
      .filter(isLeftover)
      .map((name) => ({ name, entry: path.join(dir, name) })),
    ...CACHE_PARTS.flatMap((part) => {
      const partDir = path.join(dir, part);
      return fs.existsSync(partDir) ? fs.readdirSync(partDir).map((name) => ({ name, entry: path.join(partDir, name) })) : [];
    }),
  ];
  for (const { name, entry } of entries) {
    const stat = fs.lstatSync(entry);
    if (!remove(name, stat)) {
      kept++;
      continue;
    }
    removedBytes += bytesOf(entry, stat);
    fs.rmSync(entry, { recursive: true, force: true });
    removed++;
  }
  return { cacheDir: dir, removed, removedBytes, kept };
}

function checkIsCache(dir: string): void {
  const names = fs.readdirSync(dir);
  const tagged = names.includes(CACHEDIR_TAG);
  const onlyOurs = names.every((n) => CACHE_PARTS.includes(n) || n === CACHEDIR_TAG || isLeftover(n));
  if (!tagged && !onlyOurs) throw errors.notACacheFolder(dir, names.filter((n) => !CACHE_PARTS.includes(n)).slice(0, 5));
}

function bytesOf(entry: string, stat: fs.Stats): number {
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  for (const e of fs.readdirSync(entry, { withFileTypes: true, recursive: true })) {
    if (e.isFile()) total += fs.statSync(path.join(e.parentPath, e.name)).size;
  }
  return total;
}
