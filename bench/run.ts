// `npm run bench`: the three costs users feel, each printed next to a baseline measured in the
// same run, as a ratio. Timings on a shared 2-core machine are noisy: every pair is run
// alternately and the median is reported.
//   BENCH_RUNS (default 5)       runs per synth measurement
//   BENCH_TREE_MB (default 150)  size of the generated archive tree (20,000 files at 150)
//   BENCH_REGIONS (default 1,4,17,33)
//   BENCH_ARCHIVE_RUNS (default 3) alternating runs per archive measurement
//   BENCH_REAL_TREES=0            skip the real Python, Node and Java trees
//   --only=synth|archives|plans   one part only
//   --write                      also rewrite the table in BENCHMARKS.md
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { buildLayerArchive } from "../modules/packaging/layer-archive";
import { LambdaLayer } from "../modules/constructs/lambda-layer";
import { LayerFanout } from "../modules/constructs/layer-fanout";
import { COMMERCIAL_REGIONS } from "../modules/aws/regions";
import { generateTree } from "./generate-tree";
import { assertSameTerraform } from "./synth-equivalence";
import { SynthBenchPlan } from "./synth-plan";

// Progress lines would mix with the JSON the measured programs print.
process.env.CDKTF_LAYERS_QUIET = "1";
const ROOT = path.resolve(__dirname, "..", "..");
const DIST = path.join(ROOT, "dist", "bench");
const WORK = fs.mkdtempSync(path.join(os.tmpdir(), "layers-bench-"));
const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const ARCHIVE_RUNS = Number(process.env.BENCH_ARCHIVE_RUNS ?? 3);
const TREE_MB = Number(process.env.BENCH_TREE_MB ?? 150);
const REGION_COUNTS = (process.env.BENCH_REGIONS ?? "1,4,17,33").split(",").map(Number);
const rows: string[] = [];

