// Finds compiled code among a layer's files (shared objects, extension modules, Node addons,
// executables, DLLs) and decides whether every declared runtime and architecture can load it.
// A layer built on the wrong machine synthesizes and deploys fine and only fails at cold start
// ("invalid ELF header", "No module named …"), so this is the one place that can catch it before
// deploy. Each binary is classified by its bytes (ELF, Mach-O or PE; the machine; for ELF the
// C library its loader or DT_NEEDED names) and by the tags in its file name (cpython-311, abi3,
// darwin, musl). Reads a few hundred bytes per candidate file, never whole files; when an abi3
// module is found, also the RECORD and WHEEL files of the dist-infos that may have installed it.
import * as fs from "fs";
import * as path from "path";
import { errors, LayerValidationError } from "../core/errors";
import { isLoadedBy } from "./layout";
import { Architecture, Runtime, RuntimeFamily } from "../aws/runtime";
import { LAMBDA_OS_GLIBC } from "../aws/runtime-catalogue";

/** The machine a binary was built for, named as in ELF headers and manylinux tags. @group Internals */
export type ElfMachine = "x86_64" | "aarch64" | "other";

/** The executable format: Linux (ELF), macOS (Mach-O) or Windows (PE). @group Internals */
export type BinaryFormat = "elf" | "mach-o" | "pe";

/** A file of the layer that is compiled code, and what it was built for. @group Internals */
export interface NativeBinary {
  /** Path inside the archive. */
  readonly name: string;
  readonly machine: ElfMachine;
  /** @default "elf" when absent (records written before formats were told apart) */
  readonly format?: BinaryFormat;
  /** The C library an ELF file links against, when its loader, DT_NEEDED or file name says so. */
  readonly libc?: "glibc" | "musl";
  /**
   * The newest glibc an ELF file needs: the highest GLIBC_x.y its version-needs section
   * (`readelf -V`) names, such as "2.34". A runtime whose glibc is older cannot load it.
   * @default - none named (static, musl, or linked against no versioned glibc symbol)
   */
  readonly glibc?: string;
  /** A CPython extension module's ABI from its file name: "3.11" (cpython-311) or "abi3" (any CPython 3 since its minimum). */
  readonly python?: string;
  /**
   * For an abi3 module, the lowest CPython it loads on, as the installed distribution says: the
   * `*.dist-info/RECORD` that lists the file, and its `WHEEL` file's `Tag: cp37-abi3-…` lines.
   * @default - unknown (no dist-info lists the file, or its WHEEL has no abi3 tag): not checked
   */
  readonly abi3Minimum?: Abi3Minimum;
}

/** The minimum CPython of an abi3 module and where it was read. @group Internals */
export interface Abi3Minimum {
  /** "3.7" for cp37-abi3. */
  readonly python: string;
  /** The WHEEL file's tag that says so, such as "cp37-abi3-manylinux_2_17_x86_64". */
  readonly wheelTag: string;
  /** The distribution whose dist-info lists the file, such as "cryptography". */
  readonly distribution: string;
}

/** The part of a planned archive file this module needs (PlannedFile fits). @group Internals */
export interface BinaryCandidate {
  readonly name: string;
  readonly abs: string;
  readonly size: number;
  readonly mode: number;
}

/** The fewest bytes any recognised header needs (ELF's e_machine ends at byte 20). */
export const ELF_IDENT_BYTES = 20;
/** Bytes read for the header: enough for ELF and Mach-O; PE's header is found through its offset. */
export const HEADER_READ_BYTES = 512;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

/** Random access to a file's bytes: what is there of `length` bytes at `offset` (shorter at the end). @group Internals */
export type ByteReader = (offset: number, length: number) => Buffer;

/** Format and machine of a binary from its bytes; undefined when it is no ELF, Mach-O or PE file. */
export function classifyBytes(
  read: ByteReader,
): { format: BinaryFormat; machine: ElfMachine; libc?: "glibc" | "musl"; glibc?: string } | undefined {
  const head = read(0, 64);
  const machine = elfMachine(head);
  if (machine) return { format: "elf", machine, ...elfLinkage(head, read) };
  const macho = machOMachine(head);
  if (macho) return { format: "mach-o", machine: macho };
  const pe = peMachine(head, read);
  if (pe) return { format: "pe", machine: pe };
  return undefined;
}

/**
 * The machine of an ELF file from its first bytes; undefined when they are not an ELF header.
 * Only e_machine decides: 32-bit and big-endian files with other machines come out as "other".
 * @group Internals
 */
export function elfMachine(header: Buffer): ElfMachine | undefined {
  if (header.length < ELF_IDENT_BYTES) return undefined;
  if (header[0] !== 0x7f || header[1] !== 0x45 || header[2] !== 0x4c || header[3] !== 0x46) return undefined;
  const elfClass = header[4];
  const data = header[5];
  // A file with the magic but no valid class or byte order is not something a loader accepts either.
  if (elfClass !== 1 && elfClass !== 2) return undefined;
  if (data !== 1 && data !== 2) return undefined;
  const machine = data === 1 ? header.readUInt16LE(18) : header.readUInt16BE(18);
  if (machine === EM_X86_64) return "x86_64";
  if (machine === EM_AARCH64) return "aarch64";
  return "other";
}

