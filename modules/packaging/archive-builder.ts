// The reproducible-zip pipeline shared by layers and function code: collect files (the source
// folder plus installed dependencies), check secrets and limits, reuse a cached archive by
// metadata or content fingerprint, otherwise assemble it from the entries of the source's last
// zip and compress only what changed, and write it atomically.
// Pure packaging: knows nothing of Terraform or of runtime layouts.
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { installDeclared, listArchiveFiles, PlannedFile } from "./archive-files";
import { DependencyManifest } from "./dependencies";
import { errors } from "../core/errors";
import { progress } from "../core/progress";
import { MAX_DIRECT_UPLOAD_BYTES, MAX_UNZIPPED_BYTES, MAX_ZIP_ENTRIES } from "../aws/limits";
import {
  cacheMaxBytes,
  checkCachedZip,
  discardCorrupt,
  isRacy,
  loadSourceIndex,
  markUsed,
  pruneArchives,
  readSealed,
  saveSourceIndex,
  SOURCE_FIELDS,
  SourceField as F,
  tempPrefix,
  writeSealed,
} from "./archive-cache";
import { Architecture, Runtime } from "../aws/runtime";
import { needsContentRules, SECRET_KEYWORDS, secretByName, secretFindings } from "../checks/secrets";
import { compareBytes, SourceFile, tagCacheFolder, walkSource } from "./source-files";
import { deflateLevel, hashContents, isAlreadyCompressedName, MEM_LEVEL, packZip, PlannedEntry, StoredEntry, ZipEntry } from "./zip-writer";

/** Bump when the archive format changes, so that cached archives are rebuilt. */
const BUILDER_VERSION = 4;
/** Bump only when the canonical content encoding below changes: it would republish every layer. */
const CONTENT_IDENTITY_VERSION = "cdktf-lambda-layers content v2";
/** Bump when the secret rules change, so that files a metadata hit vouched for are scanned again. */
const SECRET_RULES_VERSION = 4;

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

/**
 * An index entry: the archive plus what the checks of the files it was reached by concluded. The
 * entry names are not kept: they are the names of the files that reached it (both keys hold them),
 * and 20,000 of them would be most of what a metadata hit reads.
 */
interface IndexRecord extends Omit<ArchiveRecord, "entries"> {
  readonly checkWarnings?: readonly string[];
  readonly checked?: unknown;
  /**
   * In a record filed under a metadata fingerprint: when the build that wrote it began reading the
   * files. It vouches for them only while none is racy against that (isRacy).
   */
  readonly readAt?: number;
}

