// The library's side of the synth benchmark: the same layers and regions through LayerFanout
// (archives already cached). Usage: node dist/bench/synth-library.js <plan.json> <outdir>
import { App, TerraformStack } from "cdktf";
import * as fs from "fs";
import { LayerFanout } from "../modules";
import { SynthBenchPlan } from "./synth-plan";

const [planFile, outdir] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as SynthBenchPlan;
const started = process.hrtime.bigint();
const app = new App({ outdir });
const stack = new TerraformStack(app, "library");
for (const layer of plan.layers) {
  new LayerFanout(stack, layer.name, {
    regions: plan.regions,
    layer: {
      layerName: layer.name,
      source: layer.source,
      compatibleRuntimes: ["python3.12"],
      sharing: { accounts: plan.accounts },
      cacheDir: plan.cacheDir,
    },
  });
}
app.synth();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
// CPU time since the process started (loading included): less moved than wall time by other load on a shared machine.
const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (userCPUTime + systemCPUTime) / 1000, maxRssMb: maxRSS / 1024 }) + "\n");