const MH_MAGIC_64 = 0xfeedfacf;
const MH_MAGIC = 0xfeedface;
const FAT_MAGIC = 0xcafebabe;
const FAT_MAGIC_64 = 0xcafebabf;
const CPU_TYPE_X86_64 = 0x01000007;
const CPU_TYPE_ARM64 = 0x0100000c;

function machOCpu(cpu: number): ElfMachine {
  if (cpu === CPU_TYPE_X86_64) return "x86_64";
  if (cpu === CPU_TYPE_ARM64) return "aarch64";
  return "other";
}

/** The machine of a Mach-O file (macOS); a universal binary reports its first slice. */
function machOMachine(h: Buffer): ElfMachine | undefined {
  if (h.length < 8) return undefined;
  const le = h.readUInt32LE(0);
  if (le === MH_MAGIC_64 || le === MH_MAGIC) return machOCpu(h.readUInt32LE(4));
  const be = h.readUInt32BE(0);
  if (be === MH_MAGIC_64 || be === MH_MAGIC) return machOCpu(h.readUInt32BE(4));
  // Universal binaries share CAFEBABE with Java class files; a class file's next word is its
  // version (45 and up), a universal binary's its slice count (a handful).
  if ((be === FAT_MAGIC || be === FAT_MAGIC_64) && h.length >= 12) {
    const slices = h.readUInt32BE(4);
    if (slices > 0 && slices < 20) return machOCpu(h.readUInt32BE(8));
  }
  return undefined;
}

/** The machine of a PE file (Windows DLL, .pyd, .exe) from its COFF header. */
function peMachine(h: Buffer, read: ByteReader): ElfMachine | undefined {
  if (h.length < 64 || h[0] !== 0x4d || h[1] !== 0x5a) return undefined;
  const offset = h.readUInt32LE(0x3c);
  if (offset < 64 || offset > 64 * 1024) return undefined;
  const coff = read(offset, 6);
  if (coff.length < 6 || coff.readUInt32LE(0) !== 0x00004550) return undefined;
  const machine = coff.readUInt16LE(4);
  if (machine === 0x8664) return "x86_64";
  if (machine === 0xaa64) return "aarch64";
  return "other";
}

/** What the dynamic section of an ELF file says about the C library it needs. */
interface ElfLinkage {
  readonly libc?: "glibc" | "musl";
  /** The newest GLIBC_x.y version its version-needs entries name, such as "2.34". */
  readonly glibc?: string;
}

const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NEEDED = 1;
const DT_STRTAB = 5;
const DT_STRSZ = 10;
const DT_VERNEED = 0x6ffffffe;
const DT_VERNEEDNUM = 0x6fffffff;
/** Bounds on what a damaged or hostile file can make the reader walk. */
const MAX_NEEDED = 64;
const MAX_VERNEED = 64;
const MAX_VERNAUX = 256;

/**
 * The C library a 64-bit ELF file needs, read the way the loader reads it (program headers, then
 * the dynamic section): musl when its program interpreter is musl's loader (executables) or it
 * lists libc.musl-*.so as DT_NEEDED (shared objects); glibc when it names ld-linux or libc.so.6.
 * And the newest glibc it needs: the version-needs table (DT_VERNEED, the `.gnu.version_r`
 * section `readelf -V` prints) lists, per library, the symbol versions the file was linked
 * against, such as GLIBC_2.34 for `close_range`. The loader refuses the file on an older glibc
 * ("version `GLIBC_2.34' not found"), so the newest GLIBC_x.y named for any library is its need.
 * Static files and headers this reader skips give neither.
 */
function elfLinkage(h: Buffer, read: ByteReader): ElfLinkage {
  if (h.length < 64 || h[4] !== 2) return {};
  const le = h[5] === 1;
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const u64 = (b: Buffer, o: number) => Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const phoff = u64(h, 32);
  const phentsize = u16(h, 54);
  const phnum = Math.min(u16(h, 56), 64);
  if (phentsize < 56 || phnum === 0) return {};
  const table = read(phoff, phentsize * phnum);
  const names: string[] = [];
  const loads: Array<{ vaddr: number; offset: number; size: number }> = [];
  let dynamic: { offset: number; size: number } | undefined;
  for (let i = 0; i + 1 <= phnum && (i + 1) * phentsize <= table.length; i++) {
    const p = i * phentsize;
    const type = u32(table, p);
    const offset = u64(table, p + 8);
    const vaddr = u64(table, p + 16);
    const filesz = u64(table, p + 32);
    if (type === PT_INTERP) names.push(cString(read(offset, Math.min(filesz, 256)), 0));
    if (type === PT_LOAD) loads.push({ vaddr, offset, size: filesz });
    if (type === PT_DYNAMIC) dynamic = { offset, size: Math.min(filesz, 64 * 1024) };
  }
  // Dynamic entries hold addresses: the loadable segment holding one gives its place in the file.
  const fileOffset = (address: number | undefined) => {
    if (address === undefined) return undefined;
    const segment = loads.find((l) => address >= l.vaddr && address < l.vaddr + l.size);
    return segment && segment.offset + (address - segment.vaddr);
  };
  let glibc: string | undefined;
  if (dynamic) {
    const dyn = read(dynamic.offset, dynamic.size);
    const needed: number[] = [];
    let strtab: number | undefined;
    let strsz = 0;
    let verneed: number | undefined;
    let verneedNum = 0;
    for (let p = 0; p + 16 <= dyn.length; p += 16) {
      const tag = u64(dyn, p);
      if (tag === 0) break;
      const value = u64(dyn, p + 8);
      if (tag === DT_NEEDED) needed.push(value);
      if (tag === DT_STRTAB) strtab = value;
      if (tag === DT_STRSZ) strsz = value;
      if (tag === DT_VERNEED) verneed = value;
      if (tag === DT_VERNEEDNUM) verneedNum = value;
    }
    const strings = fileOffset(strtab);
    if (strings !== undefined) {
      const nameAt = (n: number) => (strsz === 0 || n < strsz ? cString(read(strings + n, 128), 0) : "");
      for (const n of needed.slice(0, MAX_NEEDED)) names.push(nameAt(n));
      const table = fileOffset(verneed);
      if (table !== undefined) glibc = newestGlibc(read, table, Math.min(verneedNum, MAX_VERNEED), u16, u32, nameAt);
    }
  }
  const libc = names.some((n) => /(^|\/)ld-musl-|^libc\.musl-/.test(n))
    ? "musl"
    : names.some((n) => /(^|\/)ld-linux|^libc\.so\.6$/.test(n)) || glibc !== undefined
      ? "glibc"
      : undefined;
  return { ...(libc ? { libc } : {}), ...(glibc ? { glibc } : {}) };
}

