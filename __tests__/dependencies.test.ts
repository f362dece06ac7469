// Dependency installs: relative paths as the user wrote them, every local input in the cache key
// and out of the layer, reproducibility warnings, an install publish that two builds can share.
// PyPI and the npm registry are not used: wheels and tarballs are made here.
import { execFileSync, spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive, BuildLayerArchiveOptions, LayerValidationError } from "../modules";
import { publishInstall } from "../modules/packaging/dependencies";
import { pipInputs } from "../modules/packaging/install-inputs";
import { tempDir, tree, writeTree } from "./helpers/files";
import { runWithOpt, unpackOpt } from "./helpers/lambda-env";
import { makeWheel } from "./helpers/wheels";

const build = (source: string, extra: Partial<BuildLayerArchiveOptions> = {}) =>
  buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-"), ...extra });

function greet(zip: string): string {
  const r = runWithOpt(unpackOpt([zip]), "python3.12", "python3", ["-c", "import tinydep; print(tinydep.greet('layer'))"]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

function packTiny(dir: string, answer: number): string {
  const pkg = writeTree(path.join(tempDir(), "tiny-dep"), {
    "package.json": JSON.stringify({ name: "tiny-dep", version: "1.0.0", main: "index.js" }),
    "index.js": `exports.answer = () => ${answer};\n`,
  });
  fs.mkdirSync(dir, { recursive: true });
  const file = execFileSync("npm", ["pack", "--silent", "--pack-destination", dir], { cwd: pkg, encoding: "utf8" })
    .trim()
    .split("\n")
    .pop()!;
  return path.join(dir, file);
}

function answer(zip: string): string {
  const r = runWithOpt(unpackOpt([zip]), "nodejs20.x", "node", ["-e", "console.log(require('tiny-dep').answer())"]);
  expect(r.stderr).toBe("");
  return r.stdout.trim();
}

describe("pip: relative paths resolve from the manifest's folder", () => {
  test("docs/layers.md's --find-links ./wheels works, and wheels/ is not shipped", () => {
    const src = tree({ "python/app.py": "", "requirements.txt": "tinydep==1.0\n" });
    makeWheel(path.join(src, "wheels"));
    const archive = build(src, { pipArgs: ["--no-index", "--find-links", "./wheels"] });
    expect(greet(archive.path)).toBe("hello layer");
    expect(archive.entries.filter((e) => e.includes("wheels") || e.endsWith(".txt"))).toEqual([]);
  });

  test("-r and -c includes and a local wheel path inside requirements.txt work, and are not shipped", () => {
    const src = tree({
      "python/app.py": "",
      "requirements.txt": "-r deps/base.txt\n-c deps/constraints.txt\n",
      "deps/base.txt": "./wheels/tinydep-1.0-py3-none-any.whl\n",
      "deps/constraints.txt": "tinydep==1.0\n",
    });
    makeWheel(path.join(src, "wheels"));
    const archive = build(src, { pipArgs: ["--no-index"] });
    expect(greet(archive.path)).toBe("hello layer");
    expect(archive.entries.filter((e) => !e.startsWith("python/"))).toEqual([]);
    expect(archive.entries.filter((e) => e.includes("wheels") || e.includes("deps/"))).toEqual([]);
  });

  test("a failed install's fix names a command that runs and a folder that exists", () => {
    const src = tree({ "python/a.py": "", "requirements.txt": "no-such-package-xyz==9.9\n" });
    let caught: unknown;
    try {
      build(src, { pipArgs: ["--no-index", "--find-links", tempDir()] });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    const message = (caught as LayerValidationError).message;
    expect(message).not.toContain(".tmp-");
    expect(message).toContain('--target "$(mktemp -d)"/out');
    expect(message).toContain(`Fix: run that command in ${src} `);
  });
});

describe("the install cache is keyed on everything the install reads", () => {
  test("a rebuilt wheel of the same version installs again, through find-links and as a direct path", () => {
    for (const [requirements, pipArgs] of [
      ["tinydep==1.0\n", ["--no-index", "--find-links", "./wheels"]],
      ["./wheels/tinydep-1.0-py3-none-any.whl\n", ["--no-index"]],
    ] as const) {
      const src = tree({ "python/app.py": "", "requirements.txt": requirements });
      const outDir = tempDir("cache-");
      makeWheel(path.join(src, "wheels"), "hello");
      expect(greet(build(src, { outDir, pipArgs: [...pipArgs] }).path)).toBe("hello layer");
      makeWheel(path.join(src, "wheels"), "howdy");
      expect(greet(build(src, { outDir, pipArgs: [...pipArgs] }).path)).toBe("howdy layer");
    }
  });

  test("a re-packed npm tarball of the same version installs again; a relative file: path two levels up works", () => {
    const root = tempDir();
    const src = path.join(root, "layers", "deps");
    writeTree(src, {
      "nodejs/package.json": JSON.stringify({
        name: "deps",
        version: "1.0.0",
        dependencies: { "tiny-dep": "file:../../../vendor/tiny-dep-1.0.0.tgz" },
      }),
    });
    const outDir = tempDir("cache-");
    const opts = { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"], outDir };
    packTiny(path.join(root, "vendor"), 1);
    expect(answer(build(src, opts).path)).toBe("1");
    packTiny(path.join(root, "vendor"), 2);
    expect(answer(build(src, opts).path)).toBe("2");
  });

  test("a file: tarball inside the layer folder is build input, not content", () => {
    const src = tree({
      "nodejs/package.json": JSON.stringify({
        name: "deps",
        version: "1.0.0",
        dependencies: { "tiny-dep": "file:vendor/tiny-dep-1.0.0.tgz" },
      }),
    });
    packTiny(path.join(src, "nodejs", "vendor"), 3);
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(answer(archive.path)).toBe("3");
    expect(archive.entries.filter((e) => e.includes("vendor"))).toEqual([]);
  });

  test("pipInputs lists includes, wheels and find-links folders with sizes and hashes", () => {
    const src = tree({ "requirements.txt": "-r more.txt\nrequests>=2\n", "more.txt": "tinydep==1.0\n" });
    makeWheel(path.join(src, "wheels"));
    const inputs = pipInputs(path.join(src, "requirements.txt"), ["--find-links=wheels"]);
    expect(inputs.paths).toEqual([path.join(src, "more.txt"), path.join(src, "requirements.txt"), path.join(src, "wheels")]);
    expect(inputs.args).toEqual(["--find-links", path.join(src, "wheels")]);
    expect(JSON.stringify(inputs.fingerprint)).toMatch(/"tinydep-1.0-py3-none-any.whl",\d+,"[0-9a-f]{64}"/);
    expect(inputs.warnings).toEqual([expect.stringContaining("does not pin requests to one version")]);
  });
});

describe("reproducibility warnings", () => {
  test("unpinned requirements and a package.json without a lock file are warned about", () => {
    const src = tree({ "python/app.py": "", "requirements.txt": "tinydep\n" });
    makeWheel(path.join(src, "wheels"));
    const archive = build(src, { pipArgs: ["--no-index", "--find-links", "./wheels"] });
    expect(archive.warnings).toContainEqual(expect.stringContaining("requirements.txt does not pin tinydep to one version"));

    const node = tree({
      "nodejs/package.json": JSON.stringify({ name: "d", version: "1.0.0", dependencies: { "tiny-dep": "file:tiny-dep-1.0.0.tgz" } }),
    });
    packTiny(path.join(node, "nodejs"), 4);
    const outDir = tempDir("cache-");
    const opts = { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"], outDir };
    expect(build(node, opts).warnings).toContainEqual(expect.stringContaining("package.json has no package-lock.json"));
    expect(build(node, opts).warnings).toContainEqual(expect.stringContaining("package.json has no package-lock.json")); // cached too
  });
});

describe("publishing an install into a shared cache", () => {
  const install = (content: string) => {
    const work = writeTree(tempDir("work-"), { "out/a.py": content, ".complete": "" });
    return work;
  };

  test("keeps the first complete install, which another build may be reading, and drops the second", () => {
    const deps = tempDir("deps-");
    const root = path.join(deps, "key");
    publishInstall(install("first"), root);
    const inode = fs.statSync(path.join(root, "out/a.py")).ino;
    const second = install("second");
    publishInstall(second, root);
    expect(fs.readFileSync(path.join(root, "out/a.py"), "utf8")).toBe("first");
    expect(fs.statSync(path.join(root, "out/a.py")).ino).toBe(inode);
  });

  test("replaces a leftover without .complete", () => {
    const root = path.join(tempDir("deps-"), "key");
    writeTree(root, { "out/half.py": "" });
    publishInstall(install("whole"), root);
    expect(fs.readdirSync(path.join(root, "out"))).toEqual(["a.py"]);
  });

  test("two builds installing the same requirements into one cache at once both succeed", async () => {
    const src = tree({ "python/app.py": "", "requirements.txt": "tinydep==1.0\n" });
    makeWheel(path.join(src, "wheels"));
    const cache = tempDir("shared-cache-");
    const script = `require("ts-node/register/transpile-only");
      const a = require("./modules").buildLayerArchive({ source: ${JSON.stringify(src)}, compatibleRuntimes: ["python3.12"], outDir: ${JSON.stringify(cache)}, pipArgs: ["--no-index", "--find-links", "./wheels"] });
      console.log(a.contentSha256);`;
    const runs = await Promise.all(
      [1, 2].map(
        () =>
          new Promise<{ code: number | null; out: string }>((resolve) => {
            const child = spawn("node", ["-e", script], {
              cwd: path.resolve(__dirname, ".."),
              env: { ...process.env, CDKTF_LAYERS_QUIET: "1" },
            });
            let out = "";
            child.stdout.on("data", (d) => (out += d));
            child.stderr.on("data", (d) => (out += d));
            child.on("close", (code) => resolve({ code, out }));
          }),
      ),
    );
    expect(runs.map((r) => r.code)).toEqual([0, 0]);
    expect(new Set(runs.map((r) => r.out.trim())).size).toBe(1);
  });
});
