// The reproducible-zip pipeline shared by layers and function code: collect files (the source
// folder plus installed dependencies), check secrets and limits, reuse a cached archive by
// metadata or content fingerprint, otherwise assemble it from the entries of the source's last
// zip and compress only what changed, and write it atomically.
// Pure packaging: knows nothing of Terraform or of runtime layouts.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { DependencyManifest, installDependencies, isBuildInput } from "./dependencies";
import { errors } from "./errors";
import { progress } from "./progress";
import { MAX_DIRECT_UPLOAD_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES } from "./limits";
import { cacheMaxBytes, checkCachedZip, entryKey, EntryPack, loadPack, markUsed, pruneArchives, savePack } from "./archive-cache";
import { compressAll, sharedContents } from "./parallel-deflate";
import { Architecture, Runtime } from "./runtime";
import { secretByName, secretFindings } from "./secrets";
import { compareBytes, SourceFile, tagCacheFolder, walkSource } from "./source-files";
import { CompressedEntry, deflateLevel, isAlreadyCompressedName, writeZipToFd, ZipEntry } from "./zip-writer";

/** Bump when the archive format changes, so that cached archives are rebuilt. */
const BUILDER_VERSION = 3;
/** Bump only when the canonical content encoding below changes: it would republish every layer. */
const CONTENT_IDENTITY_VERSION = "cdktf-lambda-layers content v1";
/** Bump when the secret rules change, so that files a metadata hit vouched for are scanned again. */
const SECRET_RULES_VERSION = 2;

/** A reproducible zip and what it holds. @group Internals */
export interface ArchiveRecord {
  /**
   * The archive's identity: SHA-256 (hex) of its canonical content (entry names in byte order,
   * normalised modes, sizes and file bytes), independent of the compressor. Everything Terraform
   * sees (`source_code_hash`, asset paths, S3 keys) derives from it, so another zlib or deflate level
   * never plans a new version.
   */
  readonly contentSha256: string;
  /** `contentSha256` in base64: the `source_code_hash` trigger of layer versions and functions. */
  readonly contentBase64Sha256: string;
  /**
   * SHA-256 (hex) of the zip's bytes: what Lambda reports as `CodeSha256` (in base64). The same
   * wherever the zlib and deflate level are the same; informational, never a Terraform input.
   */
  readonly zipSha256: string;
  readonly zippedBytes: number;
  readonly unzippedBytes: number;
  /** File names inside the zip, sorted (directories are not listed). */
  readonly entries: readonly string[];
}

/** A built archive: the record, where the zip is, and how it was obtained. @group Internals */
export interface BuiltArchive extends ArchiveRecord {
  /** Absolute path of the zip. */
  readonly path: string;
  /** Built now, or reused by metadata or by content fingerprint. */
  readonly cache: "built" | "metadata-hit" | "content-hit";
  /** When built: file entries compressed now, and those copied compressed from the source's last zip. */
  readonly entriesCompressed?: number;
  readonly entriesReused?: number;
  /** Problems with the cache that were repaired (a corrupted archive rebuilt). */
  readonly cacheWarnings: readonly string[];
  /** The content as a laid-out folder, when staging was asked for. */
  readonly stagedDir?: string;
  /** Advice from the content checks (secrets with thin evidence); the same on a cache hit. */
  readonly checkWarnings: readonly string[];
  /** What `ZipOptions.checks.run` returned when the files were last checked (kept in the cache index). */
  readonly checked?: unknown;
}

/** An index entry: the archive plus what the checks of the files it was reached by concluded. */
interface IndexRecord extends ArchiveRecord {
  readonly checkWarnings?: readonly string[];
  readonly checked?: unknown;
}

