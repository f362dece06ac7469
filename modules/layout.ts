// Where Lambda looks for layer content under /opt, per runtime, and the pure rules that decide
// whether a folder is already laid out, where a plain package folder belongs, and whether the
// result is loadable by at least one declared runtime.
import { errors } from "./errors";
import { Runtime, RuntimeFamily } from "./runtime";

/** Top-level folders that Lambda gives meaning to inside /opt. @group Internals */
export const LAYOUT_ROOTS = ["python", "nodejs", "ruby", "java", "bin", "lib"] as const;

/**
 * The folders (relative to /opt) a runtime puts on its search paths.
 * `bin` (PATH) and `lib` (LD_LIBRARY_PATH) serve every runtime.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html
 * @group Internals
 */
export function searchPaths(runtime: Runtime): string[] {
  const v = runtime.version;
  switch (runtime.family) {
    case RuntimeFamily.PYTHON:
      return ["python", ...(v ? [`python/lib/python${v}/site-packages`] : [])];
    case RuntimeFamily.NODEJS:
      return ["nodejs/node_modules", ...(v ? [`nodejs/node${v}/node_modules`] : [])];
    case RuntimeFamily.RUBY:
      return [...(v ? [`ruby/gems/${v}.0`] : []), "ruby/lib"];
    case RuntimeFamily.JAVA:
      return ["java/lib"];
    case RuntimeFamily.DOTNET:
    case RuntimeFamily.PROVIDED:
      return [""];
  }
}

const SHARED_PATHS = ["bin", "lib"];

/** True when a path (a file inside the archive) is on one of a runtime's search paths. */
export function isLoadedBy(path: string, runtime: Runtime): boolean {
  return [...searchPaths(runtime), ...SHARED_PATHS].some((p) => isUnder(path, p) && !shadowedByOtherVersion(path, runtime));
}

function isUnder(path: string, folder: string): boolean {
  return folder === "" || path.startsWith(`${folder}/`);
}

/** python/lib/python3.11/site-packages/x is under python/ but only python3.11 imports it as x. */
function shadowedByOtherVersion(path: string, runtime: Runtime): boolean {
  if (runtime.family === RuntimeFamily.PYTHON) {
    const m = /^python\/lib\/python(\d+\.\d+)\/site-packages\//.exec(path);
    return m !== null && m[1] !== runtime.version;
  }
  if (runtime.family === RuntimeFamily.NODEJS) {
    const m = /^nodejs\/node(\d+)\/node_modules\//.exec(path);
    return m !== null && m[1] !== runtime.version;
  }
  return false;
}

/** A folder counts as laid out when its top level has a folder Lambda knows, or a `bootstrap`. @group Internals */
export function isLaidOut(topLevelNames: readonly string[]): boolean {
  return topLevelNames.some((n) => (LAYOUT_ROOTS as readonly string[]).includes(n) || n === "bootstrap");
}

/**
 * The prefix under which a plain package folder is placed, ending in "/" (or "" for as-is).
 * @param nodePackageName the `name` of the folder's package.json, for Node.js packages
 * @group Internals
 */
export function plainFolderPrefix(source: string, runtimes: readonly Runtime[], nodePackageName?: string): string {
  const families = [...new Set(runtimes.map((r) => r.family))];
  if (families.length > 1) throw errors.ambiguousPlainFolder(source, families);
  switch (families[0]) {
    case RuntimeFamily.PYTHON:
      return "python/";
    case RuntimeFamily.NODEJS:
      if (!nodePackageName) throw errors.plainNodePackageWithoutName(source);
      return `nodejs/node_modules/${nodePackageName}/`;
    case RuntimeFamily.RUBY:
      return "ruby/lib/";
    case RuntimeFamily.JAVA:
      return "java/lib/";
    default:
      return "";
  }
}

/**
 * Checks that at least one declared runtime loads the content; returns warnings for runtimes that
 * load nothing and for top-level content no runtime looks at.
 * @param paths archive paths of the files (not directories)
 * @throws LayerValidationError when no declared runtime would load anything.
 * @group Internals
 */
export function checkLayout(source: string, paths: readonly string[], runtimes: readonly Runtime[]): string[] {
  const loaders = runtimes.filter((r) => paths.some((p) => isLoadedBy(p, r)));
  const where = runtimes.map((r) => `${r.name}: ${describePaths(r)}`).join("; ");
  if (loaders.length === 0) {
    throw errors.layoutNotLoadable(source, `holds nothing the declared runtimes would load (${diagnose(paths, runtimes)})`, where);
  }
  const warnings: string[] = [];
  for (const r of runtimes) {
    if (!loaders.includes(r))
      warnings.push(`${r.name} is declared compatible but finds nothing in this layer (it looks in ${describePaths(r)})`);
  }
  const stray = [...new Set(paths.filter((p) => !runtimes.some((r) => isLoadedBy(p, r))).map(topTwo))];
  if (stray.length > 0) {
    warnings.push(
      `${stray
        .slice(0, 5)
        .map((s) => `/opt/${s}`)
        .join(", ")}${stray.length > 5 ? ` and ${stray.length - 5} more` : ""} ` +
        `lie on no search path of ${runtimes.map((r) => r.name).join(", ")}: nothing will import them`,
    );
  }
  return warnings;
}

function describePaths(r: Runtime): string {
  const own = searchPaths(r).filter((p) => p !== "");
  return own.length === 0 ? "any path under /opt it is told to read" : [...own, ...SHARED_PATHS].map((p) => `/opt/${p}/`).join(", ");
}

function topTwo(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/…` : path;
}

/** Names the classic mistakes so the error says more than "wrong layout". */
function diagnose(paths: readonly string[], runtimes: readonly Runtime[]): string {
  const tops = [...new Set(paths.map((p) => p.split("/")[0]))];
  const hints: string[] = [`top level: ${tops.slice(0, 6).join(", ")}${tops.length > 6 ? ", …" : ""}`];
  const pyVersions = new Set(paths.map((p) => /^python\/lib\/python(\d+\.\d+)\//.exec(p)?.[1]).filter(Boolean));
  for (const v of pyVersions) hints.push(`python/lib/python${v}/site-packages is imported only by python${v}`);
  const nodeVersions = new Set(paths.map((p) => /^nodejs\/node(\d+)\//.exec(p)?.[1]).filter(Boolean));
  for (const v of nodeVersions) hints.push(`nodejs/node${v}/node_modules is read only by nodejs${v}.x`);
  if (paths.some((p) => p.startsWith("nodejs/") && !/^nodejs\/(node\d+\/)?node_modules\//.test(p))) {
    hints.push("files under nodejs/ outside node_modules/ are not on NODE_PATH");
  }
  const families = new Set(runtimes.map((r) => r.family as string));
  const otherFamily = tops.filter((t) => ["python", "nodejs", "ruby", "java"].includes(t) && !families.has(t));
  if (otherFamily.length > 0) hints.push(`${otherFamily.join(", ")}/ serves a runtime that is not declared`);
  return hints.join("; ");
}
