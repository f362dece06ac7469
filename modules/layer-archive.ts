// Turns a folder of layer content into a byte-reproducible zip: walk, place under the runtime's
// prefix, install declared dependencies, check layout, secrets and limits, then write the zip.
// Pure packaging: knows nothing of Terraform. Results are cached by a metadata fingerprint (fast
// path) and by a content fingerprint (after `touch` or a fresh checkout).
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { DependencyManifest, installDependencies } from "./dependencies";
import { errors } from "./errors";
import { checkLayout, isLaidOut, plainFolderPrefix } from "./layout";
import { MAX_DIRECT_UPLOAD_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES } from "./limits";
import { Architecture, parseArchitectures, parseRuntimes, Runtime, RuntimeFamily } from "./runtime";
import { secretByContent, secretByName } from "./secrets";
import { compareBytes, walkSource } from "./source-files";
import { compressAll } from "./parallel-deflate";
import { DEFLATE_LEVEL, writeZipToFd, ZipEntry } from "./zip-writer";

/** Bump when the archive format changes, so that cached archives are rebuilt. */
const BUILDER_VERSION = 1;

export interface BuildLayerArchiveOptions {
  /** Folder holding the layer content, laid out for /opt (python/, nodejs/node_modules/, …) or a plain package folder. */
  readonly source: string;
  /** Runtimes that load the layer; they decide where a plain folder is placed and which layouts load. */
  readonly compatibleRuntimes: ReadonlyArray<string | Runtime>;
  /**
   * Architectures the layer supports; dependencies are installed for them.
   * @default - x86_64 for dependency installs; the layer itself declares none
   */
  readonly compatibleArchitectures?: ReadonlyArray<string | Architecture>;
  /** Globs relative to `source` left out of the archive; a matching folder is left out whole. @default [] */
  readonly excludes?: readonly string[];
  /** Leave out caches, VCS folders, `*.pyc`, `.DS_Store` and test folders (see DEFAULT_EXCLUDES). @default true */
  readonly defaultExcludes?: boolean;
  /** Paths or globs relative to `source` that look like secrets but are not. @default [] */
  readonly allowSecrets?: readonly string[];
  /** Cache folder for archives, installs and staged folders. @default $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache */
  readonly outDir?: string;
  /** The archive will be uploaded through S3, so the 50 MB direct-upload limit does not apply. @default false */
  readonly s3Upload?: boolean;
  /** Install requirements.txt / package.json dependencies. @default true */
  readonly installDependencies?: boolean;
  /** Extra arguments for `pip install`, such as ["--no-index", "--find-links", "./wheels"]. @default [] */
  readonly pipArgs?: readonly string[];
  /** Extra arguments for `npm ci` / `npm install`. @default [] */
  readonly npmArgs?: readonly string[];
  /** Also write the archive's content, laid out, as a folder (for `archive_file` packaging). @default false */
  readonly stage?: boolean;
}

/** A built layer archive. */
export interface LayerArchive {
  /** Absolute path of the zip. */
  readonly path: string;
  /** SHA-256 of the zip, hex. */
  readonly sha256: string;
  /** SHA-256 of the zip, base64: what Lambda reports as CodeSha256 and Terraform's `source_code_hash`. */
  readonly base64Sha256: string;
  readonly zippedBytes: number;
  readonly unzippedBytes: number;
  /** File names inside the zip, sorted (directories are not listed). */
  readonly entries: readonly string[];
  /** Prefix a plain package folder was placed under ("" when the source was already laid out). */
  readonly placedUnder: string;
  /** Advice about the content (runtimes that load nothing, stray files); never fatal. */
  readonly warnings: readonly string[];
  /** How the result was obtained: built now, or reused by metadata or by content fingerprint. */
  readonly cache: "built" | "metadata-hit" | "content-hit";
  /** The laid-out content as a folder, when `stage` was set. */
  readonly stagedDir?: string;
}

interface PlannedFile {
  readonly name: string;
  readonly sourceRel: string;
  readonly abs: string;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
}

interface IndexRecord {
  readonly sha256: string;
  readonly base64Sha256: string;
  readonly zippedBytes: number;
  readonly unzippedBytes: number;
  readonly entries: string[];
}

