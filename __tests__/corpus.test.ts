// Real package trees nobody here wrote, laid out as users' layers hold them: Debian's python3
// packages under python/ and the project's own node_modules under nodejs/node_modules/. They must
// build without a single secret finding or binary refusal (issues 15 and 21), while real secrets and
// binaries that cannot load are still refused in the same trees.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive, Runtime } from "../modules";
import { compareGlibc } from "../modules/checks/native-binaries";
import { HOST, readelfGlibc } from "./helpers/elf";
import { repoRoot, tempDir } from "./helpers/files";
import { refusal as caught } from "./helpers/refusal";
import { awsKeyPair, rsaPrivateKeyPem } from "./helpers/secrets";

const DIST_PACKAGES = "/usr/lib/python3/dist-packages/";
const DEBIAN_PACKAGES = [
  "python3-boto3",
  "python3-botocore",
  "python3-s3transfer",
  "python3-cryptography",
  "python3-yaml",
  "python3-jinja2",
  "python3-markupsafe",
  "python3-requests",
  "python3-urllib3",
  // The AWS CLI v2's own tree (awscli/, with its vendored botocore): its examples/ hold presigned
  // URLs, and private keys marked EXAMPLE or with their body left out, that are not secrets (issue 21).
  "awscli",
];

/** The files a Debian package installs under dist-packages; fails loudly when it is not installed. */
function debianFiles(pkg: string): string[] {
  let listed: string;
  try {
    listed = execFileSync("dpkg", ["-L", pkg], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  } catch {
    throw new Error(`the corpus test needs Debian's ${pkg}: run \`sudo apt-get install -y ${DEBIAN_PACKAGES.join(" ")}\``);
  }
  return listed.split("\n").filter((f) => f.startsWith(DIST_PACKAGES) && fs.statSync(f, { throwIfNoEntry: false })?.isFile());
}

function copyFile(from: string, to: string): void {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
  fs.chmodSync(to, fs.statSync(from).mode & 0o777);
}

/** Debian's python3 packages laid out as python/<package>/… */
function pythonTree(): string {
  const root = tempDir("corpus-python-");
  for (const pkg of DEBIAN_PACKAGES) {
    for (const f of debianFiles(pkg)) copyFile(f, path.join(root, "python", f.slice(DIST_PACKAGES.length)));
  }
  return root;
}

const NODE_MODULES = path.join(repoRoot, "node_modules");
/** A subset of the project's own node_modules (tens of MB) so the test stays quick. */
const NODE_PACKAGES = [
  "cdktf",
  "constructs",
  "lodash",
  "handlebars",
  "validator",
  "caniuse-lite",
  "spdx-license-list",
  "@sentry",
  "@babel",
  "prettier",
  "eslint",
  "@typescript-eslint",
];
/** node-pty ships prebuilds for macOS, Windows, musl, 32-bit and Linux: the real multi-platform case. Two Node ABIs keep it small. */
const PTY = "@cdktf/node-pty-prebuilt-multiarch";

function nodeTree(): string {
  const root = tempDir("corpus-node-");
  const copy = (rel: string, keep: (f: string) => boolean = () => true) => {
    const from = path.join(NODE_MODULES, rel);
    if (!fs.existsSync(from)) throw new Error(`the corpus test needs ${from}: run \`npm ci\` in the repository`);
    for (const e of fs.readdirSync(from, { withFileTypes: true, recursive: true })) {
      const abs = path.join(e.parentPath, e.name);
      if (!e.isFile() || !keep(abs)) continue;
      copyFile(abs, path.join(root, "nodejs", "node_modules", path.relative(NODE_MODULES, abs)));
    }
  };
  for (const pkg of NODE_PACKAGES) copy(pkg);
  // As npm publishes it: build/ holds what a local install or a cdktf CLI run on this machine compiled or
  // copied there (one x86-64 pty.node), which comes and goes with the tests that run the CLI.
  copy(
    PTY,
    (f) => !path.relative(path.join(NODE_MODULES, PTY), f).startsWith("build/") && (!f.includes("/prebuilds/") || /abi(115|127)\b/.test(f)),
  );
  return root;
}

const countFiles = (dir: string) => fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).length;
const secretWarnings = (warnings: readonly string[]) => warnings.filter((w) => w.includes("may hold a secret"));