interface Measured {
  ms: number;
  peakMb: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command, sampling the summed PSS of it and every descendant (terraform's provider plugins)
 * unless `sample` is false: reading /proc every 50 ms takes CPU from the measured program, which a
 * build that uses every core feels (the full build measured 0.97x Info-ZIP with the sampler, 1.12-1.33x without).
 */
function measure(
  cmd: string,
  args: string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; sample?: boolean } = {},
): Promise<Measured> {
  return new Promise((resolve) => {
    const started = process.hrtime.bigint();
    const child = spawn(cmd, args, { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    let peak = 0;
    const timer = options.sample === false ? undefined : setInterval(() => (peak = Math.max(peak, treeRssMb(child.pid!))), 50);
    child.on("close", (status) => {
      clearInterval(timer);
      resolve({ ms: Number(process.hrtime.bigint() - started) / 1e6, peakMb: peak, status, stdout, stderr });
    });
  });
}

/**
 * Memory of a process tree: the sum of each process's proportional set size (PSS), so the pages
 * that terraform's provider processes share (the same 700 MiB binary) are counted once, not per process.
 */
function treeRssMb(root: number): number {
  const parents = new Map<number, number>();
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      parents.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended while we looked
    }
  }
  const inTree = (pid: number): boolean => pid === root || (parents.has(pid) && pid > 1 && inTree(parents.get(pid)!));
  let kb = 0;
  for (const pid of parents.keys()) {
    if (!inTree(pid)) continue;
    try {
      kb += Number(/^Pss:\s+(\d+) kB/m.exec(fs.readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"))?.[1] ?? 0);
    } catch {
      // ended
    }
  }
  return kb / 1024;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, digits = 2) => n.toFixed(digits);
function row(cells: Array<string | number>) {
  const line = `| ${cells.join(" | ")} |`;
  rows.push(line);
  console.log(line);
}
function heading(text: string, columns: string[]) {
  rows.push("", `### ${text}`, "", `| ${columns.join(" | ")} |`, `| ${columns.map(() => "---").join(" | ")} |`);
  console.log(`\n### ${text}\n\n| ${columns.join(" | ")} |\n| ${columns.map(() => "---").join(" | ")} |`);
}

async function synthBench(): Promise<void> {
  const cacheDir = path.join(WORK, "synth-cache");
  const layers = Array.from({ length: 40 }, (_, i) => {
    const source = path.join(WORK, "synth-layers", `layer-${i}`);
    fs.mkdirSync(path.join(source, "python", `pkg${i}`), { recursive: true });
    fs.writeFileSync(path.join(source, "python", `pkg${i}`, "__init__.py"), `VALUE = ${i}\n`.repeat(50));
    const a = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: cacheDir });
    return { name: `layer-${i}`, source, zip: a.path, sha256: a.contentSha256, base64Sha256: a.contentBase64Sha256 };
  });
  // Issue 14 goal 5 sets 34 regions: every commercial region there is (17 enabled by default, 17 opt-in).
  const plan: SynthBenchPlan = { regions: COMMERCIAL_REGIONS.slice(0, 34), accounts: ["111122223333", "444455556666"], cacheDir, layers };
  if (plan.regions.length !== 34) throw new Error(`synth bench: 34 regions wanted, COMMERCIAL_REGIONS holds ${plan.regions.length}`);
  const planFile = path.join(WORK, "synth-plan.json");
  fs.writeFileSync(planFile, JSON.stringify(plan));
  const results: Record<string, Array<Measured & { cpuMs: number }>> = { handwritten: [], library: [] };
  for (let i = 0; i < RUNS; i++) {
    // Alternating, and which goes first alternates too: a load that rises or falls favours neither.
    for (const kind of i % 2 === 0 ? ["handwritten", "library"] : ["library", "handwritten"]) {
      const m = await measure("node", [path.join(DIST, `synth-${kind}.js`), planFile, path.join(WORK, `synth-out-${kind}`)]);
      if (m.status !== 0) throw new Error(`synth-${kind} failed: ${m.stderr}`);
      results[kind].push({ ...m, cpuMs: Number(JSON.parse(m.stdout).cpuMs) });
    }
    // Like for like: both programs must have written the same Terraform (checked once, on the first run's output).
    if (i === 0)
      assertSameTerraform(
        { label: "hand-written", stackDir: path.join(WORK, "synth-out-handwritten", "stacks", "handwritten") },
        { label: "LayerFanout", stackDir: path.join(WORK, "synth-out-library", "stacks", "library") },
      );
  }
  heading(`Synth: 40 layers x 34 regions (1 layer version + 2 permissions each, 4 outputs per layer, archives cached), median of ${RUNS}`, [
    "program",
    "wall s",
    "CPU s (user + sys)",
    "peak PSS MiB",
    "ratio to hand-written (wall)",
    "ratio (CPU)",
    "goal",
  ]);
  const base = median(results.handwritten.map((m) => m.ms));
  const baseCpu = median(results.handwritten.map((m) => m.cpuMs));
  for (const kind of ["handwritten", "library"]) {
    const ms = median(results[kind].map((m) => m.ms));
    const cpuMs = median(results[kind].map((m) => m.cpuMs));
    row([
      kind === "library" ? "LayerFanout (this library, loading included)" : "hand-written cdktf, deep imports, same Terraform",
      fmt(ms / 1000),
      fmt(cpuMs / 1000),
      fmt(median(results[kind].map((m) => m.peakMb)), 0),
      `${fmt(ms / base)}x`,
      `${fmt(cpuMs / baseCpu)}x`,
      kind === "library" ? "<= 1.10x" : "-",
    ]);
  }
}

/** A bench layer: a folder laid out for /opt, the folder Info-ZIP zips, and the runtime it is built for. */
interface BenchTree {
  label: string;
  dir: string;
  top: string;
  runtime: string;
}

/** Copies real trees found on this machine; a missing one is reported, not silently skipped. */
function realTrees(): BenchTree[] {
  const trees: BenchTree[] = [];
  const py = "/usr/lib/python3/dist-packages";
  const pyDir = path.join(WORK, "real-python");
  fs.cpSync(py, path.join(pyDir, "python"), {
    recursive: true,
    dereference: true,
    filter: (src) => !/__pycache__|\/tests?(\/|$)/.test(src),
  });
  // Debian 12 ships CPython 3.11: its compiled modules load on python3.11 only (the native-binary rules refuse them for 3.12).
  trees.push({ label: `real Python layer (${py})`, dir: pyDir, top: "python", runtime: "python3.11" });
  const nodeModules = path.join(ROOT, "node_modules");
  const nodeDir = path.join(WORK, "real-node");
  // @cdktf (the AWS provider bindings, over 600 MiB) would be over Lambda's 250 MiB limit.
  const picks = ["typescript", "cdktf", "constructs", "@aws-sdk", "jest-config", "prettier", "eslint", "@babel"].filter((p) =>
    fs.existsSync(path.join(nodeModules, p)),
  );
  for (const pkg of picks)
    fs.cpSync(path.join(nodeModules, pkg), path.join(nodeDir, "nodejs", "node_modules", pkg), { recursive: true, dereference: true });
  trees.push({ label: `real Node layer (${picks.join(", ")} from node_modules)`, dir: nodeDir, top: "nodejs", runtime: "nodejs20.x" });
  const javaDir = path.join(WORK, "real-java");
  fs.mkdirSync(path.join(javaDir, "java", "lib"), { recursive: true });
  for (const jar of fs.readdirSync("/usr/share/java").filter((n) => n.endsWith(".jar"))) {
    const from = path.join("/usr/share/java", jar);
    if (!fs.lstatSync(from).isSymbolicLink()) fs.copyFileSync(from, path.join(javaDir, "java", "lib", jar));
  }
  trees.push({ label: "real Java layer (/usr/share/java jars)", dir: javaDir, top: "java", runtime: "java21" });
  return trees;
}

function treeBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile()) continue;
    bytes += fs.statSync(path.join(entry.parentPath, entry.name)).size;
    files++;
  }
  return { bytes, files };
}