/** The cache folder used when none is given. */
export function defaultCacheDir(): string {
  return path.resolve(process.env.CDKTF_LAYERS_CACHE_DIR ?? ".layer-cache");
}

/**
 * Builds (or reuses) the reproducible zip for a layer folder.
 * @throws LayerValidationError for a missing or empty source, a layout no declared runtime loads,
 *   an escaping symlink, a secret, or an archive over Lambda's limits. Nothing is left behind then.
 */
export function buildLayerArchive(options: BuildLayerArchiveOptions): LayerArchive {
  const runtimes = parseRuntimes(options.compatibleRuntimes);
  const architectures = parseArchitectures(options.compatibleArchitectures);
  const source = path.resolve(options.source);
  const reportAs = options.source;
  if (!fs.existsSync(source)) throw errors.sourceMissing(reportAs);
  if (!fs.statSync(source).isDirectory()) throw errors.sourceNotFolder(reportAs);
  const cacheDir = path.resolve(options.outDir ?? defaultCacheDir());

  const plan = planFiles(source, reportAs, runtimes, architectures, cacheDir, options);
  const warnings = checkLayout(reportAs, plan.files.map((f) => f.name), runtimes);
  const unzippedBytes = plan.files.reduce((sum, f) => sum + f.size, 0);
  if (unzippedBytes > MAX_UNZIPPED_BYTES) throw errors.unzippedTooLarge(reportAs, unzippedBytes, MAX_UNZIPPED_BYTES);
  const zipEntries = withDirectories(plan.files);
  if (zipEntries.length > MAX_ZIP_ENTRIES) throw errors.tooManyEntries(reportAs, zipEntries.length);
  checkSecretNames(plan.files, reportAs, options.allowSecrets);

  const optionsKey = [BUILDER_VERSION, process.versions.zlib, DEFLATE_LEVEL];
  const metadataKey = hashOf([optionsKey, source, plan.files.map((f) => [f.name, f.abs, f.size, f.mode, f.mtimeMs])]);
  let record = readIndex(cacheDir, metadataKey);
  let cache: LayerArchive["cache"] = "metadata-hit";
  let contents: Buffer[] | undefined;
  if (!record) {
    contents = plan.files.map((f) => fs.readFileSync(f.abs));
    checkSecretContents(plan.files, contents, reportAs, options.allowSecrets);
    const contentKey = contentFingerprint(optionsKey, plan.files, contents);
    record = readIndex(cacheDir, contentKey);
    cache = "content-hit";
    if (!record) {
      record = writeArchive(cacheDir, zipEntries, plan.files, contents, unzippedBytes);
      cache = "built";
      writeIndex(cacheDir, contentKey, record);
    }
    writeIndex(cacheDir, metadataKey, record);
  }

  const zipPath = archivePath(cacheDir, record.sha256);
  if (record.zippedBytes > MAX_DIRECT_UPLOAD_BYTES && !options.s3Upload) {
    throw errors.zippedTooLarge(reportAs, record.zippedBytes, MAX_DIRECT_UPLOAD_BYTES);
  }
  const stagedDir = options.stage ? stage(cacheDir, record.sha256, plan.files) : undefined;
  return { path: zipPath, ...record, placedUnder: plan.placedUnder, warnings: [...plan.warnings, ...warnings], cache, stagedDir };
}

