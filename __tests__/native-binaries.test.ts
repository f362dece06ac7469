import fs from "fs";
import * as path from "path";
import { formatInspectReport, inspectLayer } from "../modules/packaging/inspect";
import { buildLayerArchive } from "../modules/packaging/layer-archive";
import {
  abi3MinimumOf,
  BinaryCandidate,
  binariesForeignTo,
  binaryProblems,
  checkNativeBinaries,
  classifyBinary,
  elfMachine,
  findNativeBinaries,
  machineLabel,
  NativeBinary,
  readElfMachine,
} from "../modules/checks/native-binaries";
import { Architecture, Runtime } from "../modules/aws/runtime";
import {
  compileExecutable,
  compileMuslBinaries,
  compileSharedObject,
  CPU,
  elfHeader,
  EM,
  EM_OTHER,
  HOST,
  HOST_MACHINE,
  machOFile,
  machOUniversal,
  OTHER,
  OTHER_MACHINE,
  PE_MACHINE,
  peFile,
} from "./helpers/elf";
import { tempDir, tree } from "./helpers/files";
import { refusal as caught } from "./helpers/refusal";

/** The files of a folder as the builder plans them (name, abs, size, mode). */
function planned(root: string, names: string[]): BinaryCandidate[] {
  return names.map((name) => {
    const abs = path.join(root, name);
    const st = fs.statSync(abs);
    return { name, abs, size: st.size, mode: st.mode & 0o777 };
  });
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

    const requested = readSync.mock.calls.reduce((sum, call) => sum + Number((call as unknown[])[3] ?? 0), 0); // (fd, buffer, offset, length, position)
    expect(requested).toBeLessThanOrEqual(16 * 1024); // headers, program headers, the dynamic section's names: never the 8 MiB
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
      { name: "bin/tool", machine: OTHER_MACHINE, format: "elf" },
      { name: "lib/libfoo.so.1", machine: HOST_MACHINE, format: "elf" },
      { name: "nodejs/node_modules/addon/build/Release/addon.node", machine: OTHER_MACHINE, format: "elf" },
      { name: `python/pkg/_ext.cpython-312-${OTHER_MACHINE}-linux-gnu.so`, machine: OTHER_MACHINE, format: "elf", python: "3.12" },
      { name: "python/pkg/helper", machine: HOST_MACHINE, format: "elf" },
      { name: "python/pkg/libx.so", machine: HOST_MACHINE, format: "elf" },
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

const musl = compileMuslBinaries();
const HOST_CPU = HOST === Architecture.ARM_64 ? CPU.arm64 : CPU.x86_64;
const PY312 = [Runtime.PYTHON_3_12];

/** Classifies files written to a folder, as the builder does (bytes first, then name tags). */
function classify(files: Record<string, Buffer>): NativeBinary[] {
  const dir = tree(files);
  return findNativeBinaries(planned(dir, Object.keys(files).sort()));
}

describe("classifyBinary: the bytes decide, the name adds tags", () => {
  test.each<[string, string, Buffer, Partial<NativeBinary>]>([
    ["a shared object from cc (no libc named)", "python/pkg/libx.so", compiled, { format: "elf", machine: HOST_MACHINE }],
    [
      "a glibc executable from cc (interpreter ld-linux)",
      "bin/prog",
      compileExecutable(),
      { format: "elf", machine: HOST_MACHINE, libc: "glibc" },
    ],
    ["a musl executable (interpreter ld-musl)", "bin/tool", musl.executable, { format: "elf", machine: HOST_MACHINE, libc: "musl" }],
    [
      "a musl shared object (DT_NEEDED libc.musl)",
      "python/pkg/_x.so",
      musl.sharedObject,
      { format: "elf", machine: HOST_MACHINE, libc: "musl" },
    ],
    [
      "a glibc-built file named for musl",
      `python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-musl.so`,
      elfHeader(EM.x86_64),
      { libc: "musl", python: "3.12" },
    ],
    [
      "a Mach-O extension module",
      "python/pkg/_x.cpython-312-darwin.so",
      machOFile(CPU.arm64),
      { format: "mach-o", machine: "aarch64", python: "3.12" },
    ],
    [
      "a Mach-O file named like a Linux module",
      `python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`,
      machOFile(HOST_CPU),
      { format: "mach-o", machine: HOST_MACHINE },
    ],
    ["a universal Mach-O library", "lib/libz.dylib", machOUniversal(), { format: "mach-o", machine: "x86_64" }],
    ["a Windows extension module", "python/pkg/_x.cp312-win_amd64.pyd", peFile(PE_MACHINE.amd64), { format: "pe", machine: "x86_64" }],
    ["a Windows arm64 DLL", "lib/foo.dll", peFile(PE_MACHINE.arm64), { format: "pe", machine: "aarch64" }],
    ["an abi3 module", "python/cryptography/_rust.abi3.so", compiled, { format: "elf", python: "abi3" }],
  ])("%s", (_name, file, bytes, expected) => {
    const [found] = classify({ [file]: bytes });
    expect(found).toEqual(expect.objectContaining({ name: file, ...expected }));
  });

  test("a Java class file (also CAFEBABE) is not a universal binary", () => {
    const classFile = Buffer.concat([Buffer.from([0xca, 0xfe, 0xba, 0xbe, 0, 0, 0, 65]), Buffer.alloc(64)]);
    expect(
      classifyBinary({ name: "bin/App.class", abs: path.join(tree({ "App.class": classFile }), "App.class"), size: 72, mode: 0o755 }),
    ).toBeUndefined();
  });
});

describe("binaryProblems: nothing refused that loads, nothing passed that does not", () => {
  const host = (name: string) => ({ [name]: compiled });
  test.each<[string, Record<string, Buffer>, Runtime[], Architecture[] | undefined, RegExp]>([
    [
      "a macOS extension module (Mach-O)",
      { "python/pkg/_x.cpython-312-darwin.so": machOFile(HOST_CPU) },
      PY312,
      [HOST],
      /macOS code; Lambda runs Linux/,
    ],
    [
      "a Mach-O file named *.so for Linux",
      { [`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`]: machOFile(HOST_CPU) },
      PY312,
      undefined,
      /macOS code/,
    ],
    ["a Windows .pyd", { "python/pkg/_x.cp312-win_amd64.pyd": peFile(PE_MACHINE.amd64) }, PY312, [HOST], /Windows code/],
    ["a .dll under lib/", { "lib/foo.dll": peFile(PE_MACHINE.amd64) }, PY312, undefined, /Windows code/],
    ["a .dylib under lib/", { "lib/libfoo.dylib": machOFile(HOST_CPU, 6) }, PY312, undefined, /macOS code/],
    [
      "a Node addon built on macOS",
      { "nodejs/node_modules/a/build/Release/a.node": machOFile(HOST_CPU) },
      [Runtime.NODEJS_20_X],
      undefined,
      /macOS code/,
    ],
    ["a musl executable", { "bin/tool": musl.executable }, PY312, [HOST], /musl libc \(Alpine\)/],
    ["a musl shared object", { "python/pkg/_x.so": musl.sharedObject }, PY312, [HOST], /musl libc/],
    ["a module named for musl", { [`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-musl.so`]: compiled }, PY312, [HOST], /musl libc/],
    [
      "another Python's extension module",
      host(`python/pkg/_x.cpython-311-${HOST_MACHINE}-linux-gnu.so`),
      PY312,
      [HOST],
      /a CPython 3.11 extension module, which python3.12 cannot import/,
    ],
    [
      "one Python's module in a layer for two (issue 10.3)",
      host(`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`),
      [Runtime.PYTHON_3_12, Runtime.PYTHON_3_13],
      [HOST],
      /which python3.13 cannot import/,
    ],
    ["another architecture's library", { "lib/libfoo.so": elfHeader(EM_OTHER) }, PY312, [HOST], /not the declared/],
    [
      "one architecture's library in a layer for two (issue 10.2)",
      host("lib/libfoo.so"),
      PY312,
      Architecture.all,
      /no build for .* beside it/,
    ],
    ["a 32-bit library", { "lib/libold.so": elfHeader(EM.i386, { bits: 32 }) }, PY312, undefined, /only 64-bit x86-64 and aarch64/],
  ])("refused: %s", (_name, files, runtimes, archs, reason) => {
    const problems = binaryProblems(classify(files), runtimes, archs);
    expect(problems).toHaveLength(1);
    expect(problems[0].binary.name).toBe(Object.keys(files)[0]);
    expect(problems[0].reason).toMatch(reason);
  });

  test.each<[string, Record<string, Buffer>, Runtime[], Architecture[] | undefined]>([
    ["a glibc library of the declared architecture", host("lib/libfoo.so"), PY312, [HOST]],
    ["any Lambda architecture when none is declared", { "lib/libfoo.so": elfHeader(EM_OTHER) }, PY312, undefined],
    ["the declared Python's extension module", host(`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`), PY312, [HOST]],
    ["an abi3 module in a layer for two Pythons", host("python/pkg/_x.abi3.so"), [Runtime.PYTHON_3_12, Runtime.PYTHON_3_13], [HOST]],
    [
      "a CPython-tagged module in a Node-only layer's lib/",
      host(`lib/_x.cpython-311-${HOST_MACHINE}-linux-gnu.so`),
      [Runtime.NODEJS_20_X],
      [HOST],
    ],
    [
      "one build per architecture side by side",
      {
        "nodejs/node_modules/@x/linux-x64/bin/tool": elfHeader(EM.x86_64),
        "nodejs/node_modules/@x/linux-arm64/bin/tool": elfHeader(EM.aarch64),
      },
      [Runtime.NODEJS_20_X],
      Architecture.all,
    ],
  ])("accepted: %s", (_name, files, runtimes, archs) => {
    expect(binaryProblems(classify(files), runtimes, archs)).toEqual([]);
  });
});

describe("prebuilds for every platform (prebuildify, node-gyp-build)", () => {
  const prebuilds = (extra: Record<string, Buffer> = {}) => ({
    "nodejs/node_modules/pty/prebuilds/darwin-arm64/node.abi115.node": machOFile(CPU.arm64),
    "nodejs/node_modules/pty/prebuilds/win32-x64/abi115/build/Release/pty.node": peFile(PE_MACHINE.amd64),
    "nodejs/node_modules/pty/prebuilds/linux-ia32/node.abi115.node": elfHeader(EM.i386, { bits: 32 }),
    "nodejs/node_modules/pty/prebuilds/linux-x64/node.abi115.musl.node": elfHeader(EM.x86_64),
    "nodejs/node_modules/pty/prebuilds/linux-x64/node.abi108.node": elfHeader(EM.x86_64),
    "nodejs/node_modules/pty/prebuilds/linux-x64/node.abi115.node": elfHeader(EM.x86_64),
    ...extra,
  });

  test("the other platforms' builds are never loaded, so they pass when a Linux build for the runtime is there", () => {
    expect(binaryProblems(classify(prebuilds()), [Runtime.NODEJS_20_X], [Architecture.X86_64])).toEqual([]);
    expect(binaryProblems(classify(prebuilds()), [Runtime.NODEJS_18_X, Runtime.NODEJS_20_X], undefined)).toEqual([]);
  });

  test("refused when no build loads on a declared architecture or Node version (NODE_MODULE_VERSION from the abi tag)", () => {
    const [arm] = binaryProblems(classify(prebuilds()), [Runtime.NODEJS_20_X], [Architecture.ARM_64]);
    expect(arm.reason).toMatch(/prebuilds\/ holds builds for .* but none a Linux \(glibc\) nodejs20.x on arm64 loads/);
    const [node22] = binaryProblems(classify(prebuilds()), [Runtime.NODEJS_22_X], [Architecture.X86_64]);
    expect(node22.reason).toMatch(/none a Linux \(glibc\) nodejs22.x on x86_64 loads/);
    const napi = { "nodejs/node_modules/pty/prebuilds/linux-arm64/node.napi.node": elfHeader(EM.aarch64) };
    expect(binaryProblems(classify(prebuilds(napi)), [Runtime.NODEJS_22_X], [Architecture.ARM_64])).toEqual([]);
  });
});

describe("checkNativeBinaries", () => {
  test("the error names each file, what it was built for, what the layer declares and the fix", () => {
    const binaries = classify({
      "python/pkg/_x.cpython-312-darwin.so": machOFile(CPU.arm64),
      [`python/pkg/_y.cpython-311-${HOST_MACHINE}-linux-gnu.so`]: compiled,
    });
    const err = caught(() => checkNativeBinaries("layers/pkg", binaries, PY312, [HOST]));
    expect(err.field).toBe("source");
    expect(err.value).toBe("layers/pkg");
    expect(err.problem).toBe(
      `contains native binaries that cannot load on the declared python3.12 on ${HOST.name}: ` +
        `python/pkg/_x.cpython-312-darwin.so (built for macOS (Mach-O) aarch64, CPython 3.12: macOS code; Lambda runs Linux and loads only ELF files ("invalid ELF header")); ` +
        `python/pkg/_y.cpython-311-${HOST_MACHINE}-linux-gnu.so (built for Linux (ELF) ${machineLabel(HOST_MACHINE)}, CPython 3.11: a CPython 3.11 extension module, which python3.12 cannot import)`,
    );
    expect(err.fix).toContain("public.ecr.aws/sam/build-");
    expect(err.fix).toContain(`pip install --platform manylinux2014_${HOST.linuxMachine} --only-binary=:all:`);
    expect(err.fix).toContain('declare compatibleRuntimes: ["python3.11"]');
  });

  test("names ten binaries and counts the rest", () => {
    const many = Array.from({ length: 13 }, (_, i) => ({ name: `lib/lib${String(i).padStart(2, "0")}.so`, machine: HOST_MACHINE }));
    const err = caught(() => checkNativeBinaries("src", many, PY312, [OTHER]));
    expect(err.problem).toContain("lib/lib09.so");
    expect(err.problem).not.toContain("lib/lib10.so");
    expect(err.problem).toMatch(/; and 3 more$/);
  });

  test("a Mach-O file named *.so is refused by the builder, whatever its name says", () => {
    const source = tree({ "python/pkg/__init__.py": "", [`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`]: machOFile(HOST_CPU) });
    expect(() => buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-") })).toThrow(/macOS code/);
  });
});

describe("binariesForeignTo (a layer without declared architectures)", () => {
  test("names the binaries a function's architecture cannot load; builds for both do not count", () => {
    const one = classify({ "lib/libfoo.so": compiled });
    expect(binariesForeignTo(one, OTHER).map((b) => b.name)).toEqual(["lib/libfoo.so"]);
    expect(binariesForeignTo(one, HOST)).toEqual([]);
    const both = classify({ "prebuilds/linux-x64/a.node": elfHeader(EM.x86_64), "prebuilds/linux-arm64/a.node": elfHeader(EM.aarch64) });
    expect(binariesForeignTo(both, OTHER)).toEqual([]);
  });
});

describe("abi3 modules: the minimum Python from the installed wheel's metadata (issue 15.2)", () => {
  const SO = "cryptography/hazmat/bindings/_rust.abi3.so";
  const WHEEL_TAG = `cp310-abi3-manylinux_2_17_${HOST_MACHINE}`;
  /** A wheel installed with `pip install --target python`: the module and the dist-info that lists it. */
  const installed = (root: string, wheel: string | undefined, record = `${SO},sha256=x,64\ncryptography/__init__.py,,\n`) => ({
    [`${root}cryptography/__init__.py`]: "",
    [`${root}${SO}`]: elfHeader(HOST === Architecture.ARM_64 ? EM.aarch64 : EM.x86_64),
    [`${root}cryptography-42.0.5.dist-info/RECORD`]: record + "cryptography-42.0.5.dist-info/RECORD,,\n",
    ...(wheel === undefined ? {} : { [`${root}cryptography-42.0.5.dist-info/WHEEL`]: wheel }),
  });
  const wheelFile = (...tags: string[]) =>
    `Wheel-Version: 1.0\nGenerator: maturin (1.5.1)\nRoot-Is-Purelib: false\n${tags.map((t) => `Tag: ${t}\n`).join("")}`;
  const cp310 = wheelFile(WHEEL_TAG, `cp310-abi3-manylinux2014_${HOST_MACHINE}`);
  const build = (files: Record<string, string | Buffer>, runtimes: string[]) =>
    buildLayerArchive({ source: tree(files), compatibleRuntimes: runtimes, outDir: tempDir("cache-") });

  test.each<[string, string, ReturnType<typeof abi3MinimumOf>]>([
    ["one abi3 tag", wheelFile("cp37-abi3-manylinux_2_17_x86_64"), { python: "3.7", wheelTag: "cp37-abi3-manylinux_2_17_x86_64" }],
    [
      "the lowest of several, 3.9 below 3.10",
      wheelFile("cp310-abi3-linux_x86_64", "cp39-abi3-linux_x86_64"),
      { python: "3.9", wheelTag: "cp39-abi3-linux_x86_64" },
    ],
    [
      "a compressed tag set",
      wheelFile("cp38.cp39-abi3.none-manylinux2014_aarch64"),
      { python: "3.8", wheelTag: "cp38.cp39-abi3.none-manylinux2014_aarch64" },
    ],
    ["an interpreter tag (Debian's cp311-cp311) says nothing of abi3", wheelFile("cp311-cp311-linux_x86_64"), undefined],
    ["Windows line ends", "Wheel-Version: 1.0\r\nTag: cp39-abi3-win_amd64\r\n", { python: "3.9", wheelTag: "cp39-abi3-win_amd64" }],
    ["a pure wheel", wheelFile("py3-none-any"), undefined],
    ["no WHEEL text", "", undefined],
  ])("abi3MinimumOf: %s", (_name, wheel, expected) => {
    expect(abi3MinimumOf(wheel)).toEqual(expected);
  });

  test.each(["python/", "python/lib/python3.12/site-packages/"])(
    "the dist-info whose RECORD lists the module gives its minimum (root %s)",
    (root) => {
      const files = {
        ...installed(root, cp310),
        [`${root}other-1.0.dist-info/RECORD`]: "other/__init__.py,,\n",
        [`${root}other-1.0.dist-info/WHEEL`]: wheelFile("cp36-abi3-linux_x86_64"),
      };
      const [found] = classify(files as Record<string, Buffer>);
      expect(found).toEqual({
        name: `${root}${SO}`,
        machine: HOST_MACHINE,
        format: "elf",
        python: "abi3",
        abi3Minimum: { python: "3.10", wheelTag: WHEEL_TAG, distribution: "cryptography" },
      });
    },
  );

  test("refused: python3.9 declared, wheel tagged cp310-abi3; the message names the file, the tag, the runtimes and the fix", () => {
    const err = caught(() => build(installed("python/", cp310), ["python3.9"]));
    expect(err.problem).toBe(
      "contains native binaries that cannot load on the declared python3.9 on any architecture: " +
        `python/${SO} (built for Linux (ELF) ${machineLabel(HOST_MACHINE)}, CPython stable ABI (abi3) from 3.10 (wheel tag ${WHEEL_TAG}): ` +
        `an abi3 module of cryptography, whose wheel is tagged ${WHEEL_TAG}: it needs CPython 3.10 or later, so python3.9 cannot import it)`,
    );
    expect(err.fix).toContain(
      "raise the runtime to python3.10 or later (drop python3.9 from compatibleRuntimes), or install a cryptography wheel built for the lower minimum: " +
        `\`pip install --platform manylinux2014_${HOST_MACHINE} --python-version 3.9 --only-binary=:all: cryptography\``,
    );
  });

  test("refused for the runtime below the minimum only, in a layer for two Pythons", () => {
    const problems = binaryProblems(
      classify(installed("python/", cp310) as Record<string, Buffer>),
      [Runtime.PYTHON_3_9, Runtime.PYTHON_3_12],
      undefined,
    );
    expect(problems.map((p) => p.reason)).toEqual([expect.stringMatching(/so python3\.9 cannot import it$/)]);
  });

  test.each<[string, Record<string, string | Buffer>, string[]]>([
    ["python3.12 with the cp310-abi3 wheel", installed("python/", cp310), ["python3.12"]],
    ["python3.10, the minimum itself", installed("python/", cp310), ["python3.10"]],
    ["no dist-info at all (no evidence)", { "python/cryptography/__init__.py": "", [`python/${SO}`]: compiled }, ["python3.9"]],
    ["a dist-info without WHEEL (no evidence)", installed("python/", undefined), ["python3.9"]],
    [
      "a WHEEL tagged for the interpreter, cp311-cp311 (no evidence)",
      installed("python/", wheelFile("cp311-cp311-linux_x86_64")),
      ["python3.9"],
    ],
    ["a dist-info whose RECORD does not list the module", installed("python/", cp310, "cryptography/__init__.py,,\n"), ["python3.9"]],
  ])("accepted: %s", (_name, files, runtimes) => {
    expect(() => build(files, runtimes)).not.toThrow();
  });

  test("reads only RECORD and WHEEL files, and only when an abi3 module is there", () => {
    const files = { ...installed("python/", cp310), "python/cryptography-42.0.5.dist-info/METADATA": "Name: cryptography\n" };
    const dir = tree(files);
    const readFileSync = jest.spyOn(fs, "readFileSync");
    findNativeBinaries(planned(dir, Object.keys(files).sort()));
    expect(readFileSync.mock.calls.map((c) => path.relative(dir, String(c[0])).split(path.sep).join("/")).sort()).toEqual([
      "python/cryptography-42.0.5.dist-info/RECORD",
      "python/cryptography-42.0.5.dist-info/WHEEL",
    ]);
    readFileSync.mockClear();
    const noAbi3 = { "python/x/_x.so": compiled, "python/x-1.0.dist-info/RECORD": "x/_x.so,,\n", "python/x-1.0.dist-info/WHEEL": cp310 };
    findNativeBinaries(planned(tree(noAbi3), Object.keys(noAbi3).sort()));
    expect(readFileSync).not.toHaveBeenCalled();
  });

  test("inspect shows the minimum, for a folder and for the built zip, and refuses what the builder refuses", () => {
    const source = tree(installed("python/", cp310));
    const zip = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-") }).path;
    for (const target of [source, zip]) {
      expect(formatInspectReport(inspectLayer(target, { runtimes: ["python3.12"] }))).toContain(
        `ok       python/${SO}: Linux (ELF) ${machineLabel(HOST_MACHINE)}, CPython stable ABI (abi3) from 3.10 (wheel tag ${WHEEL_TAG})`,
      );
      const old = inspectLayer(target, { runtimes: ["python3.9"] });
      expect(old.binaryProblems.map((p) => p.binary.name)).toEqual([`python/${SO}`]);
      expect(formatInspectReport(old)).toContain(`REFUSED  python/${SO}`);
    }
  });

  test("a real tree: Debian's python3-cryptography (abi3 modules, a WHEEL tagged cp3XY-cp3XY) builds for python3.12", () => {
    const site = "/usr/lib/python3/dist-packages";
    const distInfo = fs.existsSync(site)
      ? fs.readdirSync(site).filter((n) => /^cryptography-.*\.(dist|egg)-info$|^cryptography\.egg-info$/.test(n))
      : [];
    if (!fs.existsSync(path.join(site, "cryptography", "hazmat", "bindings")) || distInfo.length === 0) {
      throw new Error(`this test needs Debian's python3-cryptography in ${site} (apt-get install python3-cryptography)`);
    }
    const source = tempDir("debian-");
    for (const name of ["cryptography", ...distInfo])
      fs.cpSync(path.join(site, name), path.join(source, "python", name), { recursive: true });
    const built = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-") });
    const abi3 = built.nativeBinaries.filter((b) => b.python === "abi3");
    expect(abi3.map((b) => b.name)).toEqual(expect.arrayContaining(["python/cryptography/hazmat/bindings/_rust.abi3.so"]));
    expect(abi3.every((b) => b.abi3Minimum === undefined)).toBe(true); // Debian's WHEEL names the interpreter, not an abi3 minimum
  });
});