/**
 * The newest GLIBC_x.y among the version-needs entries at `offset` (Elf64_Verneed records, each
 * with its Elf64_Vernaux list; both 16 bytes, chained by byte offsets). Names such as
 * GLIBC_PRIVATE or another library's versions (GLIBCXX_3.4.29, OPENSSL_3.0.0) do not count.
 */
function newestGlibc(
  read: ByteReader,
  offset: number,
  count: number,
  u16: (b: Buffer, o: number) => number,
  u32: (b: Buffer, o: number) => number,
  nameAt: (n: number) => string,
): string | undefined {
  let newest: string | undefined;
  let entry = offset;
  for (let i = 0; i < count; i++) {
    const vn = read(entry, 16);
    if (vn.length < 16) break;
    const cnt = Math.min(u16(vn, 2), MAX_VERNAUX);
    let aux = entry + u32(vn, 8);
    for (let j = 0; j < cnt; j++) {
      const vna = read(aux, 16);
      if (vna.length < 16) break;
      const version = /^GLIBC_(\d+\.\d+(?:\.\d+)?)$/.exec(nameAt(u32(vna, 8)));
      if (version && (newest === undefined || compareGlibc(version[1], newest) > 0)) newest = version[1];
      const next = u32(vna, 12);
      if (next === 0) break;
      aux += next;
    }
    const next = u32(vn, 12);
    if (next === 0) break;
    entry += next;
  }
  return newest;
}

