// ELF fixtures: a real shared object from the C compiler (the host's architecture) and
// hand-written headers (any e_machine), so both Lambda architectures are covered on either host.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ElfMachine } from "../../modules/checks/native-binaries";
import { Architecture } from "../../modules/aws/runtime";
import { tempDir } from "./files";

export const HOST = process.arch === "arm64" ? Architecture.ARM_64 : Architecture.X86_64;
export const OTHER = HOST === Architecture.ARM_64 ? Architecture.X86_64 : Architecture.ARM_64;
export const HOST_MACHINE = HOST.linuxMachine as ElfMachine;
export const OTHER_MACHINE = OTHER.linuxMachine as ElfMachine;
export const EM = { i386: 3, ppc64: 21, x86_64: 62, aarch64: 183 };
export const EM_OTHER = HOST === Architecture.ARM_64 ? EM.x86_64 : EM.aarch64;

/** A 64-byte ELF header: enough for anything that reads the identification and e_machine. */
export function elfHeader(machine: number, opts: { bits?: 32 | 64; endian?: "little" | "big" } = {}): Buffer {
  const h = Buffer.alloc(64);
  h.write("\x7fELF", 0, "latin1");
  h[4] = opts.bits === 32 ? 1 : 2;
  h[5] = opts.endian === "big" ? 2 : 1;
  h[6] = 1; // EI_VERSION
  const u16 = (value: number, offset: number) => (opts.endian === "big" ? h.writeUInt16BE(value, offset) : h.writeUInt16LE(value, offset));
  u16(3, 16); // ET_DYN
  u16(machine, 18);
  return h;
}

/** A real shared object from the C compiler. Fails loudly without one: the point is a real ELF. */
export function compileSharedObject(): Buffer {
  const dir = tempDir("cc-");
  fs.writeFileSync(path.join(dir, "x.c"), "int answer(void) { return 42; }\n");
  try {
    execFileSync("cc", ["-shared", "-fPIC", "-o", path.join(dir, "libx.so"), path.join(dir, "x.c")], { stdio: "pipe" });
  } catch (e) {
    throw new Error(`these tests need a C compiler as \`cc\` to build a real shared object: ${(e as Error).message}`);
  }
  return fs.readFileSync(path.join(dir, "libx.so"));
}

/** Mach-O CPU types, as in <mach/machine.h>. */
export const CPU = { x86_64: 0x01000007, arm64: 0x0100000c };

/** A 64-bit Mach-O file as macOS's linker writes an extension module (MH_BUNDLE), padded like a real one. */
export function machOFile(cpu: number, fileType = 8): Buffer {
  const b = Buffer.alloc(4096);
  b.writeUInt32LE(0xfeedfacf, 0); // MH_MAGIC_64, little-endian on both Intel and Apple silicon
  b.writeUInt32LE(cpu, 4);
  b.writeUInt32LE(cpu === CPU.arm64 ? 0 : 3, 8); // cpusubtype: ALL
  b.writeUInt32LE(fileType, 12);
  b.writeUInt32LE(0, 16); // ncmds
  return b;
}

/** A universal (fat) Mach-O holding x86-64 and arm64 slices. */
export function machOUniversal(): Buffer {
  const b = Buffer.alloc(4096);
  b.writeUInt32BE(0xcafebabe, 0);
  b.writeUInt32BE(2, 4);
  b.writeUInt32BE(CPU.x86_64, 8);
  b.writeUInt32BE(CPU.arm64, 28);
  return b;
}

/** IMAGE_FILE_MACHINE_* values of PE files. */
export const PE_MACHINE = { i386: 0x14c, amd64: 0x8664, arm64: 0xaa64 };

/** A PE file (Windows DLL or .pyd): DOS stub, e_lfanew at 0x3c, "PE\0\0" and the COFF machine. */
export function peFile(machine: number): Buffer {
  const b = Buffer.alloc(1024);
  b.write("MZ", 0, "latin1");
  b.writeUInt32LE(0xe8, 0x3c);
  b.write("PE\0\0", 0xe8, "latin1");
  b.writeUInt16LE(machine, 0xec);
  return b;
}

function cc(args: string[], dir: string): void {
  try {
    execFileSync("cc", args, { stdio: "pipe", cwd: dir });
  } catch (e) {
    throw new Error(`these tests need a C compiler as \`cc\` to build real ELF files: ${(e as Error).message}`);
  }
}

