// Dependencies installed for a layer that declares several architectures or Python versions
// (issue 10.2, 10.3): pip installs one platform and one Python, so a native module for the other
// would be missing at cold start. Such layers are refused with the way to split them; pure and
// abi3 wheels pass; the archive does not depend on the order of the architectures list.
// PyPI is out of reach: the wheels are made here and installed with --no-index --find-links.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive, BuildLayerArchiveOptions } from "../modules";
import { manylinuxPlatforms } from "../modules/packaging/dependencies";
import { Architecture } from "../modules/aws/runtime";
import { compileSharedObject, elfHeader, EM, HOST, HOST_MACHINE } from "./helpers/elf";
import { tempDir, tree } from "./helpers/files";

const WHEEL_SCRIPT = `
import sys, json, zipfile, hashlib, base64
out, name, tag, files = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
contents = {k: bytes.fromhex(v) for k, v in files.items()}
info = f"{name}-1.0.dist-info"
contents[f"{info}/METADATA"] = f"Metadata-Version: 2.1\\nName: {name}\\nVersion: 1.0\\n".encode()
purelib = "true" if tag.endswith("none-any") else "false"
contents[f"{info}/WHEEL"] = f"Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: {purelib}\\nTag: {tag}\\n".encode()
record = []
for n, data in contents.items():
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    record.append(f"{n},sha256={digest},{len(data)}")
record.append(f"{info}/RECORD,,")
contents[f"{info}/RECORD"] = ("\\n".join(record) + "\\n").encode()
with zipfile.ZipFile(f"{out}/{name}-1.0-{tag}.whl", "w") as z:
    for n, data in contents.items():
        z.writestr(n, data)
`;

/** Writes a wheel named for `tag` (such as cp312-cp312-manylinux2014_x86_64) holding `files`. */
function wheel(dir: string, name: string, tag: string, files: Record<string, Buffer | string>, version = "1.0"): void {
  const hex = Object.fromEntries(Object.entries(files).map(([k, v]) => [k, Buffer.from(v).toString("hex")]));
  execFileSync("python3", ["-c", WHEEL_SCRIPT.replace(/1\.0/g, version), dir, name, tag, JSON.stringify(hex)]);
}

const so = {
  x86_64: HOST_MACHINE === "x86_64" ? compileSharedObject() : elfHeader(EM.x86_64),
  aarch64: HOST_MACHINE === "aarch64" ? compileSharedObject() : elfHeader(EM.aarch64),
};

/** Local wheels: native (one wheel per architecture, CPython 3.12), stable (abi3 since 3.12), pure. */
function wheels(): string {
  const dir = tempDir("wheels-");
  for (const machine of ["x86_64", "aarch64"] as const) {
    wheel(dir, "native", `cp312-cp312-manylinux2014_${machine}`, {
      "native/__init__.py": "",
      [`native/_ext.cpython-312-${machine}-linux-gnu.so`]: so[machine],
    });
    wheel(dir, "stable", `cp312-abi3-manylinux2014_${machine}`, { "stable/__init__.py": "", "stable/_ext.abi3.so": so[machine] });
  }
  wheel(dir, "pure", "py3-none-any", { "pure/__init__.py": "ANSWER = 42\n" });
  return dir;
}

const found = wheels();
const sharedCache = tempDir("cache-"); // installs are keyed by what they depend on: sharing them keeps the file quick
const layer = (requirement: string, extra: Partial<BuildLayerArchiveOptions>) =>
  buildLayerArchive({
    source: tree({ "python/app.py": "", "requirements.txt": `${requirement}==1.0\n` }),
    compatibleRuntimes: ["python3.12"],
    pipArgs: ["--no-index", "--find-links", found],
    outDir: sharedCache,
    ...extra,
  });

