// Finds compiled code (ELF shared objects, Node addons, executables) among a layer's files and
// checks it against the architectures the layer declares. A layer built on an x86-64 laptop and
// declared arm64 synthesizes and deploys fine and only fails at cold start ("invalid ELF header"),
// so this is the one place that can catch it before deploy. Reads at most 64 bytes per file.
import * as fs from "fs";
import { LayerValidationError } from "./errors";
import { Architecture } from "./runtime";

/** The machine an ELF file was built for, named as in ELF headers and manylinux tags. @group Internals */
export type ElfMachine = "x86_64" | "aarch64" | "other";

/** A file of the layer that is ELF code. @group Internals */
export interface NativeBinary {
  /** Path inside the archive. */
  readonly name: string;
  readonly machine: ElfMachine;
}

/** The part of a planned archive file this module needs (PlannedFile fits). @group Internals */
export interface BinaryCandidate {
  readonly name: string;
  readonly abs: string;
  readonly size: number;
  readonly mode: number;
}

/** e_machine is the last field this module reads: bytes 18-19. */
export const ELF_IDENT_BYTES = 20;
const HEADER_READ_BYTES = 64;
const EM_X86_64 = 62;
const EM_AARCH64 = 183;

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

/** The machine of an ELF file on disk, reading only its header; undefined for anything else. @group Internals */
export function readElfMachine(absPath: string): ElfMachine | undefined {
  let fd: number;
  try {
    fd = fs.openSync(absPath, "r");
  } catch {
    return undefined; // an unreadable file is reported by whatever reads it in full, not here
  }
  try {
    const header = Buffer.alloc(HEADER_READ_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_READ_BYTES, 0);
    return elfMachine(header.subarray(0, read));
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Whether a file is worth opening to look for an ELF header. Native code in layers is named like
 * a shared object or addon, is executable, or sits in bin/; everything else (the bulk of a Python
 * or npm tree) is skipped without a read.
 */
export function isNativeCandidate(name: string, mode: number, size: number): boolean {
  if (size < ELF_IDENT_BYTES) return false;
  const base = name.slice(name.lastIndexOf("/") + 1);
  return base.endsWith(".so") || base.includes(".so.") || base.endsWith(".node") || (mode & 0o111) !== 0 || name.startsWith("bin/");
}

/** The files that really are ELF code, with the machine each was built for, in the given order. @group Internals */
export function findNativeBinaries(files: ReadonlyArray<BinaryCandidate>): NativeBinary[] {
  const found: NativeBinary[] = [];
  for (const f of files) {
    if (!isNativeCandidate(f.name, f.mode, f.size)) continue;
    const machine = readElfMachine(f.abs);
    if (machine) found.push({ name: f.name, machine });
  }
  return found;
}

/**
 * The binaries no declared architecture can load: a known machine that is not declared, or a
 * machine Lambda never runs ("other": 32-bit x86, ARMv7, …). Empty when nothing is declared.
 * @group Internals
 */
export function architectureMismatches(
  binaries: readonly NativeBinary[],
  architectures: readonly Architecture[] | undefined,
): NativeBinary[] {
  if (architectures === undefined) return [];
  const accepted = new Set(architectures.map((a) => a.linuxMachine));
  return binaries.filter((b) => b.machine === "other" || !accepted.has(b.machine));
}

/**
 * Checks that every native binary runs on a declared architecture.
 * An undeclared architecture list means "any" to Lambda, so nothing is checked then.
 * @throws LayerValidationError naming the binaries built for another architecture.
 * @group Internals
 */
export function checkNativeArchitectures(
  source: string,
  binaries: readonly NativeBinary[],
  architectures: readonly Architecture[] | undefined,
): void {
  if (architectures === undefined) return;
  const wrong = architectureMismatches(binaries, architectures);
  if (wrong.length > 0) throw nativeErrors.foreignArchitecture(source, wrong, architectures);
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

const LISTED = 10;

export const nativeErrors = {
  foreignArchitecture: (source: string, wrong: readonly NativeBinary[], declared: readonly Architecture[]) => {
    const listed = wrong
      .slice(0, LISTED)
      .map((b) => `${b.name} (${machineLabel(b.machine)})`)
      .join(", ");
    const more = wrong.length > LISTED ? ` and ${wrong.length - LISTED} more` : "";
    const declaredNames = declared.map((a) => a.name).join(" and ");
    const buildFor = declared.map((a) => `${a.name} (pip --platform manylinux2014_${a.linuxMachine}, npm --cpu=${a.npmCpu})`).join(" or ");
    // Suggest declaring what the binaries were built for only when that is a Lambda architecture.
    const builtFor = Architecture.all.filter((a) => wrong.some((b) => b.machine === a.linuxMachine));
    const declareInstead =
      builtFor.length > 0 ? ` or declare compatibleArchitectures: [${builtFor.map((a) => JSON.stringify(a.name)).join(", ")}]` : "";
    const known = wrong.find((b) => b.machine !== "other");
    const consequence = known
      ? `an ${machineLabel(known.machine)} library in an ${declared[0].name} function fails at cold start with "invalid ELF header"`
      : "Lambda runs only 64-bit x86-64 and aarch64 code, so these fail at cold start";
    return new LayerValidationError(
      "source",
      source,
      `contains native binaries built for another architecture than the declared ${declaredNames}: ${listed}${more}`,
      `build the dependencies for ${buildFor}${declareInstead}; ${consequence}`,
    );
  },
};
