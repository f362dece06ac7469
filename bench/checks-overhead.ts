// What the content checks cost in a 150 MB layer build: the secret pre-scan the packing engine runs
// on every file it reads (the rules' keywords, UTF-16 text), the secret rules over the files it
// marks, the name rules, and the native-binary classification. Builds the bench tree from scratch
// (fresh cache, so nothing is reused), then times the checks alone over the same files in memory.
// Usage: node -r ts-node/register/transpile-only bench/checks-overhead.ts [MB=150] [files=20000] [runs=3]
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildLayerArchive } from "../modules/packaging/layer-archive";
import { binaryProblems, findNativeBinaries } from "../modules/checks/native-binaries";
import { Architecture, Runtime } from "../modules/aws/runtime";
import { SECRET_KEYWORDS, secretByName, secretFindings } from "../modules/checks/secrets";
import { walkSource } from "../modules/packaging/source-files";
import { generateTree } from "./generate-tree";

const [mb = "150", count = "20000", runs = "3"] = process.argv.slice(2);
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const engine = require("../modules/packaging/pack-engine.js") as { mayHoldSecret(data: Uint8Array, keywords: readonly string[]): boolean };
/** CPU milliseconds so far of this process, every thread (the packing workers are threads): steadier than wall time on a busy machine. */
const cpuNow = (): number => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};

const root = fs.mkdtempSync(path.join(os.tmpdir(), "checks-overhead-"));
try {
  const tree = generateTree(path.join(root, "src"), Number(mb), Number(count));
  const source = path.join(root, "src");
  const options = { source, compatibleRuntimes: ["python3.12"], compatibleArchitectures: ["x86_64"], s3Upload: true };

  const builds: number[] = [];
  const buildCpu: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    const outDir = path.join(root, `cache-${i}`);
    const started = process.hrtime.bigint();
    const startedCpu = cpuNow();
    const archive = buildLayerArchive({ ...options, outDir });
    builds.push(ms(started));
    buildCpu.push(cpuNow() - startedCpu);
    if (archive.cache !== "built") throw new Error("expected a fresh build");
    fs.rmSync(outDir, { recursive: true, force: true });
  }

  const files = walkSource(source, {}).map((f) => ({ name: `${f.rel}`, abs: f.abs, size: f.size, mode: f.executable ? 0o755 : 0o644 }));
  const contents = files.map((f) => fs.readFileSync(f.abs));
  const secrets: number[] = [];
  const natives: number[] = [];
  const checksCpu: number[] = [];
  const prescans: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    const startedCpu = cpuNow();
    let started = process.hrtime.bigint();
    const marked = contents.flatMap((data, j) => (engine.mayHoldSecret(data, SECRET_KEYWORDS) ? [j] : []));
    prescans.push(ms(started));
    started = process.hrtime.bigint();
    let findings = 0;
    for (const f of files) if (secretByName(f.name)) findings++;
    for (const j of marked) findings += secretFindings(contents[j], files[j].name).length;
    secrets.push(ms(started));
    if (findings !== 0) throw new Error(`the bench tree should hold no secrets, found ${findings}`);
    started = process.hrtime.bigint();
    binaryProblems(findNativeBinaries(files), [Runtime.PYTHON_3_12], [Architecture.X86_64]);
    natives.push(ms(started));
    checksCpu.push(cpuNow() - startedCpu);
  }

  const build = median(builds);
  const checks = median(prescans) + median(secrets) + median(natives);
  console.log(`tree: ${tree.files} files, ${(tree.bytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`full build (fresh cache), median of ${runs}: ${build.toFixed(0)} ms`);
  console.log(
    `secret pre-scan over every file: ${median(prescans).toFixed(0)} ms; name rules and the rules over the marked files: ${median(secrets).toFixed(0)} ms; native-binary classification and rules: ${median(natives).toFixed(0)} ms`,
  );
  console.log(
    `checks on one thread: ${checks.toFixed(0)} ms = ${((100 * checks) / build).toFixed(2)} % of the build's wall time (the pre-scan runs on the packing workers, so it adds less than that)`,
  );
  const cpuShare = (100 * median(checksCpu)) / median(buildCpu);
  console.log(
    `CPU time: checks ${median(checksCpu).toFixed(0)} ms, build ${median(buildCpu).toFixed(0)} ms (all threads, the packing workers included) = ${cpuShare.toFixed(2)} % of the build's CPU time`,
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
