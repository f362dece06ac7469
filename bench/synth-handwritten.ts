// Baseline for the synth benchmark: what a careful engineer writes by hand with deep imports and no
// library, producing the same Terraform as the library's side (checked by synthEquivalence): per
// layer one asset (a prebuilt zip) and four outputs, per layer and region one layer version and two
// permissions through that region's provider alias, with the same lifecycle settings and provider
// requirement. Usage: node dist/bench/synth-handwritten.js <plan.json> <outdir>
import { LambdaLayerVersion } from "@cdktf/provider-aws/lib/lambda-layer-version";
import { LambdaLayerVersionPermission } from "@cdktf/provider-aws/lib/lambda-layer-version-permission";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, AssetType, Lazy, TerraformAsset, TerraformOutput, TerraformStack, Token } from "cdktf";
import * as fs from "fs";
import { SynthBenchPlan } from "./synth-plan";

const [planFile, outdir] = process.argv.slice(2);
const plan = JSON.parse(fs.readFileSync(planFile, "utf8")) as SynthBenchPlan;
const started = process.hrtime.bigint();
const app = new App({ outdir, skipValidation: false });
const stack = new TerraformStack(app, "handwritten");
stack.addOverride("terraform.required_providers.aws", { source: "hashicorp/aws", version: ">= 5.80, < 7.0" });
const providers = plan.regions.map((region) => new AwsProvider(stack, `aws-${region}`, { region, alias: region }));
for (const layer of plan.layers) {
  const asset = new TerraformAsset(stack, `${layer.name}-zip`, { path: layer.zip, type: AssetType.FILE, assetHash: layer.sha256 });
  const versions = plan.regions.map((region, i) => {
    const version = new LambdaLayerVersion(stack, `${layer.name}-${region}`, {
      provider: providers[i],
      layerName: layer.name,
      filename: asset.path,
      sourceCodeHash: layer.base64Sha256,
      compatibleRuntimes: ["python3.12"],
      skipDestroy: true,
      lifecycle: { ignoreChanges: ["filename"] },
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
        lifecycle: { ignoreChanges: ["principal", "statement_id", "organization_id", "action"] },
      });
    }
    return version;
  });
  // Lazy, as any cdktf 0.21 program must write a map output to stay quiet on Node 22 and later: its
  // TerraformOutput tests an object value with util.isArray (DEP0044, a DeprecationWarning).
  const byRegion = (pick: (v: LambdaLayerVersion) => string) =>
    Lazy.anyValue({ produce: () => Object.fromEntries(plan.regions.map((region, i) => [region, pick(versions[i])])) });
  new TerraformOutput(stack, `${layer.name}_layer_version_arns`, {
    value: byRegion((v) => v.arn),
    description: "Region -> versioned layer ARN",
  });
  new TerraformOutput(stack, `${layer.name}_versions`, {
    value: byRegion((v) => v.version),
    description: "Region -> layer version number",
  });
  new TerraformOutput(stack, `${layer.name}_layer_arns`, {
    value: byRegion((v) => v.layerArn),
    description: "Region -> unversioned layer ARN",
  });
  new TerraformOutput(stack, `${layer.name}_content_sha256`, {
    value: layer.sha256,
    description: "Content identity (SHA-256 of the canonical content) every region publishes",
  });
}
app.synth();
const ms = Number(process.hrtime.bigint() - started) / 1e6;
// CPU time since the process started (loading included): less moved than wall time by other load on a shared machine.
const { userCPUTime, systemCPUTime, maxRSS } = process.resourceUsage();
process.stdout.write(JSON.stringify({ ms, cpuMs: (userCPUTime + systemCPUTime) / 1000, maxRssMb: maxRSS / 1024 }) + "\n");
