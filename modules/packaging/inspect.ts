// Looks inside a layer before (a source folder) or after (a zip) it is built and reports what
// Lambda would see under /opt: which runtimes load it, which packages it holds, how big it is,
// what native code it carries and whether that code runs on the declared architectures.
// It never builds or extracts. A folder whose manifests (requirements.txt, package.json) declare
// dependencies gets them installed exactly as the build installs them (same stage, same platforms,
// same cache), so their native binaries are checked too; with installing turned off the report
// says plainly what it did not check and is incomplete, never OK. A zip is read through its
// central directory, and only the first bytes of members that may be native code are inflated
// (all of an ELF member whose dynamic section lies further in).
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { collectFiles, defaultCacheDir, modeFor, walkArchiveSource } from "./archive-builder";
import { declaredPackages, DependencyManifest, isBuildInput } from "./dependencies";
import { placeLayerSource } from "./placement";
import { LayerValidationError } from "../core/errors";
import { checkLayout, isLoadedBy, searchPaths } from "../checks/layout";
import { formatBytes } from "../core/progress";
import {
  BinaryCandidate,
  BinaryProblem,
  binaryProblems,
  bufferReader,
  ByteReader,
  classifyBinary,
  classifyBytes,
  describeBinary,
  ELF_IDENT_BYTES,
  findNativeBinaries,
  HEADER_READ_BYTES,
  isNativeCandidate,
  NativeBinary,
  withAbi3Minimums,
} from "../checks/native-binaries";
import { Architecture, parseArchitectures, parseRuntimes, Runtime } from "../aws/runtime";
import { compareBytes } from "./source-files";

export interface InspectOptions {
  /** Runtimes the layer is meant for, such as ["python3.12"]. */
  readonly runtimes: readonly string[];
  /** Architectures the layer is meant for ("x86_64", "arm64"); undefined checks nothing (Lambda: any). */
  readonly architectures?: readonly string[];
  /**
   * Install a folder's declared dependencies as the build does, to check what they bring.
   * @default true; false leaves them out, and the report is incomplete (see inspectIncomplete)
   */
  readonly installDependencies?: boolean;
  /** Extra pip arguments, as the layer's `pipArgs` (for example ["--no-index", "--find-links", "./wheels"]). */
  readonly pipArgs?: readonly string[];
  /** Extra npm arguments, as the layer's `npmArgs`. */
  readonly npmArgs?: readonly string[];
  /** Cache folder for installs. @default $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache, the build's */
  readonly cacheDir?: string;
}

/** A dependency manifest of an inspected folder and whether its install was checked. */
export interface InspectedDependencies {
  /** The manifest's path relative to the folder, such as "requirements.txt" or "nodejs/package.json". */
  readonly manifest: string;
  readonly kind: "pip" | "npm";
  /** True when installed as the build installs it, its files part of the report. */
  readonly installed: boolean;
  /** How many files the install added. */
  readonly files?: number;
}

/** How one runtime sees the layer. */
export interface RuntimeLayout {
  readonly runtime: string;
  /** True when the runtime finds at least one file on its search paths. */
  readonly loads: boolean;
  /** How many of the layer's files are on its search paths. */
  readonly filesLoaded: number;
  /** Where it looks, as /opt/… folders. */
  readonly searchPaths: readonly string[];
}

/** A top-level package on a search path, such as /opt/python/requests. */
export interface LayerPackage {
  /** The import or package name: "requests", "@scope/name", "six.py". */
  readonly name: string;
  /** Where Lambda puts it: "/opt/python/requests". */
  readonly path: string;
  readonly files: number;
  readonly bytes: number;
  /** The declared runtimes that load it. */
  readonly loadedBy: readonly string[];
  /** True for a dependency a manifest declares, which the build installs (not in the inspected folder). */
  readonly installedAtBuild?: boolean;
}

export interface InspectedFile {
  /** Path inside the archive (for a folder: after placement). */
  readonly name: string;
  readonly size: number;
  /** Compressed size inside a zip; undefined for a folder. */
  readonly zippedSize?: number;
}