async function buildOnce(
  t: BenchTree,
  cacheDir: string,
  env: NodeJS.ProcessEnv = {},
): Promise<Measured & { result: Record<string, unknown> }> {
  // Timed without the sampler; the build reports its own peak (getrusage's max RSS: one process, its workers are threads).
  const m = await measure("node", [path.join(DIST, "archive-build.js"), t.dir, cacheDir, t.runtime], { env, sample: false });
  if (m.status !== 0) throw new Error(`archive build failed on ${t.label}: ${m.stderr}`);
  return { ...m, result: JSON.parse(m.stdout) };
}

async function infoZipOnce(t: BenchTree, i: number): Promise<number> {
  const zipOut = path.join(WORK, `infozip-${i}.zip`);
  const z = await measure("zip", ["-r", "-X", "-q", "-6", zipOut, t.top], { cwd: t.dir, sample: false });
  if (z.status !== 0) throw new Error(`zip failed: ${z.stderr}`);
  fs.rmSync(zipOut);
  return z.ms;
}

/** Full builds alternating with Info-ZIP, then the rebuilds and the scaling curve when `parts` asks for them. */
async function archiveTree(t: BenchTree, parts: { rebuilds: boolean; scaling: boolean }): Promise<void> {
  const { bytes, files } = treeBytes(t.dir);
  const mb = bytes / 2 ** 20;
  const zipRuns: number[] = [];
  const fullRuns: number[] = [];
  const fullCalls: number[] = [];
  const rssRuns: number[] = [];
  const shas = new Set<unknown>();
  let n = 0;
  for (let i = 0; i < ARCHIVE_RUNS; i++) {
    zipRuns.push(await infoZipOnce(t, i));
    const b = await buildOnce(t, path.join(WORK, `cache-${t.top}-${n++}`));
    fullRuns.push(b.ms);
    fullCalls.push(Number(b.result.ms));
    rssRuns.push(Number(b.result.maxRssMb));
    shas.add(b.result.sha256);
  }
  const zipMs = median(zipRuns);
  const fullMs = median(fullRuns);
  const callMs = median(fullCalls);
  heading(
    `Archives: ${t.label}, ${fmt(mb, 0)} MiB / ${files} files, deflate level 6, median of ${ARCHIVE_RUNS} alternating runs. ` +
      "Wall: the whole `node` process (Node's start and module loading included); call: the buildLayerArchive call inside it",
    ["build", "wall s", "call s", "MiB/s (wall)", "ratio (wall)", "ratio (call)", "goal"],
  );
  row(["Info-ZIP `zip -r -X -q -6` (baseline)", fmt(zipMs / 1000), "-", fmt(mb / (zipMs / 1000), 1), "1.00x throughput", "-", "-"]);
  row([
    "this library, full build (own process, fresh cache)",
    fmt(fullMs / 1000),
    fmt(callMs / 1000),
    fmt(mb / (fullMs / 1000), 1),
    `${fmt(zipMs / fullMs)}x Info-ZIP's throughput`,
    `${fmt(zipMs / callMs)}x`,
    ">= 1.80x",
  ]);
  row(["byte-identical full builds", shas.size === 1 ? "yes" : "NO", "-", "-", "-", "-", "yes"]);
  row([
    "peak memory of a full build (max RSS of the build's process)",
    `${fmt(median(rssRuns), 0)} MiB`,
    "-",
    "-",
    `${fmt(median(rssRuns) / mb)}x the unzipped size`,
    "-",
    "< 2.00x",
  ]);
  if (!parts.rebuilds) return;
  // The rebuilds reuse the first full build's cache; each kind alternates with the others.
  const cache = path.join(WORK, `cache-${t.top}-0`);
  const oneFile = findFile(path.join(t.dir, t.top));
  const runs: Record<string, Array<[number, number]>> = { nothing: [], changed: [], touched: [] };
  for (let i = 0; i < ARCHIVE_RUNS; i++) {
    const nothing = await buildOnce(t, cache);
    runs.nothing.push([nothing.ms, Number(nothing.result.ms)]);
    fs.appendFileSync(oneFile, `\n# change ${i}\n`);
    const changed = await buildOnce(t, cache);
    if (changed.result.cache !== "built") throw new Error(`a changed file gave ${String(changed.result.cache)}`);
    runs.changed.push([changed.ms, Number(changed.result.ms)]);
    spawnSync("find", [t.dir, "-type", "f", "-exec", "touch", "{}", "+"]);
    const touched = await buildOnce(t, cache);
    runs.touched.push([touched.ms, Number(touched.result.ms)]);
  }
  const rebuild = (label: string, kind: string, goal: string) => {
    const wall = median(runs[kind].map((r) => r[0]));
    const call = median(runs[kind].map((r) => r[1]));
    row([label, fmt(wall / 1000), fmt(call / 1000), "-", `${fmt(wall / fullMs)}x the full build's time`, `${fmt(call / callMs)}x`, goal]);
  };
  rebuild("rebuild, nothing changed (metadata hit)", "nothing", "<= 0.10x");
  rebuild("rebuild after one file changed (the others' entries reused unread)", "changed", "<= 0.10x");
  rebuild("rebuild after `touch` of every file (read and hashed, nothing compressed)", "touched", "<= 0.20x");
  if (!parts.scaling) return;
  // Scaling: the same full build limited to fewer or more compression threads.
  const curve: string[] = [];
  for (const threads of [1, 2, 4]) {
    const ms: number[] = [];
    for (let i = 0; i < ARCHIVE_RUNS; i++)
      ms.push((await buildOnce(t, path.join(WORK, `cache-scale-${threads}-${i}`), { CDKTF_LAYERS_THREADS: String(threads) })).ms);
    curve.push(`${threads} thread(s): ${fmt(median(ms) / 1000)} s (${fmt(zipMs / median(ms))}x Info-ZIP)`);
  }
  row(["scaling (CDKTF_LAYERS_THREADS)", curve.join("; "), "-", "-", "-", "-", "-"]);
}