describe("two declared architectures (issue 10.2)", () => {
  test.each([[["x86_64", "arm64"]], [["arm64", "x86_64"]]])(
    "a native dependency is refused with %j, with the way to split the layer",
    (archs) => {
      expect(() => layer("native", { compatibleArchitectures: archs })).toThrow(
        /python\/native\/_ext\.cpython-312-(x86_64|aarch64)-linux-gnu\.so \(built for Linux \(ELF\) .*: no build for (x86_64|arm64) beside it.*Fix: split the layer per architecture: one layer with compatibleArchitectures: \["(x86_64|arm64)"\] and one with \["(x86_64|arm64)"\]/s,
      );
    },
  );

  test("one declared architecture installs and accepts that architecture's wheel", () => {
    const archive = layer("native", { compatibleArchitectures: [HOST.name] });
    expect(archive.entries).toContain(`python/native/_ext.cpython-312-${HOST_MACHINE}-linux-gnu.so`);
  });

  test("pure dependencies pass, and the order of the list changes neither the install nor the archive", () => {
    const outDir = tempDir("cache-");
    const source = tree({ "python/app.py": "", "requirements.txt": "pure==1.0\n" });
    const options = { source, compatibleRuntimes: ["python3.12"], pipArgs: ["--no-index", "--find-links", found], outDir };
    const a = buildLayerArchive({ ...options, compatibleArchitectures: ["x86_64", "arm64"] });
    const b = buildLayerArchive({ ...options, compatibleArchitectures: ["arm64", "x86_64"] });
    expect(b.contentSha256).toBe(a.contentSha256);
    expect(b.zipSha256).toBe(a.zipSha256);
    expect(fs.readdirSync(path.join(outDir, "deps")).filter((d) => !d.startsWith("."))).toHaveLength(1); // one install, not one per order
  });
});

describe("two declared Python versions (issue 10.3)", () => {
  test("an extension module for one of them is refused, with the way to split the layer", () => {
    expect(() => layer("native", { compatibleRuntimes: ["python3.12", "python3.13"], compatibleArchitectures: [HOST.name] })).toThrow(
      /a CPython 3\.12 extension module, which python3\.13 cannot import.*Fix: split the layer per Python version/s,
    );
  });

  test("abi3 and pure wheels load on both and pass", () => {
    const archive = layer("stable", { compatibleRuntimes: ["python3.12", "python3.13"], compatibleArchitectures: [HOST.name] });
    expect(archive.entries).toContain("python/stable/_ext.abi3.so");
    expect(layer("pure", { compatibleRuntimes: ["python3.12", "python3.13"] }).entries).toContain("python/pure/__init__.py");
  });
});

describe("the platforms pip is asked for follow the oldest declared Python's glibc (issue 21.2)", () => {
  test.each<[string, Architecture, string[], string[]]>([
    // Amazon Linux 2: glibc 2.26, down to manylinux_2_17 = manylinux2014 (pip widens that to manylinux2010 and manylinux1 on x86_64 itself)
    [
      "2.26",
      Architecture.X86_64,
      ["manylinux_2_26_x86_64", "manylinux_2_25_x86_64", "manylinux_2_24_x86_64"],
      ["manylinux_2_28_x86_64", "manylinux_2_27_x86_64"],
    ],
    [
      "2.26",
      Architecture.ARM_64,
      ["manylinux_2_26_aarch64", "manylinux_2_17_aarch64", "manylinux2014_aarch64"],
      ["manylinux_2_27_aarch64", "manylinux_2_16_aarch64", "manylinux2010_aarch64"],
    ],
    // Amazon Linux 2023: glibc 2.34
    ["2.34", Architecture.X86_64, ["manylinux_2_34_x86_64", "manylinux_2_28_x86_64", "manylinux2014_x86_64"], ["manylinux_2_35_x86_64"]],
  ])("glibc %s on %s", (glibc, arch, includes, excludes) => {
    const platforms = manylinuxPlatforms(glibc, arch);
    for (const p of includes) expect(platforms).toContain(p);
    for (const p of excludes) expect(platforms).not.toContain(p);
    expect(platforms[0]).toBe(`manylinux_2_${glibc.split(".")[1]}_${arch.linuxMachine}`); // newest first: pip prefers earlier platforms
    expect(platforms.indexOf(`manylinux2014_${arch.linuxMachine}`)).toBe(platforms.indexOf(`manylinux_2_17_${arch.linuxMachine}`) + 1);
  });

  // A real local index as projects publish: release 1.0 with manylinux2014 wheels, 1.1 with manylinux_2_28 only.
  const index = tempDir("wheels-glibc-");
  wheel(index, "dual", `cp311-abi3-manylinux_2_17_${HOST_MACHINE}.manylinux2014_${HOST_MACHINE}`, {
    "dual/__init__.py": "BUILD = 'manylinux2014'\n",
  });
  wheel(index, "dual", `cp311-abi3-manylinux_2_28_${HOST_MACHINE}`, { "dual/__init__.py": "BUILD = 'manylinux_2_28'\n" }, "1.1");
  const build = (runtime: string, requirement: string) =>
    buildLayerArchive({
      source: tree({ "python/app.py": "", "requirements.txt": `${requirement}\n` }),
      compatibleRuntimes: [runtime],
      compatibleArchitectures: [HOST.name],
      pipArgs: ["--no-index", "--find-links", index],
      outDir: sharedCache,
    });
  const installed = (archive: ReturnType<typeof buildLayerArchive>) =>
    execFileSync("unzip", ["-p", archive.path, "python/dual/__init__.py"]).toString().trim();

  test("python3.11 (Amazon Linux 2, glibc 2.26) gets the manylinux2014 build, never the manylinux_2_28 one", () => {
    const archive = build("python3.11", "dual");
    expect(installed(archive)).toBe("BUILD = 'manylinux2014'");
    expect(archive.entries).toContain("python/dual-1.0.dist-info/WHEEL");
  });

  test("python3.12 (Amazon Linux 2023, glibc 2.34) may get the manylinux_2_28 build", () => {
    expect(installed(build("python3.12", "dual"))).toBe("BUILD = 'manylinux_2_28'");
  });

  test("python3.11 still gets wheels tagged only manylinux_2_24 (PEP 600) or only manylinux1 (PEP 513)", () => {
    const legacy = tempDir("wheels-legacy-");
    wheel(legacy, "pep600", "cp311-abi3-manylinux_2_24_x86_64", { "pep600/__init__.py": "" });
    wheel(legacy, "old", "cp311-abi3-manylinux1_x86_64", { "old/__init__.py": "" });
    const archive = buildLayerArchive({
      source: tree({ "python/app.py": "", "requirements.txt": "pep600==1.0\nold==1.0\n" }),
      compatibleRuntimes: ["python3.11"],
      compatibleArchitectures: ["x86_64"],
      pipArgs: ["--no-index", "--find-links", legacy],
      outDir: sharedCache,
    });
    expect(archive.entries).toEqual(expect.arrayContaining(["python/pep600/__init__.py", "python/old/__init__.py"]));
  });

  test("a layer for python3.11 and python3.12 is installed for the older glibc", () => {
    const archive = buildLayerArchive({
      source: tree({ "python/app.py": "", "requirements.txt": "dual\n" }),
      compatibleRuntimes: ["python3.12", "python3.11"],
      compatibleArchitectures: [HOST.name],
      pipArgs: ["--no-index", "--find-links", index],
      outDir: sharedCache,
    });
    expect(installed(archive)).toBe("BUILD = 'manylinux2014'");
  });

  test("a pinned release published only for glibc 2.28 fails for python3.11, saying why and what to declare", () => {
    expect(() => build("python3.11", "dual==1.1")).toThrow(
      /could not be installed.*Fix: run that command .*; if the package exists but has no wheel for this target: pip was offered only wheels glibc 2\.26 loads \(manylinux_2_26 and older, the C library of python3\.11\).*python3\.12, python3\.13, python3\.14 run on glibc 2\.34/s,
    );
  });
});