export interface InspectReport {
  readonly target: string;
  readonly kind: "folder" | "zip";
  /** Prefix a plain package folder would be placed under ("" when laid out, and for zips). */
  readonly placedUnder: string;
  readonly files: number;
  readonly runtimes: readonly string[];
  readonly architectures?: readonly string[];
  readonly layout: readonly RuntimeLayout[];
  /** Why no declared runtime loads anything; undefined when at least one does. */
  readonly layoutProblem?: string;
  /** Runtimes that load nothing, stray content, dependencies not installed by an inspection. */
  readonly warnings: readonly string[];
  readonly packages: readonly LayerPackage[];
  readonly unzippedBytes: number;
  /** Size of the zip; undefined for a folder (inspecting does not build it). */
  readonly zippedBytes?: number;
  /** The ten largest files, largest first. */
  readonly largestFiles: readonly InspectedFile[];
  /** Every compiled file and what it was built for (format, machine, C library, CPython ABI). */
  readonly nativeBinaries: readonly NativeBinary[];
  /**
   * Native binaries a declared runtime or architecture cannot load, with the reason and the fix:
   * the same rules the builder refuses with. Every declared architecture must be served.
   */
  readonly binaryProblems: readonly BinaryProblem[];
  /** A folder's declared dependency sets, installed (and checked) or not. */
  readonly dependencies: readonly InspectedDependencies[];
}

export const inspectErrors = {
  targetMissing: (target: string) =>
    new LayerValidationError(
      "target",
      target,
      "is not an existing folder or zip file",
      "pass the layer's source folder (what `source` names) or a layer zip",
    ),

  notAZip: (target: string, why: string) =>
    new LayerValidationError(
      "target",
      target,
      `is not a zip archive this inspector can read (${why})`,
      "pass a zip written by the builder or by `zip -r`, or the layer's source folder",
    ),
};

const LARGEST = 10;

/**
 * Reports what a layer folder or zip holds and how the given runtimes and architectures see it.
 * @throws LayerValidationError for an unknown runtime or architecture, a missing target, an
 *   unreadable zip, or a plain folder the builder could not place.
 */
export function inspectLayer(target: string, options: InspectOptions): InspectReport {
  const runtimes = parseRuntimes([...options.runtimes], "runtimes");
  const architectures = parseArchitectures(options.architectures ? [...options.architectures] : undefined, "architectures");
  if (!fs.existsSync(target)) throw inspectErrors.targetMissing(target);
  const contents = fs.statSync(target).isDirectory() ? readFolder(target, runtimes, architectures, options) : readZip(target);
  const { files, nativeBinaries } = contents;
  const names = files.map((f) => f.name);

  const pending = contents.pending ?? [];
  const layout = runtimes.map((r) => {
    const filesLoaded = names.filter((n) => isLoadedBy(n, r)).length;
    const loads = filesLoaded > 0 || pending.some((p) => isLoadedBy(`${p}/`, r));
    return { runtime: r.name, loads, filesLoaded, searchPaths: lookedIn(r) };
  });
  let layoutProblem: string | undefined;
  const warnings = [...contents.notes];
  try {
    warnings.unshift(...checkLayout(target, [...names, ...pending.map((p) => `${p}/`)], runtimes));
  } catch (e) {
    if (!(e instanceof LayerValidationError)) throw e;
    layoutProblem = e.problem;
  }

  return {
    target,
    kind: contents.kind,
    placedUnder: contents.placedUnder,
    files: files.length,
    runtimes: runtimes.map((r) => r.name),
    architectures: architectures?.map((a) => a.name),
    layout,
    layoutProblem,
    warnings,
    packages: [...packagesOf(files, runtimes), ...pendingPackagesOf(pending, runtimes)].sort((a, b) => compareBytes(a.path, b.path)),
    unzippedBytes: files.reduce((sum, f) => sum + f.size, 0),
    zippedBytes: contents.zippedBytes,
    largestFiles: [...files].sort((a, b) => b.size - a.size || compareBytes(a.name, b.name)).slice(0, LARGEST),
    nativeBinaries,
    binaryProblems: binaryProblems(nativeBinaries, runtimes, architectures),
    dependencies: contents.dependencies ?? [],
  };
}