/** Compares glibc versions such as "2.2.5", "2.17" and "2.34" by their numbers. @group Internals */
export function compareGlibc(a: string, b: string): number {
  const x = a.split(".").map(Number);
  const y = b.split(".").map(Number);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function cString(b: Buffer, start: number): string {
  const end = b.indexOf(0, start);
  return b.toString("latin1", start, end < 0 ? b.length : end);
}

/** A reader over an open file descriptor. */
export function fileReader(fd: number): ByteReader {
  return (offset, length) => {
    const buf = Buffer.alloc(Math.max(0, length));
    const n = length > 0 ? fs.readSync(fd, buf, 0, length, offset) : 0;
    return buf.subarray(0, n);
  };
}

/** A reader over bytes already in memory (the inflated start of a zip member). */
export function bufferReader(bytes: Buffer): ByteReader {
  return (offset, length) => bytes.subarray(Math.min(offset, bytes.length), Math.min(offset + length, bytes.length));
}

/** The machine of an ELF file on disk, reading only its header; undefined for anything else. @group Internals */
export function readElfMachine(absPath: string): ElfMachine | undefined {
  const found = readBinary(absPath);
  return found?.format === "elf" ? found.machine : undefined;
}

function readBinary(absPath: string): ReturnType<typeof classifyBytes> {
  let fd: number;
  try {
    fd = fs.openSync(absPath, "r");
  } catch {
    return undefined; // an unreadable file is reported by whatever reads it in full, not here
  }
  try {
    return classifyBytes(fileReader(fd));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Whether a file is worth opening to look for a binary header. Native code in layers is named
 * like a shared object, extension module, addon or DLL, is executable, or sits in bin/;
 * everything else (the bulk of a Python or npm tree) is skipped without a read.
 */
export function isNativeCandidate(name: string, mode: number, size: number): boolean {
  if (size < ELF_IDENT_BYTES) return false;
  const base = name.slice(name.lastIndexOf("/") + 1);
  return /\.(so|node|pyd|dylib|dll|bundle|exe)$/i.test(base) || base.includes(".so.") || (mode & 0o111) !== 0 || name.startsWith("bin/");
}

/** The tags a file name carries: the CPython ABI of an extension module and a platform word. */
export function nameTags(name: string): { python?: string; libc?: "musl" } {
  const base = name.slice(name.lastIndexOf("/") + 1);
  const cpython = /\.cpython-3(\d+)[a-z]*(?:-[^.]*)?\.so$/.exec(base);
  const python = cpython ? `3.${cpython[1]}` : /\.abi3\.so$/.test(base) ? "abi3" : undefined;
  const libc = /(^|[-_.])(linux-?musl|musllinux|musl)([-_.]|$)/.test(base) ? ("musl" as const) : undefined;
  return { python, libc };
}

/** Classifies one candidate: bytes first, then the file name's tags; undefined when it is no binary. @group Internals */
export function classifyBinary(candidate: BinaryCandidate, read?: ByteReader): NativeBinary | undefined {
  const bytes = read ? classifyBytes(read) : readBinary(candidate.abs);
  if (!bytes) return undefined;
  const tags = nameTags(candidate.name);
  const libc = bytes.libc ?? (bytes.format === "elf" ? tags.libc : undefined);
  return {
    name: candidate.name,
    machine: bytes.machine,
    format: bytes.format,
    ...(libc ? { libc } : {}),
    ...(bytes.glibc ? { glibc: bytes.glibc } : {}),
    ...(tags.python ? { python: tags.python } : {}),
  };
}

/** The files that really are compiled code, with what each was built for, in the given order. @group Internals */
export function findNativeBinaries(files: ReadonlyArray<BinaryCandidate>): NativeBinary[] {
  const found: NativeBinary[] = [];
  for (const f of files) {
    if (!isNativeCandidate(f.name, f.mode, f.size)) continue;
    const binary = classifyBinary(f);
    if (binary) found.push(binary);
  }
  if (!found.some((b) => b.python === "abi3")) return found;
  const byName = new Map(files.map((f) => [f.name, f.abs]));
  return withAbi3Minimums(
    found,
    files.map((f) => f.name),
    (name) => {
      try {
        return fs.readFileSync(byName.get(name)!, "utf8");
      } catch {
        return undefined; // unreadable metadata is no evidence
      }
    },
  );
}

/** The text of one of the layer's files by its archive path; undefined when it cannot be read. @group Internals */
export type TextReader = (name: string) => string | undefined;

/**
 * The binaries with `abi3Minimum` set on each abi3 module that an installed distribution owns:
 * the dist-info whose RECORD lists the file (RECORD paths are relative to the folder holding the
 * dist-info, the site-packages root) and whose WHEEL file has `cpXY-abi3-…` tags. Reads only
 * RECORD and WHEEL files, and only when an abi3 module is there; the dist-info named like the
 * module's top-level package is read first, so a layer of many packages usually costs one RECORD.
 * Debian's and egg-info installs carry no such tags (or tags like cp311-cp311 that name the
 * interpreter, not the module's minimum): their modules keep no minimum and are not checked.
 * @group Internals
 */
export function withAbi3Minimums(binaries: readonly NativeBinary[], names: readonly string[], read: TextReader): NativeBinary[] {
  if (!binaries.some((b) => b.python === "abi3")) return [...binaries];
  const distInfos = names
    .map((n) => /^(.*\/)?([^/]+)\.dist-info\/RECORD$/.exec(n))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ root: m[1] ?? "", dir: `${m[1] ?? ""}${m[2]}.dist-info`, distribution: m[2].split("-")[0] }));
  const records = new Map<string, Set<string>>();
  const wheels = new Map<string, ReturnType<typeof abi3MinimumOf>>();
  const recordOf = (dir: string): Set<string> => {
    let listed = records.get(dir);
    if (!listed) {
      listed = recordPaths(read(`${dir}/RECORD`) ?? "", dir.slice(0, dir.lastIndexOf("/") + 1));
      records.set(dir, listed);
    }
    return listed;
  };
  return binaries.map((b) => {
    if (b.python !== "abi3") return b;
    const owners = distInfos
      .filter((d) => b.name.startsWith(d.root))
      .map((d) => ({ ...d, named: normalizedName(b.name.slice(d.root.length).split("/")[0]) === normalizedName(d.distribution) }))
      .sort((x, y) => Number(y.named) - Number(x.named) || y.root.length - x.root.length);
    const owner = owners.find((d) => recordOf(d.dir).has(b.name));
    if (owner && !wheels.has(owner.dir)) wheels.set(owner.dir, abi3MinimumOf(read(`${owner.dir}/WHEEL`) ?? ""));
    const minimum = owner && wheels.get(owner.dir);
    return minimum ? { ...b, abi3Minimum: { ...minimum, distribution: owner.distribution } } : b;
  });
}

/** Project names compare case-blind with runs of -_. as one (PEP 503). */
function normalizedName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, "_");
}

/** The archive paths a RECORD lists (its first CSV column, relative to `root`). */
function recordPaths(record: string, root: string): Set<string> {
  const listed = new Set<string>();
  for (const line of record.split(/\r?\n/)) {
    let file: string;
    if (line.startsWith('"')) {
      const end = /^"((?:[^"]|"")*)"/.exec(line);
      if (!end) continue;
      file = end[1].replace(/""/g, '"');
    } else {
      file = line.split(",")[0];
    }
    if (file === "" || file.startsWith("/")) continue;
    listed.add(path.posix.normalize(root + file));
  }
  return listed;
}

/**
 * The lowest CPython a WHEEL file's abi3 tags name ("Tag: cp37-abi3-manylinux_2_17_x86_64" gives
 * 3.7; compressed tags such as cp37.cp38-abi3-… count each part). Undefined without an abi3 tag.
 * @group Internals
 */
