// What a dependency install reads besides its manifest: requirement files included with -r/-c,
// local wheels and find-links folders (from requirements.txt and pipArgs), npm `file:`
// dependencies. Relative paths resolve from the manifest's folder, as pip and npm resolve them
// when run there. Every input's bytes go into the install's cache key, so a rebuilt wheel of the
// same version installs again; the inputs inside a layer folder are build input, never content.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";

/** The local files and folders an install reads, and advice about reproducibility. */
export interface InstallInputs {
  /** Absolute paths of the files and folders read (requirement includes, wheels, find-links folders, npm tarballs and folders). */
  readonly paths: readonly string[];
  /** Each input's path (relative to the manifest's folder) with the size and SHA-256 of every file it holds: the cache key's share. */
  readonly fingerprint: readonly unknown[];
  /** The extra install arguments with relative paths made absolute. */
  readonly args: readonly string[];
  /** Requirements not pinned to one version (pip) or a missing lock file (npm), worded as warnings. */
  readonly warnings: readonly string[];
}

const PIP_PATH_OPTIONS = new Map([
  ["-r", "requirement"],
  ["--requirement", "requirement"],
  ["-c", "constraint"],
  ["--constraint", "constraint"],
  ["-f", "find-links"],
  ["--find-links", "find-links"],
]);
const ARCHIVE_SUFFIX = /\.(whl|zip|tar\.gz|tgz|tar\.bz2)$/;

/**
 * The inputs of `pip install --requirement <manifest> <pipArgs>` run in the manifest's folder.
 * @param manifest absolute path of requirements.txt
 */
export function pipInputs(manifest: string, pipArgs: readonly string[] = []): InstallInputs {
  const base = path.dirname(manifest);
  const found: Found = {
    files: new Set(),
    folders: new Set(),
    visited: new Set(),
    requirements: new Map(),
    pinned: new Set(),
  };
  const included: Array<[string, "requirement" | "constraint"]> = [];
  const args = resolvePipArgs(pipArgs, base, found, included);
  readRequirements(manifest, base, found, "requirement");
  for (const [file, kind] of included) readRequirements(file, base, found, kind);
  const unpinned = [...found.requirements].filter(([name, pinned]) => !pinned && !found.pinned.has(name)).map(([name]) => name);
  const warnings =
    unpinned.length === 0
      ? []
      : [
          `${path.basename(manifest)} does not pin ${unpinned.join(", ")} to one version (==): each fresh install may pick newer releases, so machines and caches ship different code; pin them (pip freeze, pip-compile)`,
        ];
  return inputsOf(base, [...found.files], [...found.folders], args, warnings);
}

interface Found {
  readonly files: Set<string>;
  readonly folders: Set<string>;
  /** Requirement files read already (includes may repeat or loop). */
  readonly visited: Set<string>;
  /** Requirement names (normalized) and whether the requirement pins one version. */
  readonly requirements: Map<string, boolean>;
  /** Names a constraints file pins. */
  readonly pinned: Set<string>;
}

function resolvePipArgs(
  pipArgs: readonly string[],
  base: string,
  found: Found,
  included: Array<[string, "requirement" | "constraint"]>,
): string[] {
  const out: string[] = [];
  for (let i = 0; i < pipArgs.length; i++) {
    const arg = pipArgs[i];
    const eq = /^(--[a-z-]+)=(.*)$/.exec(arg);
    const [option, inline] = eq ? [eq[1], eq[2]] : [arg, undefined];
    const kind = PIP_PATH_OPTIONS.get(option);
    if (kind === undefined) {
      out.push(arg);
      continue;
    }
    const value = inline ?? pipArgs[++i];
    if (value === undefined) {
      out.push(arg);
      continue;
    }
    const resolved = isUrl(value) ? value : resolveLocal(base, value);
    if (!isUrl(value)) {
      if (kind === "find-links") found.folders.add(resolved);
      else included.push([resolved, kind === "constraint" ? "constraint" : "requirement"]);
    }
    out.push(option, resolved);
  }
  return out;
}

/** A path relative to the manifest's folder when it exists there, else as given (the process's working folder). */
function resolveLocal(base: string, value: string): string {
  const fromBase = path.resolve(base, value);
  return fs.existsSync(fromBase) || path.isAbsolute(value) ? fromBase : path.resolve(value);
}

function isUrl(value: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) && !value.startsWith("file:");
}

function fileUrlPath(value: string): string {
  return decodeURIComponent(value.replace(/^file:(\/\/)?/, ""));
}

