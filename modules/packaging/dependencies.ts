// Installs a layer's declared dependencies (requirements.txt with pip, package.json with npm)
// into a cache folder keyed by the manifest's hash and the target platform, so that an unchanged
// manifest is installed once per machine however many layers or synths use it.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { errors } from "../core/errors";
import { formatBytes, progress, seconds } from "../core/progress";
import { Architecture, Runtime, RuntimeFamily } from "../aws/runtime";
import { tempPrefix } from "./archive-cache";
import { tagCacheFolder } from "./source-files";
import { npmInputs, npmLocalDependencies, pipInputs } from "./install-inputs";
import { LAMBDA_OS_GLIBC } from "../aws/runtime-catalogue";

/** A dependency set to install, found in a layer's source folder. */
export interface DependencyManifest {
  readonly kind: "pip" | "npm";
  /** Absolute path of requirements.txt or package.json. */
  readonly manifest: string;
  /** Where the installed files go inside the archive, ending in "/". */
  readonly archivePrefix: string;
}

export interface InstallOptions {
  readonly runtimes: readonly Runtime[];
  readonly architectures?: readonly Architecture[];
  /** Cache root; installs land in `<cacheDir>/deps/<key>/`. */
  readonly cacheDir: string;
  /** Extra pip arguments, for example ["--no-index", "--find-links", "/wheels"]. */
  readonly pipArgs?: readonly string[];
  /** Extra npm arguments. */
  readonly npmArgs?: readonly string[];
  /** The source folder as the user named it, for errors. */
  readonly reportAs?: string;
}

/** An installed dependency set: the folder whose content goes under `archivePrefix`. */
export interface InstalledDependencies {
  readonly root: string;
  readonly archivePrefix: string;
  readonly key: string;
  readonly cached: boolean;
  /** Advice about the manifest (unpinned requirements, no lock file); given on cache hits too. */
  readonly warnings: readonly string[];
}

const LOCK_FILES = ["package-lock.json", "npm-shrinkwrap.json"];