/**
 * What a report did not check, making it incomplete (the CLI exits 3): declared dependencies that
 * were not installed, so neither their native binaries nor their layout were looked at.
 */
export function inspectIncomplete(report: InspectReport): string[] {
  return report.dependencies
    .filter((d) => !d.installed)
    .map(
      (d) =>
        `${d.manifest} declares dependencies that were not installed (installing turned off), so their native binaries were not checked; inspect without --no-install to check them`,
    );
}

/** The reasons a report fails a check (what makes the CLI exit 1); empty when it passes. */
export function inspectProblems(report: InspectReport): string[] {
  const problems: string[] = [];
  if (!report.layout.some((l) => l.loads)) {
    problems.push(`no declared runtime loads anything: ${report.layoutProblem ?? "the layer holds no files"}`);
  }
  if (report.binaryProblems.length > 0) {
    const n = report.binaryProblems.length;
    const archs = report.architectures ? report.architectures.join(" and ") : "any architecture";
    problems.push(`${n} native binar${n === 1 ? "y" : "ies"} cannot load on the declared ${report.runtimes.join(", ")} on ${archs}`);
  }
  return problems;
}

/** A plain-text report, one section per aspect, for people reading a terminal or a CI log. */
export function formatInspectReport(report: InspectReport): string {
  const lines: string[] = [];
  const placed =
    report.kind === "zip" ? "zip" : report.placedUnder ? `plain folder, placed under ${report.placedUnder}` : "folder, laid out";
  lines.push(`Layer ${report.target} (${placed})`);
  const zipped = report.zippedBytes === undefined ? "" : `, ${formatBytes(report.zippedBytes)} zipped`;
  lines.push(`  ${report.files} files, ${formatBytes(report.unzippedBytes)} unzipped${zipped}`);

  lines.push("", "Runtimes:");
  const rw = Math.max(...report.layout.map((l) => l.runtime.length));
  for (const l of report.layout) {
    const verdict = l.loads ? `loads ${l.filesLoaded} of ${report.files} files` : "loads nothing";
    lines.push(`  ${l.runtime.padEnd(rw)}  ${verdict} (looks in ${l.searchPaths.join(", ")})`);
  }
  if (report.layoutProblem) lines.push(`  problem: ${report.layoutProblem}`);

  lines.push("", `Packages (${report.packages.length}):`);
  if (report.packages.length === 0) lines.push("  none on a runtime search path");
  const pw = Math.max(0, ...report.packages.map((p) => p.path.length));
  for (const p of report.packages) {
    const by = p.loadedBy.length > 0 ? p.loadedBy.join(", ") : "no declared runtime";
    const size = p.installedAtBuild
      ? "installed by the build".padEnd(29)
      : `${String(p.files).padStart(5)} files  ${formatBytes(p.bytes).padStart(10)}`;
    lines.push(`  ${p.path.padEnd(pw)}  ${size}  ${by}`);
  }

  lines.push("", "Largest files:");
  if (report.largestFiles.length === 0) lines.push("  none");
  for (const f of report.largestFiles) {
    const z = f.zippedSize === undefined ? "" : ` (${formatBytes(f.zippedSize)} zipped)`;
    lines.push(`  ${formatBytes(f.size).padStart(10)}  ${f.name}${z}`);
  }

  lines.push("", `Native binaries (${report.nativeBinaries.length}):`);
  if (report.nativeBinaries.length === 0) lines.push("  none");
  const failing = new Map(report.binaryProblems.map((p) => [p.binary.name, p]));
  for (const b of report.nativeBinaries) {
    const problem = failing.get(b.name);
    lines.push(`  ${problem ? "REFUSED" : "ok     "}  ${b.name}: ${describeBinary(b)}`);
    if (problem) lines.push(`           ${problem.reason}`, `           fix: ${problem.fix}`);
  }

  if (report.dependencies.length > 0) {
    lines.push("", "Dependencies:");
    for (const d of report.dependencies) {
      lines.push(
        d.installed
          ? `  ${d.manifest}: installed as the build installs it (${d.files} files), checked with the folder's own`
          : `  ${d.manifest}: NOT installed, so what it brings was NOT checked`,
      );
    }
  }

  const unchecked = inspectIncomplete(report).length > 0 ? " (of those in the folder; its declared dependencies were not checked)" : "";
  lines.push("", "Architecture:");
  if (!report.architectures) {
    lines.push("  none declared: machines not compared (pass --arch, once per architecture, to require each)");
  } else if (report.binaryProblems.length === 0) {
    lines.push(`  declared ${report.architectures.join(", ")}: every native binary loads on each${unchecked}`);
  } else {
    lines.push(
      `  declared ${report.architectures.join(", ")}: ${report.binaryProblems.length} native binar${report.binaryProblems.length === 1 ? "y" : "ies"} cannot load (see above)`,
    );
  }

  if (report.warnings.length > 0) {
    lines.push("", "Warnings:");
    for (const w of report.warnings) lines.push(`  ${w}`);
  }
  const problems = inspectProblems(report);
  const incomplete = inspectIncomplete(report);
  lines.push(
    "",
    problems.length > 0
      ? `Result: ${problems.length} problem(s)`
      : incomplete.length > 0
        ? "Result: INCOMPLETE, not everything was checked"
        : "Result: OK",
  );
  for (const p of [...problems, ...incomplete]) lines.push(`  ${p}`);
  return `${lines.join("\n")}\n`;
}