// Defined beside the stage that makes them (archive-files.ts); exported here, where they always were.
export { modeFor } from "./archive-files";
export type { PlannedFile } from "./archive-files";

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
 * Stages 3 and 4 of the pipeline at once (installDeclared, then listArchiveFiles): walks the source
 * (files go under `placedUnder`) and the installed dependencies into the sorted list of files to
 * archive. `skip` names source files and folders (ending in "/") that are build input, not content.
 * `walked` is the source's walk when the caller has it already.
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
  const installs = (options.installDependencies ?? true) ? installDeclared(manifests, { ...options, reportAs }) : [];
  return listArchiveFiles(reportAs, walked, placedUnder, skip, installs, options);
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
  // Before any file is read (the checks read some): what this build's records vouch for is what the files held from here on.
  const readAt = Date.now();
  const unzippedBytes = files.reduce((sum, f) => sum + f.size, 0);
  if (unzippedBytes > MAX_UNZIPPED_BYTES) throw errors.unzippedTooLarge(reportAs, unzippedBytes, MAX_UNZIPPED_BYTES);
  const maxCacheBytes = cacheMaxBytes(); // a bad setting fails before anything is written
  const optionsKey = [BUILDER_VERSION, process.versions.zlib, deflateLevel(), MEM_LEVEL];
  // allowSecrets and the checks' options are part of the metadata key: a metadata hit skips the content scan and the checks.
  const metadataKey = metadataFingerprint(
    files,
    JSON.stringify([optionsKey, options.source, [SECRET_RULES_VERSION, options.allowSecrets ?? []], options.checks?.key ?? null]),
  );
  const cacheWarnings: string[] = [];
  const warn = (warning: string) => cacheWarnings.push(warning);
  const cached = (key: string): IndexRecord | undefined => {
    const found = readIndex(cacheDir, key, warn);
    if (!found) return undefined;
    const check = checkCachedZip(archivePath(cacheDir, found), found.zipSha256);
    if (check.warning) cacheWarnings.push(check.warning);
    return check.ok ? found : undefined;
  };
  // A file written in the same clock tick as the build that filed the record may have changed
  // since without a trace in its metadata: then the record is not used, and the files are hashed.
  let record: IndexRecord | undefined = cached(metadataKey);
  if (record && (record.readAt === undefined || files.some((f) => isRacy(f, record!.readAt!, readAt)))) record = undefined;
  let cache: BuiltArchive["cache"] = "metadata-hit";
  let counts: { entriesCompressed: number; entriesReused: number } | undefined;
  if (!record) {
    // A metadata hit vouches for the names too: they, the rules' version and allowSecrets are in its key.
    // So it does for the entry count: the same names make the same folders.
    const folders = folderNames(files);
    if (files.length + folders.size > MAX_ZIP_ENTRIES) throw errors.tooManyEntries(reportAs, files.length + folders.size);
    checkSecretNames(files, reportAs, options.allowSecrets);
    const checked = options.checks?.run(files);
    const built = buildFromSource(files, withDirectories(files, folders), options, optionsKey, cached, warn, readAt);
    record = built.record;
    cache = built.cache;
    counts = built.counts;
    // The metadata entry also keeps what the checks found, which a later metadata hit cannot recompute.
    record = { ...record, checkWarnings: built.checkWarnings, checked, readAt };
    writeIndex(cacheDir, metadataKey, record);
  }
  if (cache === "built") pruneArchives(cacheDir, maxCacheBytes, [path.dirname(archivePath(cacheDir, record))]);
  const tooLarge = record.zippedBytes > MAX_DIRECT_UPLOAD_BYTES && !options.s3Upload;
  const stagedDir = options.stage && !tooLarge ? stage(cacheDir, record.contentSha256, files, warn) : undefined;
  for (const warning of cacheWarnings) progress(`warning: ${warning}`);
  if (tooLarge) throw errors.zippedTooLarge(reportAs, record.zippedBytes, MAX_DIRECT_UPLOAD_BYTES);
  const { checkWarnings, checked, ...archive } = record;
  return {
    path: archivePath(cacheDir, record),
    ...archive,
    entries: files.map((f) => f.name),
    cache,
    ...counts,
    cacheWarnings,
    stagedDir,
    checkWarnings: checkWarnings ?? [],
    checked,
  };
}

/** How many numbers of each file the metadata fingerprint holds (size, mode, mtime, ctime, inode). */
const FINGERPRINT_NUMBERS = 5;

/**
 * SHA-256 (hex) of `head` and every file's name, path, size, mode, mtime, ctime and inode: the
 * names and the paths as two NUL-joined texts (neither can hold a NUL), the numbers as bytes. Three
 * updates instead of a text per file: this runs on every synth, over every file of every layer.
 */
function metadataFingerprint(files: readonly PlannedFile[], head: string): string {
  const numbers = new Float64Array(files.length * FINGERPRINT_NUMBERS);
  files.forEach((f, i) => {
    const at = i * FINGERPRINT_NUMBERS;
    numbers[at] = f.size;
    numbers[at + 1] = f.mode;
    numbers[at + 2] = f.mtimeMs;
    numbers[at + 3] = f.ctimeMs;
    numbers[at + 4] = f.ino;
  });
  const names = files.map((f) => f.name).join("\0");
  const paths = files.map((f) => f.abs).join("\0");
  // The lengths first: a name may hold a line break, so no separator alone could say where each text ends.
  return crypto
    .createHash("sha256")
    .update(`${head}\n${files.length} ${names.length} ${paths.length}\n`)
    .update(names)
    .update(paths)
    .update(new Uint8Array(numbers.buffer))
    .digest("hex");
}

