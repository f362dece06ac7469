// What the content checks (secret rules over every file, native-binary classification) cost in a
// 150 MB layer build. Builds the bench tree from scratch (fresh cache, so nothing is reused),
// then times the checks alone over the same files held in memory, as buildZip holds them.
// Usage: node -r ts-node/register/transpile-only bench/checks-overhead.ts [MB=150] [files=20000] [runs=3]
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { buildLayerArchive } from "../modules/layer-archive";
import { binaryProblems, findNativeBinaries } from "../modules/native-binaries";
import { Architecture, Runtime } from "../modules/runtime";
import { secretByName, secretFindings } from "../modules/secrets";
import { walkSource } from "../modules/source-files";
import { generateTree } from "./generate-tree";

const [mb = "150", count = "20000", runs = "3"] = process.argv.slice(2);
const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
/** CPU milliseconds of the whole process (every thread) since `from`: steadier than wall time on a busy machine. */
const cpu = (from: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(from);
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
    const startedCpu = process.cpuUsage();
    const archive = buildLayerArchive({ ...options, outDir });
    builds.push(ms(started));
    buildCpu.push(cpu(startedCpu));
    if (archive.cache !== "built") throw new Error("expected a fresh build");
    fs.rmSync(outDir, { recursive: true, force: true });
  }

  const files = walkSource(source, {}).map((f) => ({ name: `${f.rel}`, abs: f.abs, size: f.size, mode: f.executable ? 0o755 : 0o644 }));
  const contents = files.map((f) => fs.readFileSync(f.abs));
  const secrets: number[] = [];
  const natives: number[] = [];
  const checksCpu: number[] = [];
  for (let i = 0; i < Number(runs); i++) {
    const startedCpu = process.cpuUsage();
    let started = process.hrtime.bigint();
    let findings = 0;
    for (const f of files) if (secretByName(f.name)) findings++;
    contents.forEach((data, j) => (findings += secretFindings(data, files[j].name).length));
    secrets.push(ms(started));
    if (findings !== 0) throw new Error(`the bench tree should hold no secrets, found ${findings}`);
    started = process.hrtime.bigint();
    binaryProblems(findNativeBinaries(files), [Runtime.PYTHON_3_12], [Architecture.X86_64]);
    natives.push(ms(started));
    checksCpu.push(cpu(startedCpu));
  }

  const build = median(builds);
  const checks = median(secrets) + median(natives);
  console.log(`tree: ${tree.files} files, ${(tree.bytes / 1024 / 1024).toFixed(1)} MB`);
  console.log(`full build (fresh cache), median of ${runs}: ${build.toFixed(0)} ms`);
  console.log(
    `secret rules over every file: ${median(secrets).toFixed(0)} ms; native-binary classification and rules: ${median(natives).toFixed(0)} ms`,
  );
  console.log(`checks: ${checks.toFixed(0)} ms = ${((100 * checks) / build).toFixed(2)} % of the build's wall time`);
  const cpuShare = (100 * median(checksCpu)) / median(buildCpu);
  console.log(
    `CPU time: checks ${median(checksCpu).toFixed(0)} ms, build ${median(buildCpu).toFixed(0)} ms (all threads) = ${cpuShare.toFixed(2)} % of the build's CPU time`,
  );
} finally {
  fs.rmSync(root, { recursive: true, force: true });
}
