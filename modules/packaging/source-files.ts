// Walks a source folder into a sorted list of files, applying the default and user excludes and
// refusing symlinks that leave the folder. Reads metadata only: contents are read by the builder.
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { errors } from "../core/errors";

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
/**
 * Test folders. A package's own folder is never one: npm installs a package named `test` (or
 * `@playwright/test`) at node_modules/test/ (node_modules/@playwright/test/), and leaving it out
 * would ship a layer whose require() fails. Python's top-level `test`/`tests` packages in
 * site-packages stay excluded: they are test suites that setuptools' find_packages() swept in
 * (and that collide between distributions), not something a function imports.
 */
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

/** Whether the default excludes leave out the file or folder at `rel` ("/"-separated, relative to the source). */
export function isDefaultExcluded(rel: string, isDir: boolean): boolean {
  const slash = rel.lastIndexOf("/");
  return defaultExcludedName(rel.slice(slash + 1), slash < 0 ? false : holdsPackages(rel.slice(0, slash)), isDir);
}

/**
 * Whether the entries of the folder `dirRel` are package folders: it is a node_modules folder, or
 * a scope folder (`@scope`) directly in one. A package's name is never a rule's folder name.
 */
function holdsPackages(dirRel: string): boolean {
  const slash = dirRel.lastIndexOf("/");
  const name = dirRel.slice(slash + 1);
  if (name === "node_modules") return true;
  if (!name.startsWith("@") || slash < 0) return false;
  return dirRel.slice(dirRel.lastIndexOf("/", slash - 1) + 1, slash) === "node_modules";
}

/** isDefaultExcluded by the entry's own name and whether its folder holds packages (the walk has both at hand). */
function defaultExcludedName(name: string, inPackageFolder: boolean, isDir: boolean): boolean {
  if (isDir) {
    if (DEFAULT_EXCLUDED_DIRS.has(name)) return true;
    return TEST_DIRS.has(name) && !inPackageFolder;
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
  const excluded = (rel: string, isDir: boolean, name: string, inPackageFolder: boolean) =>
    (useDefaults && defaultExcludedName(name, inPackageFolder, isDir)) ||
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
    const inPackageFolder = dirRel !== "" && holdsPackages(dirRel);
    for (const dirent of dirents) {
      const rel = dirRel ? `${dirRel}/${dirent.name}` : dirent.name;
      const abs = `${dirAbs}${path.sep}${dirent.name}`;
      // Every exclude is decided from the listing alone, before the entry is touched: an excluded
      // path is never stat'ed, read or resolved (it may be unreadable, or not even nameable).
      const asDir = excluded(rel, true, dirent.name, inPackageFolder);
      if (dirent.isDirectory() && asDir) continue;
      const asFile = excluded(rel, false, dirent.name, inPackageFolder);
      if (dirent.isFile() && asFile) continue;
      if (asDir && asFile) continue; // a link or an entry of unknown type, excluded whatever it turns out to be
      // Node decodes names as UTF-8 and writes U+FFFD for bytes that are not: such a name opens nothing.
      if (dirent.name.includes("\uFFFD")) refuseUndecodableName(dirAbs, dirRel, dirent.name, reportAs);
      if (dirent.isDirectory()) {
        // The common case costs no stat: the type comes with the listing.
        walk(abs, rel, `${real}${path.sep}${dirent.name}`);
        continue;
      }
      if (dirent.isFIFO() || dirent.isSocket() || dirent.isBlockDevice() || dirent.isCharacterDevice()) continue; // no place in a layer
      let target = abs;
      if (dirent.isSymbolicLink()) {
        const resolved = resolveInside(abs, realRoot, rel, reportAs, asFile || asDir);
        if (resolved === undefined) continue;
        target = resolved;
      }
      const stat = fs.statSync(target);
      if (stat.isDirectory()) {
        if (!asDir) walk(target, rel, target === abs ? `${real}${path.sep}${dirent.name}` : target);
      } else if (stat.isFile()) {
        if (!asFile) {
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
      // a link to a socket, FIFO or device is passed over too
    }
    visiting.delete(real);
  };
  walk(root, "", realRoot);
  return files.sort((a, b) => compareBytes(a.rel, b.rel));
}

/**
 * Refuses an entry whose name is not valid UTF-8, unless the name is a real U+FFFD character.
 * Such a name is not archived as raw bytes: Node and Python open files by text names and could not
 * load it from /opt, and the zip would hold a name that extractors decode as they please (no UTF-8
 * flag means "IBM code page 437" to the zip specification).
 * @throws LayerValidationError naming the path with its bad bytes escaped, and the fixes.
 */
function refuseUndecodableName(dirAbs: string, dirRel: string, shown: string, reportAs: string): void {
  const raw = fs.readdirSync(dirAbs, { encoding: "buffer" }).find((name) => name.toString("utf8") === shown && !isValidUtf8(name));
  if (raw === undefined) return; // a real U+FFFD in a valid UTF-8 name
  const prefix = dirRel ? `${dirRel}/` : "";
  throw errors.nameNotUtf8(reportAs, prefix + escapeBytes(raw), prefix + shown.replace(/\uFFFD+/g, "*"));
}

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

function isValidUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

/** The name as text, each byte that is not part of a valid UTF-8 character written as \xNN. */
function escapeBytes(bytes: Uint8Array): string {
  let out = "";
  for (let i = 0; i < bytes.length;) {
    const b = bytes[i];
    const length = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    const char = length > 0 && i + length <= bytes.length ? bytes.subarray(i, i + length) : undefined;
    if (char && isValidUtf8(char) && (length > 1 || (b >= 0x20 && b !== 0x7f))) {
      out += strictUtf8.decode(char);
      i += length;
    } else {
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i += 1;
    }
  }
  return out;
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
    if (target.includes("\uFFFD")) {
      // Node resolves links by their decoded text: a target that is not UTF-8 looks missing.
      const raw = fs.readlinkSync(abs, { encoding: "buffer" });
      if (!isValidUtf8(raw)) throw errors.nameNotUtf8(reportAs, `${rel} (a link to ${escapeBytes(raw)})`, rel);
    }
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