/**
 * The archive of files whose metadata fingerprint missed. Files unchanged since the source's last
 * build (same size, mtime, ctime, inode and path) are not read: their hash, compressed bytes and
 * secret pre-scan come from that build's source index. The rest is read, hashed, pre-scanned and,
 * unless the same content was compressed before, compressed by the engine, which writes the zip.
 * Files the pre-scan marks are then checked by the secret rules; a refusal removes the new zip.
 */
function buildFromSource(
  files: readonly PlannedFile[],
  zipEntries: readonly ZipSlot[],
  options: ZipOptions,
  optionsKey: unknown[],
  cached: (key: string) => IndexRecord | undefined,
  warn: (warning: string) => void,
  readAt: number,
): {
  record: IndexRecord;
  cache: BuiltArchive["cache"];
  counts?: { entriesCompressed: number; entriesReused: number };
  checkWarnings: string[];
} {
  const { cacheDir } = options;
  const sourceKey = hashOf([optionsKey, SECRET_RULES_VERSION, options.source]);
  const last = loadSourceIndex(cacheDir, sourceKey, warn);
  const lastZip = last && path.join(cacheDir, last.zip);
  const hints = files.map((f): 0 | 1 => (isAlreadyCompressedName(f.name) ? 1 : 0));
  const num = (k: number, field: F) => last!.numbers[k * SOURCE_FIELDS + field];
  const shaOf = (k: number) => last!.shas.slice(k * 64, k * 64 + 64);
  const storedAt = (k: number): StoredEntry => [num(k, F.Offset), num(k, F.CompressedSize), num(k, F.Crc32), num(k, F.Method) as 0 | 8];
  // row[i]: the row of file i in the last build's index when its name, size and hint are the same, else -1;
  // prior[i]: that row when the rest of its metadata (mtime, ctime, inode, path) is unchanged too, and
  // its timestamps safely older than when the last build read it (else an edit in that same tick may hide).
  const byName = matchSorted(files, last?.names ?? []);
  const row = byName.map((k, i) => (k >= 0 && num(k, F.Size) === files[i].size && num(k, F.Hint) === hints[i] ? k : -1));
  const prior = files.map((f, i) => {
    const k = row[i];
    return k >= 0 &&
      num(k, F.MtimeMs) === f.mtimeMs &&
      num(k, F.CtimeMs) === f.ctimeMs &&
      num(k, F.Ino) === f.ino &&
      last!.paths[k] === f.abs &&
      !isRacy(f, last!.readAt, readAt)
      ? k
      : -1;
  });
  const shas = prior.map((k) => (k >= 0 ? shaOf(k) : ""));

  // Every file's name and size as in the last build (after `touch`, a checkout, or only the options
  // of the checks moved): the content may be one built before. Hash the files whose metadata changed,
  // without compressing them; on a hit nothing is compressed or written.
  if (row.every((k) => k >= 0)) {
    const changed = files.flatMap((_, i) => (prior[i] < 0 ? [i] : []));
    hashContents(changed.map((i) => files[i])).forEach((sha, j) => (shas[changed[j]] = sha));
    // The pre-scan's mark of the same bytes; content new to this name is given to the secret rules whole.
    const marks = row.map((k, i): SecretMark => (shas[i] === shaOf(k) ? (num(k, F.SecretMark) as SecretMark) : 1));
    const hit = cached(hashOf([optionsKey, contentIdentity(withHashes(files, shas))]));
    if (hit) {
      const checkWarnings = checkSecretContents(files, shas, marks, options);
      // The last zip itself: the index learns the files' new metadata, so the next build reads none of them.
      if (changed.length > 0 && hit.zipSha256 === last!.zipSha256 && files.length === last!.names.length) {
        saveIndex(cacheDir, sourceKey, hit, readAt, files, shas, hints, marks, (i) => storedAt(row[i]));
      }
      return { record: hit, cache: "content-hit", checkWarnings };
    }
  }
  // Content compressed before, by its hash: what a changed file's bytes may turn out to be (a file
  // renamed, restored, or touched and rewritten). Only rows no unchanged file keeps: a changed file
  // whose bytes equal an unchanged file's is compressed again, which gives the same bytes and
  // spares the one-changed-file rebuild a table of every file.
  const known: Record<string, StoredEntry> = {};
  const knownRow = new Map<string, number>();
  if (last && prior.some((k) => k < 0)) {
    const kept = new Uint8Array(last.names.length);
    for (const k of prior) if (k >= 0) kept[k] = 1;
    for (let k = 0; k < last.names.length; k++) {
      if (kept[k]) continue;
      const key = shaOf(k) + (num(k, F.Hint) ? "s" : "");
      known[key] = storedAt(k);
      knownRow.set(key, k);
    }
  }
  /** The secret mark of file k's bytes as the last build left it: its own row's, or the row its content was found in. */
  const lastMark = (k: number, sha: string): SecretMark => {
    const r = prior[k] >= 0 ? prior[k] : (knownRow.get(sha + (hints[k] ? "s" : "")) ?? -1);
    return r >= 0 ? (num(r, F.SecretMark) as SecretMark) : 0;
  };

  const entryFile = zipEntries.map((e) => e.file);
  // Written beside the cache's folders, and moved into archives/ only once every check has passed.
  const tmp = path.join(ensureDir(cacheDir), `${tempPrefix()}archive.zip`);
  const plan: PlannedEntry[] = zipEntries.map((e, i) => {
    const k = entryFile[i];
    if (k < 0) return { name: e.name, mode: e.mode };
    const f = files[k];
    const r = prior[k];
    // Unchanged, or hashed above and compressed before: copied from the last zip unread.
    const reuse = r >= 0 ? storedAt(r) : shas[k] ? known[shas[k] + (hints[k] ? "s" : "")] : undefined;
    return reuse
      ? { name: e.name, mode: e.mode, abs: f.abs, size: f.size, hint: hints[k], sha: shas[k], reuse }
      : { name: e.name, mode: e.mode, abs: f.abs, size: f.size, hint: hints[k] };
  });
  // The secret rules read each marked file while the workers compress the next ones.
  const secrets = secretChecker(options);
  const marks: SecretMark[] = new Array(files.length);
  const packed = packZip(
    {
      out: tmp,
      entries: plan,
      pack: last && lastZip ? { path: lastZip, sha256: last.zipSha256 } : undefined,
      known,
      keywords: [...SECRET_KEYWORDS],
    },
    undefined,
    (i, [sha, , , , , suspect]) => {
      const k = entryFile[i];
      // Read now: the engine's pre-scan; copied from the last zip: the mark those bytes had there.
      marks[k] = secrets.check(files[k], sha, suspect ? 1 : lastMark(k, sha));
    },
  );
  if (packed.packRejected && lastZip) warn(discardCorrupt(lastZip));
  const results = entryFile.map((k, i) => (k < 0 ? undefined : packed.entries[i]!));
  const byFile: NonNullable<(typeof results)[number]>[] = new Array(files.length);
  results.forEach((r, i) => r && (byFile[entryFile[i]] = r));
  byFile.forEach((r, i) => (shas[i] = r[0]));
  let checkWarnings: string[];
  try {
    checkWarnings = secrets.finish();
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }

  const contentSha256 = contentIdentity(withHashes(files, shas));
  const contentKey = hashOf([optionsKey, contentSha256]);
  let record: IndexRecord | undefined = cached(contentKey);
  let cache: BuiltArchive["cache"] = "content-hit";
  let counts: { entriesCompressed: number; entriesReused: number } | undefined;
  if (record && record.zipSha256 === packed.zipSha256) {
    fs.rmSync(tmp, { force: true }); // the same bytes are cached already
  } else {
    record = {
      contentSha256,
      contentBase64Sha256: Buffer.from(contentSha256, "hex").toString("base64"),
      zipSha256: packed.zipSha256,
      zippedBytes: packed.zippedBytes,
      unzippedBytes: files.reduce((sum, f) => sum + f.size, 0),
    };
    const target = archivePath(cacheDir, record);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // The engine does not write a zip identical to the last one: its file is the result.
    if (packed.sameAsPack && lastZip) fs.copyFileSync(lastZip, tmp);
    fs.renameSync(tmp, target);
    markUsed(target);
    writeIndex(cacheDir, contentKey, record);
    cache = "built";
    counts = { entriesCompressed: packed.compressed, entriesReused: packed.reused };
  }
  saveIndex(cacheDir, sourceKey, record, readAt, files, shas, hints, marks, (i) => {
    const [, crc32, method, compressedSize, offset] = byFile[i];
    return [offset, compressedSize, crc32, method];
  });
  return { record, cache, counts, checkWarnings };
}

