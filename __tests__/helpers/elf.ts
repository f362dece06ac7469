// ELF fixtures: a real shared object from the C compiler (the host's architecture) and
// hand-written headers (any e_machine), so both Lambda architectures are covered on either host.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { ElfMachine } from "../../modules/native-binaries";
import { Architecture } from "../../modules/runtime";
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
