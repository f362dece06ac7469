// Where Lambda looks for layer content under /opt, per runtime, and the pure rules that decide
// whether a folder is already laid out, where a plain package folder belongs, which misplacements
// no placement repairs, and whether the result is loadable by at least one declared runtime.
import { errors } from "../core/errors";
import { Runtime, RuntimeFamily } from "../aws/runtime";

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

/** Folders at the top of /opt that belong to one runtime family: their presence means "laid out". @group Internals */
export const RUNTIME_ROOTS = ["python", "nodejs", "ruby", "java"] as const;

/** A shared library the dynamic loader finds in /opt/lib (LD_LIBRARY_PATH): libfoo.so, libfoo.so.1.2. */
const SHARED_LIBRARY = /^lib\/[^/]+\.so(\.\d+)*$/;
/** Code of a language runtime: never an executable or a native library, even under bin/ or lib/. */
const RUNTIME_CODE = /\.(js|mjs|cjs|ts|rb|jar|class|py)$/;

/**
 * True when a path is what /opt/bin (PATH) or /opt/lib (LD_LIBRARY_PATH) serves to every runtime:
 * a program directly in bin/, or a shared library directly in lib/. Neither search recurses, and
 * a `.js`, `.rb` or `.jar` there is loaded by nothing.
 */
export function isSharedNative(path: string): boolean {
  // The prefix first: the layout rules ask of every file, and nearly none is in bin/ or lib/.
  if (!path.startsWith("bin/") && !path.startsWith("lib/")) return false;
  if (RUNTIME_CODE.test(path)) return false;
  return /^bin\/[^/]+$/.test(path) || SHARED_LIBRARY.test(path);
}

/** True when a path (a file inside the archive) is on one of a runtime's search paths. */
export function isLoadedBy(path: string, runtime: Runtime): boolean {
  if (isSharedNative(path)) return true;
  return searchPrefixes(runtime).some((p) => path.startsWith(p)) && !shadowedByOtherVersion(path, runtime);
}

const prefixesByRuntime = new WeakMap<Runtime, readonly string[]>();