/** The first source file (Python or JavaScript) under `dir`: the one a rebuild bench changes. */
function findFile(dir: string): string {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && /\.(py|js)$/.test(entry.name)) return path.join(entry.parentPath, entry.name);
  }
  throw new Error(`no .py or .js file under ${dir}`);
}

async function archiveBench(): Promise<void> {
  const tree = path.join(WORK, "tree");
  const generated = generateTree(tree, TREE_MB, Math.round((20_000 * TREE_MB) / 150));
  void generated;
  await archiveTree(
    { label: "generated Python-like tree (bench/generate-tree.ts)", dir: tree, top: "python", runtime: "python3.12" },
    { rebuilds: true, scaling: true },
  );
  // The real trees' rebuilds too: their files are fewer and larger, and many are marked by the secret pre-scan.
  if (process.env.BENCH_REAL_TREES !== "0")
    for (const t of realTrees()) await archiveTree(t, { rebuilds: t.top !== "java", scaling: false });
}

/** A stack folder with 5 layers over `regions`: one stack of aliases, or (regions.length 1) a region stack. */
function planStack(name: string, regions: string[]): string {
  const outdir = path.join(WORK, "plans", name);
  fs.mkdirSync(outdir, { recursive: true });
  const app = new App({ outdir });
  const stack = new TerraformStack(app, name);
  new LocalBackend(stack, { path: "terraform.tfstate" });
  const cacheDir = path.join(WORK, "plan-cache");
  const layers = Array.from({ length: 5 }, (_, i) => {
    const source = path.join(WORK, "plan-layers", `layer-${i}`);
    fs.mkdirSync(path.join(source, "python"), { recursive: true });
    fs.writeFileSync(path.join(source, "python", `mod${i}.py`), `X = ${i}\n`);
    return { layerName: `layer-${i}`, source, compatibleRuntimes: ["python3.12"], cacheDir };
  });
  if (regions.length === 1) new AwsProvider(stack, "aws", { region: regions[0] });
  for (const layer of layers) {
    if (regions.length === 1) new LambdaLayer(stack, layer.layerName, layer);
    else new LayerFanout(stack, layer.layerName, { regions, layer });
  }
  app.synth();
  const dir = path.join(outdir, "stacks", name);
  // Offline mocks for the bench's plans only, as the tests do: never in generated code.
  const providers = JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")).provider.aws as Array<{
    alias?: string;
    region: string;
  }>;
  const mock = {
    access_key: "mock",
    secret_key: "mock",
    skip_credentials_validation: true,
    skip_requesting_account_id: true,
    skip_metadata_api_check: true,
    skip_region_validation: true,
  };
  fs.writeFileSync(
    path.join(dir, "zz_offline_override.tf.json"),
    JSON.stringify({ provider: { aws: providers.map((p) => ({ ...p, ...mock })) } }),
  );
  return dir;
}

