import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { LayerValidationError } from "../modules/core/errors";
import { buildLayerArchive } from "../modules/packaging/layer-archive";
import { formatInspectReport, inspectIncomplete, inspectLayer, inspectProblems, InspectReport } from "../modules/packaging/inspect";
import { machineLabel } from "../modules/checks/native-binaries";
import {
  compileGlibcBinaries,
  compileSharedObject,
  CPU,
  elfHeader,
  EM_OTHER,
  HOST,
  HOST_MACHINE,
  machOFile,
  OTHER,
  OTHER_MACHINE,
  readelfGlibc,
} from "./helpers/elf";
import { refusal as caught } from "./helpers/refusal";
import { repoRoot, tempDir, tree } from "./helpers/files";

const otherArchElf = () => elfHeader(EM_OTHER);

/** Zips a folder's content with Info-ZIP, the way people build layer zips by hand. */
function zipFolder(dir: string, extraArgs: string[] = []): string {
  const zip = path.join(tempDir("zip-"), "layer.zip");
  execFileSync("zip", ["-q", "-r", "-X", ...extraArgs, zip, "."], { cwd: dir });
  return zip;
}

const compiled = compileSharedObject();
const PY = { runtimes: ["python3.12"] };

/** A laid-out Python layer: two packages, a module, metadata, a shared object and two executables. */
function pythonLayer(): string {
  return tree({
    "python/requests/__init__.py": "from .api import get\n",
    "python/requests/api.py": "def get(url):\n    return url\n".repeat(40),
    "python/requests-2.31.0.dist-info/METADATA": "Name: requests\nVersion: 2.31.0\n",
    "python/numpy/__init__.py": "from .core import _multiarray\n",
    "python/numpy/core/_multiarray.so": compiled,
    "python/numpy/f2py-helper": { content: otherArchElf(), mode: 0o755 },
    "python/six.py": "PY3 = True\n",
    "bin/tool": { content: otherArchElf(), mode: 0o755 },
  });
}

/** Python only: nothing in bin/ or lib/, which every runtime loads. */
function pythonOnlyLayer(): string {
  return tree({ "python/requests/__init__.py": "", "python/six.py": "PY3 = True\n" });
}

const sizeOf = (dir: string, rel: string) => fs.statSync(path.join(dir, rel)).size;