/** Installs (or finds in the cache) one dependency set. */
export function installDependencies(dep: DependencyManifest, opts: InstallOptions): InstalledDependencies {
  const plan = dep.kind === "pip" ? pipPlan(dep, opts) : npmPlan(dep, opts);
  const key = crypto.createHash("sha256").update(JSON.stringify(plan.keyParts)).digest("hex").slice(0, 32);
  const root = path.join(opts.cacheDir, "deps", key);
  const warnings = plan.warnings ?? [];
  if (fs.existsSync(path.join(root, ".complete")))
    return { root: path.join(root, "out"), archivePrefix: dep.archivePrefix, key, cached: true, warnings };

  const started = process.hrtime.bigint();
  tagCacheFolder(opts.cacheDir);
  const work = fs.mkdtempSync(path.join(ensureDir(path.join(opts.cacheDir, "deps")), `${tempPrefix()}${key}-`));
  try {
    plan.prepare(work);
    const [cmd, ...args] = plan.command(work);
    const cwd = plan.cwd ?? work;
    const result = spawnSync(cmd, args, { cwd, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: plan.env });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
      // The work folder is deleted below: show a command that runs as is, in a folder that exists.
      const prefix = args.indexOf("--prefix");
      const runnable = cwd === work && prefix >= 0 ? [...args.slice(0, prefix), ...args.slice(prefix + 2)] : args;
      const shown = [cmd, ...runnable].join(" ").split(work).join('"$(mktemp -d)"');
      throw errors.dependencyInstallFailed(
        opts.reportAs ?? path.dirname(dep.manifest),
        path.basename(dep.manifest),
        shown,
        cwd === work ? `a copy of ${path.dirname(dep.manifest)}` : cwd,
        output,
        plan.failureHint?.(output),
      );
    }
    plan.finish(work);
    fs.writeFileSync(path.join(work, ".complete"), "");
    publishInstall(work, root);
    progress(
      `installed ${dep.kind} dependencies of ${dep.manifest}: ${formatBytes(folderBytes(path.join(root, "out")))} in ${seconds(started)}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { root: path.join(root, "out"), archivePrefix: dep.archivePrefix, key, cached: false, warnings };
}

/**
 * Moves a finished install to its cache place in one rename. When another build published the
 * same key first, its install stays (it may be read right now) and this one is dropped; a
 * leftover without `.complete` (an older library's crash) is moved aside, never deleted in place.
 * @throws LayerValidationError when the cache folder cannot take the install.
 */
export function publishInstall(work: string, root: string): void {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.renameSync(work, root);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== "ENOTEMPTY" && code !== "EEXIST" && code !== "EPERM") throw errors.dependencyCacheUnwritable(root, String(e));
      if (fs.existsSync(path.join(root, ".complete"))) return; // the first complete install wins
      try {
        fs.renameSync(root, `${root}.stale-${process.pid}-${crypto.randomBytes(4).toString("hex")}`);
      } catch {
        // another build moved it first: try again
      }
    }
  }
  if (!fs.existsSync(path.join(root, ".complete"))) throw errors.dependencyCacheUnwritable(root, "another process keeps replacing it");
}

interface InstallPlan {
  readonly keyParts: unknown[];
  readonly env?: NodeJS.ProcessEnv;
  /** Where the installer runs (relative paths in manifests and arguments resolve from there). @default the work folder */
  readonly cwd?: string;
  /** Advice about reproducibility (unpinned requirements, no lock file). */
  readonly warnings?: readonly string[];
  /** What the user may change when the installer's output says why it failed. */
  failureHint?(output: string): string | undefined;
  prepare(work: string): void;
  command(work: string): string[];
  finish(work: string): void;
}

function pipPlan(dep: DependencyManifest, opts: InstallOptions): InstallPlan {
  const pythons = opts.runtimes.filter((r) => r.family === RuntimeFamily.PYTHON && r.version);
  // Wheels are chosen for the oldest declared Python: pure and abi3 wheels then load on every one.
  const version = pythons.map((r) => r.version!).sort(compareVersions)[0] ?? "3.12";
  const archs = installArchitectures(opts);
  // pip is asked only for wheels the oldest C library among the Pythons loads: a manylinux_2_28
  // wheel in a python3.11 layer (Amazon Linux 2, glibc 2.26) fails at import.
  const glibc = lowestGlibc(pythons);
  const platforms = archs.flatMap((a) => manylinuxPlatforms(glibc, a));
  const requirements = fs.readFileSync(dep.manifest);
  const inputs = pipInputs(dep.manifest, opts.pipArgs);
  return {
    keyParts: ["pip", requirements.toString("base64"), version, platforms, opts.pipArgs ?? [], inputs.fingerprint],
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONDONTWRITEBYTECODE: "1" },
    // pip runs in the manifest's folder, so -r/-c includes, ./wheels and --find-links ./wheels resolve as the user wrote them.
    cwd: path.dirname(dep.manifest),
    warnings: inputs.warnings,
    failureHint: (output) =>
      /No matching distribution|Could not find a version/.test(output) && newerPythons(glibc) !== undefined
        ? `if the package exists but has no wheel for this target: pip was offered only wheels glibc ${glibc} loads (manylinux_2_${glibc.split(".")[1]} and older, the C library of ${pythons.map((r) => r.name).join(", ") || "Amazon Linux 2"}), so a release published only for a newer glibc needs an older release with manylinux2014 wheels, or ${newerPythons(glibc)}`
        : undefined,
    prepare: () => undefined,
    command: (work) => [
      process.env.CDKTF_LAYERS_PYTHON ?? "python3",
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-compile",
      "--requirement",
      dep.manifest,
      "--target",
      path.join(work, "out"),
      "--implementation",
      "cp",
      "--python-version",
      version,
      "--only-binary=:all:",
      ...platforms.flatMap((p) => ["--platform", p]),
      ...inputs.args,
    ],
    finish: (work) => {
      // pip's own bookkeeping differs between machines (INSTALLER, RECORD paths, direct_url.json).
      for (const entry of fs.readdirSync(path.join(work, "out"))) {
        if (entry === "bin") fs.rmSync(path.join(work, "out", entry), { recursive: true, force: true });
        if (entry.endsWith(".dist-info")) {
          for (const f of ["RECORD", "INSTALLER", "direct_url.json", "REQUESTED"]) {
            fs.rmSync(path.join(work, "out", entry, f), { force: true });
          }
        }
      }
    },
  };
}

function npmPlan(dep: DependencyManifest, opts: InstallOptions): InstallPlan {
  const folder = path.dirname(dep.manifest);
  const lock = LOCK_FILES.find((f) => fs.existsSync(path.join(folder, f)));
  const archs = installArchitectures(opts);
  const files = ["package.json", ...(lock ? [lock] : [])];
  const inputs = npmInputs(dep.manifest, lock, opts.npmArgs);
  const local = npmLocalDependencies(dep.manifest);
  // `file:` paths resolve from package.json's folder: the copy sits deep enough in the work folder
  // that each "../" stays inside it, where a link stands for the real tarball or folder.
  const depth = Math.max(
    1,
    ...local.map(
      (t) =>
        path
          .relative(folder, t)
          .split(path.sep)
          .filter((s) => s === "..").length,
    ),
  );
  const packageDir = (work: string) => path.join(work, ...Array<string>(depth - 1).fill("n"), "out");
  return {
    keyParts: [
      "npm",
      ...files.map((f) => fs.readFileSync(path.join(folder, f), "base64")),
      archs.map((a) => a.name),
      opts.npmArgs ?? [],
      inputs.fingerprint,
    ],
    warnings: inputs.warnings,
    prepare: (work) => {
      const dir = packageDir(work);
      fs.mkdirSync(dir, { recursive: true });
      for (const f of files) fs.copyFileSync(path.join(folder, f), path.join(dir, f));
      // Without a lock file nothing needs devDependencies to resolve: leaving them out spares
      // npm fetching metadata for packages that are never installed.
      if (!lock) {
        const manifest = JSON.parse(fs.readFileSync(dep.manifest, "utf8"));
        delete manifest.devDependencies;
        fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(manifest));
      }
      for (const target of local) {
        const link = path.resolve(dir, path.relative(folder, target));
        if (fs.existsSync(link) || !fs.existsSync(target)) continue;
        fs.mkdirSync(path.dirname(link), { recursive: true });
        fs.symlinkSync(target, link);
      }
    },
    command: (work) => [
      process.platform === "win32" ? "npm.cmd" : "npm",
      ...(lock ? ["ci"] : ["install", "--no-package-lock"]),
      "--omit=dev",
      "--no-audit",
      "--no-fund",
      "--os=linux",
      ...archs.map((a) => `--cpu=${a.npmCpu}`),
      // a local folder dependency is copied in, not linked to a path that is gone after the build
      ...(local.length > 0 ? ["--install-links"] : []),
      "--prefix",
      path.relative(work, packageDir(work)),
      ...(opts.npmArgs ?? []),
    ],
    finish: (work) => {
      // Only node_modules is installed content; the manifests and links stay behind.
      const modules = path.join(packageDir(work), "node_modules");
      const staged = path.join(work, ".node_modules");
      if (fs.existsSync(modules)) fs.renameSync(modules, staged);
      for (const entry of fs.readdirSync(work))
        if (entry !== ".node_modules") fs.rmSync(path.join(work, entry), { recursive: true, force: true });
      fs.mkdirSync(path.join(work, "out", "node_modules"), { recursive: true });
      if (fs.existsSync(staged)) {
        fs.rmSync(path.join(work, "out", "node_modules"), { recursive: true });
        fs.renameSync(staged, path.join(work, "out", "node_modules"));
      }
      fs.rmSync(path.join(work, "out", "node_modules", ".package-lock.json"), { force: true });
      fs.rmSync(path.join(work, "out", "node_modules", ".bin"), { recursive: true, force: true });
    },
  };
}

/** The glibc Lambda's oldest runtime OS ships (Amazon Linux 2): assumed for a runtime whose OS is unknown. */
const OLDEST_LAMBDA_GLIBC = LAMBDA_OS_GLIBC.amazonlinux2;

/** The lowest glibc among runtimes ("2.26" when any runs on Amazon Linux 2, or when none says). @group Internals */
export function lowestGlibc(runtimes: readonly Runtime[]): string {
  const known = runtimes.map((r) => r.glibc).filter((g): g is string => g !== undefined);
  if (known.length < runtimes.length || known.length === 0) return OLDEST_LAMBDA_GLIBC;
  return known.sort(compareVersions)[0];
}

/** "a newer runtime (python3.12, python3.13 run on glibc 2.34)"; undefined when none has a newer glibc. */
function newerPythons(glibc: string): string | undefined {
  const newer = Runtime.all.filter((r) => r.family === RuntimeFamily.PYTHON && r.glibc && compareVersions(r.glibc, glibc) > 0);
  if (newer.length === 0) return undefined;
  const byGlibc = new Map<string, string[]>();
  for (const r of newer.sort((a, b) => compareVersions(a.version!, b.version!)))
    byGlibc.set(r.glibc!, [...(byGlibc.get(r.glibc!) ?? []), r.name]);
  return `a newer runtime (${[...byGlibc].map(([g, names]) => `${names.join(", ")} run on glibc ${g}`).join("; ")})`;
}

/**
 * The `pip --platform` values for wheels a glibc loads on an architecture, most preferred first,
 * in the order `packaging` ranks a glibc system's own tags (PEP 600): manylinux_2_<minor> from the
 * glibc down to manylinux_2_17, then manylinux2014 (PEP 599's name for 2_17, which pip itself
 * widens to manylinux2010 and manylinux1 on x86_64). pip matches --platform values literally,
 * so each PEP 600 name is given: a wheel tagged only manylinux_2_24 would not match
 * "manylinux2014". Wheels for older glibcs carry the legacy names (auditwheel writes both).
 * For glibc 2.26 on x86_64: manylinux_2_26_x86_64 … manylinux_2_17_x86_64, manylinux2014_x86_64.
 * @see https://peps.python.org/pep-0600/
 * @group Internals
 */
export function manylinuxPlatforms(glibc: string, architecture: Architecture): string[] {
  const [major, minor] = glibc.split(".").map(Number);
  if (major !== 2 || !Number.isInteger(minor) || minor < 17) throw new Error(`glibc version ${glibc} is not 2.17 or later`);
  const machine = architecture.linuxMachine;
  const platforms: string[] = [];
  for (let m = minor; m >= 17; m--) platforms.push(`manylinux_2_${m}_${machine}`);
  return [...platforms, `manylinux2014_${machine}`];
}

/**
 * The architectures an install targets, in one fixed order: pip prefers the first --platform
 * and npm keeps the last --cpu, so the user's order must decide neither the files nor the cache
 * key. A native dependency then matches one architecture only, and the native-binary check
 * refuses it for the others with the way to split the layer (native-binaries.ts).
 */
function installArchitectures(opts: InstallOptions): Architecture[] {
  return [...(opts.architectures ?? [Architecture.X86_64])].sort((a, b) => Architecture.all.indexOf(a) - Architecture.all.indexOf(b));
}

/** A place a folder may declare dependencies: path relative to the folder, installer, and where installed files go. */
export type ManifestCandidate = readonly [rel: string, kind: DependencyManifest["kind"], archivePrefix: string];

/** The dependency sets a folder declares, and what of the folder is build input rather than content. */
export interface FoundManifests {
  readonly manifests: DependencyManifest[];
  /**
   * Source paths that are build input, never shipped: files (requirements.txt, lock files) and
   * folders ending in "/" (a local npm install beside its manifest).
   */
  readonly buildInputs: Set<string>;
  /** Advice about what was left out and why. */
  readonly warnings: string[];
}

/**
 * The dependency manifests a folder declares among `candidates`, kept for the runtimes' families.
 * A package.json that declares dependencies is always installed from itself and its lock file in
 * a clean folder, production dependencies only: a node_modules/ beside it (a local `npm install`,
 * with devDependencies and the laptop's native builds) is build input, never shipped, so a laptop
 * and a fresh CI clone build the same bytes.
 */
export function findManifests(
  source: string,
  candidates: readonly ManifestCandidate[],
  runtimes: readonly Runtime[],
  pipArgs: readonly string[] = [],
): FoundManifests {
  const families = new Set(runtimes.map((r) => r.family));
  const manifests: DependencyManifest[] = [];
  const buildInputs = new Set<string>();
  const warnings: string[] = [];
  for (const [rel, kind, archivePrefix] of candidates) {
    const manifest = path.join(source, rel);
    if (!fs.existsSync(manifest)) continue;
    if (kind === "pip" && !families.has(RuntimeFamily.PYTHON)) continue;
    if (kind === "npm") {
      if (!families.has(RuntimeFamily.NODEJS)) continue;
      const declared = npmDeclarations(manifest);
      const dir = path.posix.dirname(rel) === "." ? "" : `${path.posix.dirname(rel)}/`;
      if (declared.any && fs.existsSync(path.join(path.dirname(manifest), "node_modules"))) {
        buildInputs.add(`${dir}node_modules/`);
        warnings.push(
          `${dir}node_modules/ (a local npm install beside ${rel}) is not shipped: the builder installs ${rel}'s production dependencies from it and its lock file in a clean folder; delete it or add it to \`excludes\` to silence this`,
        );
      }
      if (!declared.production) continue;
      for (const lock of LOCK_FILES) buildInputs.add(`${dir}${lock}`);
    }
    manifests.push({ kind, manifest, archivePrefix });
    if (kind === "pip") buildInputs.add(rel);
    // Requirement includes, wheels, find-links folders and `file:` packages inside the folder feed the install only.
    const inputs = kind === "pip" ? pipInputs(manifest, pipArgs).paths : npmLocalDependencies(manifest);
    for (const input of inputs) {
      const inside = path.relative(source, input);
      if (inside === "" || inside.startsWith("..") || path.isAbsolute(inside)) continue;
      const isFolder = fs.existsSync(input) && fs.statSync(input).isDirectory();
      buildInputs.add(inside.split(path.sep).join("/") + (isFolder ? "/" : ""));
    }
  }
  return { manifests, buildInputs, warnings };
}