function cliConfig(): string {
  const mirror = [process.env.TF_PROVIDER_MIRROR, "/opt/tf-plugins"].find((d) => d && fs.existsSync(path.join(d, "registry.terraform.io")));
  const file = path.join(WORK, "terraformrc");
  fs.writeFileSync(file, mirror ? `provider_installation {\n  filesystem_mirror {\n    path = "${mirror}"\n  }\n}\n` : "");
  return file;
}

async function planOnce(dir: string, env: NodeJS.ProcessEnv): Promise<Measured> {
  const init = spawnSync("terraform", ["init", "-input=false", "-no-color"], {
    cwd: dir,
    env: { ...process.env, ...env },
    encoding: "utf8",
  });
  if (init.status !== 0) throw new Error(`terraform init failed in ${dir}: ${init.stdout}${init.stderr}`);
  const m = await measure("terraform", ["plan", "-input=false", "-no-color", "-lock=false", "-refresh=false"], { cwd: dir, env });
  if (m.status !== 0) throw new Error(`terraform plan failed in ${dir}: ${m.stdout}${m.stderr}`);
  return m;
}

async function planBench(): Promise<void> {
  const version = spawnSync("terraform", ["version"], { encoding: "utf8" });
  if (version.status !== 0) throw new Error("terraform is needed for the plan benchmark");
  const env = { TF_CLI_CONFIG_FILE: cliConfig(), TF_IN_AUTOMATION: "1", CHECKPOINT_DISABLE: "1" };
  heading("Plan per Terraform working directory: 5 layers, offline plan, peak = summed PSS of terraform and its provider processes", [
    "regions",
    "strategy",
    "directories",
    "plan s (all directories)",
    "peak MiB (largest directory)",
    "ratio to 1 region",
  ]);
  const single = await planOnce(planStack("region-1", [COMMERCIAL_REGIONS[0]]), env);
  const perRegion: Measured[] = [single];
  for (let i = 1; i < 4; i++) perRegion.push(await planOnce(planStack(`region-${i + 1}`, [COMMERCIAL_REGIONS[i]]), env));
  const perDirMs = median(perRegion.map((m) => m.ms));
  const perDirPeak = Math.max(...perRegion.map((m) => m.peakMb));
  for (const n of REGION_COUNTS) {
    const regions = COMMERCIAL_REGIONS.slice(0, n);
    const aliases = n === 1 ? single : await planOnce(planStack(`aliases-${n}`, regions), env);
    row([
      n,
      "one stack, a provider alias per region",
      1,
      fmt(aliases.ms / 1000),
      fmt(aliases.peakMb, 0),
      `${fmt(aliases.peakMb / single.peakMb)}x memory`,
    ]);
    const measured = n <= perRegion.length;
    row([
      n,
      `a stack per region (LayerRollout default)${measured ? "" : `, from ${perRegion.length} measured directories`}`,
      n,
      fmt((measured ? perRegion.slice(0, n).reduce((s, m) => s + m.ms, 0) : perDirMs * n) / 1000),
      fmt(measured ? Math.max(...perRegion.slice(0, n).map((m) => m.peakMb)) : perDirPeak, 0),
      `${fmt((measured ? Math.max(...perRegion.slice(0, n).map((m) => m.peakMb)) : perDirPeak) / single.peakMb)}x memory`,
    ]);
  }
  row([
    "any",
    "one provider + per-resource `region` (provider 6.x)",
    1,
    "not measured: the mirror holds only AWS provider 5.100",
    "-",
    "-",
  ]);
}