describe("inspectLayer on a folder", () => {
  const dir = pythonLayer();
  const report = inspectLayer(dir, { ...PY, architectures: [OTHER.name] });

  test("lists the top-level packages where Lambda puts them, leaving out metadata", () => {
    expect(report.packages.map((p) => [p.name, p.path, p.files, p.loadedBy])).toEqual([
      ["numpy", "/opt/python/numpy", 3, ["python3.12"]],
      ["requests", "/opt/python/requests", 2, ["python3.12"]],
      ["six.py", "/opt/python/six.py", 1, ["python3.12"]],
    ]);
    expect(report.packages[1].bytes).toBe(sizeOf(dir, "python/requests/__init__.py") + sizeOf(dir, "python/requests/api.py"));
  });

  test("sums the unzipped size and leaves the zipped size unknown", () => {
    const all = [
      "python/requests/__init__.py",
      "python/requests/api.py",
      "python/requests-2.31.0.dist-info/METADATA",
      "python/numpy/__init__.py",
      "python/numpy/core/_multiarray.so",
      "python/numpy/f2py-helper",
      "python/six.py",
      "bin/tool",
    ];
    expect(report.kind).toBe("folder");
    expect(report.files).toBe(all.length);
    expect(report.unzippedBytes).toBe(all.reduce((sum, rel) => sum + sizeOf(dir, rel), 0));
    expect(report.zippedBytes).toBeUndefined();
    expect(report.largestFiles[0]).toEqual({ name: "python/numpy/core/_multiarray.so", size: compiled.length });
  });

  test("reports the runtime as loading the layer", () => {
    expect(report.layout).toEqual([expect.objectContaining({ runtime: "python3.12", loads: true, filesLoaded: 8 })]);
    expect(report.layoutProblem).toBeUndefined();
  });

  test("finds the native binaries with their machines and the ones that do not match the declared architecture", () => {
    expect(report.nativeBinaries).toEqual([
      { name: "bin/tool", machine: OTHER_MACHINE, format: "elf" },
      { name: "python/numpy/core/_multiarray.so", machine: HOST_MACHINE, format: "elf" },
      { name: "python/numpy/f2py-helper", machine: OTHER_MACHINE, format: "elf" },
    ]);
    expect(report.binaryProblems.map((p) => p.binary.name)).toEqual(["python/numpy/core/_multiarray.so"]);
    expect(inspectProblems(report)).toEqual([`1 native binary cannot load on the declared python3.12 on ${OTHER.name}`]);
  });

  test("checks no architecture when none is given", () => {
    const unchecked = inspectLayer(dir, PY);
    expect(unchecked.nativeBinaries).toHaveLength(3);
    expect(unchecked.binaryProblems).toEqual([]);
    expect(inspectProblems(unchecked)).toEqual([]);
  });

  test("keeps the ten largest files, largest first", () => {
    const files: Record<string, string> = {};
    for (let i = 1; i <= 12; i++) files[`python/pkg/f${String(i).padStart(2, "0")}.py`] = "x".repeat(i * 100);
    const largest = inspectLayer(tree(files), PY).largestFiles;
    expect(largest.map((f) => f.size)).toEqual([1200, 1100, 1000, 900, 800, 700, 600, 500, 400, 300]);
    expect(largest[0].name).toBe("python/pkg/f12.py");
  });

  test("places a plain Python folder under python/, as the builder does", () => {
    const plain = inspectLayer(tree({ "mylib/__init__.py": "X = 1\n", "helpers.py": "", "requirements.txt": "requests\n" }), {
      ...PY,
      installDependencies: false,
    });
    expect(plain.placedUnder).toBe("python/");
    expect(plain.packages.map((p) => [p.path, p.installedAtBuild ?? false])).toEqual([
      ["/opt/python/helpers.py", false],
      ["/opt/python/mylib", false],
      ["/opt/python/requests", true], // declared, installed by the build
    ]);
    expect(plain.files).toBe(2); // requirements.txt is build input, not content
    expect(plain.warnings).toContainEqual(expect.stringContaining("requirements.txt declares dependencies the builder installs"));
    expect(plain.dependencies).toEqual([{ manifest: "requirements.txt", kind: "pip", installed: false }]);
    expect(inspectIncomplete(plain)).toEqual([expect.stringContaining("requirements.txt declares dependencies that were not installed")]);
    expect(formatInspectReport(plain)).toContain("\nResult: INCOMPLETE, not everything was checked\n");
  });

  test("places a plain Node.js folder by its package.json name; a scoped package counts once", () => {
    const manifest = JSON.stringify({ name: "@acme/left-pad" });
    const plain = inspectLayer(tree({ "package.json": manifest, "index.js": "module.exports = 1;\n", "src/pad.js": "" }), {
      runtimes: ["nodejs20.x"],
    });
    expect(plain.placedUnder).toBe("nodejs/node_modules/@acme/left-pad/");
    expect(plain.packages).toEqual([
      {
        name: "@acme/left-pad",
        path: "/opt/nodejs/node_modules/@acme/left-pad",
        files: 3,
        bytes: manifest.length + 20,
        loadedBy: ["nodejs20.x"],
      },
    ]);
  });

  test("lists scoped and unscoped npm packages of a laid-out folder, and the runtimes that load each", () => {
    const laidOut = inspectLayer(
      tree({
        "nodejs/node_modules/left-pad/index.js": "",
        "nodejs/node_modules/left-pad/package.json": "{}",
        "nodejs/node_modules/@scope/a/index.js": "",
        "nodejs/node_modules/@scope/b/index.js": "",
        "nodejs/node_modules/.package-lock.json": "{}",
        "nodejs/node22/node_modules/only-22/index.js": "",
      }),
      { runtimes: ["nodejs20.x", "nodejs22.x"] },
    );
    expect(laidOut.packages.map((p) => [p.path, p.loadedBy])).toEqual([
      ["/opt/nodejs/node22/node_modules/only-22", ["nodejs22.x"]],
      ["/opt/nodejs/node_modules/@scope/a", ["nodejs20.x", "nodejs22.x"]],
      ["/opt/nodejs/node_modules/@scope/b", ["nodejs20.x", "nodejs22.x"]],
      ["/opt/nodejs/node_modules/left-pad", ["nodejs20.x", "nodejs22.x"]],
    ]);
  });

  test("says why a layout loads for no declared runtime instead of throwing", () => {
    const wrong = inspectLayer(pythonOnlyLayer(), { runtimes: ["nodejs20.x"] });
    expect(wrong.layout).toEqual([expect.objectContaining({ runtime: "nodejs20.x", loads: false, filesLoaded: 0 })]);
    expect(wrong.layoutProblem).toContain("python/ serves a runtime that is not declared");
    expect(inspectProblems(wrong)[0]).toMatch(/^no declared runtime loads anything: holds nothing the declared runtimes would load/);
  });

  test("refuses a missing target, an unknown runtime and an unknown architecture, naming the field", () => {
    const fieldOf = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        expect(e).toBeInstanceOf(LayerValidationError);
        return (e as LayerValidationError).field;
      }
      throw new Error("nothing was thrown");
    };
    expect(fieldOf(() => inspectLayer(path.join(tempDir(), "nope"), PY))).toBe("target");
    expect(fieldOf(() => inspectLayer(dir, { runtimes: ["python2.7"] }))).toBe("runtimes");
    expect(fieldOf(() => inspectLayer(dir, { ...PY, architectures: ["amd64"] }))).toBe("architectures");
  });
});