/** Walks the source and the installed dependencies into the sorted list of files to archive. */
function planFiles(
  source: string,
  reportAs: string,
  runtimes: Runtime[],
  architectures: Architecture[] | undefined,
  cacheDir: string,
  options: BuildLayerArchiveOptions,
): { files: PlannedFile[]; placedUnder: string; warnings: string[] } {
  const walked = walkSource(source, { excludes: options.excludes, defaultExcludes: options.defaultExcludes, reportAs });
  if (walked.length === 0) throw errors.sourceEmpty(reportAs);
  const tops = [...new Set(walked.map((f) => f.rel.split("/")[0]))];
  const laidOut = isLaidOut(tops);
  const placedUnder = laidOut ? "" : plainFolderPrefix(reportAs, runtimes, nodePackageName(source, runtimes));

  const manifests = findManifests(source, laidOut, placedUnder, runtimes);
  const manifestRels = new Set(manifests.filter((m) => m.kind === "pip").map((m) => path.relative(source, m.manifest).split(path.sep).join("/")));
  const byName = new Map<string, PlannedFile>();
  for (const f of walked) {
    if (manifestRels.has(f.rel)) continue; // requirements.txt is build input, not layer content
    const name = placedUnder + f.rel;
    byName.set(name, { name, sourceRel: f.rel, abs: f.abs, size: f.size, mode: modeFor(name, f.executable), mtimeMs: f.mtimeMs });
  }

  const warnings: string[] = [];
  if (options.installDependencies ?? true) {
    for (const manifest of manifests) {
      const installed = installDependencies(manifest, {
        runtimes, architectures, cacheDir, pipArgs: options.pipArgs, npmArgs: options.npmArgs, reportAs,
      });
      let shadowed = 0;
      for (const f of walkSource(installed.root, { defaultExcludes: options.defaultExcludes })) {
        const name = installed.archivePrefix + f.rel;
        if (byName.has(name)) {
          shadowed++;
          continue; // the source folder's own file wins over an installed one
        }
        byName.set(name, { name, sourceRel: name, abs: f.abs, size: f.size, mode: modeFor(name, f.executable), mtimeMs: f.mtimeMs });
      }
      if (shadowed > 0) warnings.push(`${shadowed} installed file(s) from ${path.basename(manifest.manifest)} were replaced by the source folder's own copies`);
    }
  }
  const files = [...byName.values()].sort((a, b) => compareBytes(a.name, b.name));
  if (files.length === 0) throw errors.sourceEmpty(reportAs);
  return { files, placedUnder, warnings };
}

