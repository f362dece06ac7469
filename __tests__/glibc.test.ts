// The C library a runtime's OS ships (issue 21.2, 21.3): every ELF file's version needs name the
// newest GLIBC_x.y it was linked against, and a runtime whose Amazon Linux has an older glibc
// cannot load it. The binaries are compiled here with cc against real versioned glibc symbols,
// and binutils' readelf is the oracle for what each one needs.
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive } from "../modules/packaging/layer-archive";
import {
  binaryProblems,
  classifyBinary,
  compareGlibc,
  describeBinary,
  findNativeBinaries,
  NativeBinary,
} from "../modules/checks/native-binaries";
import { Architecture, Runtime } from "../modules/aws/runtime";
import { compileGlibcBinaries, compileSharedObject, HOST, HOST_MACHINE, machOFile, CPU, OTHER, readelfGlibc } from "./helpers/elf";
import { tempDir, tree } from "./helpers/files";
import { refusal as caught } from "./helpers/refusal";

const bins = compileGlibcBinaries();
const arch = HOST.name;
const pyTag = (v: string) => `cpython-${v.replace(".", "")}-${HOST_MACHINE}-linux-gnu`;

/** Writes `files` into a fresh folder and classifies the named ones from their bytes on disk. */
function classified(files: Record<string, Buffer | string>): NativeBinary[] {
  const root = tree(files);
  return findNativeBinaries(
    Object.keys(files).map((name) => ({ name, abs: path.join(root, name), size: fs.statSync(path.join(root, name)).size, mode: 0o644 })),
  );
}

const problemsFor = (binaries: NativeBinary[], runtimes: string[], archs?: string[]) =>
  binaryProblems(
    binaries,
    runtimes.map((r) => Runtime.of(r)),
    archs?.map((a) => Architecture.of(a)),
  );

describe("the version needs of real ELF files", () => {
  test("each compiled object needs what readelf says: GLIBC_2.34, GLIBC_2.35, and the architecture's first version", () => {
    const dir = tempDir("glibc-");
    for (const [name, bytes, expected] of [
      ["n234.so", bins.needs234, "2.34"],
      ["n235.so", bins.needs235, "2.35"],
      ["old.so", bins.old, bins.oldVersion],
    ] as const) {
      const abs = path.join(dir, name);
      fs.writeFileSync(abs, bytes);
      expect(readelfGlibc(abs)).toBe(expected);
      expect(classifyBinary({ name, abs, size: bytes.length, mode: 0o644 })?.glibc).toBe(expected);
    }
  });

  test("a plain shared object from cc, an executable and Debian's libraries agree with readelf", () => {
    if (!fs.existsSync("/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so"))
      throw new Error(
        "this test needs Debian's python3-cryptography (apt-get install python3-cryptography python3-yaml python3-markupsafe)",
      );
    const files = [
      "/usr/lib/python3/dist-packages/cryptography/hazmat/bindings/_rust.abi3.so",
      ...fs
        .readdirSync("/usr/lib/python3/dist-packages")
        .filter((f) => f.endsWith(".so"))
        .map((f) => `/usr/lib/python3/dist-packages/${f}`),
      process.execPath,
    ];
    expect(files.length).toBeGreaterThanOrEqual(3);
    for (const abs of files) {
      const found = classifyBinary({ name: path.basename(abs), abs, size: fs.statSync(abs).size, mode: 0o755 });
      expect([abs, found?.glibc]).toEqual([abs, readelfGlibc(abs)]);
      // Debian 12 builds against glibc 2.36: nothing can need more, and everything needs some version
      expect(compareGlibc(found!.glibc!, "2.36")).toBeLessThanOrEqual(0);
    }
    const dir = tempDir("glibc-");
    fs.writeFileSync(path.join(dir, "plain.so"), compileSharedObject());
    expect(classifyBinary({ name: "plain.so", abs: path.join(dir, "plain.so"), size: 1, mode: 0o644 })?.glibc).toBe(
      readelfGlibc(path.join(dir, "plain.so")),
    );
  });

  test("compareGlibc orders versions by their numbers", () => {
    expect(["2.34", "2.2.5", "2.17", "2.3.4", "2.26", "2.4"].sort(compareGlibc)).toEqual(["2.2.5", "2.3.4", "2.4", "2.17", "2.26", "2.34"]);
  });

  test("describeBinary shows the need", () => {
    const [b] = classified({ [`python/x.${pyTag("3.12")}.so`]: bins.needs234 });
    expect(describeBinary(b)).toBe(
      `Linux (ELF) ${HOST_MACHINE === "x86_64" ? "x86-64" : "aarch64"} glibc (needs GLIBC_2.34), CPython 3.12`,
    );
  });
});

