// A deterministic zip writer on Node's own zlib. Its output depends only on entry names, modes and
// contents: fixed timestamps, no extra fields, no comments, entries in the order given, deflate at
// a fixed level (stored when deflate would not shrink the entry, as Info-ZIP does).
// Info-ZIP cannot be told to ignore mtimes and modes, and yazl/archiver are 4-6x slower (README).
import * as fs from "fs";
import * as zlib from "zlib";
import { errors } from "./errors";

/** One entry to write. Directories end in "/" and carry no content. */
export interface ZipEntry {
  /** Path inside the archive, "/"-separated, no leading slash. */
  readonly name: string;
  /** Unix permission bits (for example 0o644); the file type bits are added here. */
  readonly mode: number;
  /** File content, or undefined for a directory. */
  readonly data?: Buffer;
}

/** What compression produced for one entry (computed separately so it can run in parallel). */
export interface CompressedEntry {
  readonly crc32: number;
  readonly method: 0 | 8;
  readonly size: number;
  readonly compressed: Buffer;
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
/** 1980-01-01 00:00:00, the earliest MS-DOS date every reader accepts. */
const DOS_TIME = 0;
const DOS_DATE = (0 << 9) | (1 << 5) | 1;
const VERSION_MADE_BY = (3 << 8) | 20; // Unix, spec 2.0
const VERSION_NEEDED = 20;
const UTF8_FLAG = 0x0800;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const MSDOS_DIR = 0x10;

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
 * parallel-deflate.ts's worker applies the same rule: keep them in step.
 */
export const SAMPLE_MIN_BYTES = 256 * 1024;
export const SAMPLE_BYTES = 64 * 1024;
export const SAMPLE_KEEP = 0.995;

/**
 * Compresses one entry's content. Pure: the same bytes, level and hint always give the same
 * result. `compressedName` (the name says the content is compressed) has a sample decide at any size.
 */
export function compressEntry(data: Buffer | undefined, level = DEFLATE_LEVEL, compressedName = false): CompressedEntry {
  if (!data || data.length === 0) return { crc32: 0, method: 0, size: 0, compressed: Buffer.alloc(0) };
  const crc32 = zlib.crc32(data) >>> 0;
  const stored: CompressedEntry = { crc32, method: 0, size: data.length, compressed: data };
  if (level === 0) return stored;
  if (compressedName || data.length >= SAMPLE_MIN_BYTES) {
    const sample = data.subarray(0, SAMPLE_BYTES);
    if (zlib.deflateRawSync(sample, { level: 1 }).length >= sample.length * SAMPLE_KEEP) return stored;
  }
  const deflated = zlib.deflateRawSync(data, { level });
  return deflated.length < data.length ? { crc32, method: 8, size: data.length, compressed: deflated } : stored;
}

/**
 * Writes entries, in the given order, to an open file and returns the bytes written.
 * `compressed(i)` yields entry i's compressed form; it is called once per file entry, in order.
 */
export function writeZipToFd(
  fd: number,
  entries: readonly ZipEntry[],
  compressed: (index: number) => CompressedEntry,
  onBytes?: (chunk: Buffer) => void,
  onEntry?: (index: number, dataOffset: number, entry: CompressedEntry) => void,
): number {
  const central: Buffer[] = [];
  let offset = 0;
  // Headers and contents are queued and written with writev in batches: one syscall per batch, not per piece.
  let queue: Buffer[] = [];
  let queued = 0;
  const flush = () => {
    let pending = queue;
    while (pending.length > 0) {
      let written = fs.writevSync(fd, pending);
      const rest: Buffer[] = [];
      for (const piece of pending) {
        if (written >= piece.length) written -= piece.length;
        else {
          rest.push(piece.subarray(written));
          written = 0;
        }
      }
      pending = rest;
    }
    queue = [];
    queued = 0;
  };
  const write = (buf: Buffer) => {
    if (buf.length === 0) return;
    onBytes?.(buf);
    queue.push(buf);
    queued += buf.length;
    offset += buf.length;
    if (queue.length >= 512 || queued >= 8 << 20) flush();
  };

  entries.forEach((entry, index) => {
    const isDir = entry.name.endsWith("/");
    const c = isDir ? compressEntry(undefined) : compressed(index);
    const name = Buffer.from(entry.name, "utf8");
    const flags = /^[\x20-\x7e]*$/.test(entry.name) ? 0 : UTF8_FLAG;
    const headerOffset = offset;

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION_NEEDED, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(c.method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt32LE(c.crc32, 14);
    local.writeUInt32LE(c.compressed.length, 18);
    local.writeUInt32LE(c.size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    write(local);
    write(name);
    if (!isDir) onEntry?.(index, offset, c);
    if (c.compressed.length > 0) write(c.compressed);

    const mode = (isDir ? S_IFDIR : S_IFREG) | (entry.mode & 0o7777);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(VERSION_MADE_BY, 4);
    record.writeUInt16LE(VERSION_NEEDED, 6);
    record.writeUInt16LE(flags, 8);
    record.writeUInt16LE(c.method, 10);
    record.writeUInt16LE(DOS_TIME, 12);
    record.writeUInt16LE(DOS_DATE, 14);
    record.writeUInt32LE(c.crc32, 16);
    record.writeUInt32LE(c.compressed.length, 20);
    record.writeUInt32LE(c.size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt16LE(0, 30); // extra
    record.writeUInt16LE(0, 32); // comment
    record.writeUInt16LE(0, 34); // disk
    record.writeUInt16LE(0, 36); // internal attributes
    record.writeUInt32LE(((mode << 16) | (isDir ? MSDOS_DIR : 0)) >>> 0, 38);
    record.writeUInt32LE(headerOffset, 42);
    central.push(record, name);
  });

  const centralStart = offset;
  for (const part of central) write(part);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(offset - centralStart, 12);
  end.writeUInt32LE(centralStart, 16);
  end.writeUInt16LE(0, 20);
  write(end);
  flush();
  return offset;
}