function lookedIn(r: Runtime): string[] {
  return [...searchPaths(r), "bin", "lib"].map((p) => (p === "" ? "/opt/" : `/opt/${p}/`));
}

interface Contents {
  readonly kind: "folder" | "zip";
  readonly placedUnder: string;
  readonly files: InspectedFile[];
  readonly nativeBinaries: NativeBinary[];
  readonly zippedBytes?: number;
  readonly notes: string[];
  /** Archive paths of packages the build installs from a manifest (a folder's declared dependencies). */
  readonly pending?: readonly string[];
  readonly dependencies?: readonly InspectedDependencies[];
}

// ---- folders ----------------------------------------------------------------------------------

/**
 * The files as the builder would archive them: same walk, same placement, same skipped manifests,
 * and the declared dependencies installed by the build's own stage (collectFiles), unless turned off.
 */
function readFolder(target: string, runtimes: Runtime[], architectures: Architecture[] | undefined, options: InspectOptions): Contents {
  const cacheDir = path.resolve(options.cacheDir ?? defaultCacheDir());
  const walked = walkArchiveSource(target, target, { cacheDir });
  const { placedUnder, manifests, buildInputs, warnings } = placeLayerSource(target, target, runtimes, walked, options.pipArgs);
  const own: BinaryCandidate[] = walked
    .filter((f) => !isBuildInput(f.rel, buildInputs))
    .map((f) => ({ name: placedUnder + f.rel, abs: f.abs, size: f.size, mode: modeFor(placedUnder + f.rel, f.executable) }));
  const rel = (m: DependencyManifest) => path.relative(target, m.manifest).split(path.sep).join("/");
  if (manifests.length > 0 && (options.installDependencies ?? true)) {
    const collected = collectFiles(
      target,
      target,
      placedUnder,
      manifests,
      { runtimes, architectures, cacheDir, pipArgs: options.pipArgs, npmArgs: options.npmArgs },
      buildInputs,
      walked,
    );
    const candidates: BinaryCandidate[] = collected.files.map((f) => ({ name: f.name, abs: f.abs, size: f.size, mode: f.mode }));
    const ownNames = new Set(own.map((f) => f.name));
    return {
      kind: "folder",
      placedUnder,
      files: candidates.map((f) => ({ name: f.name, size: f.size })),
      nativeBinaries: findNativeBinaries(candidates),
      notes: [...warnings, ...collected.warnings],
      dependencies: manifests.map((m) => ({
        manifest: rel(m),
        kind: m.kind,
        installed: true,
        files: candidates.filter((f) => !ownNames.has(f.name) && f.name.startsWith(m.archivePrefix)).length,
      })),
    };
  }
  // Not installed: report the declared packages where the builder puts them, by name only.
  const pending = manifests.flatMap((m) =>
    declaredPackages(m).map((name) => (m.kind === "npm" ? `${m.archivePrefix}node_modules/${name}` : `${m.archivePrefix}${name}`)),
  );
  const notes = [
    ...warnings,
    ...manifests.map(
      (m) =>
        `${rel(m)} declares dependencies the builder installs; they were not installed here, so this report lists them by name only and did not check them`,
    ),
  ];
  return {
    kind: "folder",
    placedUnder,
    files: own.map((f) => ({ name: f.name, size: f.size })),
    pending,
    nativeBinaries: findNativeBinaries(own),
    notes,
    dependencies: manifests.map((m) => ({ manifest: rel(m), kind: m.kind, installed: false })),
  };
}