/** Records for the next build of this source what each file is and where its entry is in `record`'s zip. */
function saveIndex(
  cacheDir: string,
  sourceKey: string,
  record: IndexRecord,
  readAt: number,
  files: readonly PlannedFile[],
  shas: readonly string[],
  hints: ReadonlyArray<0 | 1>,
  marks: readonly SecretMark[],
  entryOf: (i: number) => StoredEntry,
): void {
  const numbers = new Float64Array(files.length * SOURCE_FIELDS);
  files.forEach((f, i) => {
    const [offset, compressedSize, crc32, method] = entryOf(i);
    const at = i * SOURCE_FIELDS;
    numbers[at + F.Size] = f.size;
    numbers[at + F.MtimeMs] = f.mtimeMs;
    numbers[at + F.CtimeMs] = f.ctimeMs;
    numbers[at + F.Ino] = f.ino;
    numbers[at + F.Hint] = hints[i];
    numbers[at + F.Offset] = offset;
    numbers[at + F.CompressedSize] = compressedSize;
    numbers[at + F.Crc32] = crc32;
    numbers[at + F.Method] = method;
    numbers[at + F.SecretMark] = marks[i];
  });
  saveSourceIndex(cacheDir, sourceKey, {
    zip: path.relative(cacheDir, archivePath(cacheDir, record)),
    zipSha256: record.zipSha256,
    names: files.map((f) => f.name),
    paths: files.map((f) => f.abs),
    shas: shas.join(""),
    numbers,
    readAt,
  });
}

