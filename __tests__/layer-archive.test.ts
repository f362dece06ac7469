import { execFileSync, spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive, BuildLayerArchiveOptions, LayerValidationError } from "../modules";
import { isDefaultExcluded } from "../modules/packaging/source-files";
import { elfHeader } from "./helpers/elf";
import { settle, tempDir, tree, unzipTo, writeTree } from "./helpers/files";
import { makeWheel as makeTinyWheel } from "./helpers/wheels";
import { awsKeyPair, openSshPrivateKey, rsaPrivateKeyPem } from "./helpers/secrets";

const PY = ["python3.12"];
const build = (source: string, extra: Partial<BuildLayerArchiveOptions> = {}) =>
  buildLayerArchive({ source, compatibleRuntimes: PY, outDir: tempDir("cache-"), ...extra });

function zipModes(zip: string): Record<string, string> {
  const script =
    "import json,sys,zipfile\nprint(json.dumps({i.filename: oct(i.external_attr >> 16) for i in zipfile.ZipFile(sys.argv[1]).infolist()}))";
  return JSON.parse(execFileSync("python3", ["-c", script, zip], { encoding: "utf8" }));
}

function expectError(fn: () => unknown, field: string, ...fragments: Array<string | RegExp>): LayerValidationError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(LayerValidationError);
  const err = caught as LayerValidationError;
  expect(err.field).toBe(field);
  expect(err.message).toContain("Fix:");
  for (const f of fragments) expect(err.message).toMatch(f);
  return err;
}

