// The deterministic zip writer's settings and its typed entry point. The writing itself is
// pack-engine.js (plain JavaScript, so that its worker threads run it whatever loads the caller:
// ts-node, jest or compiled code): its output depends only on entry names, modes and contents. Info-ZIP cannot be told to ignore mtimes and modes, and
// yazl/archiver are 4-6x slower (README).
import * as os from "os";
import { errors } from "../core/errors";

/** One entry to write. Directories end in "/" and carry no content. */
export interface ZipEntry {
  /** Path inside the archive, "/"-separated, no leading slash. */
  readonly name: string;
  /** Unix permission bits (for example 0o644); the file type bits are added here. */
  readonly mode: number;
  /** File content, or undefined for a directory. */
  readonly data?: Uint8Array;
}

/** The default deflate level: Info-ZIP's and zlib's default. @group Internals */
export const DEFLATE_LEVEL = 6;

/**
 * The deflate level archives are built with: `CDKTF_LAYERS_DEFLATE_LEVEL` (0-9) or 6. It changes the
 * zip's bytes only: what Terraform sees is the content identity, the same at every level.
 * @throws LayerValidationError for anything but an integer 0-9.
 * @group Internals
 */
export function deflateLevel(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.CDKTF_LAYERS_DEFLATE_LEVEL;
  if (raw === undefined || raw === "") return DEFLATE_LEVEL;
  if (!/^[0-9]$/.test(raw.trim())) throw errors.invalidDeflateLevel(raw);
  return Number(raw.trim());
}
/**
 * File name endings of compressed streams (gzip, bzip2, xz, zstd, …), images, fonts and media:
 * deflating them again costs a full pass and does not shrink them, so they are stored as they
 * are. Zip containers (.jar, .whl, .zip) are not listed: their per-member headers and directory
 * are plain text, and deflating real jars again saves 8% (measured on /usr/share/java), so they
 * go through the sample rule below like any other file. A name is a hint that the sample confirms:
 * some PNGs hold unshrunk pixels (one in /usr/share/doc deflates by a fifth).
 */
export const ALREADY_COMPRESSED_EXTENSIONS: readonly string[] = [
  ".gz",
  ".tgz",
  ".bz2",
  ".tbz2",
  ".xz",
  ".txz",
  ".zst",
  ".lz4",
  ".lzma",
  ".br",
  ".7z",
  ".rar",
  ".png",
  ".jpg",
  ".jpeg",
  ".gif",
  ".webp",
  ".avif",
  ".heic",
  ".woff",
  ".woff2",
  ".mp3",
  ".mp4",
  ".m4a",
  ".ogg",
  ".webm",
];

/** True when the name says the content is compressed already (the sample decides, at any size). */
export function isAlreadyCompressedName(name: string): boolean {
  const lower = name.toLowerCase();
  return ALREADY_COMPRESSED_EXTENSIONS.some((e) => lower.endsWith(e));
}

/**
 * An entry whose name says it is compressed, or any entry of at least SAMPLE_MIN_BYTES, is stored
 * when its first SAMPLE_BYTES do not shrink below SAMPLE_KEEP of their size at level 1: such
 * content (compressed, encrypted or random) would not shrink when deflated whole either.
 * The engine (pack-engine.js) applies it with these values.
 */
export const SAMPLE_MIN_BYTES = 256 * 1024;
export const SAMPLE_BYTES = 64 * 1024;
export const SAMPLE_KEEP = 0.995;

/**
 * zlib's memLevel for deflate: 9 (zlib's default is 8) is a tenth faster on source-like trees and
 * never larger (BENCHMARKS.md). It changes the zip's bytes, not the content identity.
 */
export const MEM_LEVEL = 9;

/** How many threads compress: `CDKTF_LAYERS_THREADS` when set (a positive integer), else one per core, at most 16. */
export function defaultThreads(env: NodeJS.ProcessEnv = process.env): number {
  const set = Number(env.CDKTF_LAYERS_THREADS);
  if (Number.isInteger(set) && set > 0) return set;
  return Math.max(1, Math.min(16, typeof os.availableParallelism === "function" ? os.availableParallelism() : os.cpus().length));
}

/** Where an entry's compressed bytes are in a plan's pack: [offset, compressed size, crc32, method]. */
export type StoredEntry = [offset: number, compressedSize: number, crc32: number, method: 0 | 8];

/** One zip entry as the engine takes it, in zip order; a folder's name ends in "/". */
export interface PlannedEntry {
  readonly name: string;
  readonly mode: number;
  /** The file to read (or `data`). */
  readonly abs?: string;
  readonly size?: number;
  /** 1: the name says the content is compressed already, so a sample decides at any size. */
  readonly hint?: 0 | 1;
  /** The content's SHA-256 (hex) and where its compressed bytes are, when a pack holds them. */
  readonly sha?: string;
  readonly reuse?: StoredEntry;
  /** The content itself, for jobs run in this process. */
  readonly data?: Uint8Array;
}