export function abi3MinimumOf(wheel: string): { python: string; wheelTag: string } | undefined {
  let best: { minor: number; wheelTag: string } | undefined;
  for (const m of wheel.matchAll(/^Tag:[ \t]*(\S+)[ \t\r]*$/gm)) {
    const [pythons, abis] = m[1].split("-");
    if (!abis?.split(".").includes("abi3")) continue;
    for (const py of pythons.split(".")) {
      const version = /^cp3(\d+)$/.exec(py);
      if (version && (!best || Number(version[1]) < best.minor)) best = { minor: Number(version[1]), wheelTag: m[1] };
    }
  }
  return best && { python: `3.${best.minor}`, wheelTag: best.wheelTag };
}

/** Compares Python versions such as "3.9" and "3.10" by their numbers. */
function comparePython(a: string, b: string): number {
  const [am, an] = a.split(".").map(Number);
  const [bm, bn] = b.split(".").map(Number);
  return am - bm || an - bn;
}

/** "x86-64" and "aarch64", the way `file` and the loader's error messages say it. */
export function machineLabel(machine: ElfMachine): string {
  switch (machine) {
    case "x86_64":
      return "x86-64";
    case "aarch64":
      return "aarch64";
    case "other":
      return "neither x86-64 nor aarch64";
  }
}

/** What a binary was built for, in words: "Linux x86-64 (glibc), CPython 3.11". @group Internals */
export function describeBinary(b: NativeBinary): string {
  const format = b.format ?? "elf";
  const system = format === "mach-o" ? "macOS (Mach-O)" : format === "pe" ? "Windows (PE)" : "Linux (ELF)";
  const machine = b.machine === "other" ? "a machine Lambda does not run" : machineLabel(b.machine);
  const libc = b.libc ? ` ${b.libc}${b.glibc ? ` (needs GLIBC_${b.glibc})` : ""}` : "";
  const abi3 = b.abi3Minimum
    ? `, CPython stable ABI (abi3) from ${b.abi3Minimum.python} (wheel tag ${b.abi3Minimum.wheelTag})`
    : ", CPython stable ABI (abi3)";
  const python = b.python === undefined ? "" : b.python === "abi3" ? abi3 : `, CPython ${b.python}`;
  return `${system} ${machine}${libc}${python}`;
}

/** Why one binary cannot load on a declared runtime or architecture, and how to fix it. @group Internals */
export interface BinaryProblem {
  readonly binary: NativeBinary;
  /** Every reason in one text: the reason itself, or "2 reasons: (1) …; (2) …". */
  readonly reason: string;
  /** Each reason the binary cannot load, such as "macOS code; Lambda runs Linux". */
  readonly reasons: readonly string[];
  /** One fix for all its reasons at once. */
  readonly fix: string;
}

/** One reason a binary cannot load, with the fix for that reason alone. */
interface Finding {
  readonly reason: string;
  readonly fix: string;
}

/** Words that name an architecture inside a path (prebuilds/linux-x64/, @esbuild/linux-arm64/). */
const ARCH_WORD_RE = /(^|[^A-Za-z0-9])(x86_64|x86-64|x64|amd64|aarch64|arm64)(?=$|[^A-Za-z0-9])/g;

/**
 * The declared architectures a binary leaves uncovered: a binary loads on its own machine only,
 * so with several architectures declared it needs a counterpart for each other one: the same
 * path with its architecture word swapped (prebuilds/linux-x64/x.node beside
 * prebuilds/linux-arm64/x.node), as packages that ship every platform lay them out.
 */
function uncoveredArchitectures(b: NativeBinary, all: readonly NativeBinary[], architectures: readonly Architecture[]): Architecture[] {
  const key = (name: string) => name.replace(ARCH_WORD_RE, (_m, pre: string) => `${pre}{arch}`);
  const mine = key(b.name);
  return architectures.filter((a) => {
    if (a.linuxMachine === b.machine) return false;
    if (mine === b.name) return true; // no architecture word: nothing can stand in for it
    return !all.some((o) => o.machine === a.linuxMachine && o.name !== b.name && key(o.name) === mine);
  });
}

/**
 * The declared runtimes that load a file: those with it on their search paths (python/ for
 * Python, nodejs/ for Node, bin/ and lib/ for all). A file on no runtime's search path may still
 * be run or opened by its path, so then every declared runtime counts.
 */
function runtimesLoading(name: string, runtimes: readonly Runtime[]): readonly Runtime[] {
  const loading = runtimes.filter((r) => isLoadedBy(name, r));
  return loading.length > 0 ? loading : runtimes;
}

/** The newest glibc of any Lambda runtime (Amazon Linux 2023's). */
function newestLambdaGlibc(): string {
  return Runtime.all.map((r) => r.glibc ?? "0").sort(compareGlibc)[Runtime.all.length - 1];
}

/** The Lambda build image of a runtime, such as public.ecr.aws/sam/build-python3.11 (arm64: the latest-arm64 tag). */
export function buildImage(runtime: Runtime, architecture?: Architecture): string {
  return `public.ecr.aws/sam/build-${runtime.name}${architecture?.sameAs(Architecture.ARM_64) ? ":latest-arm64" : ""}`;
}

/**
 * Why a binary that needs a newer glibc than some runtime's cannot load there, and the fix: a
 * build for the older glibc (a manylinux2014 wheel, the runtime's build image) or, when the
 * module is not tied to one Python version, a runtime whose OS has a newer glibc.
 */