// ---- zips -------------------------------------------------------------------------------------

interface ZipMember {
  readonly name: string;
  readonly size: number;
  readonly zippedSize: number;
  readonly method: number;
  readonly flags: number;
  /** Unix mode from the external attributes; 0 when the zip was not made on Unix. */
  readonly mode: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;
const S_IFLNK = 0o120000;
/** Compressed bytes tried for a member's first bytes; a dynamic deflate header fits in the first. */
const INFLATE_STEPS = [1024, 64 * 1024];
/** How much of a member's start is inflated for its headers (ELF program headers and dynamic section lie early). */
const HEAD_BYTES = 256 * 1024;

function readZip(target: string): Contents {
  const fd = fs.openSync(target, "r");
  try {
    const zipSize = fs.fstatSync(fd).size;
    const members = readCentralDirectory(fd, zipSize, target)
      .filter((m) => !m.name.endsWith("/") && (m.mode & S_IFMT) !== S_IFDIR)
      .sort((a, b) => compareBytes(a.name, b.name)); // zip order is whatever the writer walked: report in path order
    const nativeBinaries: NativeBinary[] = [];
    for (const m of members) {
      // a symlink's data is its target path, never code
      if ((m.mode & S_IFMT) === S_IFLNK || !isNativeCandidate(m.name, m.mode, m.size)) continue;
      const head = memberHead(fd, m, target);
      const binary = head && classifyBinary({ name: m.name, abs: target, size: m.size, mode: m.mode }, memberReader(fd, m, target, head));
      if (binary) nativeBinaries.push(binary);
    }
    const byName = new Map(members.map((m) => [m.name, m]));
    const readText = (name: string) => {
      const m = byName.get(name);
      return m && memberText(fd, m, target);
    };
    return {
      kind: "zip",
      placedUnder: "",
      files: members.map((m) => ({ name: m.name, size: m.size, zippedSize: m.zippedSize })),
      nativeBinaries: withAbi3Minimums(
        nativeBinaries,
        members.map((m) => m.name),
        readText,
      ),
      zippedBytes: zipSize,
      notes: [],
    };
  } finally {
    fs.closeSync(fd);
  }
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buf, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buf.subarray(0, done);
}

function readCentralDirectory(fd: number, zipSize: number, target: string): ZipMember[] {
  // The end record is 22 bytes plus a comment of up to 65,535 bytes, so it lies in the last 65,557.
  const tailStart = Math.max(0, zipSize - (22 + 0xffff));
  const tail = readAt(fd, tailStart, zipSize - tailStart);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw inspectErrors.notAZip(target, "no end of central directory record");
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || cdSize === 0xffffffff || cdOffset === 0xffffffff) {
    ({ count, cdSize, cdOffset } = readZip64End(fd, tailStart + eocd, target));
  }
  if (cdOffset + cdSize > zipSize) throw inspectErrors.notAZip(target, "the central directory lies past the end of the file");