describe("inspectLayer on a zip", () => {
  const dir = pythonLayer();
  const folder = inspectLayer(dir, { ...PY, architectures: [OTHER.name] });

  // Deflated members are inflated only at their start; stored ones are read as they are.
  test.each([
    ["deflated", []],
    ["stored (zip -0)", ["-0"]],
  ])("reads a %s zip's central directory and member headers", (_name, args) => {
    const zip = zipFolder(dir, args as string[]);
    const report = inspectLayer(zip, { ...PY, architectures: [OTHER.name] });

    expect(report.kind).toBe("zip");
    expect(report.zippedBytes).toBe(fs.statSync(zip).size);
    expect(report.files).toBe(folder.files); // directory entries are not files
    expect(report.unzippedBytes).toBe(folder.unzippedBytes);
    expect(report.packages).toEqual(folder.packages);
    expect(report.layout).toEqual(folder.layout);
    // the executable bit comes from the members' external attributes
    expect(report.nativeBinaries).toEqual(folder.nativeBinaries);
    expect(report.binaryProblems).toEqual(folder.binaryProblems);
    expect(report.binaryProblems.map((p) => p.binary.name)).toEqual(["python/numpy/core/_multiarray.so"]);
    const so = report.largestFiles[0];
    expect(so.name).toBe("python/numpy/core/_multiarray.so");
    expect(so.size).toBe(compiled.length);
    if (args.length === 0) expect(so.zippedSize).toBeLessThan(so.size);
    else expect(so.zippedSize).toBe(so.size);
  });

  test("refuses a file that is not a zip, saying so", () => {
    const notZip = path.join(tree({ "layer.zip": "just text\n".repeat(10) }), "layer.zip");
    expect(() => inspectLayer(notZip, PY)).toThrow(
      /`target` is not a zip archive this inspector can read \(no end of central directory record\)/,
    );
  });
});