/**
 * Real ELF files linked the way an Alpine build links them: an executable whose program
 * interpreter is musl's loader, and a shared object whose DT_NEEDED is musl's libc.
 */
export function compileMuslBinaries(): { executable: Buffer; sharedObject: Buffer } {
  const dir = tempDir("cc-musl-");
  const machine = HOST.linuxMachine;
  fs.writeFileSync(path.join(dir, "x.c"), "int answer(void) { return 42; }\nint main(void) { return answer(); }\n");
  fs.writeFileSync(path.join(dir, "stub.c"), "int musl_stub(void) { return 0; }\n");
  const libc = `libc.musl-${machine}.so.1`;
  cc(["-shared", "-fPIC", "-nostdlib", `-Wl,-soname,${libc}`, "-o", libc, "stub.c"], dir);
  cc([`-Wl,--dynamic-linker=/lib/ld-musl-${machine}.so.1`, "-o", "prog", "x.c"], dir);
  cc(["-shared", "-fPIC", "-nostdlib", "-o", "ext.so", "x.c", "-Wl,--no-as-needed", path.join(dir, libc)], dir);
  return { executable: fs.readFileSync(path.join(dir, "prog")), sharedObject: fs.readFileSync(path.join(dir, "ext.so")) };
}

/** A real executable from cc, linked against glibc (its interpreter is ld-linux). */
export function compileExecutable(): Buffer {
  const dir = tempDir("cc-exe-");
  fs.writeFileSync(path.join(dir, "x.c"), '#include <stdio.h>\nint main(void) { puts("42"); return 0; }\n');
  cc(["-o", "prog", "x.c"], dir);
  return fs.readFileSync(path.join(dir, "prog"));
}

/**
 * Real shared objects from cc whose version needs (`readelf -V`) name the glibc they were linked
 * against: `close_range` is GLIBC_2.34 (Amazon Linux 2023 has it, Amazon Linux 2 does not),
 * `_dl_find_object` GLIBC_2.35 (no Lambda runtime has it), and `old` binds memcpy to the first
 * version of its architecture (GLIBC_2.2.5 on x86-64, GLIBC_2.17 on aarch64), loadable everywhere.
 * Needs a host glibc of 2.35 or later (Debian 12 has 2.36); fails loudly otherwise.
 */
export function compileGlibcBinaries(): { needs234: Buffer; needs235: Buffer; old: Buffer; oldVersion: string } {
  const dir = tempDir("cc-glibc-");
  fs.writeFileSync(
    path.join(dir, "n234.c"),
    "#define _GNU_SOURCE\n#include <unistd.h>\nint closer(void) { return close_range(3, 10, 0); }\n",
  );
  fs.writeFileSync(
    path.join(dir, "n235.c"),
    "#define _GNU_SOURCE\n#include <link.h>\n#include <dlfcn.h>\nint finder(void *p) { struct dl_find_object r; return _dl_find_object(p, &r); }\n",
  );
  fs.writeFileSync(
    path.join(dir, "old.c"),
    '#include <string.h>\n#if defined(__x86_64__)\n__asm__(".symver memcpy,memcpy@GLIBC_2.2.5");\n#endif\nvoid copy(char *d, const char *s, unsigned long n) { memcpy(d, s, n); }\n',
  );
  for (const name of ["n234", "n235", "old"]) cc(["-shared", "-fPIC", "-o", `${name}.so`, `${name}.c`], dir);
  const read = (name: string) => fs.readFileSync(path.join(dir, `${name}.so`));
  return { needs234: read("n234"), needs235: read("n235"), old: read("old"), oldVersion: HOST === Architecture.ARM_64 ? "2.17" : "2.2.5" };
}

/** The newest GLIBC_x.y in a file's version needs as binutils' `readelf -V` prints them: the oracle for the builder's own reader. */
export function readelfGlibc(file: string): string | undefined {
  const out = execFileSync("readelf", ["-V", "-W", file], { encoding: "utf8", maxBuffer: 1 << 26 });
  const needs = out.split("Version needs section")[1] ?? "";
  const versions = [...needs.matchAll(/Name: GLIBC_(\d+\.\d+(?:\.\d+)?)\s/g)].map((m) => m[1].split(".").map(Number));
  versions.sort((a, b) => a[0] - b[0] || a[1] - b[1] || (a[2] ?? 0) - (b[2] ?? 0));
  return versions.pop()?.join(".");
}