describe("each runtime's glibc decides (Amazon Linux 2: 2.26, Amazon Linux 2023: 2.34)", () => {
  test.each([
    ["python3.11", "python", "3.11"],
    ["python3.10", "python", "3.10"],
  ])("a CPython module needing GLIBC_2.34 is refused for %s, naming the file, both versions and the fix", (runtime, _family, version) => {
    const name = `python/fast.${pyTag(version)}.so`;
    const [problem] = problemsFor(classified({ [name]: bins.needs234 }), [runtime], [arch]);
    expect(problem.binary.name).toBe(name);
    expect(problem.reasons).toEqual([
      `needs GLIBC_2.34 (its version-needs section), but ${runtime} has glibc 2.26 (Amazon Linux 2): it fails at load with "version \`GLIBC_2.34' not found"`,
    ]);
    expect(problem.fix).toContain(`pip install --platform manylinux2014_${HOST_MACHINE} --only-binary=:all:`);
    expect(problem.fix).toContain(`public.ecr.aws/sam/build-${runtime}`);
    // a CPython 3.11 module loads on python3.11 only: a newer runtime is no fix for it
    expect(problem.fix).not.toContain("declare a runtime");
  });

  test("the same need passes on python3.12 (Amazon Linux 2023)", () => {
    expect(problemsFor(classified({ [`python/fast.${pyTag("3.12")}.so`]: bins.needs234 }), ["python3.12"], [arch])).toEqual([]);
  });

  test("an abi3 module needing GLIBC_2.34 in python3.11: the fix names the runtimes whose glibc suffices", () => {
    const [problem] = problemsFor(classified({ "python/fast/_ext.abi3.so": bins.needs234 }), ["python3.11"]);
    expect(problem.fix).toMatch(/declare a runtime with a newer glibc \(python3\.12, python3\.13, python3\.14: glibc 2\.34\)/);
  });

  test("GLIBC_2.35 is refused even on Amazon Linux 2023, saying no Lambda runtime has it", () => {
    const [problem] = problemsFor(classified({ [`python/fast.${pyTag("3.12")}.so`]: bins.needs235 }), ["python3.12"], [arch]);
    expect(problem.reason).toContain("needs GLIBC_2.35 (its version-needs section), but python3.12 has glibc 2.34 (Amazon Linux 2023)");
    expect(problem.fix).toContain("no Lambda runtime has glibc 2.35: the newest, Amazon Linux 2023, has 2.34");
  });

  test.each(["python3.11", "nodejs18.x", "provided.al2", "java8.al2", "ruby3.2"])(
    "a binary that needs only the oldest versions loads on %s (Amazon Linux 2)",
    (runtime) => {
      const binaries = classified({ "bin/tool": bins.old, "lib/libold.so": bins.old, [`python/old.${pyTag("3.11")}.so`]: bins.old });
      expect(binaries.map((b) => b.glibc)).toEqual([bins.oldVersion, bins.oldVersion, bins.oldVersion]);
      expect(problemsFor(binaries, [runtime], [arch])).toEqual([]);
    },
  );

  test("Node addons: build/Release/*.node needing GLIBC_2.34 is refused for nodejs18.x and loads on nodejs20.x", () => {
    const addon = { "nodejs/node_modules/fast/build/Release/fast.node": bins.needs234 };
    const [problem] = problemsFor(classified(addon), ["nodejs18.x"], [arch]);
    expect(problem.reason).toContain("needs GLIBC_2.34 (its version-needs section), but nodejs18.x has glibc 2.26 (Amazon Linux 2)");
    expect(problem.fix).toContain("public.ecr.aws/sam/build-nodejs18.x");
    // the supported Node runtimes on Amazon Linux 2023 on the day the test runs (nodejs20.x is deprecated from 2026-04-30)
    const supported = Runtime.all.filter((r) => r.family === "nodejs" && r.glibc === "2.34" && !r.deprecated()).map((r) => r.name);
    expect(problem.fix).toContain(`declare a runtime with a newer glibc (${supported.join(", ")}: glibc 2.34)`);
    expect(problemsFor(classified(addon), ["nodejs20.x"], [arch])).toEqual([]);
  });

  test("prebuilds count for a runtime only where their glibc suffices", () => {
    const platform = `linux-${HOST.npmCpu}`;
    const prebuilt = classified({ [`nodejs/node_modules/fast/prebuilds/${platform}/fast.napi.node`]: bins.needs234 });
    const [problem] = problemsFor(prebuilt, ["nodejs18.x"], [arch]);
    expect(problem.reason).toContain(
      `none a Linux (glibc) nodejs18.x on ${arch} loads (${platform}/fast.napi.node needs GLIBC_2.34, nodejs18.x has glibc 2.26)`,
    );
    expect(problemsFor(prebuilt, ["nodejs20.x"], [arch])).toEqual([]);
  });

  test("a file is compared with the runtimes that load it: python/ with the Pythons, bin/ with every runtime", () => {
    const binaries = classified({ "python/fast/_ext.abi3.so": bins.needs234, "bin/tool": bins.needs234 });
    const problems = problemsFor(binaries, ["python3.12", "nodejs18.x"], [arch]);
    expect(problems.map((p) => p.binary.name)).toEqual(["bin/tool"]);
    expect(problems[0].reason).toContain("but nodejs18.x has glibc 2.26");
  });

  test("a custom runtime declared without an OS is not compared; with one, it is", () => {
    const binaries = classified({ "bin/tool": bins.needs234 });
    expect(binaryProblems(binaries, [Runtime.custom("provided.unknown", Runtime.PROVIDED_AL2.family)], undefined)).toEqual([]);
    expect(
      binaryProblems(binaries, [Runtime.custom("provided.al2x", Runtime.PROVIDED_AL2.family, "amazonlinux2")], undefined),
    ).toHaveLength(1);
  });

  test("the builder refuses at synth, naming the file, the need, the runtime's glibc and the fix", () => {
    const source = tree({ [`python/fast.${pyTag("3.11")}.so`]: bins.needs234, "python/app.py": "" });
    const err = caught(() => buildLayerArchive({ source, compatibleRuntimes: ["python3.11"], outDir: tempDir("cache-") }));
    expect(err.problem).toContain(`python/fast.${pyTag("3.11")}.so (built for Linux (ELF)`);
    expect(err.problem).toContain("needs GLIBC_2.34 (its version-needs section), but python3.11 has glibc 2.26 (Amazon Linux 2)");
    expect(err.fix).toContain("manylinux2014");
    expect(err.fix).toContain("public.ecr.aws/sam/build-python3.11");
    // declared for the runtime whose glibc suffices, the same folder builds
    expect(
      buildLayerArchive({ source, compatibleRuntimes: ["python3.11"], allowForeignBinaries: ["python/*.so"], outDir: tempDir("cache-") })
        .entries,
    ).toContain(`python/fast.${pyTag("3.11")}.so`);
  });
});