/** A file as it will be archived: its archive path, mode and where its bytes come from. @group Internals */
export interface PlannedFile {
  /** Path inside the archive. */
  readonly name: string;
  /** Path relative to the source folder (for installed files, the archive path). */
  readonly sourceRel: string;
  readonly abs: string;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** The cache folder used when none is given. @group Internals */
export function defaultCacheDir(): string {
  return path.resolve(process.env.CDKTF_LAYERS_CACHE_DIR ?? ".layer-cache");
}

/** The folder a cdktf app synthesizes into, resolved the way cdktf's App does when given no `outdir`. */
export function defaultOutputDir(): string {
  return path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
}

/** Checks that `source` is an existing folder and returns its absolute path. */
export function resolveSource(source: string): string {
  const abs = path.resolve(source);
  if (!fs.existsSync(abs)) throw errors.sourceMissing(source);
  if (!fs.statSync(abs).isDirectory()) throw errors.sourceNotFolder(source);
  return abs;
}

export interface CollectOptions {
  readonly excludes?: readonly string[];
  readonly defaultExcludes?: boolean;
  readonly installDependencies?: boolean;
  readonly pipArgs?: readonly string[];
  readonly npmArgs?: readonly string[];
  readonly runtimes: readonly Runtime[];
  readonly architectures?: readonly Architecture[];
  readonly cacheDir: string;
}

/** Walks a source folder as the archive sees it: excludes applied, cache and synth output folders left out. */
export function walkArchiveSource(
  source: string,
  reportAs: string,
  options: Pick<CollectOptions, "excludes" | "defaultExcludes" | "cacheDir">,
): SourceFile[] {
  return walkSource(source, {
    excludes: options.excludes,
    defaultExcludes: options.defaultExcludes,
    reportAs,
    // A cache or synth output inside the source would ship the previous archives in the next one.
    skipFolders: [options.cacheDir, defaultOutputDir()],
  });
}

/**
 * Walks the source (files go under `placedUnder`) and the installed dependencies into the sorted
 * list of files to archive. `skip` names source files and folders (ending in "/") that are build
 * input, not content. `walked` is the source's walk when the caller has it already.
 */
export function collectFiles(
  source: string,
  reportAs: string,
  placedUnder: string,
  manifests: readonly DependencyManifest[],
  options: CollectOptions,
  skip: ReadonlySet<string> = new Set(),
  walked: readonly SourceFile[] = walkArchiveSource(source, reportAs, options),
): { files: PlannedFile[]; warnings: string[] } {
  const byName = new Map<string, PlannedFile>();
  for (const f of walked) {
    if (isBuildInput(f.rel, skip)) continue;
    const name = placedUnder + f.rel;
    byName.set(name, { name, sourceRel: f.rel, abs: f.abs, size: f.size, mode: modeFor(name, f.executable), ...times(f) });
  }
  const warnings: string[] = [];
  if (options.installDependencies ?? true) {
    for (const manifest of manifests) {
      const installed = installDependencies(manifest, { ...options, reportAs });
      warnings.push(...installed.warnings);
      let shadowed = 0;
      for (const f of walkSource(installed.root, { defaultExcludes: options.defaultExcludes })) {
        const name = installed.archivePrefix + f.rel;
        if (byName.has(name)) {
          shadowed++;
          continue; // the source folder's own file wins over an installed one
        }
        byName.set(name, { name, sourceRel: name, abs: f.abs, size: f.size, mode: modeFor(name, f.executable), ...times(f) });
      }
      if (shadowed > 0)
        warnings.push(
          `${shadowed} installed file(s) from ${path.basename(manifest.manifest)} were replaced by the source folder's own copies`,
        );
    }
  }
  const files = [...byName.values()].sort((a, b) => compareBytes(a.name, b.name));
  if (files.length === 0) throw errors.sourceEmpty(reportAs);
  return { files, warnings };
}

export interface ZipOptions {
  /** The source as the user named it, for errors. */
  readonly reportAs: string;
  /** The absolute source folder (part of the metadata fingerprint). */
  readonly source: string;
  readonly cacheDir: string;
  readonly allowSecrets?: readonly string[];
  /** The archive goes through S3, so the 50 MiB direct-upload limit does not apply. */
  readonly s3Upload?: boolean;
  /** Also write the content as a folder. */
  readonly stage?: boolean;
  /**
   * Checks over the file list that a cached result has passed already: run only when the metadata
   * fingerprint misses, so an unchanged layer costs no extra I/O. `key` holds the options they
   * depend on and is part of that fingerprint.
   */
  readonly checks?: { readonly key: unknown; readonly run: (files: readonly PlannedFile[]) => unknown };
}

/**
 * Checks limits and secrets, then returns the cached archive for these files or writes a new one.
 * @throws LayerValidationError before anything is written when a check fails.
 */
export function buildZip(files: readonly PlannedFile[], options: ZipOptions): BuiltArchive {
  const { reportAs, cacheDir } = options;
  const unzippedBytes = files.reduce((sum, f) => sum + f.size, 0);
  if (unzippedBytes > MAX_UNZIPPED_BYTES) throw errors.unzippedTooLarge(reportAs, unzippedBytes, MAX_UNZIPPED_BYTES);
  const zipEntries = withDirectories(files);
  if (zipEntries.length > MAX_ZIP_ENTRIES) throw errors.tooManyEntries(reportAs, zipEntries.length);
  checkSecretNames(files, reportAs, options.allowSecrets);

  const maxCacheBytes = cacheMaxBytes(); // a bad setting fails before anything is written
  const optionsKey = [BUILDER_VERSION, process.versions.zlib, deflateLevel()];
  // allowSecrets and the checks' options are part of the metadata key: a metadata hit skips the content scan and the checks.
  const metadataKey = hashOf([
    optionsKey,
    options.source,
    [SECRET_RULES_VERSION, options.allowSecrets ?? []],
    options.checks?.key ?? null,
    files.map((f) => [f.name, f.abs, f.size, f.mode, f.mtimeMs, f.ctimeMs, f.ino]),
  ]);
  const cacheWarnings: string[] = [];
  const cached = (key: string): IndexRecord | undefined => {
    const found = readIndex(cacheDir, key);
    if (!found) return undefined;
    const check = checkCachedZip(archivePath(cacheDir, found), found.zipSha256);
    if (check.warning) cacheWarnings.push(check.warning);
    return check.ok ? found : undefined;
  };
  let record: IndexRecord | undefined = cached(metadataKey);
  let cache: BuiltArchive["cache"] = "metadata-hit";
  let counts: { entriesCompressed: number; entriesReused: number } | undefined;
  if (!record) {
    const checked = options.checks?.run(files);
    const contents = sharedContents(
      files.map((f) => f.size),
      (i, into) => readInto(files[i].abs, into),
      (i) => files[i].sourceRel,
    );
    const checkWarnings = checkSecretContents(files, contents, reportAs, options.allowSecrets);
    const contentSha256 = contentIdentity(files, contents);
    const contentKey = hashOf([optionsKey, contentSha256]);
    record = cached(contentKey);
    cache = "content-hit";
    if (!record) {
      // The entries of this source's last zip (same compressor settings) are copied, not deflated again.
      const packKey = hashOf([optionsKey, options.source]);
      const pack = loadPack(cacheDir, packKey);
      cacheWarnings.push(...pack.warnings);
      const built = writeArchive(cacheDir, zipEntries, files, contents, contentSha256, unzippedBytes, pack);
      record = built.record;
      counts = { entriesCompressed: built.compressed, entriesReused: built.reused };
      savePack(cacheDir, packKey, archivePath(cacheDir, record), record.zipSha256, built.packEntries);
      cache = "built";
      writeIndex(cacheDir, contentKey, record);
    }
    // The metadata entry also keeps what the checks found, which a later metadata hit cannot recompute.
    record = { ...record, checkWarnings, checked };
    writeIndex(cacheDir, metadataKey, record);
  }
  if (cache === "built") pruneArchives(cacheDir, maxCacheBytes, [path.dirname(archivePath(cacheDir, record))]);
  for (const warning of cacheWarnings) progress(`warning: ${warning}`);
  if (record.zippedBytes > MAX_DIRECT_UPLOAD_BYTES && !options.s3Upload) {
    throw errors.zippedTooLarge(reportAs, record.zippedBytes, MAX_DIRECT_UPLOAD_BYTES);
  }
  const stagedDir = options.stage ? stage(cacheDir, record.contentSha256, files) : undefined;
  const { checkWarnings, checked, ...archive } = record;
  return {
    path: archivePath(cacheDir, record),
    ...archive,
    cache,
    ...counts,
    cacheWarnings,
    stagedDir,
    checkWarnings: checkWarnings ?? [],
    checked,
  };
}

/** What the metadata fingerprint compares besides name, size and mode. */
function times(f: SourceFile): Pick<PlannedFile, "mtimeMs" | "ctimeMs" | "ino"> {
  return { mtimeMs: f.mtimeMs, ctimeMs: f.ctimeMs, ino: f.ino };
}

/** 0755 for executables, a custom runtime's `bootstrap` and anything in bin/; 0644 otherwise. @group Internals */
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
  const findings = files
    .filter((f) => !allowed(f))
    .flatMap((f) => {
      const why = secretByName(f.sourceRel);
      return why ? [`${f.sourceRel} (${why})`] : [];
    });
  if (findings.length > 0) throw errors.secretsFound(reportAs, findings);
}

