import fs from "fs";
import * as path from "path";
import { LayerValidationError } from "../modules/errors";
import {
  BinaryCandidate,
  checkNativeArchitectures,
  elfMachine,
  findNativeBinaries,
  machineLabel,
  NativeBinary,
  readElfMachine,
} from "../modules/native-binaries";
import { Architecture } from "../modules/runtime";
import { compileSharedObject, elfHeader, EM, EM_OTHER, HOST, HOST_MACHINE, OTHER, OTHER_MACHINE } from "./helpers/elf";
import { tempDir, tree } from "./helpers/files";

/** The files of a folder as the builder plans them (name, abs, size, mode). */
function planned(root: string, names: string[]): BinaryCandidate[] {
  return names.map((name) => {
    const abs = path.join(root, name);
    const st = fs.statSync(abs);
    return { name, abs, size: st.size, mode: st.mode & 0o777 };
  });
}

function caught(fn: () => unknown): LayerValidationError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(LayerValidationError);
    return e as LayerValidationError;
  }
  throw new Error("expected a LayerValidationError, nothing was thrown");
}

const compiled = compileSharedObject();

afterEach(() => jest.restoreAllMocks());

describe("elfMachine", () => {
  test.each<[string, Buffer, ReturnType<typeof elfMachine>]>([
    ["x86-64 (ELF64, little endian, e_machine 62)", elfHeader(EM.x86_64), "x86_64"],
    ["aarch64 (ELF64, little endian, e_machine 183)", elfHeader(EM.aarch64), "aarch64"],
    ["32-bit i386 (ELF32, little endian, e_machine 3)", elfHeader(EM.i386, { bits: 32 }), "other"],
    ["big-endian PowerPC64 (e_machine 21)", elfHeader(EM.ppc64, { endian: "big" }), "other"],
    // 62 stored big-endian reads as 15872 if the byte order were ignored
    ["big-endian e_machine 62, read in the file's byte order", elfHeader(EM.x86_64, { endian: "big" }), "x86_64"],
    ["exactly the 20 bytes that matter", elfHeader(EM.aarch64).subarray(0, 20), "aarch64"],
    ["too short (19 bytes)", elfHeader(EM.aarch64).subarray(0, 19), undefined],
    ["not ELF (a shell script)", Buffer.from("#!/bin/sh\necho this is not an ELF file at all\n"), undefined],
    ["ELF magic with an invalid class", Buffer.concat([Buffer.from("\x7fELF\x00\x01", "latin1"), Buffer.alloc(58)]), undefined],
    ["empty", Buffer.alloc(0), undefined],
  ])("%s", (_name, header, expected) => {
    expect(elfMachine(header)).toBe(expected);
  });

  test(`a shared object from cc is ${HOST_MACHINE}`, () => {
    expect(elfMachine(compiled)).toBe(HOST_MACHINE);
  });
});

describe("readElfMachine", () => {
  test("reads the header of a large file without reading the file", () => {
    const dir = tree({ "big.so": Buffer.concat([compiled, Buffer.alloc(8 * 1024 * 1024)]), "notes.txt": "hello" });
    const readSync = jest.spyOn(fs, "readSync");
    const readFileSync = jest.spyOn(fs, "readFileSync");

    expect(readElfMachine(path.join(dir, "big.so"))).toBe(HOST_MACHINE);
    expect(readElfMachine(path.join(dir, "notes.txt"))).toBeUndefined();

    expect(readSync).toHaveBeenCalledTimes(2);
    const requested = readSync.mock.calls.reduce((sum, call) => sum + Number((call as unknown[])[3] ?? 0), 0); // (fd, buffer, offset, length, position)
    expect(requested).toBeLessThanOrEqual(2 * 64);
    expect(readFileSync).not.toHaveBeenCalled();
  });

  test("a missing file is not ELF", () => {
    expect(readElfMachine(path.join(tempDir(), "gone.so"))).toBeUndefined();
  });
});