/** What the engine made of each planned file: [sha256, crc32, method, compressed size, data offset, may hold a secret]. */
export type EntryResult = [sha: string, crc32: number, method: 0 | 8, compressedSize: number, dataOffset: number, suspect: 0 | 1];

export interface PackResult {
  readonly zipSha256: string;
  readonly zippedBytes: number;
  /** Per planned entry, null for folders. */
  readonly entries: ReadonlyArray<EntryResult | null>;
  /** The pack's bytes did not match its SHA-256: nothing of it was used. */
  readonly packRejected: boolean;
  readonly compressed: number;
  readonly reused: number;
  /** The zip would be the pack byte for byte: then it is not written. */
  readonly sameAsPack: boolean;
}

export interface PackPlan {
  /** Where the zip is written. */
  readonly out: string;
  readonly entries: readonly PlannedEntry[];
  /** The earlier zip whose entries may be copied, with the SHA-256 it must have. */
  readonly pack?: { readonly path: string; readonly sha256: string };
  /** Compressed entries by content key (sha256, plus "s" when the name hinted "compressed"). */
  readonly known?: Readonly<Record<string, StoredEntry>>;
  /** Byte strings one of which every secret holds: files holding one are marked suspect. */
  readonly keywords?: readonly string[];
  readonly level?: number;
}

interface Engine {
  pack(plan: object, threads: number, onEntry?: (index: number, result: EntryResult) => void): PackResult;
  hashFiles(files: { names: string[]; paths: string[]; sizes: number[] }, threads: number): string[];
}
const engine = (): Engine => require("./pack-engine.js") as Engine;

/** Below this many bytes to read, starting worker threads costs more than it saves. */
export const THREADS_FROM_BYTES = 8 * 2 ** 20;

/** Threads for a job with `toRead` bytes to read: the calling thread alone below THREADS_FROM_BYTES. */
function threadsFor(toRead: number, threads: number): number {
  return toRead < THREADS_FROM_BYTES ? 0 : threads;
}

/** A plan with every setting the engine takes: this library's deflate settings and sample rule, and no pack. */
export function completePlan(plan: PackPlan): object {
  return {
    level: deflateLevel(),
    memLevel: MEM_LEVEL,
    sample: { min: SAMPLE_MIN_BYTES, bytes: SAMPLE_BYTES, keep: SAMPLE_KEEP },
    keywords: [],
    known: {},
    ...plan,
  };
}

/**
 * Writes a zip as planned and returns what each entry became. Jobs with at least
 * THREADS_FROM_BYTES to read run on `threads` threads: the calling one and `threads` - 1 workers.
 * The calling thread writes the zip in order and compresses the next file whenever the one to write
 * is not ready (synchronously, since constructs are built synchronously); smaller jobs run on the
 * calling thread alone. `onEntry` runs on the calling thread for each file entry once written, in
 * zip order: work done there overlaps the workers' compression.
 * @throws Error naming the file when one changed while it was read, a worker's own error, or what
 *   `onEntry` threw; the zip is removed then
 */
export function packZip(plan: PackPlan, threads = defaultThreads(), onEntry?: (index: number, result: EntryResult) => void): PackResult {
  const full = completePlan(plan);
  const toRead = plan.entries.reduce((sum, e) => sum + (e.abs && !e.reuse ? (e.size ?? 0) : 0), 0);
  return engine().pack(full, plan.entries.some((e) => e.data) ? 0 : threadsFor(toRead, threads), onEntry);
}

/**
 * The SHA-256 (hex) of each file, read without compressing it; on `threads` threads (the calling
 * one included) from THREADS_FROM_BYTES to read, as packZip does.
 * @throws Error naming the file when one changed while it was read
 */
export function hashContents(
  files: ReadonlyArray<{ readonly name: string; readonly abs: string; readonly size: number }>,
  threads = defaultThreads(),
): string[] {
  const toRead = files.reduce((sum, f) => sum + f.size, 0);
  return engine().hashFiles(
    { names: files.map((f) => f.name), paths: files.map((f) => f.abs), sizes: files.map((f) => f.size) },
    threadsFor(toRead, threads),
  );
}

/** Writes a zip of in-memory entries in the given order (tests and fixtures). */
export function writeZip(file: string, entries: readonly ZipEntry[]): PackResult {
  return packZip({
    out: file,
    entries: entries.map((e) => (e.name.endsWith("/") ? e : { ...e, size: e.data?.length ?? 0, data: e.data ?? new Uint8Array(0) })),
  });
}
