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
  /**
   * Status-change time and inode: a rewrite that restores size and mtime (`cp -p`, `rsync -a`,
   * `tar x`) still changes one of them, and neither can be set back by a program.
   */
  readonly ctimeMs: number;
  readonly ino: number;
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
  return defaultExcludedName(parts[parts.length - 1], parts[parts.length - 2], isDir);
}

/** isDefaultExcluded by the entry's own name and its folder's name (the walk has both at hand). */
function defaultExcludedName(name: string, parent: string | undefined, isDir: boolean): boolean {
  if (isDir) {
    if (DEFAULT_EXCLUDED_DIRS.has(name)) return true;
    return TEST_DIRS.has(name) && parent !== "node_modules";
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
  /**
   * Folders never walked, whatever the excludes say: the build's own cache and output folders,
   * which would otherwise ship the previous archives inside the next one.
   */
  readonly skipFolders?: readonly string[];
}

/** The file that marks a cache folder (https://bford.info/cachedir/): such a folder is never content. */
export const CACHEDIR_TAG = "CACHEDIR.TAG";
const CACHEDIR_SIGNATURE = "Signature: 8a477f597d28d172789f06886806bc55";

/** Marks `dir` as a cache folder, so that no walk (this library's, tar's, backup tools') ships it. */
export function tagCacheFolder(dir: string): void {
  const tag = path.join(dir, CACHEDIR_TAG);
  if (fs.existsSync(tag)) return;
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(tag, `${CACHEDIR_SIGNATURE}\n# This folder is a cache of cdktf-lambda-layers; it is never part of a layer.\n`);
}

function isTaggedCache(dir: string, names: readonly string[]): boolean {
  if (!names.includes(CACHEDIR_TAG)) return false;
  try {
    return fs.readFileSync(path.join(dir, CACHEDIR_TAG), "latin1").startsWith(CACHEDIR_SIGNATURE);
  } catch {
    return false;
  }
}

/** A cdktf output folder (cdktf.out by default) holds synthesized stacks and their copied assets, never content. */
const OUTPUT_FOLDER_NAMES = new Set(["cdktf.out"]);

/**
 * Lists the files below `root`, sorted by path. Symlinks inside the folder are followed (the
 * archive holds their targets' content); a symlink leaving it, dangling or looping is refused.
 * Cache folders (a `CACHEDIR.TAG`, or one of `skipFolders`) and `cdktf.out` folders are never walked.
 * @group Internals
 */
export function walkSource(root: string, options: WalkOptions = {}): SourceFile[] {
  const reportAs = options.reportAs ?? root;
  const realRoot = fs.realpathSync(root);
  const userExcluded = options.excludes?.length ? picomatch([...options.excludes], { dot: true }) : () => false;
  const useDefaults = options.defaultExcludes ?? true;
  const userExcludes = (options.excludes?.length ?? 0) > 0;
  const excluded = (rel: string, isDir: boolean, name?: string, parent?: string) =>
    (useDefaults && (name === undefined ? isDefaultExcluded(rel, isDir) : defaultExcludedName(name, parent, isDir))) ||
    (userExcludes && (userExcluded(rel) || (isDir && userExcluded(`${rel}/`))));
  const skipped = new Set((options.skipFolders ?? []).map((f) => realpathOrSelf(path.resolve(f))));

  const files: SourceFile[] = [];
  const visiting = new Set<string>();
  // `real` is the folder's real path: a folder reached by a plain entry (not a link) is its parent's real path plus its name.
  const walk = (dirAbs: string, dirRel: string, real: string) => {
    if (visiting.has(real)) return; // a link back up the tree: its content is already listed
    const dirents = fs.readdirSync(dirAbs, { withFileTypes: true });
    if (dirRel !== "") {
      if (skipped.has(real) || OUTPUT_FOLDER_NAMES.has(path.basename(dirRel))) return;
      if (
        isTaggedCache(
          dirAbs,
          dirents.map((d) => d.name),
        )
      )
        return;
    }
    visiting.add(real);
    const parentName = dirRel === "" ? undefined : dirRel.slice(dirRel.lastIndexOf("/") + 1);
    for (const dirent of dirents) {
      const rel = dirRel ? `${dirRel}/${dirent.name}` : dirent.name;
      const abs = `${dirAbs}${path.sep}${dirent.name}`;
      if (dirent.isDirectory()) {
        // The common case costs no stat: the type comes with the listing.
        if (!excluded(rel, true, dirent.name, parentName)) walk(abs, rel, `${real}${path.sep}${dirent.name}`);
        continue;
      }
      let target = abs;
      if (dirent.isSymbolicLink()) {
        const resolved = resolveInside(abs, realRoot, rel, reportAs, excluded(rel, false) || excluded(rel, true));
        if (resolved === undefined) continue;
        target = resolved;
      }
      const stat = fs.statSync(target);
      if (stat.isDirectory()) {
        if (!excluded(rel, true)) walk(target, rel, target === abs ? `${real}${path.sep}${dirent.name}` : target);
      } else if (stat.isFile()) {
        if (!excluded(rel, false, dirent.name, parentName)) {
          files.push({
            rel,
            abs: target,
            size: stat.size,
            executable: (stat.mode & 0o111) !== 0,
            mtimeMs: stat.mtimeMs,
            ctimeMs: stat.ctimeMs,
            ino: stat.ino,
          });
        }
      }
      // sockets, FIFOs and devices have no place in a layer and are passed over
    }
    visiting.delete(real);
  };
  walk(root, "", realRoot);
  return files.sort((a, b) => compareBytes(a.rel, b.rel));
}

/**
 * The real path of a symlink inside the source, or undefined for a broken link the user excluded.
 * @throws LayerValidationError for a link that dangles, loops or leaves the source folder.
 */
function resolveInside(abs: string, realRoot: string, rel: string, reportAs: string, isExcluded: boolean): string | undefined {
  const target = fs.readlinkSync(abs);
  let real: string;
  try {
    real = fs.realpathSync(abs);
  } catch (e) {
    if (isExcluded) return undefined;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === "ELOOP") throw errors.symlinkLoop(reportAs, rel, target);
    if (code === "ENOENT" || code === "ENOTDIR") throw errors.symlinkDangling(reportAs, rel, target);
    throw e;
  }
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw errors.symlinkEscapes(reportAs, rel, target);
  return real;
}

function realpathOrSelf(p: string): string {
  try {
    return fs.realpathSync(p);
  } catch {
    return p;
  }
}

/** Orders by UTF-16 code units, which for the ASCII paths layers hold is byte order: stable everywhere. */
export function compareBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