async function main(): Promise<void> {
  const started = Date.now();
  console.log(
    `cdktf-lambda-layers bench on ${os.cpus().length} x ${os.cpus()[0]?.model}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}, ${new Date().toISOString().slice(0, 10)}`,
  );
  const only = process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length);
  if (!only || only === "synth") await synthBench();
  if (!only || only === "archives") await archiveBench();
  if (!only || only === "plans") await planBench();
  const seconds = (Date.now() - started) / 1000;
  console.log(`\nbench finished in ${fmt(seconds, 0)} s`);
  if (process.argv.includes("--write")) {
    const file = path.join(ROOT, "BENCHMARKS.md");
    // Only the text between the markers is the bench's: what comes before and after it stays.
    const text = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "# Benchmarks\n\n<!-- bench:start -->\n<!-- bench:end -->\n";
    const header = text.split("<!-- bench:start -->")[0];
    const footer = text.split("<!-- bench:end -->\n")[1] ?? "";
    const machine = `Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} x ${os.cpus()[0]?.model}, ${fmt(os.totalmem() / 2 ** 30, 0)} GiB, node ${process.version}, ${spawnSync("terraform", ["version"], { encoding: "utf8" }).stdout.split("\n")[0]}; \`npm run bench\` took ${fmt(seconds, 0)} s.`;
    fs.writeFileSync(file, `${header}<!-- bench:start -->\n${machine}\n${rows.join("\n")}\n<!-- bench:end -->\n${footer}`);
  }
  fs.rmSync(WORK, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