/** Refuses files holding secrets; returns warnings for values whose evidence is thin. */
function checkSecretContents(files: readonly PlannedFile[], contents: Buffer[], reportAs: string, allow?: readonly string[]): string[] {
  const allowed = allowMatcher(allow);
  const refused: string[] = [];
  const warnings: string[] = [];
  files.forEach((f, i) => {
    if (allowed(f)) return;
    for (const finding of secretFindings(contents[i], f.sourceRel)) {
      if (finding.severity === "refuse") refused.push(`${f.sourceRel} (${finding.why})`);
      else warnings.push(errors.secretSuspected(f.sourceRel, finding.why));
    }
  });
  if (refused.length > 0) throw errors.secretsFound(reportAs, refused);
  return warnings;
}

/**
 * The canonical content hash: for each file in byte order of its archive path, the path, its
 * normalised mode (0644/0755, octal), its size and its bytes. Folders follow from the paths.
 * Nothing about compression enters it. `files` must be sorted (collectFiles sorts them).
 * @group Internals
 */
export function contentIdentity(files: ReadonlyArray<Pick<PlannedFile, "name" | "mode">>, contents: readonly Buffer[]): string {
  const hash = crypto.createHash("sha256").update(`${CONTENT_IDENTITY_VERSION}\0`);
  files.forEach((f, i) => {
    hash.update(`${f.name}\0${f.mode.toString(8)}\0${contents[i].length}\0`);
    hash.update(contents[i]);
  });
  return hash.digest("hex");
}