function nodePackageName(source: string, runtimes: Runtime[]): string | undefined {
  if (!runtimes.every((r) => r.family === RuntimeFamily.NODEJS)) return undefined;
  const manifest = path.join(source, "package.json");
  if (!fs.existsSync(manifest)) return undefined;
  try {
    const name = JSON.parse(fs.readFileSync(manifest, "utf8")).name;
    return typeof name === "string" && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Where a layer declares dependencies, and where their installed files go. */
function findManifests(source: string, laidOut: boolean, placedUnder: string, runtimes: Runtime[]): DependencyManifest[] {
  const found: DependencyManifest[] = [];
  const families = new Set(runtimes.map((r) => r.family));
  const candidates: Array<[string, DependencyManifest["kind"], string]> = laidOut
    ? [["python/requirements.txt", "pip", "python/"], ["requirements.txt", "pip", "python/"], ["nodejs/package.json", "npm", "nodejs/"]]
    : [["requirements.txt", "pip", placedUnder], ["package.json", "npm", placedUnder]];
  for (const [rel, kind, archivePrefix] of candidates) {
    const manifest = path.join(source, rel);
    if (!fs.existsSync(manifest)) continue;
    if (kind === "pip" && !families.has(RuntimeFamily.PYTHON)) continue;
    if (kind === "npm" && !families.has(RuntimeFamily.NODEJS)) continue;
    // A node_modules folder already in the source is taken as installed.
    if (kind === "npm" && fs.existsSync(path.join(path.dirname(manifest), "node_modules"))) continue;
    if (kind === "npm" && !hasDependencies(manifest)) continue;
    found.push({ kind, manifest, archivePrefix });
  }
  return found;
}

function hasDependencies(packageJson: string): boolean {
  try {
    const deps = JSON.parse(fs.readFileSync(packageJson, "utf8")).dependencies;
    return deps !== null && typeof deps === "object" && Object.keys(deps).length > 0;
  } catch {
    return false;
  }
}

/** 0755 for executables, a custom runtime's `bootstrap` and anything in bin/; 0644 otherwise. */
export function modeFor(name: string, executable: boolean): number {
  const base = name.split("/").pop();
  return executable || base === "bootstrap" || name.startsWith("bin/") ? 0o755 : 0o644;
}

/** The files plus every parent folder, as zip entries in byte order. */
function withDirectories(files: readonly PlannedFile[]): ZipEntry[] {
  const dirs = new Set<string>();
  for (const f of files) {
    const parts = f.name.split("/");
    for (let i = 1; i < parts.length; i++) dirs.add(`${parts.slice(0, i).join("/")}/`);
  }
  const entries: ZipEntry[] = [...dirs].map((name) => ({ name, mode: 0o755 }));
  entries.push(...files.map((f) => ({ name: f.name, mode: f.mode })));
  return entries.sort((a, b) => compareBytes(a.name, b.name));
}

function allowMatcher(allow: readonly string[] | undefined): (f: PlannedFile) => boolean {
  if (!allow?.length) return () => false;
  const match = picomatch([...allow], { dot: true });
  return (f) => match(f.sourceRel) || match(f.name);
}

function checkSecretNames(files: readonly PlannedFile[], reportAs: string, allow?: readonly string[]): void {
  const allowed = allowMatcher(allow);
  const findings = files.filter((f) => !allowed(f)).flatMap((f) => {
    const why = secretByName(f.sourceRel);
    return why ? [`${f.sourceRel} (${why})`] : [];
  });
  if (findings.length > 0) throw errors.secretsFound(reportAs, findings);
}

function checkSecretContents(files: readonly PlannedFile[], contents: Buffer[], reportAs: string, allow?: readonly string[]): void {
  const allowed = allowMatcher(allow);
  const findings = files.flatMap((f, i) => {
    if (allowed(f)) return [];
    const why = secretByContent(contents[i]);
    return why ? [`${f.sourceRel} (${why})`] : [];
  });
  if (findings.length > 0) throw errors.secretsFound(reportAs, findings);
}

function contentFingerprint(optionsKey: unknown[], files: readonly PlannedFile[], contents: Buffer[]): string {
  const hash = crypto.createHash("sha256").update(JSON.stringify(optionsKey));
  files.forEach((f, i) => {
    hash.update(`\0${f.name}\0${f.mode}\0${f.size}\0`);
    hash.update(contents[i]);
  });
  return hash.digest("hex");
}

function writeArchive(
  cacheDir: string,
  entries: readonly ZipEntry[],
  files: readonly PlannedFile[],
  contents: Buffer[],
  unzippedBytes: number,
): IndexRecord {
  const dir = ensureDir(path.join(cacheDir, "archives"));
  const dataByName = new Map(files.map((f, i) => [f.name, contents[i]]));
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}.zip`);
  const fd = fs.openSync(tmp, "w");
  try {
    const compressed = compressAll(entries.map((e) => dataByName.get(e.name)));
    writeZipToFd(fd, entries, (i) => compressed[i]);
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  const bytes = fs.readFileSync(tmp);
  const digest = crypto.createHash("sha256").update(bytes).digest();
  const sha256 = digest.toString("hex");
  fs.renameSync(tmp, archivePath(cacheDir, sha256));
  return {
    sha256,
    base64Sha256: digest.toString("base64"),
    zippedBytes: bytes.length,
    unzippedBytes,
    entries: files.map((f) => f.name),
  };
}

function archivePath(cacheDir: string, sha256: string): string {
  return path.join(cacheDir, "archives", `${sha256}.zip`);
}

function readIndex(cacheDir: string, key: string): IndexRecord | undefined {
  const file = path.join(cacheDir, "index", `${key}.json`);
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as IndexRecord;
    return fs.existsSync(archivePath(cacheDir, record.sha256)) ? record : undefined;
  } catch {
    return undefined; // a torn or foreign file is a miss, never an error
  }
}

function writeIndex(cacheDir: string, key: string, record: IndexRecord): void {
  const dir = ensureDir(path.join(cacheDir, "index"));
  const tmp = path.join(dir, `.tmp-${process.pid}-${key}`);
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, path.join(dir, `${key}.json`));
}

/** Writes the archive's content as a folder once per archive hash (for `archive_file` packaging). */
function stage(cacheDir: string, sha256: string, files: readonly PlannedFile[]): string {
  const target = path.join(cacheDir, "staged", sha256);
  if (fs.existsSync(target)) return target;
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of files) {
    const dest = path.join(tmp, ...f.name.split("/"));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(f.abs, dest);
    fs.chmodSync(dest, f.mode);
  }
  fs.renameSync(tmp, target);
  return target;
}

function hashOf(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