/** Which dependency lists a package.json declares: production ones are installed, any one makes node_modules an install. */
function npmDeclarations(packageJson: string): { production: boolean; any: boolean } {
  let manifest: Record<string, unknown>;
  try {
    manifest = JSON.parse(fs.readFileSync(packageJson, "utf8"));
  } catch {
    return { production: false, any: false };
  }
  const lists = (fields: string[]) =>
    fields.some((f) => {
      const deps = manifest?.[f];
      return deps !== null && typeof deps === "object" && Object.keys(deps).length > 0;
    });
  const production = lists(["dependencies", "optionalDependencies"]);
  return { production, any: production || lists(["devDependencies", "peerDependencies"]) };
}

/**
 * The packages a manifest asks for, by name, as far as the manifest alone tells (no resolution):
 * package.json's dependencies and optionalDependencies, requirements.txt's requirement names.
 */
export function declaredPackages(dep: DependencyManifest): string[] {
  try {
    const text = fs.readFileSync(dep.manifest, "utf8");
    if (dep.kind === "npm") {
      const manifest = JSON.parse(text);
      return [...new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.optionalDependencies ?? {})])].sort();
    }
    return text
      .split(/\r?\n/)
      .map((line) => /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line.replace(/(^|\s)#.*$/, ""))?.[1])
      .filter((name): name is string => name !== undefined);
  } catch {
    return [];
  }
}

/** True when a source path is build input: listed itself, or inside a listed folder. */
export function isBuildInput(rel: string, buildInputs: ReadonlySet<string>): boolean {
  if (buildInputs.has(rel)) return true;
  for (const input of buildInputs) if (input.endsWith("/") && rel.startsWith(input)) return true;
  return false;
}

function compareVersions(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
}

function folderBytes(dir: string): number {
  let total = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += fs.statSync(path.join(entry.parentPath, entry.name)).size;
  }
  return total;
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
