// Walks a source folder into a sorted list of files, applying the default and user excludes and
// refusing symlinks that leave the folder. Reads metadata only: contents are read by the builder.
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { errors } from "./errors";

/** A file found in a source folder. @group Internals */
export interface SourceFile {
  /** "/"-separated path relative to the walked folder. */
  readonly rel: string;
  /** Absolute path of the content (a symlink's resolved target). */
  readonly abs: string;
  readonly size: number;
  /** True when any execute bit is set on the file. */
  readonly executable: boolean;
  readonly mtimeMs: number;
}

/** Folder names never shipped, anywhere in the tree (caches, VCS metadata). */
const DEFAULT_EXCLUDED_DIRS = new Set(["__pycache__", ".git", ".hg", ".svn", ".pytest_cache", ".mypy_cache", ".ruff_cache"]);
/** Test folders, except when the folder is itself a package (directly under node_modules). */
const TEST_DIRS = new Set(["test", "tests", "__tests__"]);
const DEFAULT_EXCLUDED_FILES = new Set([".DS_Store", "Thumbs.db"]);
const DEFAULT_EXCLUDED_EXTENSIONS = [".pyc", ".pyo"];

/** The default excludes, written as the globs they behave like (for documentation and errors). */
export const DEFAULT_EXCLUDES = [
  "**/__pycache__/",
  "**/*.pyc",
  "**/*.pyo",
  "**/.git/",
  "**/.hg/",
  "**/.svn/",
  "**/.pytest_cache/",
  "**/.mypy_cache/",
  "**/.ruff_cache/",
  "**/.DS_Store",
  "**/Thumbs.db",
  "**/test/",
  "**/tests/",
  "**/__tests__/",
];

export function isDefaultExcluded(rel: string, isDir: boolean): boolean {
  const parts = rel.split("/");
  const name = parts[parts.length - 1];
  if (isDir) {
    if (DEFAULT_EXCLUDED_DIRS.has(name)) return true;
    return TEST_DIRS.has(name) && parts[parts.length - 2] !== "node_modules";
  }
  return DEFAULT_EXCLUDED_FILES.has(name) || DEFAULT_EXCLUDED_EXTENSIONS.some((e) => name.endsWith(e));
}

/** What walkSource skips and keeps. @group Internals */
export interface WalkOptions {
  /** Globs relative to the walked folder; a matching folder is skipped whole. */
  readonly excludes?: readonly string[];
  /** @default true */
  readonly defaultExcludes?: boolean;
  /** The folder reported in errors (the user's `source`). */
  readonly reportAs?: string;
}

/**
 * Lists the files below `root`, sorted by path. Symlinks inside the folder are followed (the
 * archive holds their targets' content); a symlink leaving it is refused.
 * @group Internals
 */
export function walkSource(root: string, options: WalkOptions = {}): SourceFile[] {
  const reportAs = options.reportAs ?? root;
  const realRoot = fs.realpathSync(root);
  const userExcluded = options.excludes?.length ? picomatch([...options.excludes], { dot: true }) : () => false;
  const useDefaults = options.defaultExcludes ?? true;
  const excluded = (rel: string, isDir: boolean) =>
    (useDefaults && isDefaultExcluded(rel, isDir)) || userExcluded(rel) || (isDir && userExcluded(`${rel}/`));

  const files: SourceFile[] = [];
  const visiting = new Set<string>();
  const walk = (dirAbs: string, dirRel: string) => {
    const real = fs.realpathSync(dirAbs);
    if (visiting.has(real)) return; // a link back up the tree: its content is already listed
    visiting.add(real);
    for (const dirent of fs.readdirSync(dirAbs, { withFileTypes: true })) {
      const rel = dirRel ? `${dirRel}/${dirent.name}` : dirent.name;
      const abs = path.join(dirAbs, dirent.name);
      let target = abs;
      if (dirent.isSymbolicLink()) {
        target = resolveInside(abs, realRoot, rel, reportAs);
      }
      const stat = fs.statSync(target);
      if (stat.isDirectory()) {
        if (!excluded(rel, true)) walk(target, rel);
      } else if (stat.isFile()) {
        if (!excluded(rel, false)) {
          files.push({ rel, abs: target, size: stat.size, executable: (stat.mode & 0o111) !== 0, mtimeMs: stat.mtimeMs });
        }
      }
      // sockets, FIFOs and devices have no place in a layer and are passed over
    }
    visiting.delete(real);
  };
  walk(root, "");
  return files.sort((a, b) => compareBytes(a.rel, b.rel));
}

function resolveInside(abs: string, realRoot: string, rel: string, reportAs: string): string {
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch {
    throw errors.symlinkEscapes(reportAs, rel, fs.readlinkSync(abs));
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw errors.symlinkEscapes(reportAs, rel, fs.readlinkSync(abs));
  return real;
}

/** Orders by UTF-16 code units, which for the ASCII paths layers hold is byte order: stable everywhere. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