describe("layouts", () => {
  test.each([
    ["python/ package", PY, { "python/mylib/__init__.py": "X = 1\n" }, ["python/mylib/__init__.py"]],
    [
      "versioned site-packages",
      PY,
      { "python/lib/python3.12/site-packages/mylib.py": "X = 1\n" },
      ["python/lib/python3.12/site-packages/mylib.py"],
    ],
    [
      "plain python folder placed under python/",
      PY,
      { "mylib/__init__.py": "X = 1\n", "helpers.py": "" },
      ["python/helpers.py", "python/mylib/__init__.py"],
    ],
    ["node_modules", ["nodejs20.x"], { "nodejs/node_modules/lib-a/index.js": "" }, ["nodejs/node_modules/lib-a/index.js"]],
    [
      "versioned node folder",
      ["nodejs20.x"],
      { "nodejs/node20/node_modules/lib-a/index.js": "" },
      ["nodejs/node20/node_modules/lib-a/index.js"],
    ],
    [
      "plain node package placed by its name",
      ["nodejs20.x"],
      { "package.json": '{"name":"my-lib"}', "index.js": "" },
      ["nodejs/node_modules/my-lib/index.js", "nodejs/node_modules/my-lib/package.json"],
    ],
    ["ruby gems", ["ruby3.3"], { "ruby/gems/3.3.0/gems/x-1/lib/x.rb": "" }, ["ruby/gems/3.3.0/gems/x-1/lib/x.rb"]],
    ["plain ruby folder under ruby/lib", ["ruby3.3"], { "x.rb": "" }, ["ruby/lib/x.rb"]],
    ["java jars", ["java21"], { "java/lib/x.jar": "jar" }, ["java/lib/x.jar"]],
    ["bin/ serves every runtime", ["python3.12", "nodejs20.x"], { "bin/tool": "#!/bin/sh\n" }, ["bin/tool"]],
    ["lib/ shared objects", PY, { "lib/libfoo.so.1": "\x7fELF" }, ["lib/libfoo.so.1"]],
    ["custom runtime bootstrap", ["provided.al2023"], { bootstrap: "#!/bin/sh\n" }, ["bootstrap"]],
    [
      "two families laid out",
      ["python3.12", "nodejs20.x"],
      { "python/a.py": "", "nodejs/node_modules/b/index.js": "" },
      ["nodejs/node_modules/b/index.js", "python/a.py"],
    ],
  ])("accepts %s", (_name, runtimes, files, entries) => {
    const archive = build(tree(files), { compatibleRuntimes: runtimes });
    expect(archive.entries).toEqual(entries);
  });

  test.each([
    [
      "site-packages of another Python",
      PY,
      { "python/lib/python3.11/site-packages/mylib.py": "" },
      /python\/lib\/python3.11\/site-packages is imported only by python3.11/,
    ],
    ["node code outside node_modules", ["nodejs20.x"], { "nodejs/index.js": "" }, /outside node_modules\/ are not on NODE_PATH/],
    [
      "node folder of another major version",
      ["nodejs22.x"],
      { "nodejs/node18/node_modules/a/index.js": "" },
      /node18\/node_modules is read only by nodejs18.x/,
    ],
    ["content for an undeclared runtime", ["nodejs20.x"], { "python/a.py": "" }, /python\/ serves a runtime that is not declared/],
    ["java classes outside java/lib", ["java21"], { "java/x.jar": "" }, /\/opt\/java\/lib\//],
  ])("refuses %s, saying where Lambda looks", (_name, runtimes, files, hint) => {
    const err = expectError(
      () => build(tree(files), { compatibleRuntimes: runtimes }),
      "source",
      hint,
      /Lambda extracts a layer into \/opt and looks in/,
    );
    expect(err.message).toContain(runtimes[0]);
  });

  test("refuses a plain folder when runtimes span families", () => {
    expectError(
      () => build(tree({ "a.py": "" }), { compatibleRuntimes: ["python3.12", "nodejs20.x"] }),
      "source",
      /several families \(python, nodejs\)/,
    );
  });

  test("refuses a plain Node.js folder without a package name", () => {
    expectError(() => build(tree({ "index.js": "" }), { compatibleRuntimes: ["nodejs20.x"] }), "source", /package.json with a "name"/);
  });

  test("warns about declared runtimes that find nothing and about stray top-level files", () => {
    const archive = build(tree({ "python/a.py": "", "README.md": "hi" }), { compatibleRuntimes: ["python3.12", "nodejs20.x"] });
    expect(archive.warnings).toEqual([
      expect.stringContaining("nodejs20.x is declared compatible but finds nothing"),
      expect.stringContaining("/opt/README.md lie on no search path"),
    ]);
  });
});

describe("excludes", () => {
  const files = {
    "python/pkg/__init__.py": "",
    "python/pkg/__pycache__/x.cpython-312.pyc": "",
    "python/pkg/mod.pyc": "",
    "python/pkg/tests/test_x.py": "",
    "python/pkg/.DS_Store": "",
    "python/.git/HEAD": "",
    "python/pkg/docs/index.md": "",
    "python/pkg/data.csv": "",
  };

  test("leaves out caches, VCS folders, .DS_Store and test folders by default", () => {
    expect(build(tree(files)).entries).toEqual(["python/pkg/__init__.py", "python/pkg/data.csv", "python/pkg/docs/index.md"]);
  });

  test("applies the user's globs on top, pruning whole folders", () => {
    expect(build(tree(files), { excludes: ["**/docs", "**/*.csv"] }).entries).toEqual(["python/pkg/__init__.py"]);
  });

  test("keeps everything with defaultExcludes: false", () => {
    expect(build(tree(files), { defaultExcludes: false }).entries).toHaveLength(8);
  });

  test.each<[string, boolean, boolean]>([
    ["node_modules/test", true, false],
    ["nodejs/node_modules/@playwright/test", true, false],
    ["nodejs/node_modules/@scope/tests", true, false],
    ["@scope/test", true, true],
    ["nodejs/node_modules/@playwright/test/tests", true, true],
    ["nodejs/node_modules/a/test", true, true],
    ["nodejs/node_modules/not-scope/test", true, true],
    ["nodejs/node_modules/@scope/pkg/test", true, true],
    ["nodejs/node_modules/@scope/__pycache__", true, true],
    ["python/tests", true, true],
    ["python/lib/python3.12/site-packages/test", true, true],
    ["nodejs/node_modules/test", false, false],
    ["nodejs/node_modules/x.pyc", true, false],
    ["nodejs/node_modules/x/y.pyc", false, true],
  ])("isDefaultExcluded(%j, folder: %j) is %j", (rel, isDir, expected) => {
    expect(isDefaultExcluded(rel, isDir)).toBe(expected);
  });

  test("keeps a package named like a test folder, scoped or not, and drops the test folders inside packages", () => {
    const source = tree({
      "nodejs/node_modules/test/index.js": "",
      "nodejs/node_modules/a/test/spec.js": "",
      "nodejs/node_modules/@playwright/test/package.json": '{"name":"@playwright/test"}',
      "nodejs/node_modules/@playwright/test/index.js": "",
      "nodejs/node_modules/@playwright/test/tests/spec.js": "",
      "nodejs/node_modules/@scope/tests/index.js": "",
      "nodejs/node_modules/@scope/__tests__/index.js": "",
      "nodejs/node_modules/@scope/pkg/test/spec.js": "",
      "nodejs/node_modules/@scope/pkg/node_modules/@inner/test/index.js": "",
      "nodejs/node_modules/not-a-scope/test/spec.js": "",
      "nodejs/lib/@scope/test/spec.js": "",
      "python/test/test_x.py": "",
      "python/pkg/tests/test_x.py": "",
    });
    const archive = build(source, { compatibleRuntimes: ["nodejs20.x", "python3.12"] });
    expect(archive.entries).toEqual([
      "nodejs/node_modules/@playwright/test/index.js",
      "nodejs/node_modules/@playwright/test/package.json",
      "nodejs/node_modules/@scope/__tests__/index.js",
      "nodejs/node_modules/@scope/pkg/node_modules/@inner/test/index.js",
      "nodejs/node_modules/@scope/tests/index.js",
      "nodejs/node_modules/test/index.js",
    ]);
    // In the zip itself, where require("@playwright/test") will look for it.
    expect(fs.existsSync(path.join(unzipTo(archive.path), "nodejs/node_modules/@playwright/test/package.json"))).toBe(true);
  });
});

describe("names that are not UTF-8", () => {
  // A Latin-1 name, as an old archive or a Windows share leaves it: the bytes 0xff and 0xe9 begin no UTF-8 character.
  const latin1 = (name: string) => Buffer.from(name, "latin1");
  function sourceWith(...badNames: string[]): string {
    const source = tree({ "python/ok.py": "x = 1\n" });
    for (const name of badNames) {
      const abs = latin1(path.join(source, name));
      if (name.endsWith("/")) fs.mkdirSync(abs);
      else fs.writeFileSync(abs, "y = 2\n");
    }
    return source;
  }

  test("a file is refused by name, its bytes escaped, with the exclude that skips it", () => {
    const source = sourceWith("python/bad\xff.py");
    const err = expectError(
      () => build(source),
      "source",
      'contains "python/bad\\xff.py", a name that is not valid UTF-8',
      "rename it to a UTF-8 name",
      'or leave it out with "python/bad*.py" in `excludes`',
    );
    expect(err.message).not.toMatch(/ENOENT/);
    // The suggested exclude works: the file is never stat'ed (a stat of the decoded name fails).
    expect(build(source, { excludes: ["python/bad*.py"] }).entries).toEqual(["python/ok.py"]);
  });

  test("a folder is refused the same way, and skipped whole when excluded", () => {
    const source = sourceWith("python/caf\xe9/");
    fs.writeFileSync(latin1(path.join(source, "python/caf\xe9/mod.py")), "");
    expectError(() => build(source), "source", 'contains "python/caf\\xe9"', '"python/caf*" in `excludes`');
    expect(build(source, { excludes: ["python/caf*"] }).entries).toEqual(["python/ok.py"]);
  });

  test("inside a default-excluded folder or with a default-excluded suffix it is skipped without a word", () => {
    const source = sourceWith("python/__pycache__/", "python/__pycache__/m\xff.cpython-312.pyc", "python/old\xff.pyc");
    expect(build(source).entries).toEqual(["python/ok.py"]);
  });

  test("a link whose target's name is not UTF-8 is refused as such, not as a dangling link", () => {
    const source = sourceWith("python/t\xe9.py");
    fs.symlinkSync(latin1("t\xe9.py"), path.join(source, "python/link.py"));
    expectError(() => build(source, { excludes: ["python/t*.py"] }), "source", 'contains "python/link.py (a link to t\\xe9.py)"');
  });

  test("a name holding the character U+FFFD itself is valid UTF-8 and archived", () => {
    const archive = build(tree({ "python/ok.py": "", "python/r\uFFFDsum\u00e9.py": "" }));
    expect(archive.entries).toEqual(["python/ok.py", "python/r\uFFFDsum\u00e9.py"]);
  });
});

describe("modes", () => {
  test("normalises to 0644, and 0755 for executables, bin/ and a bootstrap", () => {
    const src = tree({
      bootstrap: { content: "#!/bin/sh\n", mode: 0o600 },
      "bin/tool": { content: "#!/bin/sh\n", mode: 0o644 },
      "lib/run.sh": { content: "#!/bin/sh\n", mode: 0o700 },
      "lib/data.txt": { content: "x", mode: 0o666 },
      "lib/private.txt": { content: "x", mode: 0o600 },
    });
    const modes = zipModes(build(src, { compatibleRuntimes: ["provided.al2023"] }).path);
    expect(modes).toEqual({
      "bin/": "0o40755",
      "bin/tool": "0o100755",
      bootstrap: "0o100755",
      "lib/": "0o40755",
      "lib/data.txt": "0o100644",
      "lib/private.txt": "0o100644",
      "lib/run.sh": "0o100755",
    });
  });
});

describe("reproducibility", () => {
  const FILES = {
    "python/pkg/__init__.py": "from .core import run\n",
    "python/pkg/core.py": "def run():\n    return 42\n",
    "python/pkg/data/table.json": JSON.stringify({ rows: Array.from({ length: 200 }, (_, i) => i) }),
    "bin/helper": { content: "#!/bin/sh\necho helper\n", mode: 0o755 },
  };

  /** Writes FILES in the given order under the given umask, then sets every mtime. */
  function copyWith(order: string[], umask: number, mtime: Date): string {
    const old = process.umask(umask);
    try {
      const dir = tempDir("repro-");
      for (const rel of order) writeTree(dir, { [rel]: (FILES as unknown as Record<string, string>)[rel] });
      if ((FILES["bin/helper"].mode & ~umask) !== 0o755) fs.chmodSync(path.join(dir, "bin/helper"), 0o755 & ~umask);
      for (const rel of order) fs.utimesSync(path.join(dir, rel), mtime, mtime);
      return dir;
    } finally {
      process.umask(old);
    }
  }

  test("same zip bytes and content identity across touch, umask, creation order and folder location", () => {
    const names = Object.keys(FILES);
    const a = build(copyWith(names, 0o022, new Date("2001-01-01")), { compatibleRuntimes: PY });
    const b = build(copyWith([...names].reverse(), 0o077, new Date("2031-06-15")), { compatibleRuntimes: PY });
    expect(b.zipSha256).toBe(a.zipSha256);
    expect(b.contentSha256).toBe(a.contentSha256);
    expect(fs.readFileSync(b.path).equals(fs.readFileSync(a.path))).toBe(true);
    expect(a.contentBase64Sha256).toBe(Buffer.from(a.contentSha256, "hex").toString("base64"));
    expect(a.zipSha256).toBe(crypto.createHash("sha256").update(fs.readFileSync(a.path)).digest("hex"));
  });

  test("a changed byte changes the content identity and the zip", () => {
    const names = Object.keys(FILES);
    const src = copyWith(names, 0o022, new Date("2001-01-01"));
    const before = build(src);
    fs.appendFileSync(path.join(src, "python/pkg/core.py"), "#\n");
    const after = build(src);
    expect(after.contentSha256).not.toBe(before.contentSha256);
    expect(after.zipSha256).not.toBe(before.zipSha256);
  });
});

describe("cache", () => {
  test("a metadata hit returns the layout's warnings without running the layout rules; other runtimes run them again", () => {
    const src = tree({ "python/a.py": "A = 1\n", "docs/readme.txt": "hi\n" });
    settle();
    const outDir = tempDir("cache-");
    const runtimes = ["python3.12", "nodejs20.x"];
    const first = build(src, { outDir, compatibleRuntimes: runtimes });
    expect(first.warnings).toEqual([
      expect.stringContaining("nodejs20.x is declared compatible but finds nothing"),
      expect.stringContaining("/opt/docs/readme.txt lie on no search path"),
    ]);
    const layout = require("../modules/checks/layout") as typeof import("../modules/checks/layout");
    const checkLayout = layout.checkLayout;
    let calls = 0;
    layout.checkLayout = (...args) => (calls++, checkLayout(...args));
    try {
      const again = build(src, { outDir, compatibleRuntimes: runtimes });
      expect([again.cache, again.warnings, calls]).toEqual(["metadata-hit", first.warnings, 0]);
      // Another runtime list is another key: the rules run, and refuse a layout nothing loads.
      expect(() => build(src, { outDir, compatibleRuntimes: ["nodejs20.x"] })).toThrow(/holds nothing the declared runtimes would load/);
      expect(calls).toBe(1);
    } finally {
      layout.checkLayout = checkLayout;
    }
  });

  test("reuses the archive by metadata, then by content after touch, and rebuilds on change", () => {
    const src = tree({ "python/a.py": "A = 1\n" });
    settle();
    const outDir = tempDir("cache-");
    const first = build(src, { outDir });
    expect(first.cache).toBe("built");
    expect(build(src, { outDir }).cache).toBe("metadata-hit");
    const later = new Date(Date.now() + 60_000);
    fs.utimesSync(path.join(src, "python/a.py"), later, later);
    const touched = build(src, { outDir });
    expect(touched.cache).toBe("content-hit");
    expect(touched.contentSha256).toBe(first.contentSha256);
    expect(touched.zipSha256).toBe(first.zipSha256);
    fs.writeFileSync(path.join(src, "python/a.py"), "A = 2\n");
    const changed = build(src, { outDir });
    expect(changed.cache).toBe("built");
    expect(changed.contentSha256).not.toBe(first.contentSha256);
  });

  describe("rebuilds after a same-size rewrite that restores the mtime", () => {
    /** Rewrites python/a.py with same-size content and puts the old mtime back, the way `how` does. */
    const rewrites: Array<[string, (file: string, content: string) => void]> = [
      [
        "cp -p",
        (file, content) => {
          const from = path.join(tempDir("cp-"), "a.py");
          fs.writeFileSync(from, content);
          const { mtime } = fs.statSync(file);
          fs.utimesSync(from, mtime, mtime);
          execFileSync("cp", ["-p", from, file]); // overwrites in place: same inode
        },
      ],
      [
        "rsync -a (temporary file, utimes, rename)",
        (file, content) => {
          const { mtime } = fs.statSync(file);
          const tmp = path.join(path.dirname(file), ".a.py.Xy12Zq");
          fs.writeFileSync(tmp, content);
          fs.utimesSync(tmp, mtime, mtime);
          fs.renameSync(tmp, file);
        },
      ],
      [
        "tar x",
        (file, content) => {
          const staging = tempDir("tar-");
          fs.writeFileSync(path.join(staging, "a.py"), content);
          const { mtime } = fs.statSync(file);
          fs.utimesSync(path.join(staging, "a.py"), mtime, mtime);
          const tarball = path.join(tempDir("tarball-"), "a.tar");
          execFileSync("tar", ["-cf", tarball, "-C", staging, "a.py"]);
          execFileSync("tar", ["-xf", tarball, "-C", path.dirname(file)]);
        },
      ],
    ];
    test.each(rewrites)("%s", (_how, rewrite) => {
      const src = tree({ "python/a.py": "A = 1\n" });
      const file = path.join(src, "python/a.py");
      fs.utimesSync(file, new Date("2024-05-01T10:00:00Z"), new Date("2024-05-01T10:00:00Z")); // whole seconds, as tar keeps them
      const outDir = tempDir("cache-");
      const first = build(src, { outDir });
      const before = fs.statSync(file);
      rewrite(file, "A = 2\n");
      const after = fs.statSync(file);
      expect([after.size, after.mtimeMs]).toEqual([before.size, before.mtimeMs]); // what the old fingerprint compared
      const again = build(src, { outDir });
      expect(again.cache).toBe("built");
      expect(again.contentSha256).not.toBe(first.contentSha256);
      expect(fs.readFileSync(path.join(unzipTo(again.path), "python/a.py"), "utf8")).toBe("A = 2\n");
    });
  });

  test('never archives its own cache inside the source (source "." with the default ./.layer-cache)', () => {
    const src = tree({ "python/a.py": "A = 1\n" });
    settle();
    const outDir = path.join(src, ".layer-cache");
    const first = build(src, { outDir });
    const second = build(src, { outDir });
    expect(second.entries).toEqual(["python/a.py"]);
    expect(second.contentSha256).toBe(first.contentSha256);
    expect(build(src, { outDir }).cache).toBe("metadata-hit");
  });

  test("never archives a cdktf output folder or another tagged cache under the layer folder", () => {
    const src = tree({ "python/a.py": "A = 1\n", "cdktf.out/stacks/s/assets/x/layer.zip": "PK", "python/cdktf.out/manifest.json": "{}" });
    build(src, { outDir: path.join(src, "python", "cache-of-another-build") }); // tags that folder CACHEDIR.TAG
    const other = path.join(src, "python", "cache-of-another-build");
    expect(fs.readFileSync(path.join(other, "CACHEDIR.TAG"), "utf8")).toMatch(/^Signature: 8a477f597d28d172789f06886806bc55/);
    expect(build(src).entries).toEqual(["python/a.py"]);
  });

  test("never archives the app's output folder named by CDKTF_OUTDIR", () => {
    const src = tree({ "python/a.py": "A = 1\n", "python/synth-out/stacks/s/cdk.tf.json": "{}" });
    const saved = process.env.CDKTF_OUTDIR;
    process.env.CDKTF_OUTDIR = path.join(src, "python", "synth-out");
    try {
      expect(build(src).entries).toEqual(["python/a.py"]);
    } finally {
      if (saved === undefined) delete process.env.CDKTF_OUTDIR;
      else process.env.CDKTF_OUTDIR = saved;
    }
  });

  test("rebuilds when the cached zip was deleted", () => {
    const src = tree({ "python/a.py": "A = 1\n" });
    const outDir = tempDir("cache-");
    const first = build(src, { outDir });
    fs.rmSync(first.path);
    const again = build(src, { outDir });
    expect(again.cache).toBe("built");
    expect(fs.existsSync(again.path)).toBe(true);
  });
});

describe("secrets and symlinks", () => {
  test.each([
    // A name rule names the file; a content rule names the file and the line where the value starts.
    [".env", "TOKEN=x", "", "dotenv file"],
    ["config/.env.production", "TOKEN=x", "", "dotenv file"],
    ["keys/id_rsa", "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n", "", "SSH private key"],
    ["keys/deploy", openSshPrivateKey(), ":1", "private key"],
    [".aws/credentials", "[default]\n", "", "AWS credentials file"],
    ["server.pem", rsaPrivateKeyPem(), ":1", "private key"],
    ["settings.py", "import os\n\nKEY = 'AKIAZ7VQ2X4RT6MNB3LC'\n", ":3", "AWS access key id"],
    ["conf.ini", `[default]\nAWS_SECRET_ACCESS_KEY = ${awsKeyPair().secret}\n`, ":2", "AWS secret access key"],
  ])("refuses %s", (rel, content, line, why) => {
    const cache = tempDir("cache-");
    expectError(
      () => build(tree({ "python/ok.py": "", [`python/${rel}`]: content }), { outDir: cache }),
      "source",
      `python/${rel}${line} (${why})`,
      /allowSecrets/,
    );
    expect(fs.readdirSync(cache).filter((d) => d === "archives" || d === "index")).toEqual([]); // nothing written
  });

  test.each([
    ["certifi/cacert.pem", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"],
    ["botocore/docs.txt", "example key AKIAIOSFODNN7EXAMPLE\n"],
    [".env.example", "TOKEN=\n"],
    ["keys/id_rsa.pub", "ssh-rsa AAAA\n"],
    ["sshkeys/id_rsa.py", "def load(path): ...\n"],
    ["botocore/session.py", "def create_client(self, aws_secret_access_key=None):\n"],
  ])("accepts %s, which only looks like a secret", (rel, content) => {
    expect(build(tree({ [`python/${rel}`]: content })).entries).toContain(`python/${rel}`);
  });

  test("accepts a secret the user allows by name", () => {
    const archive = build(tree({ "python/.env": "X=1", "python/a.py": "" }), { allowSecrets: ["python/.env"] });
    expect(archive.entries).toContain("python/.env");
  });

  test("follows symlinks inside the source and refuses one that escapes", () => {
    const outside = tree({ "secret.txt": "x" });
    const inside = tree({ "python/real/mod.py": "X = 1\n" });
    fs.symlinkSync(path.join(inside, "python/real"), path.join(inside, "python/alias"));
    expect(build(inside).entries).toEqual(["python/alias/mod.py", "python/real/mod.py"]);
    fs.symlinkSync(path.join(outside, "secret.txt"), path.join(inside, "python/leak.txt"));
    expectError(() => build(inside), "source", /symlink "python\/leak.txt" pointing outside the source folder/);
  });
});

describe("broken symlinks", () => {
  test("a dangling symlink is reported as dangling, with a fix that restores or removes it", () => {
    const src = tree({ "python/a.py": "" });
    fs.symlinkSync("gone.py", path.join(src, "python/b.py"));
    const err = expectError(
      () => build(src),
      "source",
      /symlink "python\/b.py" whose target "gone.py" does not exist/,
      /restore "gone.py"/,
    );
    expect(err.message).not.toMatch(/outside the source folder/);
  });

  test("a symlink loop is reported as a loop", () => {
    const src = tree({ "python/a.py": "" });
    fs.symlinkSync("loop-b", path.join(src, "python/loop-a"));
    fs.symlinkSync("loop-a", path.join(src, "python/loop-b"));
    const err = expectError(() => build(src), "source", /symlink "python\/loop-a" \(to "loop-b"\) that leads back to itself/);
    expect(err.message).not.toMatch(/outside the source folder/);
  });

  test("a broken symlink the user excludes is passed over, as the fix says", () => {
    const src = tree({ "python/a.py": "" });
    fs.symlinkSync("gone.py", path.join(src, "python/b.py"));
    expect(build(src, { excludes: ["python/b.py"] }).entries).toEqual(["python/a.py"]);
  });
});

describe("limits and bad sources", () => {
  test("refuses a missing, non-folder or empty source", () => {
    expectError(() => build("/nonexistent/layer"), "source", /is not an existing folder/, /"\/nonexistent\/layer"/);
    const file = path.join(tempDir(), "f.zip");
    fs.writeFileSync(file, "x");
    expectError(() => build(file), "source", /is a file, not a folder/);
    expectError(() => build(tempDir()), "source", /holds no files/);
    expectError(() => build(tree({ "python/__pycache__/a.pyc": "" })), "source", /holds no files once excludes are applied/);
  });

  test("refuses more than 250 MB unzipped before compressing anything", () => {
    const src = tree({ "python/a.py": "" });
    const big = path.join(src, "python", "big.bin");
    fs.writeFileSync(big, "");
    fs.truncateSync(big, 262_144_001); // sparse: costs no disk
    const cache = tempDir("cache-");
    expectError(() => build(src, { outDir: cache }), "source", /unzips to 250.0 MiB \(262144001 bytes\), over Lambda's limit/);
    expect(fs.existsSync(path.join(cache, "archives"))).toBe(false);
  });

  test("refuses more than 65,535 files and folders (no ZIP64), counting the folders, before writing anything", () => {
    const src = tempDir("many-");
    // 65,532 files in two folders: with python/, python/a/ and python/b/ that is 65,535 entries, the most a zip holds.
    for (const [dir, count] of [
      ["a", 40_000],
      ["b", 25_532],
    ] as const) {
      fs.mkdirSync(path.join(src, "python", dir), { recursive: true });
      for (let i = 0; i < count; i++) fs.writeFileSync(path.join(src, "python", dir, `m${i}.py`), "");
    }
    const cache = tempDir("cache-");
    expect(build(src, { outDir: cache }).entries).toHaveLength(65_532);
    fs.mkdirSync(path.join(src, "python", "c"));
    fs.writeFileSync(path.join(src, "python", "c", "one_more.py"), "");
    const again = tempDir("cache-");
    expectError(() => build(src, { outDir: again }), "source", /has 65537 files and folders, more than the 65,535 entries/);
    expect(fs.readdirSync(again)).toEqual([]);
  }, 120_000);

  test("refuses more than 50 MB zipped unless S3 upload is configured", () => {
    const src = tree({ "python/a.py": "" });
    fs.writeFileSync(path.join(src, "python", "random.bin"), require("crypto").randomBytes(53 * 1024 * 1024));
    const cache = tempDir("cache-");
    expectError(() => build(src, { outDir: cache }), "source", /zips to 5\d\.\d MiB .* over the 50.0 MiB .* direct upload/, /set `s3`/);
    const viaS3 = build(src, { outDir: cache, s3Upload: true });
    expect(viaS3.zippedBytes).toBeGreaterThan(52_428_800);
  });

  test("validates runtimes and architectures", () => {
    expectError(() => build(tree({ "python/a.py": "" }), { compatibleRuntimes: [] }), "compatibleRuntimes", /at least one runtime/);
    expectError(
      () => build(tree({ "python/a.py": "" }), { compatibleRuntimes: ["python2.7"] }),
      "compatibleRuntimes",
      /"python2.7"/,
      /python3.12/,
    );
    expectError(
      () => build(tree({ "python/a.py": "" }), { compatibleArchitectures: ["amd64"] }),
      "compatibleArchitectures",
      /"x86_64" or "arm64"/,
    );
  });
});

describe("dependencies", () => {
  /** The folder holding tinydep's wheel: a find-links source. */
  function makeWheel(dir: string): string {
    return path.dirname(makeTinyWheel(dir));
  }

  test("installs requirements.txt with pip from local wheels, once per manifest", () => {
    const wheels = makeWheel(tempDir("wheels-"));
    const src = tree({ "python/app_helpers.py": "from tinydep import greet\n", "requirements.txt": "tinydep==1.0\n" });
    const outDir = tempDir("cache-");
    const pipArgs = ["--no-index", "--find-links", wheels];
    const archive = build(src, { outDir, pipArgs, compatibleArchitectures: ["arm64"] });
    expect(archive.entries).toEqual(
      expect.arrayContaining(["python/app_helpers.py", "python/tinydep/__init__.py", "python/tinydep-1.0.dist-info/METADATA"]),
    );
    expect(archive.entries).not.toContain("requirements.txt");
    expect(archive.entries.some((e) => e.endsWith("/RECORD") || e.endsWith("/INSTALLER"))).toBe(false);

    const opt = unzipTo(archive.path);
    const out = execFileSync("python3", ["-c", "import app_helpers; print(app_helpers.greet('layer'))"], {
      env: { ...process.env, PYTHONPATH: path.join(opt, "python") },
      encoding: "utf8",
    });
    expect(out.trim()).toBe("hello layer");

    const depsBefore = fs.readdirSync(path.join(outDir, "deps"));
    fs.writeFileSync(path.join(src, "python/other.py"), "");
    build(src, { outDir, pipArgs, compatibleArchitectures: ["arm64"] });
    expect(fs.readdirSync(path.join(outDir, "deps"))).toEqual(depsBefore); // same manifest: no second install
  });

  test("reports a failing install with pip's own words and the command", () => {
    const src = tree({ "python/a.py": "", "requirements.txt": "no-such-package-xyz==9.9\n" });
    expectError(
      () => build(src, { pipArgs: ["--no-index", "--find-links", tempDir()] }),
      "source",
      /declares dependencies in requirements.txt that could not be installed: `python3 -m pip install/,
      /no-such-package-xyz/,
    );
  });

  test("installs package.json production dependencies with npm into nodejs/node_modules", () => {
    const pkg = tree({
      "package.json": JSON.stringify({ name: "tiny-dep", version: "1.0.0", main: "index.js" }),
      "index.js": "exports.answer = () => 42;\n",
    });
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", pkg], { cwd: pkg, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop()!;
    const src = tree({
      "nodejs/package.json": JSON.stringify({
        name: "deps",
        version: "1.0.0",
        dependencies: { "tiny-dep": `file:${path.join(pkg, packed)}` },
        devDependencies: { "left-out": "1.0.0" },
      }),
    });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(archive.entries).toEqual(expect.arrayContaining(["nodejs/node_modules/tiny-dep/index.js", "nodejs/package.json"]));
    const opt = unzipTo(archive.path);
    const r = spawnSync("node", ["-e", "console.log(require('tiny-dep').answer())"], {
      env: { ...process.env, NODE_PATH: path.join(opt, "nodejs/node_modules") },
      encoding: "utf8",
      cwd: tempDir(),
    });
    expect(r.stdout.trim()).toBe("42");
  });

  test("a scoped package named test (as @playwright/test is) installed by npm ships, and require() finds it in the zip", () => {
    const pkg = tree({
      "package.json": JSON.stringify({ name: "@acme/test", version: "1.0.0", main: "index.js" }),
      "index.js": "exports.runner = () => 'ran';\n",
      "tests/spec.js": "",
    });
    const packed = execFileSync("npm", ["pack", "--silent", "--pack-destination", pkg], { cwd: pkg, encoding: "utf8" })
      .trim()
      .split("\n")
      .pop()!;
    const src = tree({
      "nodejs/package.json": JSON.stringify({
        name: "deps",
        version: "1.0.0",
        dependencies: { "@acme/test": `file:${path.join(pkg, packed)}` },
      }),
    });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], npmArgs: ["--offline"] });
    expect(archive.entries.filter((e) => e.includes("@acme"))).toEqual([
      "nodejs/node_modules/@acme/test/index.js",
      "nodejs/node_modules/@acme/test/package.json",
    ]);
    const opt = unzipTo(archive.path);
    const r = spawnSync("node", ["-e", "console.log(require('@acme/test').runner())"], {
      env: { ...process.env, NODE_PATH: path.join(opt, "nodejs/node_modules") },
      encoding: "utf8",
      cwd: tempDir(),
    });
    expect(r.stdout.trim()).toBe("ran");
  });
});

describe("native binaries", () => {
  const elf = (machine: number) => elfHeader(machine);
  const source = () =>
    tree({ "python/fast/__init__.py": "", "python/fast/_speedups.so": elf(183), "bin/tool": { content: elf(62), mode: 0o755 } });

  test("refuses binaries built for another architecture than the declared one, naming them", () => {
    expectError(
      () => build(source(), { compatibleArchitectures: ["arm64"] }),
      "source",
      /native binaries that cannot load on the declared python3.12 on arm64: bin\/tool \(built for Linux \(ELF\) x86-64: not the declared arm64/,
      /invalid ELF header/,
      /build the dependencies for arm64 \(pip --platform manylinux2014_aarch64, npm --cpu=arm64\) or declare compatibleArchitectures: \["x86_64"\]/,
    );
    expectError(
      () => build(source(), { compatibleArchitectures: ["x86_64"] }),
      "source",
      /python\/fast\/_speedups.so \(built for Linux \(ELF\) aarch64/,
    );
  });

  test("checks again when the declared architectures change, even though the files did not", () => {
    const src = source();
    settle();
    const outDir = tempDir("cache-");
    const allowed = { allowForeignBinaries: ["python/fast/**"] };
    expect(build(src, { outDir, compatibleArchitectures: ["x86_64"], ...allowed }).cache).toBe("built");
    expect(build(src, { outDir, compatibleArchitectures: ["x86_64"], ...allowed }).cache).toBe("metadata-hit");
    expectError(
      () => build(src, { outDir, compatibleArchitectures: ["arm64"], ...allowed }),
      "source",
      /bin\/tool \(built for Linux \(ELF\) x86-64/,
    );
  });

  test("refuses one build of each when both architectures are declared (issue 10.2): each file loads on one only", () => {
    expectError(
      () => build(source(), { compatibleArchitectures: ["x86_64", "arm64"] }),
      "source",
      /bin\/tool \(built for Linux \(ELF\) x86-64: no build for arm64 beside it/,
      /python\/fast\/_speedups.so \(built for Linux \(ELF\) aarch64: no build for x86_64 beside it/,
      /split the layer per architecture: one layer with compatibleArchitectures: \["x86_64"\] and one with \["arm64"\]/,
    );
  });

  test("accepts a build per architecture side by side (prebuilds), with both declared", () => {
    const src = tree({
      "nodejs/node_modules/addon/prebuilds/linux-x64/addon.node": elf(62),
      "nodejs/node_modules/addon/prebuilds/linux-arm64/addon.node": elf(183),
      "nodejs/node_modules/addon/index.js": "",
    });
    const archive = build(src, { compatibleRuntimes: ["nodejs20.x"], compatibleArchitectures: ["arm64", "x86_64"] });
    expect(archive.nativeBinaries.map((b) => b.name)).toEqual([
      "nodejs/node_modules/addon/prebuilds/linux-arm64/addon.node",
      "nodejs/node_modules/addon/prebuilds/linux-x64/addon.node",
    ]);
  });

  test("accepts them when none is declared, or the file is allowed", () => {
    expect(build(source()).entries).toContain("bin/tool");
    expect(build(source(), { compatibleArchitectures: ["arm64"], allowForeignBinaries: ["bin/**"] }).entries).toContain("bin/tool");
  });
});

describe("progress lines", () => {
  const script = (src: string, cache: string) =>
    `require("ts-node/register/transpile-only"); require("./modules").buildLayerArchive({ source: ${JSON.stringify(src)}, compatibleRuntimes: ["python3.12"], outDir: ${JSON.stringify(cache)} });`;
  const run = (env: NodeJS.ProcessEnv) => {
    const { JEST_WORKER_ID: _worker, ...rest } = process.env;
    return spawnSync("node", ["-e", script(tree({ "python/a.py": "A = 1\n" }), tempDir("cache-"))], {
      cwd: path.resolve(__dirname, ".."),
      encoding: "utf8",
      env: { ...rest, ...env },
    });
  };

  test("print one line per layer built, with sizes and time", () => {
    expect(run({}).stdout).toMatch(
      /^\[cdktf-lambda-layers\] built \/.+: 1 files, \d+ B -> \d+ B zipped in \d+\.\d\d s, 1 compressed and 0 reused \(content [0-9a-f]{12}\)\n$/,
    );
  });

  test("are silent when asked (and under jest)", () => {
    expect(run({ CDKTF_LAYERS_QUIET: "1" }).stdout).toBe("");
  });
});