/**
 * For each file (in byte order of names), the index of its name in `among` (in byte order too), else
 * -1: a merge of two sorted lists, no table. Names out of order are only missed, never mismatched.
 */
function matchSorted(files: readonly PlannedFile[], among: readonly string[]): number[] {
  const found = new Array<number>(files.length);
  let k = 0;
  for (let i = 0; i < files.length; i++) {
    const name = files[i].name;
    while (k < among.length && compareBytes(among[k], name) < 0) k++;
    found[i] = k < among.length && among[k] === name ? k : -1;
  }
  return found;
}

function withHashes(files: readonly PlannedFile[], shas: readonly string[]): ContentFile[] {
  return files.map((f, i) => ({ name: f.name, mode: f.mode, size: f.size, sha256: shas[i] }));
}

/** A walked file as it will be archived under `name`. */
/** Every parent folder of the files ("python/", "python/pkg/", …). */
function folderNames(files: readonly PlannedFile[]): Set<string> {
  const dirs = new Set<string>();
  for (const f of files) {
    // Up from the file's folder until a folder already listed: its parents are listed too.
    for (let end = f.name.lastIndexOf("/"); end > 0; end = f.name.lastIndexOf("/", end - 1)) {
      const dir = f.name.slice(0, end + 1);
      if (dirs.has(dir)) break;
      dirs.add(dir);
    }
  }
  return dirs;
}