function glibcFinding(b: NativeBinary, tooOld: readonly Runtime[]): Finding {
  const need = b.glibc!;
  const byGlibc = new Map<string, string[]>();
  for (const r of tooOld) byGlibc.set(r.glibc!, [...(byGlibc.get(r.glibc!) ?? []), r.name]);
  const has = [...byGlibc].map(([g, names]) => `${names.join(" and ")} ${names.length === 1 ? "has" : "have"} glibc ${g}${osName(g)}`);
  const lowest = [...byGlibc.keys()].sort(compareGlibc)[0];
  const families = new Set(tooOld.map((r) => r.family));
  const newer = Runtime.all.filter(
    (r) => families.has(r.family) && r.glibc !== undefined && compareGlibc(r.glibc, need) >= 0 && !r.deprecated(),
  );
  const pinnedPython = b.python !== undefined && b.python !== "abi3";
  const wheel = b.python
    ? `a manylinux2014 wheel of its package (\`pip install --platform manylinux2014_${b.machine} --only-binary=:all:\`; from requirements.txt the builder asks pip only for wheels glibc ${lowest} loads)`
    : `a build made for glibc ${lowest} or older`;
  const image = `build it in the runtime's build image (${tooOld.map((r) => buildImage(r)).join(", ")})`;
  const declare =
    compareGlibc(need, newestLambdaGlibc()) > 0
      ? ` (no Lambda runtime has glibc ${need}: the newest, Amazon Linux 2023, has ${newestLambdaGlibc()})`
      : pinnedPython || newer.length === 0
        ? "" // a CPython 3.11 module loads on python3.11 only, whatever another runtime's glibc
        : `, or declare a runtime with a newer glibc (${newer.map((r) => r.name).join(", ")}: glibc ${newer[0].glibc})`;
  return {
    reason: `needs GLIBC_${need} (its version-needs section), but ${has.join(", ")}: it fails at load with "version \`GLIBC_${need}' not found"`,
    fix: `use ${wheel}, or ${image}${declare}`,
  };
}

function osName(glibc: string): string {
  const os = Object.entries(LAMBDA_OS_GLIBC).find(([, g]) => g === glibc)?.[0];
  return os === "amazonlinux2" ? " (Amazon Linux 2)" : os === "amazonlinux2023" ? " (Amazon Linux 2023)" : "";
}

/**
 * One fix for a binary with several reasons: build it once for each declared target (runtime
 * and architecture) on Linux, which settles the format, machine, C library, CPython ABI and glibc
 * together; several targets a single build cannot serve mean one layer per target.
 */
function combinedFix(b: NativeBinary, runtimes: readonly Runtime[], declaredArchs: readonly Architecture[]): string {
  const own = Architecture.all.find((a) => a.linuxMachine === b.machine);
  const archs = declaredArchs.length > 0 ? declaredArchs : [own ?? Architecture.X86_64];
  const pythons = runtimes.filter((r) => r.family === RuntimeFamily.PYTHON && r.version !== undefined);
  const targets = (b.python && pythons.length > 0 ? pythons : runtimesLoading(b.name, runtimes)).flatMap((r) =>
    archs.map((a) => [r, a] as const),
  );
  const how = (r: Runtime, a: Architecture) => {
    const image = buildImage(r, a);
    if (r.family === RuntimeFamily.PYTHON)
      return `\`pip install --platform manylinux2014_${a.linuxMachine} --implementation cp --python-version ${r.version} --only-binary=:all:\` (or pip in ${image})`;
    if (r.family === RuntimeFamily.NODEJS) return `\`npm ci --os=linux --cpu=${a.npmCpu}\` in ${image}`;
    return `a build in ${image}`;
  };
  const per = targets.map(([r, a]) => `for ${r.name} on ${a.name}, ${how(r, a)}`).join("; ");
  return targets.length > 1
    ? `rebuild it for each target, one layer per runtime and architecture (compatibleRuntimes and compatibleArchitectures naming one each): ${per}`
    : `rebuild it for the target: ${per}`;
}

/**
 * Every binary that some declared runtime or architecture cannot load, with every reason and one
 * fix for them all. Lambda runs 64-bit Linux (glibc) on x86-64 and arm64, so Mach-O, PE, musl and
 * other machines never load; with architectures declared, each must be served; a CPython
 * extension module tagged for one Python version loads on that version only (abi3: on every one
 * from the minimum its wheel names, when its dist-info says); an ELF file that needs a newer
 * GLIBC_x.y than a runtime's OS ships fails at load there.
 * No declared architecture means "any" to Lambda: the machine is then not compared.
 * @group Internals
 */