/**
 * Writes the zip: entries found in `pack` (by content hash) are copied compressed, the others are
 * compressed now. Either way an entry's bytes are what compressing it gives, so the zip is the one
 * a build from nothing writes.
 */
function writeArchive(
  cacheDir: string,
  entries: readonly ZipEntry[],
  files: readonly PlannedFile[],
  contents: Buffer[],
  contentSha256: string,
  unzippedBytes: number,
  pack: EntryPack,
): { record: ArchiveRecord; compressed: number; reused: number; packEntries: Parameters<typeof savePack>[4] } {
  const level = deflateLevel();
  const store = files.map((f) => isAlreadyCompressedName(f.name));
  const keys = contents.map((c, i) => entryKey(c, store[i]));
  const byFile: Array<CompressedEntry | undefined> = files.map((f, i) => pack.get(keys[i], f.size));
  const missing = byFile.flatMap((c, i) => (c ? [] : [i]));
  const fresh = compressAll(
    missing.map((i) => contents[i]),
    undefined,
    level,
    (j) => store[missing[j]],
    true, // contents are hashed and scanned already: deflate over them rather than into a second buffer
  );
  missing.forEach((fileIndex, j) => (byFile[fileIndex] = fresh[j]));
  const fileIndexByName = new Map(files.map((f, i) => [f.name, i]));
  const entryFile = entries.map((e) => fileIndexByName.get(e.name) ?? -1);

  const dir = ensureDir(path.join(cacheDir, "archives"));
  const tmp = path.join(dir, `.tmp-${process.pid}-${crypto.randomBytes(6).toString("hex")}.zip`);
  const fd = fs.openSync(tmp, "w");
  const hash = crypto.createHash("sha256");
  const packEntries: Parameters<typeof savePack>[4] = {};
  let zippedBytes: number;
  try {
    zippedBytes = writeZipToFd(
      fd,
      entries,
      (i) => byFile[entryFile[i]]!,
      (chunk) => hash.update(chunk),
      (i, offset, c) => {
        packEntries[keys[entryFile[i]]] = [offset, c.compressed.length, c.crc32, c.method, c.size];
      },
    );
  } catch (e) {
    fs.closeSync(fd);
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fs.closeSync(fd);
  const record: ArchiveRecord = {
    contentSha256,
    contentBase64Sha256: Buffer.from(contentSha256, "hex").toString("base64"),
    zipSha256: hash.digest("hex"),
    zippedBytes,
    unzippedBytes,
    entries: files.map((f) => f.name),
  };
  const target = archivePath(cacheDir, record);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.renameSync(tmp, target);
  markUsed(target);
  return { record, compressed: missing.length, reused: files.length - missing.length, packEntries };
}

/** Reads a whole file into `into`; returns the bytes read (one more than fits when the file grew). */
function readInto(file: string, into: Buffer): number {
  const fd = fs.openSync(file, "r");
  try {
    let got = 0;
    while (got < into.length) {
      const n = fs.readSync(fd, into, got, into.length - got, null);
      if (n === 0) return got;
      got += n;
    }
    return fs.readSync(fd, Buffer.alloc(1), 0, 1, null) === 0 ? got : got + 1;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Zips live under their own bytes' hash, in a folder, with the content identity as the file name:
 * the name is what an asset path shows, so it must not change with the compressor.
 */
function archivePath(cacheDir: string, record: Pick<ArchiveRecord, "contentSha256" | "zipSha256">): string {
  return path.join(cacheDir, "archives", record.zipSha256, `${record.contentSha256}.zip`);
}

function readIndex(cacheDir: string, key: string): ArchiveRecord | undefined {
  const file = path.join(cacheDir, "index", `${key}.json`);
  if (!fs.existsSync(file)) return undefined;
  try {
    const record = JSON.parse(fs.readFileSync(file, "utf8")) as ArchiveRecord;
    return fs.existsSync(archivePath(cacheDir, record)) ? record : undefined;
  } catch {
    return undefined; // a torn or foreign file is a miss, never an error
  }
}

function writeIndex(cacheDir: string, key: string, record: ArchiveRecord): void {
  tagCacheFolder(cacheDir);
  const dir = ensureDir(path.join(cacheDir, "index"));
  const tmp = path.join(dir, `.tmp-${process.pid}-${key}`);
  fs.writeFileSync(tmp, JSON.stringify(record));
  fs.renameSync(tmp, path.join(dir, `${key}.json`));
}

/** Writes the archive's content as a folder once per archive hash (for `archive_file` packaging). */
function stage(cacheDir: string, contentSha256: string, files: readonly PlannedFile[]): string {
  const target = path.join(cacheDir, "staged", contentSha256);
  if (fs.existsSync(target)) return target;
  const tmp = `${target}.tmp-${process.pid}`;
  fs.rmSync(tmp, { recursive: true, force: true });
  for (const f of files) {
    const dest = path.join(tmp, ...f.name.split("/"));
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    fs.copyFileSync(f.abs, dest);
    fs.chmodSync(dest, f.mode);
  }
  try {
    fs.renameSync(tmp, target);
  } catch (e) {
    // A synth running beside this one staged the same content first: theirs is as good as ours.
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(target)) throw e;
  }
  return target;
}

function hashOf(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