describe("real Python packages (Debian's python3-boto3, botocore, cryptography, …)", () => {
  const source = pythonTree();
  const python = `python3.${execFileSync("python3", ["-c", "import sys; print(sys.version_info[1])"], { encoding: "utf8" }).trim()}`;
  // Debian 12 builds against glibc 2.36: modules that need more than the runtime's glibc truly fail
  // at import on Lambda ("version `GLIBC_2.34' not found"), so they are refused (issue 21.2); the
  // rest of the tree must pass. readelf, not the builder, decides which ones those are.
  const glibc = Runtime.of(python).glibc!;
  const modules = fs
    .readdirSync(path.join(source, "python"), { recursive: true, encoding: "utf8" })
    .filter((f) => /\.so$/.test(f))
    .map((f) => `python/${f}`);
  const tooNew = modules.filter((f) => compareGlibc(readelfGlibc(path.join(source, f)) ?? "0", glibc) > 0).sort();
  // Debian's python3 is the one the extension modules were built for; the test declares it.
  const options = { source, compatibleRuntimes: [python], compatibleArchitectures: [HOST.name], allowForeignBinaries: tooNew };

  test(`Debian's modules that need a newer glibc than ${python}'s are refused, each with its need, and no other`, () => {
    expect(modules.length).toBeGreaterThanOrEqual(3);
    expect(tooNew.length).toBeGreaterThan(0); // cryptography's _rust.abi3.so needs GLIBC_2.34 on Debian 12
    const refused = caught(() => buildLayerArchive({ ...options, allowForeignBinaries: [], outDir: tempDir("cache-") }));
    const listed = [...refused.problem.matchAll(/(python\/\S+\.so) \(built for [^:]*needs GLIBC_([\d.]+)\)/g)];
    expect(listed.map((m) => m[1]).sort()).toEqual(tooNew);
    for (const [, file, need] of listed) expect(need).toBe(readelfGlibc(path.join(source, file)));
    expect(refused.problem).toContain(`but ${python} has glibc ${glibc}`);
  });

  test("build without a secret finding or a binary refusal", () => {
    const files = countFiles(source);
    console.log(`corpus: ${files} Python files from ${DEBIAN_PACKAGES.length} Debian packages, declared ${python} on ${HOST.name}`);
    expect(files).toBeGreaterThan(1500);
    const archive = buildLayerArchive({ ...options, outDir: tempDir("cache-") });
    expect(secretWarnings(archive.warnings)).toEqual([]);
    expect(archive.entries).toEqual(
      expect.arrayContaining([
        "python/botocore/credentials.py",
        "python/boto3/session.py",
        "python/awscli/examples/lightsail/create-key-pair.rst",
        "python/awscli/examples/iot/create-provisioning-claim.rst",
        "python/awscli/examples/ecr/get-download-url-for-layer.rst",
      ]),
    );
    // The extension modules were seen and classified, not skipped.
    expect(archive.nativeBinaries.length).toBeGreaterThanOrEqual(3);
    expect(archive.nativeBinaries.map((b) => b.python)).toEqual(expect.arrayContaining(["abi3", python.slice("python".length)]));
  });

  test("the same tree with a real key, or declared for another Python, is refused", () => {
    const key = awsKeyPair();
    fs.writeFileSync(path.join(source, "python", "botocore", "local_settings.py"), `AWS_SECRET_ACCESS_KEY = "${key.secret}"\n`);
    fs.writeFileSync(path.join(source, "python", "boto3", "signing.pem"), rsaPrivateKeyPem());
    try {
      expect(() => buildLayerArchive({ ...options, outDir: tempDir("cache-") })).toThrow(
        /python\/boto3\/signing\.pem:1 \(private key\); python\/botocore\/local_settings\.py:1 \(AWS secret access key\)/,
      );
    } finally {
      fs.rmSync(path.join(source, "python", "botocore", "local_settings.py"));
      fs.rmSync(path.join(source, "python", "boto3", "signing.pem"));
    }
    const other = python === "python3.12" ? "python3.13" : "python3.12";
    expect(() => buildLayerArchive({ ...options, compatibleRuntimes: [other], outDir: tempDir("cache-") })).toThrow(
      new RegExp(`a CPython ${python.slice("python".length)} extension module, which ${other} cannot import`),
    );
  });
});

describe("real node_modules (the project's own, with node-pty's prebuilds for every platform)", () => {
  const source = nodeTree();
  const options = { source, compatibleRuntimes: ["nodejs20.x"], compatibleArchitectures: ["x86_64", "arm64"] };

  test("build without a secret finding or a binary refusal, on both architectures", () => {
    const files = countFiles(source);
    console.log(`corpus: ${files} files from ${NODE_PACKAGES.length + 1} npm packages, declared nodejs20.x on x86_64 and arm64`);
    expect(files).toBeGreaterThan(5000);
    const archive = buildLayerArchive({ ...options, outDir: tempDir("cache-") });
    expect(secretWarnings(archive.warnings)).toEqual([]);
    // Mach-O, PE, musl and 32-bit prebuilds are there and classified, but the package never loads them on Lambda.
    const formats = new Set(archive.nativeBinaries.map((b) => `${b.format}${b.libc === "musl" ? "-musl" : ""}`));
    expect([...formats].sort()).toEqual(["elf", "elf-musl", "mach-o", "pe"]);
  });

  test("refused where node-pty has no build: Node 22 on arm64", () => {
    expect(() => buildLayerArchive({ ...options, compatibleRuntimes: ["nodejs22.x"], outDir: tempDir("cache-") })).toThrow(
      /prebuilds\/ holds builds for .* but none a Linux \(glibc\) nodejs22\.x on arm64 loads/,
    );
  });
});