describe("every reason at once, one fix (issue 21.3)", () => {
  test("another architecture, another CPython and a newer glibc: three reasons, one combined fix", () => {
    const name = `python/fast.${pyTag("3.11")}.so`;
    const [problem] = problemsFor(classified({ [name]: bins.needs235 }), ["python3.12"], [OTHER.name]);
    expect(problem.reasons).toHaveLength(3);
    expect(problem.reasons[0]).toContain(`not the declared ${OTHER.name}`);
    expect(problem.reasons[1]).toBe("a CPython 3.11 extension module, which python3.12 cannot import");
    expect(problem.reasons[2]).toContain("needs GLIBC_2.35");
    expect(problem.reason).toMatch(/^3 reasons: \(1\) not the declared .*; \(2\) a CPython 3\.11 .*; \(3\) needs GLIBC_2\.35/);
    expect(problem.fix).toBe(
      `rebuild it for the target: for python3.12 on ${OTHER.name}, \`pip install --platform manylinux2014_${OTHER.linuxMachine} --implementation cp --python-version 3.12 --only-binary=:all:\` (or pip in public.ecr.aws/sam/build-python3.12${OTHER === Architecture.ARM_64 ? ":latest-arm64" : ""})`,
    );
  });

  test("a Debian-style tree for two architectures and two Pythons: every file, every reason, in one refusal", () => {
    const source = tree({
      [`python/a.${pyTag("3.11")}.so`]: bins.needs234,
      [`python/b.${pyTag("3.11")}.so`]: bins.old,
      "python/c.cpython-311-darwin.so": machOFile(CPU.arm64),
      "python/app.py": "",
    });
    const err = caught(() =>
      buildLayerArchive({
        source,
        compatibleRuntimes: ["python3.11", "python3.12"],
        compatibleArchitectures: ["x86_64", "arm64"],
        outDir: tempDir("cache-"),
      }),
    );
    // a: no build for the other architecture, not CPython 3.12, and GLIBC_2.34 > python3.11's 2.26
    expect(err.problem).toMatch(
      new RegExp(
        `python/a\\.${pyTag("3.11")}\\.so \\(built for [^)]*\\)[^:]*: 3 reasons: \\(1\\) no build for ${OTHER.name} beside it.*\\(2\\) a CPython 3\\.11 extension module, which python3\\.12 cannot import.*\\(3\\) needs GLIBC_2\\.34 .*but python3\\.11 has glibc 2\\.26`,
      ),
    );
    // b: old symbols only, so two reasons
    expect(err.problem).toMatch(new RegExp(`python/b\\.${pyTag("3.11")}\\.so \\([^;]*: 2 reasons: \\(1\\) no build for`));
    // c: macOS and CPython 3.11
    expect(err.problem).toMatch(
      /python\/c\.cpython-311-darwin\.so \(built for macOS[^;]*: 2 reasons: \(1\) macOS code.*\(2\) a CPython 3\.11 extension module/,
    );
    expect(err.fix).toContain("rebuild it for each target, one layer per runtime and architecture");
    for (const target of ["python3.11 on x86_64", "python3.11 on arm64", "python3.12 on x86_64", "python3.12 on arm64"])
      expect(err.fix).toContain(`for ${target}, `);
  });
});