/** A zip entry in the making: a folder (`file` -1) or the file `files[file]`. */
interface ZipSlot extends ZipEntry {
  readonly file: number;
}

/** The files plus their parent folders (folderNames), as zip entries in byte order: built only when a zip is. */
function withDirectories(files: readonly PlannedFile[], dirs: ReadonlySet<string>): ZipSlot[] {
  const entries: ZipSlot[] = [...dirs].map((name) => ({ name, mode: 0o755, file: -1 }));
  entries.push(...files.map((f, file) => ({ name: f.name, mode: f.mode, file })));
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

/**
 * What the secret rules know of a file's bytes: 0, the pre-scan found none of their keywords (and
 * it is not UTF-16 text); 1, it did; 2, it did and the rules then found nothing in these bytes. The
 * content rules depend on the bytes alone, so a 2 holds for as long as the bytes do.
 */
type SecretMark = 0 | 1 | 2;

/**
 * The secret rules over files one at a time. `check` reads a file marked 1, or a credential file
 * (read by its own syntax), again, verifies its bytes against `sha` and gives them to the rules; it
 * returns the file's mark, 2 when the rules found nothing in a marked file, so that it is not read
 * again while its bytes stay the same. Allowed files are not read. `finish` refuses the files
 * holding secrets, all of them named at once, or returns warnings for values whose evidence is thin.
 */
function secretChecker(options: Pick<ZipOptions, "reportAs" | "allowSecrets">): {
  check(f: PlannedFile, sha: string, mark: SecretMark): SecretMark;
  finish(): string[];
} {
  const allowed = allowMatcher(options.allowSecrets);
  const refused: string[] = [];
  const warnings: string[] = [];
  return {
    check(f, sha, mark) {
      if ((mark !== 1 && !needsContentRules(f.sourceRel)) || allowed(f)) return mark;
      const data = fs.readFileSync(f.abs);
      if (crypto.createHash("sha256").update(data).digest("hex") !== sha) {
        throw new Error(`${f.sourceRel} changed while the archive was being built: build again`);
      }
      const findings = secretFindings(data, f.sourceRel);
      for (const finding of findings) {
        if (finding.severity === "refuse") refused.push(`${f.sourceRel}:${finding.line} (${finding.why})`);
        else warnings.push(errors.secretSuspected(`${f.sourceRel}:${finding.line}`, finding.why));
      }
      return findings.length === 0 && mark === 1 ? 2 : mark;
    },
    finish() {
      if (refused.length > 0) throw errors.secretsFound(options.reportAs, refused);
      return warnings;
    },
  };
}

/** The secret rules over every file (see secretChecker); `marks` are updated in place. */
function checkSecretContents(
  files: readonly PlannedFile[],
  shas: readonly string[],
  marks: SecretMark[],
  options: Pick<ZipOptions, "reportAs" | "allowSecrets">,
): string[] {
  const secrets = secretChecker(options);
  files.forEach((f, i) => (marks[i] = secrets.check(f, shas[i], marks[i])));
  return secrets.finish();
}

/** A file as the content identity sees it. @group Internals */
export interface ContentFile {
  /** Path inside the archive. */
  readonly name: string;
  /** Normalised mode: 0o644 or 0o755. */
  readonly mode: number;
  readonly size: number;
  /** SHA-256 (hex) of the file's bytes. */
  readonly sha256: string;
}

/**
 * The canonical content hash ("content v2"): SHA-256 over a version line, then for each file in
 * byte order of its archive path, the path, its normalised mode (octal), its size and the SHA-256
 * of its bytes. Folders follow from the paths; nothing about compression enters it. Built from
 * per-file hashes, so an unchanged file's hash can be reused without reading it. `files` must be
 * sorted (collectFiles sorts them).
 * @group Internals
 */
export function contentIdentity(files: readonly ContentFile[]): string {
  const hash = crypto.createHash("sha256").update(`${CONTENT_IDENTITY_VERSION}\0`);
  for (const f of files) hash.update(`${f.name}\0${f.mode.toString(8)}\0${f.size}\0${f.sha256}\n`);
  return hash.digest("hex");
}

/**
 * Zips live under their own bytes' hash, in a folder, with the content identity as the file name:
 * the name is what an asset path shows, so it must not change with the compressor.
 */
function archivePath(cacheDir: string, record: Pick<ArchiveRecord, "contentSha256" | "zipSha256">): string {
  return path.join(cacheDir, "archives", record.zipSha256, `${record.contentSha256}.zip`);
}

/** Index records are small JSON texts, sealed (archive-cache's writeSealed). */
const INDEX_RECORD_FORMAT = "cdktf-lambda-layers index record 2\n";

function indexRecordPath(cacheDir: string, key: string): string {
  return path.join(cacheDir, "index", `${key}.rec`);
}

/** The record filed under `key` whose zip is in the cache, else undefined; a damaged record is removed and `warn` told. */
function readIndex(cacheDir: string, key: string, warn: (warning: string) => void): IndexRecord | undefined {
  const file = indexRecordPath(cacheDir, key);
  const body = readSealed(file, INDEX_RECORD_FORMAT, warn);
  if (!body) return undefined;
  let record: IndexRecord;
  try {
    record = JSON.parse(body.toString("utf8")) as IndexRecord;
  } catch {
    fs.rmSync(file, { force: true }); // sealed by this version, so only a bug writes this: a miss
    return undefined;
  }
  return fs.existsSync(archivePath(cacheDir, record)) ? record : undefined;
}

function writeIndex(cacheDir: string, key: string, record: IndexRecord): void {
  tagCacheFolder(cacheDir);
  writeSealed(indexRecordPath(cacheDir, key), INDEX_RECORD_FORMAT, [Buffer.from(JSON.stringify(record), "utf8")]);
}

/**
 * Writes the archive's content as a folder once per content identity (for `archive_file`
 * packaging). One staged before is used only if it still holds exactly that content: Terraform
 * zips whatever the folder holds, under this identity. One that does not is staged again, with a warning.
 */
function stage(cacheDir: string, contentSha256: string, files: readonly PlannedFile[], warn: (warning: string) => void): string {
  const target = path.join(cacheDir, "staged", contentSha256);
  if (fs.existsSync(target)) {
    if (holdsContent(target, contentSha256, files)) return target;
    fs.rmSync(target, { recursive: true, force: true });
    warn(`the staged folder ${target} did not hold the content it is named after (changed or damaged): removed, and staged again`);
  }
  const tmp = path.join(cacheDir, "staged", `${tempPrefix()}${contentSha256}`);
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

/** Whether `dir` holds exactly `files` (by name, mode, size and bytes): its content identity, computed again. */
function holdsContent(dir: string, contentSha256: string, files: readonly PlannedFile[]): boolean {
  try {
    const held = fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => !e.isDirectory()).length;
    if (held !== files.length) return false;
    const staged = files.map((f) => {
      const abs = path.join(dir, ...f.name.split("/"));
      const stat = fs.lstatSync(abs);
      if (!stat.isFile() || stat.size !== f.size || (stat.mode & 0o7777) !== f.mode) throw new Error(`${abs} differs`);
      return { name: f.name, abs, size: f.size };
    });
    return contentIdentity(withHashes(files, hashContents(staged))) === contentSha256;
  } catch {
    return false; // a file missing, of another size, or changed while read: staged again
  }
}

function hashOf(value: unknown): string {
  return crypto.createHash("sha256").update(JSON.stringify(value)).digest("hex");
}

function ensureDir(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}
