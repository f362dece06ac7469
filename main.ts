// The example app: one stack publishing the two example layers from layers/.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import * as path from "path";
import { LambdaLayer } from "./modules";

export class ExampleLayersStack extends TerraformStack {
  public readonly pythonUtils: LambdaLayer;
  public readonly nodeLogging: LambdaLayer;

  constructor(scope: Construct, id: string, options: { region?: string; cacheDir?: string } = {}) {
    super(scope, id);
    // State beside the stack's own folder, by a relative path: no synth machine path in the output.
    new LocalBackend(this, { path: "terraform.tfstate" });
    new AwsProvider(this, "aws", { region: options.region ?? "us-east-1" });

    this.pythonUtils = new LambdaLayer(this, "python-shared-utils", {
      layerName: "python-shared-utils",
      source: path.join(__dirname, "layers", "python-shared-utils"),
      compatibleRuntimes: ["python3.12", "python3.13"],
      compatibleArchitectures: ["x86_64", "arm64"],
      description: "Response helpers, event-body parsing, a JSON logger and an error type",
      licenseInfo: "Apache-2.0",
      cacheDir: options.cacheDir,
    });

    this.nodeLogging = new LambdaLayer(this, "nodejs-logging", {
      layerName: "nodejs-logging",
      source: path.join(__dirname, "layers", "nodejs-logging"),
      compatibleRuntimes: ["nodejs20.x", "nodejs22.x"],
      compatibleArchitectures: ["x86_64", "arm64"],
      description: "Structured JSON logging (require('layer-logger'))",
      licenseInfo: "Apache-2.0",
      cacheDir: options.cacheDir,
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ExampleLayersStack(app, "example-layers");
  app.synth();
}
