// Installs a layer's declared dependencies (requirements.txt with pip, package.json with npm)
// into a cache folder keyed by the manifest's hash and the target platform, so that an unchanged
// manifest is installed once per machine however many layers or synths use it.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { errors } from "./errors";
import { formatBytes, progress, seconds } from "./progress";
import { Architecture, Runtime, RuntimeFamily } from "./runtime";

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
}

const LOCK_FILES = ["package-lock.json", "npm-shrinkwrap.json"];

/** Installs (or finds in the cache) one dependency set. */
export function installDependencies(dep: DependencyManifest, opts: InstallOptions): InstalledDependencies {
  const plan = dep.kind === "pip" ? pipPlan(dep, opts) : npmPlan(dep, opts);
  const key = crypto.createHash("sha256").update(JSON.stringify(plan.keyParts)).digest("hex").slice(0, 32);
  const root = path.join(opts.cacheDir, "deps", key);
  if (fs.existsSync(path.join(root, ".complete")))
    return { root: path.join(root, "out"), archivePrefix: dep.archivePrefix, key, cached: true };

  const started = process.hrtime.bigint();
  const work = fs.mkdtempSync(path.join(ensureDir(path.join(opts.cacheDir, "deps")), `.tmp-${key}-`));
  try {
    plan.prepare(work);
    const [cmd, ...args] = plan.command(work);
    const result = spawnSync(cmd, args, { cwd: work, encoding: "utf8", maxBuffer: 64 * 1024 * 1024, env: plan.env });
    if (result.status !== 0) {
      const output = `${result.stdout ?? ""}${result.stderr ?? ""}${result.error ? String(result.error) : ""}`;
      throw errors.dependencyInstallFailed(
        opts.reportAs ?? path.dirname(dep.manifest),
        path.basename(dep.manifest),
        [cmd, ...args].join(" "),
        output,
      );
    }
    plan.finish(work);
    fs.writeFileSync(path.join(work, ".complete"), "");
    fs.rmSync(root, { recursive: true, force: true });
    fs.renameSync(work, root);
    progress(
      `installed ${dep.kind} dependencies of ${dep.manifest}: ${formatBytes(folderBytes(path.join(root, "out")))} in ${seconds(started)}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
  return { root: path.join(root, "out"), archivePrefix: dep.archivePrefix, key, cached: false };
}

interface InstallPlan {
  readonly keyParts: unknown[];
  readonly env?: NodeJS.ProcessEnv;
  prepare(work: string): void;
  command(work: string): string[];
  finish(work: string): void;
}

function pipPlan(dep: DependencyManifest, opts: InstallOptions): InstallPlan {
  const pythons = opts.runtimes.filter((r) => r.family === RuntimeFamily.PYTHON && r.version);
  // Wheels are chosen for the oldest declared Python: pure and abi3 wheels then load on every one.
  const version = pythons.map((r) => r.version!).sort(compareVersions)[0] ?? "3.12";
  const archs = opts.architectures ?? [Architecture.X86_64];
  const platforms = archs.flatMap((a) => [`manylinux2014_${a.linuxMachine}`, `manylinux_2_28_${a.linuxMachine}`]);
  const requirements = fs.readFileSync(dep.manifest);
  return {
    keyParts: ["pip", requirements.toString("base64"), version, platforms, opts.pipArgs ?? []],
    env: { ...process.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONDONTWRITEBYTECODE: "1" },
    prepare: (work) => fs.copyFileSync(dep.manifest, path.join(work, "requirements.txt")),
    command: (work) => [
      process.env.CDKTF_LAYERS_PYTHON ?? "python3",
      "-m",
      "pip",
      "install",
      "--quiet",
      "--no-compile",
      "--requirement",
      "requirements.txt",
      "--target",
      path.join(work, "out"),
      "--implementation",
      "cp",
      "--python-version",
      version,
      "--only-binary=:all:",
      ...platforms.flatMap((p) => ["--platform", p]),
      ...(opts.pipArgs ?? []),
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
  const archs = opts.architectures ?? [Architecture.X86_64];
  const files = ["package.json", ...(lock ? [lock] : [])];
  return {
    keyParts: ["npm", ...files.map((f) => fs.readFileSync(path.join(folder, f), "base64")), archs.map((a) => a.name), opts.npmArgs ?? []],
    prepare: (work) => {
      fs.mkdirSync(path.join(work, "out"));
      for (const f of files) fs.copyFileSync(path.join(folder, f), path.join(work, "out", f));
      // Without a lock file nothing needs devDependencies to resolve: leaving them out spares
      // npm fetching metadata for packages that are never installed.
      if (!lock) {
        const manifest = JSON.parse(fs.readFileSync(dep.manifest, "utf8"));
        delete manifest.devDependencies;
        fs.writeFileSync(path.join(work, "out", "package.json"), JSON.stringify(manifest));
      }
    },
    command: () => [
      process.platform === "win32" ? "npm.cmd" : "npm",
      ...(lock ? ["ci"] : ["install", "--no-package-lock"]),
      "--omit=dev",
      "--no-audit",
      "--no-fund",
      "--os=linux",
      ...archs.map((a) => `--cpu=${a.npmCpu}`),
      "--prefix",
      "out",
      ...(opts.npmArgs ?? []),
    ],
    finish: (work) => {
      // Only node_modules is installed content; the manifests stay in the source folder.
      for (const f of [...files, "node_modules/.package-lock.json"]) fs.rmSync(path.join(work, "out", f), { force: true });
      fs.rmSync(path.join(work, "out", "node_modules", ".bin"), { recursive: true, force: true });
      fs.mkdirSync(path.join(work, "out", "node_modules"), { recursive: true });
    },
  };
}

/** A place a folder may declare dependencies: path relative to the folder, installer, and where installed files go. */
export type ManifestCandidate = readonly [rel: string, kind: DependencyManifest["kind"], archivePrefix: string];

/**
 * The dependency manifests a folder declares among `candidates`, kept for the runtimes' families,
 * and the source files that are build input rather than content (requirements.txt).
 * A package.json beside an existing node_modules folder is taken as installed.
 */
export function findManifests(
  source: string,
  candidates: readonly ManifestCandidate[],
  runtimes: readonly Runtime[],
): { manifests: DependencyManifest[]; buildInputs: Set<string> } {
  const families = new Set(runtimes.map((r) => r.family));
  const manifests: DependencyManifest[] = [];
  const buildInputs = new Set<string>();
  for (const [rel, kind, archivePrefix] of candidates) {
    const manifest = path.join(source, rel);
    if (!fs.existsSync(manifest)) continue;
    if (kind === "pip" && !families.has(RuntimeFamily.PYTHON)) continue;
    if (kind === "npm") {
      if (!families.has(RuntimeFamily.NODEJS)) continue;
      if (fs.existsSync(path.join(path.dirname(manifest), "node_modules")) || !declaresNpmDependencies(manifest)) continue;
    }
    manifests.push({ kind, manifest, archivePrefix });
    if (kind === "pip") buildInputs.add(rel);
  }
  return { manifests, buildInputs };
}

/** True when a package.json lists production dependencies (nothing to install otherwise). */
function declaresNpmDependencies(packageJson: string): boolean {
  try {
    const deps = JSON.parse(fs.readFileSync(packageJson, "utf8")).dependencies;
    return deps !== null && typeof deps === "object" && Object.keys(deps).length > 0;
  } catch {
    return false;
  }
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