export function binaryProblems(
  binaries: readonly NativeBinary[],
  runtimes: readonly Runtime[],
  architectures: readonly Architecture[] | undefined,
): BinaryProblem[] {
  const pythons = runtimes.filter((r) => r.family === RuntimeFamily.PYTHON && r.version !== undefined);
  const groups = prebuildGroups(binaries);
  const problems: BinaryProblem[] = [];
  for (const [root, members] of groups) problems.push(...prebuildProblems(root, members, runtimes, architectures));
  const prebuilt = new Set([...groups.values()].flat().map((b) => b.name));
  const declaredArchs = architectures ?? [];
  const buildFor = (declaredArchs.length > 0 ? declaredArchs : Architecture.all).map((a) => a.linuxMachine);
  const linuxBuild = `build it on Linux for Lambda: in the Lambda build image (public.ecr.aws/sam/build-<runtime>), or for Python with \`pip install --platform manylinux2014_${buildFor[0]} --only-binary=:all:\`, for Node with \`npm ci --os=linux --cpu=${buildFor[0] === "aarch64" ? "arm64" : "x64"}\``;
  for (const b of binaries) {
    if (prebuilt.has(b.name)) continue;
    const findings: Finding[] = [];
    const format = b.format ?? "elf";
    // Whether Linux's loader gets as far as machine, C library and symbol versions.
    let linuxLoadable = false;
    if (format !== "elf") {
      const system = format === "mach-o" ? "macOS" : "Windows";
      findings.push({ reason: `${system} code; Lambda runs Linux and loads only ELF files ("invalid ELF header")`, fix: linuxBuild });
    } else if (b.machine === "other") {
      findings.push({ reason: "Lambda runs only 64-bit x86-64 and aarch64 code", fix: linuxBuild });
    } else if (b.libc === "musl") {
      findings.push({
        reason: "built against musl libc (Alpine); Lambda's runtimes use glibc",
        fix: `use manylinux wheels, not musllinux ones (\`pip install --platform manylinux2014_${b.machine} --only-binary=:all:\`), or build in the Lambda build image instead of Alpine`,
      });
    } else {
      linuxLoadable = true;
    }
    if (format === "elf" && b.machine !== "other" && declaredArchs.length > 0) {
      const missing = uncoveredArchitectures(b, binaries, declaredArchs);
      if (missing.length > 0) {
        const own = Architecture.all.find((a) => a.linuxMachine === b.machine)!;
        const declaresOwn = declaredArchs.some((a) => a.sameAs(own));
        findings.push(
          declaresOwn
            ? {
                reason: `no build for ${missing.map((a) => a.name).join(", ")} beside it, so an ${missing[0].name} function fails at cold start with "invalid ELF header"`,
                fix: `split the layer per architecture: one layer with compatibleArchitectures: ["${own.name}"] and one with ${missing.map((a) => `["${a.name}"]`).join(", ")}, each built for its own (pip --platform manylinux2014_<machine>, npm --cpu=<cpu>), and attach to each function the layer of its architecture`,
              }
            : {
                reason: `not the declared ${declaredArchs.map((a) => a.name).join(" and ")}: an ${machineLabel(b.machine)} library fails at cold start with "invalid ELF header"`,
                fix: `build the dependencies for ${declaredArchs.map((a) => `${a.name} (pip --platform manylinux2014_${a.linuxMachine}, npm --cpu=${a.npmCpu})`).join(" and ")} or declare compatibleArchitectures: ["${own.name}"]`,
              },
        );
      }
    }
    if (b.python === "abi3" && b.abi3Minimum && pythons.length > 0) {
      const minimum = b.abi3Minimum;
      const below = pythons.filter((r) => comparePython(r.version!, minimum.python) < 0);
      if (below.length > 0) {
        findings.push(
          errors.abi3BelowMinimum(
            minimum.wheelTag,
            minimum.python,
            minimum.distribution,
            below.map((r) => r.version!).sort(comparePython),
            b.machine === "other" ? "x86_64" : b.machine,
          ),
        );
      }
    }
    if (b.python && b.python !== "abi3" && pythons.length > 0) {
      const others = pythons.filter((r) => r.version !== b.python);
      if (others.length > 0) {
        findings.push({
          reason: `a CPython ${b.python} extension module, which ${others.map((r) => r.name).join(" and ")} cannot import`,
          fix:
            pythons.length > 1
              ? `split the layer per Python version (one layer per runtime, each installing its own wheels), or use abi3 wheels, or declare only python${b.python}`
              : `install the wheels for ${others[0].name} (pip --python-version ${others[0].version}) or declare compatibleRuntimes: ["python${b.python}"]`,
        });
      }
    }
    if (linuxLoadable && b.glibc !== undefined) {
      const tooOld = runtimesLoading(b.name, runtimes).filter((r) => r.glibc !== undefined && compareGlibc(b.glibc!, r.glibc) > 0);
      if (tooOld.length > 0) findings.push(glibcFinding(b, tooOld));
    }
    if (findings.length > 0) problems.push(problemOf(b, findings, runtimes, declaredArchs));
  }
  return problems;
}

function problemOf(
  b: NativeBinary,
  findings: readonly Finding[],
  runtimes: readonly Runtime[],
  archs: readonly Architecture[],
): BinaryProblem {
  const reasons = findings.map((f) => f.reason);
  return {
    binary: b,
    reasons,
    reason: reasons.length === 1 ? reasons[0] : `${reasons.length} reasons: ${reasons.map((r, i) => `(${i + 1}) ${r}`).join("; ")}`,
    fix: findings.length === 1 ? findings[0].fix : combinedFix(b, runtimes, archs),
  };
}

/**
 * Node addons shipped for every platform under `prebuilds/<platform>-<arch>/` (prebuildify,
 * node-gyp-build, prebuild-install): the package's loader picks the one for the running
 * platform, architecture, C library and Node ABI, so the others are never loaded. Groups them
 * by their prebuilds folder.
 */
export function prebuildGroups(binaries: readonly NativeBinary[]): Map<string, NativeBinary[]> {
  const groups = new Map<string, NativeBinary[]>();
  for (const b of binaries) {
    const m = /^(.*\/prebuilds)\/[^/]+\/./.exec(b.name);
    if (m) groups.set(m[1], [...(groups.get(m[1]) ?? []), b]);
  }
  return groups;
}

/** NODE_MODULE_VERSION of each Node.js major Lambda runs (from Node's own node_version.h / abi_version_registry.json). */
export const NODE_MODULE_VERSIONS: Readonly<Record<string, number>> = { "18": 108, "20": 115, "22": 127, "24": 137 };

