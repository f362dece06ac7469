// Emptying and pruning the build cache (archives, index, entry packs, dependency installs, staged folders):
// what `cdktf-lambda-layers cache clean|prune` runs. Only a folder that is recognisably this
// library's cache is touched, so a mistyped --cache-dir never deletes anything else. Synths may
// share a cache and run while it is pruned: what a running build is writing (its temporary files,
// named with its process id) or has just used is left alone.
import * as fs from "fs";
import * as path from "path";
import { PRUNE_GRACE_MS } from "./archive-cache";
import { errors } from "../core/errors";
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
  /** Remove entries written (or, for archives, used) longer ago than this many days. @default 30 */
  readonly olderThanDays?: number;
  /** The current time, for tests. @default Date.now() */
  readonly now?: number;
}

/**
 * A temporary file or folder whose writer is alive is in flight for at most this long since its
 * last write: a build writes its temporary files from start to rename, so one left untouched
 * longer is a crashed build's, whose process id another process now has.
 */
export const IN_FLIGHT_MAX_MS = 24 * 3600 * 1000;

/**
 * Removes everything the cache holds, except the temporary files of builds running on this
 * machine (see isWriterAlive); the next synth rebuilds what it needs.
 * @throws LayerValidationError when `cacheDir` is not a cache folder of this library.
 */
export function cleanCache(cacheDir: string): CacheCleanResult {
  const now = Date.now();
  return sweep(cacheDir, (name, lastWrite) => !(isLeftover(name) && isWriterAlive(name, lastWrite, now)));
}

/**
 * Removes what crashed builds left behind (`.tmp-*`, `*.stale-*`) and entries written, or for
 * archives last used, more than `olderThanDays` days ago. What a running build may be using is
 * left alone: anything written or used within PRUNE_GRACE_MS (so also on a cache that several
 * machines share), and the temporary files of builds running on this machine. Entries removed
 * are rebuilt on demand.
 * @throws LayerValidationError when `cacheDir` is not a cache folder of this library.
 */
export function pruneCache(cacheDir: string, options: PruneOptions = {}): CacheCleanResult {
  const now = options.now ?? Date.now();
  const cutoff = now - (options.olderThanDays ?? 30) * 24 * 3600 * 1000;
  return sweep(cacheDir, (name, lastWrite) => {
    if (now - lastWrite < PRUNE_GRACE_MS) return false;
    return isLeftover(name) ? !isWriterAlive(name, lastWrite, now) : lastWrite < cutoff;
  });
}

function isLeftover(name: string): boolean {
  return name.startsWith(".tmp-") || /\.(stale|tmp)-/.test(name);
}

/**
 * Whether the temporary entry `name` belongs to a build running on this machine: its name holds
 * its writer's process id (`.tmp-<pid>-…`, archive-cache's tempPrefix; older versions put it after
 * `.tmp-` too), that process is alive, and it wrote the entry within IN_FLIGHT_MAX_MS. A name
 * without a process id (a dependency install's work folder) is judged by its last write alone.
 */
export function isWriterAlive(name: string, lastWrite: number, now = Date.now()): boolean {
  const pid = Number(/\.tmp-([0-9]{1,7})(?:-|$)/.exec(name)?.[1] ?? 0);
  if (pid <= 0 || now - lastWrite >= IN_FLIGHT_MAX_MS) return false;
  try {
    process.kill(pid, 0); // signal 0: only asks whether the process exists
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM"; // alive, and another user's
  }
}

function sweep(cacheDir: string, remove: (name: string, lastWrite: number) => boolean): CacheCleanResult {
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
    let stat: fs.Stats;
    let lastWrite: number;
    try {
      stat = fs.lstatSync(entry);
      lastWrite = lastWriteOf(entry, stat);
    } catch {
      continue; // renamed or removed meanwhile by a running build
    }
    if (!remove(name, lastWrite)) {
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

/**
 * When an entry was last written: for a folder, the latest mtime of anything in it (a running
 * install writes deep inside its folder; a build marks the archive it uses, not its folder).
 */
function lastWriteOf(entry: string, stat: fs.Stats): number {
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const e of fs.readdirSync(entry, { withFileTypes: true, recursive: true })) {
    try {
      latest = Math.max(latest, fs.lstatSync(path.join(e.parentPath, e.name)).mtimeMs);
    } catch {
      // removed meanwhile
    }
  }
  return latest;
}

function bytesOf(entry: string, stat: fs.Stats): number {
  if (!stat.isDirectory()) return stat.size;
  let total = 0;
  try {
    for (const e of fs.readdirSync(entry, { withFileTypes: true, recursive: true })) {
      if (e.isFile()) total += fs.lstatSync(path.join(e.parentPath, e.name)).size;
    }
  } catch {
    // changed meanwhile: the count is a report, not a decision
  }
  return total;
}
