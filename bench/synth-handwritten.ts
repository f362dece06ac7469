// Baseline for the synth benchmark: what a careful engineer writes by hand with deep imports and no
// library: per layer one asset (a prebuilt zip), per layer and region one layer version and two
// permissions through that region's provider alias. Usage: node dist/bench/synth-handwritten.js <plan.json> <outdir>
import { LambdaLayerVersion } from "@cdktf/provider-aws/lib/lambda-layer-version";
import { LambdaLayerVersionPermission } from "@cdktf/provider-aws/lib/lambda-layer-version-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, AssetType, TerraformAsset, TerraformStack, Token } from "cdktf";
import * as fs from "fs";
import { SynthBenchPlan } from "./synth-plan";

const [planFile, outdir] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as SynthBenchPlan;
const started = process.hrtime.bigint();
const app = new App({ outdir, skipValidation: false });
const stack = new TerraformStack(app, "handwritten");
const providers = plan.regions.map((region) => new AwsProvider(stack, `aws-${region}`, { region, alias: region }));
for (const layer of plan.layers) {
  const asset = new TerraformAsset(stack, `${layer.name}-zip`, { path: layer.zip, type: AssetType.FILE, assetHash: layer.sha256 });
  plan.regions.forEach((region, i) => {
    const version = new LambdaLayerVersion(stack, `${layer.name}-${region}`, {
      provider: providers[i],
      layerName: layer.name,
      filename: asset.path,
      sourceCodeHash: layer.base64Sha256,
      compatibleRuntimes: ["python3.12"],
      skipDestroy: true,
    });
    for (const account of plan.accounts) {
      new LambdaLayerVersionPermission(stack, `${layer.name}-${region}-${account}`, {
        provider: providers[i],
        layerName: version.layerArn,
        versionNumber: Token.asNumber(version.version),
        principal: account,
        action: "lambda:GetLayerVersion",
        statementId: `account-${account}`,
        skipDestroy: true,
      });
    }
  });
}
app.synth();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
process.stdout.write(JSON.stringify({ ms, maxRssMb: process.resourceUsage().maxRSS / 1024 }) + "\n");