describe("formatInspectReport", () => {
  const report: InspectReport = inspectLayer(zipFolder(pythonLayer()), {
    runtimes: ["python3.12", "nodejs20.x"],
    architectures: [OTHER.name],
  });
  const text = formatInspectReport(report);
  const lines = text.split("\n");

  test("has a line per runtime, package, native binary and problem", () => {
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}python3\.12 {2}loads 8 of 8 files \(looks in \/opt\/python\/, /));
    expect(lines).toContainEqual(
      expect.stringMatching(/^ {2}nodejs20\.x {2}loads 1 of 8 files \(looks in \/opt\/nodejs\/node_modules\/, /),
    );
    expect(lines).toContainEqual(expect.stringMatching(/^ {2}\/opt\/python\/requests +2 files .* python3\.12$/));
    expect(lines).toContainEqual(`  REFUSED  python/numpy/core/_multiarray.so: Linux (ELF) ${machineLabel(HOST_MACHINE)}`);
    expect(lines).toContainEqual(`  ok       bin/tool: Linux (ELF) ${machineLabel(OTHER_MACHINE)}`);
    expect(lines).toContainEqual(expect.stringMatching(/^ {11}not the declared .*invalid ELF header/));
    expect(lines).toContainEqual(expect.stringMatching(/^ {11}fix: build the dependencies for /));
    expect(lines).toContainEqual("Result: 1 problem(s)");
    expect(text).toMatch(/^Layer .*layer\.zip \(zip\)\n {2}8 files, [\d.]+ KiB unzipped, [\d.]+ KiB zipped\n/);
  });
});