function readRequirements(file: string, cwd: string, found: Found, kind: "requirement" | "constraint"): void {
  if (found.visited.has(file)) return;
  found.visited.add(file);
  found.files.add(file);
  if (!fs.existsSync(file)) return; // pip reports it; the key still changes when it appears
  const text = fs.readFileSync(file, "utf8").replace(/\\\r?\n/g, " ");
  const dir = path.dirname(file);
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/(^|\s)#.*$/, "").trim();
    if (line === "") continue;
    const option = /^(-[rcf]|--requirement|--constraint|--find-links)(?:\s*=\s*|\s+|(?<=^-[rcf]))(\S+)/.exec(line);
    if (option) {
      const what = PIP_PATH_OPTIONS.get(option[1]);
      const value = option[2];
      if (isUrl(value)) continue;
      if (what === "find-links") {
        // pip resolves a find-links path in a requirements file from that file's folder when it exists there
        const fromFile = path.resolve(dir, value);
        found.folders.add(fs.existsSync(fromFile) ? fromFile : path.resolve(cwd, value));
      } else {
        readRequirements(
          path.resolve(dir, value.startsWith("file:") ? fileUrlPath(value) : value),
          cwd,
          found,
          what === "constraint" ? "constraint" : kind,
        );
      }
      continue;
    }
    if (line.startsWith("-")) continue; // --index-url, --hash on its own line, …
    const direct = /^(?:([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*)?(file:\S+)/.exec(line);
    if (direct) {
      found.files.add(path.resolve(cwd, fileUrlPath(direct[2])));
      if (direct[1]) found.requirements.set(normalize(direct[1]), true);
      continue;
    }
    if (/^(\.{1,2}\/|\/)/.test(line) || ARCHIVE_SUFFIX.test(line.split(/[\s;]/)[0])) {
      found.files.add(path.resolve(cwd, line.split(/[\s;]/)[0]));
      continue;
    }
    const spec = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*([^;]*)/.exec(line);
    if (!spec) continue;
    const pinned = /(^|,)\s*===?\s*[^*,\s]+\s*($|,)/.test(spec[2].replace(/\s+--hash\S*/g, "").trim()) || /\s--hash[=\s]/.test(line);
    if (kind === "constraint") {
      if (pinned) found.pinned.add(normalize(spec[1]));
    } else {
      found.requirements.set(normalize(spec[1]), pinned || found.requirements.get(normalize(spec[1])) === true);
    }
  }
}

/** PEP 503 name normalisation: "Foo_Bar" and "foo-bar" are one project. */
function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "-");
}

/**
 * The inputs of `npm ci` / `npm install` for a package.json: its lock file (or the warning that
 * there is none) and the local tarballs and folders its `file:` dependencies name.
 * @param manifest absolute path of package.json
 */
export function npmInputs(manifest: string, lockFile: string | undefined, npmArgs: readonly string[] = []): InstallInputs {
  const base = path.dirname(manifest);
  const warnings = lockFile
    ? []
    : [
        `${path.basename(manifest)} has no package-lock.json: each fresh install resolves versions anew, so machines and caches ship different code; commit a lock file (npm install --package-lock-only)`,
      ];
  return inputsOf(base, npmLocalDependencies(manifest), [], [...npmArgs], warnings);
}

/** Absolute paths of the local tarballs and folders a package.json's production dependencies name. */
export function npmLocalDependencies(manifest: string): string[] {
  let json: Record<string, Record<string, unknown> | undefined>;
  try {
    json = JSON.parse(fs.readFileSync(manifest, "utf8"));
  } catch {
    return [];
  }
  const base = path.dirname(manifest);
  const specs = ["dependencies", "optionalDependencies"].flatMap((field) => Object.values(json?.[field] ?? {}));
  return [
    ...new Set(
      specs
        .filter((s): s is string => typeof s === "string")
        .filter((s) => s.startsWith("file:") || /^(\.{1,2}\/|\/)/.test(s))
        .map((s) => path.resolve(base, fileUrlPath(s))),
    ),
  ].sort();
}

function inputsOf(base: string, files: string[], folders: string[], args: string[], warnings: string[]): InstallInputs {
  const paths = [...new Set([...files, ...folders])].sort();
  let fingerprint: unknown[] | undefined;
  return {
    paths,
    // hashing wheels costs time: only the install (on its cache check) asks for it
    get fingerprint() {
      fingerprint ??= paths.map((p) => [path.relative(base, p), ...contentOf(p)]);
      return fingerprint;
    },
    args,
    warnings,
  };
}

/** Size and SHA-256 of a file, or the listing of a folder with each file's; "missing" when absent. */
function contentOf(p: string): unknown[] {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(p);
  } catch {
    return ["missing"];
  }
  if (stat.isFile()) return [stat.size, sha256Of(p)];
  if (!stat.isDirectory()) return ["other"];
  const listing: unknown[] = [];
  for (const entry of fs.readdirSync(p, { withFileTypes: true, recursive: true })) {
    const abs = path.join(entry.parentPath, entry.name);
    const rel = path.relative(p, abs);
    if (rel.split(path.sep).includes("node_modules") || !entry.isFile()) continue;
    listing.push([rel.split(path.sep).join("/"), fs.statSync(abs).size, sha256Of(abs)]);
  }
  return [listing.sort((a, b) => ((a as string[])[0] < (b as string[])[0] ? -1 : 1))];
}

function sha256Of(file: string): string {
  return crypto.createHash("sha256").update(fs.readFileSync(file)).digest("hex");
}