/**
 * Whether a prebuild is a Linux glibc build for `machine` a Node runtime with `abi` and `glibc`
 * loads (napi and untagged builds: any ABI; no version needs or an unknown runtime glibc: any glibc).
 */
function loadsOn(b: NativeBinary, machine: string, abi: number | undefined, glibc?: string): boolean {
  if ((b.format ?? "elf") !== "elf" || b.machine !== machine || b.libc === "musl") return false;
  if (glibc !== undefined && b.glibc !== undefined && compareGlibc(b.glibc, glibc) > 0) return false;
  const tag = /(?:^|[.-])abi(\d+)(?:[.-]|$)/.exec(b.name.slice(b.name.lastIndexOf("/") + 1));
  return abi === undefined || tag === null || Number(tag[1]) === abi;
}

/** A prebuilds folder must hold, for each declared architecture and Node runtime, one build that loads. */
function prebuildProblems(
  root: string,
  members: readonly NativeBinary[],
  runtimes: readonly Runtime[],
  architectures: readonly Architecture[] | undefined,
): BinaryProblem[] {
  const nodes = runtimes.filter((r) => r.family === RuntimeFamily.NODEJS && r.version !== undefined);
  const abis =
    nodes.length > 0
      ? nodes.map((r) => ({ runtime: r.name, abi: NODE_MODULE_VERSIONS[r.version!], glibc: r.glibc }))
      : [{ runtime: "", abi: undefined, glibc: undefined }];
  const archs = architectures ?? Architecture.all.filter((a) => members.some((b) => loadsOn(b, a.linuxMachine, undefined)));
  const missing: string[] = [];
  const tooNew = new Set<string>();
  for (const a of archs.length > 0 ? archs : [Architecture.X86_64]) {
    for (const { runtime, abi, glibc } of abis) {
      if (members.some((b) => loadsOn(b, a.linuxMachine, abi, glibc))) continue;
      missing.push(`${runtime ? `${runtime} ` : ""}on ${a.name}`.trim());
      // a build that would load but for its glibc: say so, it is the part to fix
      for (const b of members.filter((m) => loadsOn(m, a.linuxMachine, abi)))
        tooNew.add(`${b.name.slice(root.length + 1)} needs GLIBC_${b.glibc}, ${runtime} has glibc ${glibc}`);
    }
  }
  if (missing.length === 0) return [];
  const held = [...new Set(members.map((b) => b.name.slice(root.length + 1).split("/")[0]))].join(", ");
  const glibcNote = tooNew.size > 0 ? ` (${[...tooNew].join("; ")})` : "";
  const reason = `${root}/ holds builds for ${held} but none a Linux (glibc) ${missing.join(", ")} loads${glibcNote}`;
  return [
    {
      binary: members[0],
      reason,
      reasons: [reason],
      fix: `install the package on Linux for Lambda (\`npm ci --os=linux --cpu=<x64|arm64>\` in the Lambda build image) so that its prebuilds include the runtime's platform${tooNew.size > 0 ? " and glibc (a release whose prebuilds were built for an older glibc, or a build from source in the runtime's build image)" : ""}, or declare the runtimes and architectures its prebuilds cover`,
    },
  ];
}

/**
 * Checks that every native binary loads on every declared runtime and architecture.
 * @throws LayerValidationError naming each binary, what it was built for, what the layer declares and the fix.
 * @group Internals
 */
export function checkNativeBinaries(
  source: string,
  binaries: readonly NativeBinary[],
  runtimes: readonly Runtime[],
  architectures: readonly Architecture[] | undefined,
): void {
  const problems = binaryProblems(binaries, runtimes, architectures);
  if (problems.length > 0) throw nativeErrors.cannotLoad(source, problems, runtimes, architectures);
}

/**
 * The binaries an `architecture` cannot load, for a layer that declares no architectures: its
 * binaries decide which functions it suits. A binary with a counterpart for the architecture
 * (prebuilds for both) does not count.
 * @group Internals
 */
export function binariesForeignTo(binaries: readonly NativeBinary[], architecture: Architecture): NativeBinary[] {
  return binaries.filter(
    (b) => (b.format ?? "elf") === "elf" && b.machine !== "other" && uncoveredArchitectures(b, binaries, [architecture]).length > 0,
  );
}

const LISTED = 10;

export const nativeErrors = {
  cannotLoad: (
    source: string,
    problems: readonly BinaryProblem[],
    runtimes: readonly Runtime[],
    architectures: readonly Architecture[] | undefined,
  ) => {
    const listed = problems
      .slice(0, LISTED)
      .map((p) => `${p.binary.name} (built for ${describeBinary(p.binary)}: ${p.reason})`)
      .join("; ");
    const more = problems.length > LISTED ? `; and ${problems.length - LISTED} more` : "";
    const declared = `${runtimes.map((r) => r.name).join(", ")} on ${architectures ? architectures.map((a) => a.name).join(" and ") : "any architecture"}`;
    const fixes = [...new Set(problems.map((p) => p.fix))];
    return new LayerValidationError(
      "source",
      source,
      `contains native binaries that cannot load on the declared ${declared}: ${listed}${more}`,
      `${fixes.join("; ")}; binaries that stay on purpose (another platform's prebuilds) can be listed in \`allowForeignBinaries\``,
    );
  },
};
