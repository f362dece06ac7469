// Where a folder's content lands under /opt: the layout rules on their own, then the builder on
// the classic mistakes, each time following the error's own fix and loading the result with the
// real python3 / node and Lambda's search paths.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { main } from "../bin/cdktf-lambda-layers";
import { buildLayerArchive, BuildLayerArchiveOptions, isLaidOut, Runtime } from "../modules";
import { inspectIncomplete, inspectLayer, inspectProblems } from "../modules/packaging/inspect";
import { isLoadedBy, npmNameProblem } from "../modules/checks/layout";
import { tempDir, tree, writeTree } from "./helpers/files";
import { refusal } from "./helpers/refusal";
import { runWithOpt, unpackOpt } from "./helpers/lambda-env";

const build = (source: string, extra: Partial<BuildLayerArchiveOptions> = {}) =>
  buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-"), ...extra });

/** Runs `code` in python3 with the layer unpacked as /opt; returns stdout. */
function python(zip: string, code: string, runtime = "python3.12"): string {
  const r = runWithOpt(unpackOpt([zip]), runtime, "python3", ["-c", code]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

function node(zip: string, code: string): string {
  const r = runWithOpt(unpackOpt([zip]), "nodejs20.x", "node", ["-e", code]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

/** A packed npm package (a .tgz) exporting answer() => 42, made here because the registry is not used. */
function packedDependency(name = "tiny-dep"): string {
  const pkg = tree({
    "package.json": JSON.stringify({ name, version: "1.0.0", main: "index.js" }),
    "index.js": "exports.answer = () => 42;\n",
  });
  const file = execFileSync("npm", ["pack", "--silent", "--pack-destination", pkg], { cwd: pkg, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  return path.join(pkg, file);
}

describe("layout rules", () => {
  const files = (...rels: string[]) => rels.map((rel) => ({ rel, executable: rel.startsWith("bin/") }));

  test.each([
    ["a Node.js package with lib/ is plain", files("package.json", "lib/index.js"), false],
    ["Node.js code in lib/ without a manifest is plain", files("lib/index.js"), false],
    ["a gem is plain", files("acme.gemspec", "lib/acme.rb"), false],
    ["jars in lib/ are plain", files("lib/acme.jar"), false],
    ["a Python package folder is plain", files("__init__.py", "core.py"), false],
    ["a shared library in lib/ is laid out", files("lib/libvips.so.42"), true],
    ["a program in bin/ is laid out", files("bin/ffmpeg"), true],
    ["native code beside a .js in lib/ is plain", files("lib/libvips.so.42", "lib/binding.js"), false],
    ["python/ with anything beside it is laid out", files("python/a.py", "lib/index.js"), true],
  ])("isLaidOut: %s", (_what, rels, expected) => {
    expect(isLaidOut(rels)).toBe(expected);
  });

  test("a file in bin/ without an execute bit, #! line or ELF header is not a program", () => {
    expect(isLaidOut([{ rel: "bin/notes", executable: false }])).toBe(false);
  });

  test.each([
    ["lib/libvips.so.42", true],
    ["lib/libz.so", true],
    ["bin/tool", true],
    ["lib/index.js", false],
    ["lib/acme.rb", false],
    ["lib/acme.jar", false],
    ["bin/cli.js", false],
    ["lib/x86_64-linux-gnu/libz.so", false], // LD_LIBRARY_PATH does not recurse
    ["bin/sub/tool", false],
  ])("%s loads for every runtime: %s", (p, expected) => {
    for (const r of ["python3.12", "nodejs20.x", "ruby3.3", "java21"]) expect(isLoadedBy(p, Runtime.of(r))).toBe(expected);
  });

  test.each([
    ["acme", undefined],
    ["@acme/utils", undefined],
    ["a-b.c_d", undefined],
    ["x".repeat(214), undefined],
    ["", "is empty"],
    ["x".repeat(215), "longer than 214"],
    ["../../x", 'starts with "."'],
    ["a/../../x", "not URL-safe"],
    ["@acme/..", 'package part that starts with "."'],
    ["@acme/x/y", "not URL-safe"],
    ["/etc/passwd", "not URL-safe"],
    ["_private", 'starts with "_"'],
    [" acme", "spaces around"],
    ["Acme", "upper-case"],
    ["node_modules", "npm blocks"],
    ["favicon.ico", "npm blocks"],
    ["acme!", "~'!()*"],
    ["a b", "not URL-safe"],
  ])("npm name %j: %s", (name: string, problem: string | undefined) => {
    if (problem === undefined) expect(npmNameProblem(name)).toBeUndefined();
    else expect(npmNameProblem(name)).toContain(problem);
  });
});

describe("plain package folders land where their runtime imports them", () => {
  test("a Python package folder (shared_utils/__init__.py) goes under python/shared_utils/ and imports", () => {
    const src = path.join(tempDir(), "shared_utils");
    writeTree(src, { "__init__.py": "from .core import hello\n", "core.py": "def hello():\n    return 'hi'\n" });
    const archive = build(src);
    expect(archive.placedUnder).toBe("python/shared_utils/");
    expect(archive.entries).toEqual(["python/shared_utils/__init__.py", "python/shared_utils/core.py"]);
    expect(python(archive.path, "import shared_utils; print(shared_utils.hello())")).toBe("hi");
  });

  test("a Python package folder whose name cannot be imported is refused; renamed as the fix says, it imports", () => {
    const parent = tempDir();
    writeTree(path.join(parent, "shared-utils"), { "__init__.py": "X = 1\n" });
    const err = refusal(() => build(path.join(parent, "shared-utils")));
    expect(err.message).toMatch(/folder name "shared-utils" is not a Python identifier.*Fix: rename the folder/);
    fs.renameSync(path.join(parent, "shared-utils"), path.join(parent, "shared_utils"));
    expect(python(build(path.join(parent, "shared_utils")).path, "import shared_utils; print(shared_utils.X)")).toBe("1");
  });

  test("a Node.js package with lib/ goes under nodejs/node_modules/<name>/ with its dependencies, and requires", () => {
    const dep = packedDependency();
    const src = tree({
      "package.json": JSON.stringify({
        name: "acme-utils",
        version: "1.0.0",
        main: "lib/index.js",
        dependencies: { "tiny-dep": `file:${dep}` },
      }),
      "lib/index.js": "exports.answer = () => require('tiny-dep').answer() + 1;\n",
    });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(archive.placedUnder).toBe("nodejs/node_modules/acme-utils/");
    expect(archive.entries).toEqual(
      expect.arrayContaining([
        "nodejs/node_modules/acme-utils/lib/index.js",
        "nodejs/node_modules/acme-utils/node_modules/tiny-dep/index.js",
      ]),
    );
    expect(archive.entries.some((e) => e.startsWith("lib/"))).toBe(false);
    expect(node(archive.path, "console.log(require('acme-utils').answer())")).toBe("43");
  });

  test.each([
    ["ruby3.3", { "acme.gemspec": "", "lib/acme.rb": "module Acme; end\n" }, "lib/acme.rb", "ruby/lib/acme.rb", "RUBYLIB"],
    ["java21", { "lib/acme.jar": "PK" }, "lib/acme.jar", "java/lib/acme.jar", "CLASSPATH"],
  ])(
    "a %s folder with lib/ is refused; passing lib/ as the fix says lands on the search path",
    (runtime, files, _inLib, entry, searchPath) => {
      const src = tree(files);
      const err = refusal(() => build(src, { compatibleRuntimes: [runtime] }));
      expect(err.message).toContain(`which ${searchPath} does not search`);
      expect(err.message).toMatch(/Fix: pass the lib\/ folder itself as `source`/);
      expect(build(path.join(src, "lib"), { compatibleRuntimes: [runtime] }).entries).toEqual([entry]);
    },
  );

  test("a package.json name that is not an npm name is refused before it becomes an archive path", () => {
    const src = tree({ "package.json": JSON.stringify({ name: "../../x" }), "index.js": "" });
    const err = refusal(() => build(src, { compatibleRuntimes: ["nodejs20.x"] }));
    expect(err.message).toMatch(/package.json name "..\/..\/x" starts with "."/);
    expect(err.message).toMatch(/Fix: set package.json's "name"/);
  });

  test("code of a language runtime in lib/ or bin/ of a laid-out layer is stray, not loadable", () => {
    const archive = build(tree({ "python/a.py": "", "lib/helpers.js": "" }));
    expect(archive.warnings).toContainEqual(expect.stringContaining("/opt/lib/helpers.js lie on no search path"));
    const err = refusal(() =>
      build(tree({ "bin/cli.js": "", "lib/index.rb": "" }), { compatibleRuntimes: ["provided.al2023", "nodejs20.x"] }),
    );
    expect(err.message).toContain("several families");
  });
});

describe("misplaced install trees are refused with the move that fixes them", () => {
  test("lib/python3.12/site-packages/<pkg> without python/: refused; moved under python/ as the fix says, it imports", () => {
    const src = tree({ "lib/python3.12/site-packages/acme/__init__.py": "X = 7\n" });
    const err = refusal(() => build(src));
    expect(err.message).toContain("`source` holds lib/python3.12/site-packages/ at its top");
    expect(err.message).toContain("Fix: move it under python/ (to python/lib/python3.12/site-packages/;");
    fs.mkdirSync(path.join(src, "python"));
    fs.renameSync(path.join(src, "lib"), path.join(src, "python", "lib"));
    expect(python(build(src).path, "import acme; print(acme.X)")).toBe("7");
  });

  test("node_modules/ at the top: refused; moved to nodejs/node_modules/ as the fix says, it requires", () => {
    const src = tree({
      "node_modules/acme/package.json": '{"name":"acme","main":"index.js"}',
      "node_modules/acme/index.js": "exports.x = 5;\n",
    });
    const err = refusal(() => build(src, { compatibleRuntimes: ["nodejs20.x"] }));
    expect(err.message).toContain("holds node_modules/ at its top");
    expect(err.message).toContain("Fix: move it to nodejs/node_modules/");
    fs.mkdirSync(path.join(src, "nodejs"));
    fs.renameSync(path.join(src, "node_modules"), path.join(src, "nodejs", "node_modules"));
    expect(node(build(src, { compatibleRuntimes: ["nodejs20.x"] }).path, "console.log(require('acme').x)")).toBe("5");
  });

  test("inspect does not say OK for them: a folder is refused, a zip fails with the same move named", () => {
    const out: string[] = [];
    const err: string[] = [];
    const folder = tree({ "lib/python3.12/site-packages/acme/__init__.py": "" });
    expect(
      main(
        ["inspect", folder, "--runtime", "python3.12"],
        (s) => out.push(s),
        (s) => err.push(s),
      ),
    ).toBe(1);
    expect(err.join("")).toContain("move it under python/");
    const zip = path.join(tempDir(), "layer.zip");
    execFileSync("zip", ["-q", "-r", zip, "."], { cwd: folder });
    const report = inspectLayer(zip, { runtimes: ["python3.12"] });
    expect(inspectProblems(report)).toEqual([expect.stringContaining("on LD_LIBRARY_PATH, not on sys.path: move it under python/")]);
    const nodeZip = path.join(tempDir(), "node.zip");
    execFileSync("zip", ["-q", "-r", nodeZip, "."], { cwd: tree({ "node_modules/acme/index.js": "" }) });
    expect(inspectProblems(inspectLayer(nodeZip, { runtimes: ["nodejs20.x"] }))).toEqual([
      expect.stringContaining("move it to nodejs/node_modules/"),
    ]);
  });
});

describe("npm manifests", () => {
  test("a local npm install beside the manifest is never shipped: the laptop and a fresh clone build the same bytes", () => {
    const dep = packedDependency();
    const manifest = { name: "deps", version: "1.0.0", dependencies: { "tiny-dep": `file:${dep}` }, devDependencies: { jest: "29.0.0" } };
    const clean = tree({ "nodejs/package.json": JSON.stringify(manifest) });
    const laptop = tree({
      "nodejs/package.json": JSON.stringify(manifest),
      "nodejs/node_modules/jest/index.js": "dev only",
      "nodejs/node_modules/tiny-dep/index.js": "exports.answer = () => 'stale';\n",
      "nodejs/node_modules/tiny-dep/build/Release/addon.node": "\xcf\xfa\xed\xfe macOS binary",
    });
    const opts = { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] };
    const fromClone = build(clean, opts);
    const fromLaptop = build(laptop, opts);
    expect(fromLaptop.contentSha256).toBe(fromClone.contentSha256);
    expect(fromLaptop.entries.filter((e) => e.includes("jest") || e.endsWith(".node"))).toEqual([]);
    expect(fromLaptop.warnings).toContainEqual(
      expect.stringContaining("nodejs/node_modules/ (a local npm install beside nodejs/package.json) is not shipped"),
    );
    expect(node(fromLaptop.path, "console.log(require('tiny-dep').answer())")).toBe("42");
  });

  test("a lock file is build input, not content", () => {
    const dep = packedDependency();
    const src = tree({
      "nodejs/package.json": JSON.stringify({ name: "deps", version: "1.0.0", dependencies: { "tiny-dep": `file:${dep}` } }),
    });
    execFileSync("npm", ["install", "--package-lock-only", "--offline", "--no-audit", "--no-fund"], { cwd: path.join(src, "nodejs") });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(archive.entries).toEqual([
      "nodejs/node_modules/tiny-dep/index.js",
      "nodejs/node_modules/tiny-dep/package.json",
      "nodejs/package.json",
    ]);
  });

  test("optionalDependencies alone are installed", () => {
    const dep = packedDependency();
    const src = tree({
      "nodejs/package.json": JSON.stringify({ name: "deps", version: "1.0.0", optionalDependencies: { "tiny-dep": `file:${dep}` } }),
    });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(node(archive.path, "console.log(require('tiny-dep').answer())")).toBe("42");
  });

  test("the Node layout of docs/layers.md (nodejs/package.json and its lock file) passes inspect, and no synth warns about the manifest", () => {
    const dep = packedDependency();
    const src = tree({
      "nodejs/package.json": JSON.stringify({ name: "deps", version: "1.0.0", dependencies: { "tiny-dep": `file:${dep}` } }),
    });
    execFileSync("npm", ["install", "--package-lock-only", "--offline", "--no-audit", "--no-fund"], { cwd: path.join(src, "nodejs") });
    // inspect installs the declared dependencies as the build does (issue 21.4), so the package is there with its files
    const report = inspectLayer(src, { runtimes: ["nodejs20.x"], npmArgs: ["--offline"], cacheDir: tempDir("cache-") });
    expect(inspectProblems(report)).toEqual([]);
    expect(inspectIncomplete(report)).toEqual([]);
    expect(report.packages).toEqual([
      expect.objectContaining({ path: "/opt/nodejs/node_modules/tiny-dep", files: 2, loadedBy: ["nodejs20.x"] }),
    ]);
    expect(report.warnings.filter((w) => w.includes("search path"))).toEqual([]);
    expect(build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] }).warnings).toEqual([]);
  });
});