  const cd = readAt(fd, cdOffset, cdSize);
  const members: ZipMember[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 46 > cd.length || cd.readUInt32LE(p) !== CENTRAL)
      throw inspectErrors.notAZip(target, `central directory record ${i + 1} is damaged`);
    const madeOnUnix = cd[p + 5] === 3;
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    const name = cd.toString("utf8", p + 46, p + 46 + nameLen);
    let zippedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    let localHeaderOffset = cd.readUInt32LE(p + 42);
    // Fields that overflow 32 bits move, in this order, into the ZIP64 extra field (id 1).
    const extra = cd.subarray(p + 46 + nameLen, p + 46 + nameLen + extraLen);
    for (let e = 0; e + 4 <= extra.length;) {
      const id = extra.readUInt16LE(e);
      const len = extra.readUInt16LE(e + 2);
      if (id === 1) {
        let q = e + 4;
        const next = () => {
          const v = Number(extra.readBigUInt64LE(q));
          q += 8;
          return v;
        };
        if (size === 0xffffffff) size = next();
        if (zippedSize === 0xffffffff) zippedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      }
      e += 4 + len;
    }
    members.push({
      name,
      size,
      zippedSize,
      method: cd.readUInt16LE(p + 10),
      flags: cd.readUInt16LE(p + 8),
      mode: madeOnUnix ? cd.readUInt32LE(p + 38) >>> 16 : 0,
      localHeaderOffset,
    });
    p += 46 + nameLen + extraLen + commentLen;
  }
  return members;
}

function readZip64End(fd: number, eocdPosition: number, target: string): { count: number; cdSize: number; cdOffset: number } {
  const locator = eocdPosition >= 20 ? readAt(fd, eocdPosition - 20, 20) : Buffer.alloc(0);
  if (locator.length < 20 || locator.readUInt32LE(0) !== ZIP64_LOCATOR) {
    throw inspectErrors.notAZip(target, "ZIP64 sizes without a ZIP64 end record locator");
  }
  const end = readAt(fd, Number(locator.readBigUInt64LE(8)), 56);
  if (end.length < 56 || end.readUInt32LE(0) !== ZIP64_EOCD) throw inspectErrors.notAZip(target, "damaged ZIP64 end record");
  return { count: Number(end.readBigUInt64LE(32)), cdSize: Number(end.readBigUInt64LE(40)), cdOffset: Number(end.readBigUInt64LE(48)) };
}

/** The most a metadata member (a dist-info's RECORD or WHEEL) may unzip to before it is left unread. */
const TEXT_MAX_BYTES = 16 * 1024 * 1024;

/** A small member's whole content as text, or undefined when it cannot be had cheaply (no evidence then). */
function memberText(fd: number, m: ZipMember, target: string): string | undefined {
  if (m.flags & 1 || m.size > TEXT_MAX_BYTES || (m.method !== 0 && m.method !== 8)) return undefined;
  const local = readAt(fd, m.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw inspectErrors.notAZip(target, `the local header of ${m.name} is missing`);
  const data = readAt(fd, m.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28), m.zippedSize);
  try {
    return (m.method === 0 ? data : zlib.inflateRawSync(data, { maxOutputLength: TEXT_MAX_BYTES })).toString("utf8");
  } catch {
    return undefined;
  }
}

/**
 * Random access to a member's content: from its first bytes while they suffice, else from the
 * whole member inflated once. An ELF file's dynamic section and version needs may lie past the
 * first HEAD_BYTES (a large library's lie after its code), and its glibc need is read from them.
 */
function memberReader(fd: number, m: ZipMember, target: string, head: Buffer): ByteReader {
  let whole: Buffer | undefined;
  return (offset, length) => {
    if (offset + length <= head.length || head.length >= m.size) return bufferReader(head)(offset, length);
    whole ??= memberContent(fd, m, target) ?? head;
    return bufferReader(whole)(offset, length);
  };
}