describe("findNativeBinaries", () => {
  const handMade = elfHeader(EM_OTHER);
  const dir = tree({
    "python/pkg/__init__.py": "from .libx import answer\n",
    "python/pkg/libx.so": compiled,
    [`python/pkg/_ext.cpython-312-${OTHER_MACHINE}-linux-gnu.so`]: handMade,
    "lib/libfoo.so.1": compiled,
    "nodejs/node_modules/addon/build/Release/addon.node": handMade,
    "bin/tool": handMade, // 0644, found because bin/ is on PATH
    "python/pkg/helper": { content: compiled, mode: 0o755 }, // found by its execute bit
    "python/pkg/blob.dat": compiled, // ELF, but neither named nor marked like code: not opened
    "python/pkg/fake.so": "this is a text file named like a library\n",
    "python/pkg/tiny.so": "\x7fELF", // under 20 bytes: cannot hold e_machine
  });
  const names = [
    "bin/tool",
    "lib/libfoo.so.1",
    "nodejs/node_modules/addon/build/Release/addon.node",
    "python/pkg/__init__.py",
    `python/pkg/_ext.cpython-312-${OTHER_MACHINE}-linux-gnu.so`,
    "python/pkg/blob.dat",
    "python/pkg/fake.so",
    "python/pkg/helper",
    "python/pkg/libx.so",
    "python/pkg/tiny.so",
  ];

  test("finds ELF files among shared objects, addons, executables and bin/, with their machines", () => {
    expect(findNativeBinaries(planned(dir, names))).toEqual([
      { name: "bin/tool", machine: OTHER_MACHINE },
      { name: "lib/libfoo.so.1", machine: HOST_MACHINE },
      { name: "nodejs/node_modules/addon/build/Release/addon.node", machine: OTHER_MACHINE },
      { name: `python/pkg/_ext.cpython-312-${OTHER_MACHINE}-linux-gnu.so`, machine: OTHER_MACHINE },
      { name: "python/pkg/helper", machine: HOST_MACHINE },
      { name: "python/pkg/libx.so", machine: HOST_MACHINE },
    ]);
  });

  test("opens only candidates, never sources, data or files too small to be ELF", () => {
    const openSync = jest.spyOn(fs, "openSync");
    findNativeBinaries(planned(dir, names));
    const opened = openSync.mock.calls.map((c) => path.relative(dir, String(c[0])));
    expect(opened).not.toContain(path.join("python", "pkg", "__init__.py"));
    expect(opened).not.toContain(path.join("python", "pkg", "blob.dat"));
    expect(opened).not.toContain(path.join("python", "pkg", "tiny.so"));
    expect(opened).toContain(path.join("python", "pkg", "fake.so"));
  });
});

describe("checkNativeArchitectures", () => {
  const dir = tree({
    "python/numpy/core/_multiarray.so": compiled,
    "python/numpy/__init__.py": "",
    "bin/tool": { content: compiled, mode: 0o755 },
    "python/fast/_speedups.so": elfHeader(EM_OTHER),
  });
  const binaries = findNativeBinaries(
    planned(dir, ["bin/tool", "python/fast/_speedups.so", "python/numpy/__init__.py", "python/numpy/core/_multiarray.so"]),
  );
  const hostOnly = binaries.filter((b) => b.machine === HOST_MACHINE);

  test(`${machineLabel(HOST_MACHINE)} binaries in a layer declared ${OTHER.name} are refused, naming each file`, () => {
    const err = caught(() => checkNativeArchitectures("layers/numpy", binaries, [OTHER]));
    const label = machineLabel(HOST_MACHINE);
    expect(err.field).toBe("source");
    expect(err.value).toBe("layers/numpy");
    expect(err.problem).toBe(
      `contains native binaries built for another architecture than the declared ${OTHER.name}: ` +
        `bin/tool (${label}), python/numpy/core/_multiarray.so (${label})`,
    );
    expect(err.fix).toContain(
      `build the dependencies for ${OTHER.name} (pip --platform manylinux2014_${OTHER.linuxMachine}, npm --cpu=${OTHER.npmCpu})`,
    );
    expect(err.fix).toContain(`declare compatibleArchitectures: ["${HOST.name}"]`);
    expect(err.fix).toContain("invalid ELF header");
    expect(err.message).toContain("Fix:");
    expect(err.problem).not.toContain("_speedups.so"); // built for the declared architecture
  });

  test("names ten binaries and counts the rest", () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ name: `lib/lib${String(i).padStart(2, "0")}.so`, machine: HOST_MACHINE }));
    const err = caught(() => checkNativeArchitectures("src", many, [OTHER]));
    expect(err.problem).toContain("lib/lib09.so");
    expect(err.problem).not.toContain("lib/lib10.so");
    expect(err.problem).toMatch(/lib\/lib09\.so \([^)]+\) and 3 more$/);
  });

  test("binaries of a machine Lambda never runs are refused even with both architectures declared", () => {
    const i386 = [{ name: "lib/libold.so", machine: "other" as const }];
    const err = caught(() => checkNativeArchitectures("src", i386, Architecture.all));
    expect(err.problem).toContain("the declared x86_64 and arm64: lib/libold.so (neither x86-64 nor aarch64)");
    expect(err.fix).not.toContain("declare compatibleArchitectures");
  });

  test.each<[string, readonly Architecture[] | undefined, readonly NativeBinary[]]>([
    ["binaries matching the declared architecture", [HOST], hostOnly],
    ["each binary matching one of two declared architectures", Architecture.all, binaries],
    ["no declared architecture (Lambda: any), whatever the binaries", undefined, [...binaries, { name: "lib/x.so", machine: "other" }]],
    ["no native binaries", [OTHER], []],
  ])("accepts %s", (_name, architectures, found) => {
    expect(() => checkNativeArchitectures("src", found, architectures)).not.toThrow();
  });
});