describe("the cdktf-lambda-layers CLI", () => {
  const cli = path.join(repoRoot, "bin", "cdktf-lambda-layers.ts");
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...args], { cwd: repoRoot, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const dir = pythonLayer();

  test("exits 0 and prints the report when the layer loads and the architectures match", () => {
    const r = run("inspect", dir, "--runtime", "python3.12");
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("\n  /opt/python/numpy ");
    expect(r.stdout.trimEnd().split("\n").pop()).toBe("Result: OK");
  });

  test("exits 1 when a native binary does not match --arch, naming it", () => {
    const r = run("inspect", zipFolder(dir), "--runtime", "python3.12", "--arch", OTHER.name);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`\n  REFUSED  python/numpy/core/_multiarray.so: Linux (ELF) ${machineLabel(HOST_MACHINE)}\n`);
  });

  test("requires every --arch given: one build of each binary only fails with both (issue 10.2)", () => {
    expect(run("inspect", dir, "--runtime", "python3.12", "--arch", HOST.name).code).toBe(1); // bin/tool is the other machine's
    const r = run("inspect", dir, "--runtime", "python3.12", "--arch", "x86_64", "--arch", "arm64");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`\n  REFUSED  python/numpy/core/_multiarray.so: Linux (ELF) ${machineLabel(HOST_MACHINE)}\n`);
    expect(r.stdout).toMatch(/no build for .* beside it/);
    expect(r.stdout).toContain("split the layer per architecture");
  });

  test("shows what each binary was built for and refuses a macOS one by its bytes", () => {
    const mac = tree({ "python/pkg/__init__.py": "", [`python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so`]: machOFile(CPU.arm64) });
    const r = run("inspect", mac, "--runtime", "python3.12");
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  REFUSED  python/pkg/_x.cpython-312-${HOST_MACHINE}-linux-gnu.so: macOS (Mach-O) aarch64, CPython 3.12\n`);
    expect(r.stdout).toContain("fix: build it on Linux for Lambda");
  });

  test("exits 1 when no declared runtime loads the layer", () => {
    const r = run("inspect", pythonOnlyLayer(), "--runtime", "nodejs20.x");
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/\n {2}no declared runtime loads anything: /);
  });

  test("prints the report as JSON with --json", () => {
    const r = run("inspect", dir, "--runtime", "python3.12", "--json");
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).packages.map((p: { path: string }) => p.path)).toEqual([
      "/opt/python/numpy",
      "/opt/python/requests",
      "/opt/python/six.py",
    ]);
  });

  test.each([
    ["no arguments", [], /no command given/],
    ["an unknown command", ["check", dir, "--runtime", "python3.12"], /unknown command "check"/],
    ["no --runtime", ["inspect", dir], /give at least one --runtime/],
    ["an unknown runtime", ["inspect", dir, "--runtime", "python2.7"], /`--runtime` is not a Lambda runtime identifier/],
    ["an unknown architecture", ["inspect", dir, "--runtime", "python3.12", "--arch", "amd64"], /`--arch` must be "x86_64" or "arm64"/],
    ["an unknown option", ["inspect", dir, "--runtime", "python3.12", "--verbose"], /Unknown option '--verbose'/],
    ["a missing target", ["inspect", path.join(dir, "nope"), "--runtime", "python3.12"], /is not an existing folder or zip file/],
  ])("exits 2 and prints the usage for %s", (_name, args, message) => {
    const r = run(...(args as string[]));
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toContain("Usage: cdktf-lambda-layers inspect <folder|zip> --runtime <runtime>");
  });
});

describe("declared dependencies: inspect installs them as the build does, or says it did not (issue 21.4)", () => {
  const cli = path.join(repoRoot, "bin", "cdktf-lambda-layers.ts");
  const run = (...args: string[]) => {
    const r = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, ...args], { cwd: repoRoot, encoding: "utf8" });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const glibc = compileGlibcBinaries();
  const cacheDir = tempDir("inspect-cache-");
  /** A Node layer whose package.json brings, through a local `file:` package, an addon for the host machine that needs GLIBC_2.34. */
  const nodeLayer = () =>
    tree({
      "nodejs/package.json": JSON.stringify({ name: "app", version: "1.0.0", dependencies: { fast: "file:../vendor/fast" } }),
      "nodejs/index.js": "exports.x = 1;\n",
      "vendor/fast/package.json": JSON.stringify({ name: "fast", version: "1.0.0", main: "build/Release/fast.node" }),
      "vendor/fast/build/Release/fast.node": glibc.needs234,
    });
  const addon = "nodejs/node_modules/fast/build/Release/fast.node";

  test("the installed addon is checked: refused for the other architecture and nodejs18.x's glibc, exactly as synth refuses it", () => {
    const source = nodeLayer();
    const options = { runtimes: ["nodejs18.x"], architectures: ["x86_64", "arm64"], cacheDir };
    const report = inspectLayer(source, options);
    expect(report.dependencies).toEqual([{ manifest: "nodejs/package.json", kind: "npm", installed: true, files: 2 }]);
    expect(report.nativeBinaries.map((b) => [b.name, b.glibc])).toEqual([[addon, "2.34"]]);
    expect(report.binaryProblems).toHaveLength(1);
    expect(report.binaryProblems[0].reasons).toEqual([
      expect.stringContaining(`no build for ${OTHER.name} beside it`),
      expect.stringContaining("needs GLIBC_2.34 (its version-needs section), but nodejs18.x has glibc 2.26"),
    ]);
    const synth = caught(() =>
      buildLayerArchive({ source, compatibleRuntimes: options.runtimes, compatibleArchitectures: options.architectures, outDir: cacheDir }),
    );
    expect(synth.problem).toContain(`${addon} (built for`);
    expect(synth.problem).toContain(report.binaryProblems[0].reason);
  });

  test("the CLI exits 1 and shows the addon, its glibc need and both reasons", () => {
    const r = run("inspect", nodeLayer(), "--runtime", "nodejs18.x", "--arch", "x86_64", "--arch", "arm64", "--cache-dir", cacheDir);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`  REFUSED  ${addon}: Linux (ELF) ${machineLabel(HOST_MACHINE)} glibc (needs GLIBC_2.34)\n`);
    expect(r.stdout).toContain("           2 reasons: (1) no build for");
    expect(r.stdout).toContain("  nodejs/package.json: installed as the build installs it (2 files), checked with the folder's own\n");
    expect(r.stdout).not.toContain("Result: OK");
  });

  test("with --no-install the CLI says plainly what it did not check and exits 3, never OK", () => {
    const r = run("inspect", nodeLayer(), "--runtime", "nodejs22.x", "--arch", HOST.name, "--no-install");
    expect(r.code).toBe(3);
    expect(r.stdout).toContain("  nodejs/package.json: NOT installed, so what it brings was NOT checked\n");
    expect(r.stdout).toContain("every native binary loads on each (of those in the folder; its declared dependencies were not checked)");
    expect(r.stdout.trimEnd().split("\n").slice(-2)).toEqual([
      "Result: INCOMPLETE, not everything was checked",
      "  nodejs/package.json declares dependencies that were not installed (installing turned off), so their native binaries were not checked; inspect without --no-install to check them",
    ]);
  });

  test("requirements.txt with the layer's pipArgs: a mis-tagged manylinux2014 wheel whose module needs GLIBC_2.34 is refused for python3.11", () => {
    const wheels = tempDir("inspect-wheels-");
    const script = `
import sys, zipfile
out, so = sys.argv[1], open(sys.argv[2], "rb").read()
info = "fast-1.0.dist-info"
with zipfile.ZipFile(out + "/fast-1.0-cp311-abi3-manylinux2014_${HOST_MACHINE}.whl", "w") as z:
    z.writestr("fast/__init__.py", "")
    z.writestr("fast/_ext.abi3.so", so)
    z.writestr(info + "/METADATA", "Metadata-Version: 2.1\\nName: fast\\nVersion: 1.0\\n")
    z.writestr(info + "/WHEEL", "Wheel-Version: 1.0\\nGenerator: test\\nRoot-Is-Purelib: false\\nTag: cp311-abi3-manylinux2014_${HOST_MACHINE}\\n")
    z.writestr(info + "/RECORD", "")
`;
    const so = path.join(wheels, "ext.so");
    fs.writeFileSync(so, glibc.needs234);
    execFileSync("python3", ["-c", script, wheels, so]);
    const source = tree({ "python/app.py": "", "requirements.txt": "fast==1.0\n" });
    const args = [
      "inspect",
      source,
      "--runtime",
      "python3.11",
      "--cache-dir",
      cacheDir,
      "--pip-arg=--no-index",
      `--pip-arg=--find-links=${wheels}`,
    ];
    const r = run(...args);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("  REFUSED  python/fast/_ext.abi3.so: Linux (ELF)");
    expect(r.stdout).toContain("needs GLIBC_2.34 (its version-needs section), but python3.11 has glibc 2.26 (Amazon Linux 2)");
    expect(run(...args.map((a) => (a === "python3.11" ? "python3.12" : a))).code).toBe(0);
  });

  test("a zip shows each binary's glibc need, read past the first 256 KiB when the dynamic section lies there", () => {
    // 400 KiB of incompressible constant data between the code and the dynamic section
    const dir = tempDir("cc-big-");
    const bytes = Array.from({ length: 400 * 1024 }, (_, i) => (i * 2654435761) >>> 24).join(",");
    fs.writeFileSync(
      path.join(dir, "big.c"),
      `#define _GNU_SOURCE\n#include <unistd.h>\nconst unsigned char blob[] = {${bytes}};\nint closer(void) { return close_range(3, 10, 0) + blob[7]; }\n`,
    );
    execFileSync("cc", ["-shared", "-fPIC", "-o", "big.so", "big.c"], { cwd: dir });
    const dynamicAt = Number(
      /\.dynamic\s+DYNAMIC\s+\S+\s+(\S+)/
        .exec(execFileSync("readelf", ["-S", "-W", path.join(dir, "big.so")], { encoding: "utf8" }))![1]
        .replace(/^/, "0x"),
    );
    expect(dynamicAt).toBeGreaterThan(256 * 1024);
    expect(readelfGlibc(path.join(dir, "big.so"))).toBe("2.34");
    const layer = tree({ "python/big/_ext.abi3.so": fs.readFileSync(path.join(dir, "big.so")), "python/small/_ext.abi3.so": glibc.old });
    const report = inspectLayer(zipFolder(layer), { runtimes: ["python3.12"] });
    expect(report.nativeBinaries.map((b) => [b.name, b.glibc])).toEqual([
      ["python/big/_ext.abi3.so", "2.34"],
      ["python/small/_ext.abi3.so", glibc.oldVersion],
    ]);
    expect(formatInspectReport(report)).toContain("  ok       python/big/_ext.abi3.so: Linux (ELF)");
    expect(inspectLayer(zipFolder(layer), { runtimes: ["python3.11"] }).binaryProblems.map((p) => p.binary.name)).toEqual([
      "python/big/_ext.abi3.so",
    ]);
  });
});