/** A member's whole content, or undefined when it cannot be read (encrypted, another method, damaged). */
function memberContent(fd: number, m: ZipMember, target: string): Buffer | undefined {
  if (m.flags & 1 || (m.method !== 0 && m.method !== 8)) return undefined;
  const local = readAt(fd, m.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw inspectErrors.notAZip(target, `the local header of ${m.name} is missing`);
  const data = readAt(fd, m.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28), m.zippedSize);
  try {
    return m.method === 0 ? data : zlib.inflateRawSync(data, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  } catch {
    return undefined;
  }
}

/** The first bytes of a member's content (up to HEAD_BYTES), or undefined when they cannot be had cheaply. */
function memberHead(fd: number, m: ZipMember, target: string): Buffer | undefined {
  if (m.flags & 1) return undefined; // encrypted
  const local = readAt(fd, m.localHeaderOffset, 30);
  if (local.length < 30 || local.readUInt32LE(0) !== LOCAL) throw inspectErrors.notAZip(target, `the local header of ${m.name} is missing`);
  const dataStart = m.localHeaderOffset + 30 + local.readUInt16LE(26) + local.readUInt16LE(28);
  if (m.method === 0) return readAt(fd, dataStart, Math.min(HEAD_BYTES, m.zippedSize));
  if (m.method !== 8) return undefined; // bzip2, LZMA, …: Lambda's extractor does not read them either
  let head: Buffer | undefined;
  for (const step of INFLATE_STEPS) {
    const take = Math.min(step, m.zippedSize);
    try {
      // SYNC_FLUSH makes zlib return what a truncated stream decodes to instead of failing.
      const out = zlib.inflateRawSync(readAt(fd, dataStart, take), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
      // The first step settles most members: what is not a binary header is done with after 1 KiB.
      if (out.length >= ELF_IDENT_BYTES && !classifyBytes(bufferReader(out))) return out.subarray(0, HEADER_READ_BYTES);
      head = out.subarray(0, HEAD_BYTES);
      if (out.length >= HEAD_BYTES || take === m.zippedSize) return head;
    } catch {
      return head; // damaged data: unzip reports it, this report only names machines
    }
  }
  return head;
}

// ---- packages ---------------------------------------------------------------------------------

/** Folders whose entries are packages, most specific first (python/lib/… before python/). */
const PACKAGE_ROOTS: readonly RegExp[] = [
  /^(python\/lib\/python\d+\.\d+\/site-packages)\/([^/]+)/,
  /^(python)\/([^/]+)/,
  /^(nodejs\/node\d+\/node_modules)\/((?:@[^/]+\/)?[^/]+)/,
  /^(nodejs\/node_modules)\/((?:@[^/]+\/)?[^/]+)/,
  /^(ruby\/gems\/[^/]+\/gems)\/([^/]+)/,
  /^(ruby\/lib)\/([^/]+)/,
  /^(java\/lib)\/([^/]+)/,
];

/** Entries beside packages that are metadata, caches or vendored libraries, not importable names. */
function isPackageName(name: string): boolean {
  const last = name.slice(name.lastIndexOf("/") + 1);
  return !last.startsWith(".") && last !== "__pycache__" && !/\.(dist-info|egg-info|libs|pth)$/.test(last);
}

function pendingPackagesOf(pending: readonly string[], runtimes: readonly Runtime[]): LayerPackage[] {
  return pending.map((p) => ({
    name: p.slice(p.lastIndexOf("node_modules/") >= 0 ? p.lastIndexOf("node_modules/") + 13 : p.lastIndexOf("/") + 1),
    path: `/opt/${p}`,
    files: 0,
    bytes: 0,
    loadedBy: runtimes.filter((r) => isLoadedBy(`${p}/`, r)).map((r) => r.name),
    installedAtBuild: true,
  }));
}

function packagesOf(files: readonly InspectedFile[], runtimes: readonly Runtime[]): LayerPackage[] {
  const byRoot = new Map<string, { name: string; files: string[]; bytes: number }>();
  for (const f of files) {
    const m = PACKAGE_ROOTS.map((re) => re.exec(f.name)).find((x) => x !== null);
    if (!m || !isPackageName(m[2])) continue;
    const root = `${m[1]}/${m[2]}`;
    const entry = byRoot.get(root) ?? { name: m[2], files: [], bytes: 0 };
    entry.files.push(f.name);
    entry.bytes += f.size;
    byRoot.set(root, entry);
  }
  return [...byRoot.entries()]
    .sort(([a], [b]) => compareBytes(a, b))
    .map(([root, p]) => ({
      name: p.name,
      path: `/opt/${root}`,
      files: p.files.length,
      bytes: p.bytes,
      loadedBy: runtimes.filter((r) => p.files.some((n) => isLoadedBy(n, r))).map((r) => r.name),
    }));
}