/** A runtime's search paths as path prefixes ("python/"; "" for /opt itself), made once per runtime: the layout checks ask for every file. */
function searchPrefixes(runtime: Runtime): readonly string[] {
  let prefixes = prefixesByRuntime.get(runtime);
  if (!prefixes) prefixesByRuntime.set(runtime, (prefixes = searchPaths(runtime).map((p) => (p === "" ? "" : `${p}/`))));
  return prefixes;
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

/** A file of a source folder as the layout rules see it. @group Internals */
export interface LayoutFile {
  /** "/"-separated path relative to the folder. */
  readonly rel: string;
  /** True for a program: an execute bit, a `#!` line or an ELF header. */
  readonly executable?: boolean;
}

/** Files at the top of a folder that make it a package of one language, never a laid-out layer. */
const PACKAGE_MARKERS = ["package.json", "__init__.py", "setup.py", "pyproject.toml", "Gemfile", "pom.xml", "build.gradle"];

/**
 * A folder is laid out when its top level holds a runtime root (python/, nodejs/, ruby/, java/)
 * or a custom runtime's `bootstrap`. With only bin/ or lib/, it is laid out when they hold native
 * code (a program in bin/, a shared library in lib/) and no language's code: a Node.js package's
 * lib/index.js, a gem's lib/x.rb or a lib/x.jar make the folder a plain package.
 * @group Internals
 */
export function isLaidOut(files: readonly LayoutFile[]): boolean {
  const tops = new Set(files.map((f) => topName(f.rel)));
  if (RUNTIME_ROOTS.some((r) => tops.has(r)) || tops.has("bootstrap")) return true;
  if (PACKAGE_MARKERS.some((m) => tops.has(m)) || [...tops].some((t) => t.endsWith(".gemspec"))) return false;
  const shared = files.filter((f) => /^(bin|lib)\//.test(f.rel));
  if (shared.some((f) => RUNTIME_CODE.test(f.rel))) return false;
  return shared.some((f) => (f.rel.startsWith("bin/") ? f.executable === true && isSharedNative(f.rel) : isSharedNative(f.rel)));
}

/** What a plain package folder tells about itself, for placing it. @group Internals */
export interface PlainFolderFacts {
  /** The `name` of the folder's package.json (Node.js). */
  readonly nodePackageName?: string;
  /** The folder's own name when it holds `__init__.py`: it is that Python package. */
  readonly pythonPackage?: string;
  /** True when the folder has a lib/ folder at its top (a gem's or a Java build's layout). */
  readonly hasLibFolder?: boolean;
}

/**
 * The prefix under which a plain package folder is placed, ending in "/" (or "" for as-is).
 * @throws LayerValidationError when the place is ambiguous, or the folder's name cannot be imported.
 * @group Internals
 */
export function plainFolderPrefix(source: string, runtimes: readonly Runtime[], facts: PlainFolderFacts = {}): string {
  const families = [...new Set(runtimes.map((r) => r.family))];
  if (families.length > 1) throw errors.ambiguousPlainFolder(source, families);
  switch (families[0]) {
    case RuntimeFamily.PYTHON:
      if (facts.pythonPackage === undefined) return "python/";
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(facts.pythonPackage)) throw errors.plainPythonPackageName(source, facts.pythonPackage);
      return `python/${facts.pythonPackage}/`;
    case RuntimeFamily.NODEJS: {
      if (facts.nodePackageName === undefined) throw errors.plainNodePackageWithoutName(source);
      const problem = npmNameProblem(facts.nodePackageName);
      if (problem) throw errors.invalidNodePackageName(source, facts.nodePackageName, problem);
      return `nodejs/node_modules/${facts.nodePackageName}/`;
    }
    case RuntimeFamily.RUBY:
      if (facts.hasLibFolder) throw errors.plainFolderWithLib(source, "ruby/lib/", "RUBYLIB");
      return "ruby/lib/";
    case RuntimeFamily.JAVA:
      if (facts.hasLibFolder) throw errors.plainFolderWithLib(source, "java/lib/", "CLASSPATH");
      return "java/lib/";
    default:
      return "";
  }
}

const NPM_BLOCKED_NAMES = new Set(["node_modules", "favicon.ico"]);

/**
 * Why a package.json `name` is not a valid npm package name, or undefined when it is. npm's rules
 * for new packages (as validate-npm-package-name applies them): 1-214 characters, lower case, no
 * leading dot or underscore, no spaces around it, none of ~'!()*, URL-safe except for the "/" of
 * a scope (`@scope/name`), not "node_modules" or "favicon.ico". Such a name is also a safe path:
 * no "..", no absolute path, at most one "/".
 * @see https://docs.npmjs.com/cli/configuring-npm/package-json#name
 * @group Internals
 */
export function npmNameProblem(name: string): string | undefined {
  if (name.length === 0) return "is empty";
  if (name.length > 214) return "is longer than 214 characters";
  if (name.trim() !== name) return "has spaces around it";
  if (name.startsWith(".")) return 'starts with "."';
  if (name.startsWith("_")) return 'starts with "_"';
  if (NPM_BLOCKED_NAMES.has(name.toLowerCase())) return "is a name npm blocks";
  if (name.toLowerCase() !== name) return "has upper-case letters";
  if (/[~'!()*]/.test(name)) return "has one of the characters ~'!()*";
  const scoped = /^@([^/]+)\/([^/]+)$/.exec(name);
  const parts = scoped ? [scoped[1], scoped[2]] : [name];
  if (parts.some((p) => encodeURIComponent(p) !== p)) return 'has characters that are not URL-safe (only a scope\'s "/" is allowed)';
  if (scoped && /^[._]/.test(scoped[2])) return 'has a package part that starts with "." or "_"';
  return undefined;
}

/**
 * The classic misplacements that no placement repairs: a Python install tree or a node_modules
 * folder at the top, where /opt puts it on no runtime's search path.
 * @throws LayerValidationError naming the folder and where it belongs.
 */
export function checkMisplacedRoots(source: string, files: readonly LayoutFile[], runtimes: readonly Runtime[]): void {
  const families = new Set(runtimes.map((r) => r.family));
  const tops = new Set(files.map((f) => topName(f.rel)));
  if (families.has(RuntimeFamily.PYTHON)) {
    const sitePackages = files.map((f) => /^(lib\/python\d+\.\d+\/site-packages)\//.exec(f.rel)?.[1]).find(Boolean);
    if (sitePackages) throw errors.sitePackagesOutsidePython(source, sitePackages, `python/${sitePackages}/`);
    if (tops.has("site-packages") && files.some((f) => f.rel.startsWith("site-packages/"))) {
      throw errors.sitePackagesOutsidePython(source, "site-packages", "python/");
    }
  }
  if (families.has(RuntimeFamily.NODEJS) && files.some((f) => f.rel.startsWith("node_modules/")) && !tops.has("package.json")) {
    throw errors.nodeModulesAtTop(source);
  }
}

/** Bump when checkLayout's rules change: a cached archive's metadata hit replays the outcome of the rules it was checked by. */
export const LAYOUT_RULES_VERSION = 1;

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
  const stray = [...new Set(paths.filter((p) => !isManifest(p) && !runtimes.some((r) => isLoadedBy(p, r))).map(topTwo))];
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

/** nodejs/package.json and its lock file are where docs/layers.md puts a layer's npm manifest: not stray content. */
function isManifest(path: string): boolean {
  return /^nodejs\/(node\d+\/)?(package\.json|package-lock\.json|npm-shrinkwrap\.json)$/.test(path);
}

function describePaths(r: Runtime): string {
  const own = searchPaths(r).filter((p) => p !== "");
  return own.length === 0 ? "any path under /opt it is told to read" : [...own, ...SHARED_PATHS].map((p) => `/opt/${p}/`).join(", ");
}

/** The first segment of a "/"-separated path. */
function topName(path: string): string {
  const slash = path.indexOf("/");
  return slash < 0 ? path : path.slice(0, slash);
}

function topTwo(path: string): string {
  const parts = path.split("/");
  return parts.length > 2 ? `${parts[0]}/${parts[1]}/…` : path;
}

/** Names the classic mistakes so the error says more than "wrong layout". */
function diagnose(paths: readonly string[], runtimes: readonly Runtime[]): string {
  const tops = [...new Set(paths.map(topName))];
  const hints: string[] = [`top level: ${tops.slice(0, 6).join(", ")}${tops.length > 6 ? ", …" : ""}`];
  const pyVersions = new Set(paths.map((p) => /^python\/lib\/python(\d+\.\d+)\//.exec(p)?.[1]).filter(Boolean));
  for (const v of pyVersions) hints.push(`python/lib/python${v}/site-packages is imported only by python${v}`);
  const nodeVersions = new Set(paths.map((p) => /^nodejs\/node(\d+)\//.exec(p)?.[1]).filter(Boolean));
  for (const v of nodeVersions) hints.push(`nodejs/node${v}/node_modules is read only by nodejs${v}.x`);
  if (paths.some((p) => /^lib\/python\d+\.\d+\/site-packages\//.test(p))) {
    hints.push("lib/pythonX.Y/site-packages is on LD_LIBRARY_PATH, not on sys.path: move it under python/");
  }
  if (paths.some((p) => p.startsWith("node_modules/")))
    hints.push("node_modules/ at the top is not on NODE_PATH: move it to nodejs/node_modules/");
  const sharedCode = paths.filter((p) => /^(bin|lib)\//.test(p) && RUNTIME_CODE.test(p));
  if (sharedCode.length > 0) hints.push(`${sharedCode[0]} is code of a language runtime, which /opt/bin and /opt/lib do not load`);
  if (paths.some((p) => p.startsWith("nodejs/") && !isManifest(p) && !/^nodejs\/(node\d+\/)?node_modules\//.test(p))) {
    hints.push("files under nodejs/ outside node_modules/ are not on NODE_PATH");
  }
  const families = new Set(runtimes.map((r) => r.family as string));
  const otherFamily = tops.filter((t) => ["python", "nodejs", "ruby", "java"].includes(t) && !families.has(t));
  if (otherFamily.length > 0) hints.push(`${otherFamily.join(", ")}/ serves a runtime that is not declared`);
  return hints.join("; ");
}
