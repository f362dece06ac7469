// A Python shared-utilities layer for two runtimes and both architectures.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import * as path from "path";
import { LambdaLayer } from "cdktf-lambda-layers";

export function build(app: App): void {
  const stack = new TerraformStack(app, "python-shared-utils");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  new LambdaLayer(stack, "SharedUtils", {
    layerName: "python-shared-utils",
    source: path.join(__dirname, "..", "..", "layers", "python-shared-utils"),
    compatibleRuntimes: ["python3.12", "python3.13"],
    compatibleArchitectures: ["x86_64", "arm64"],
    description: "Response helpers, event-body parsing, a JSON logger and an error type",
    licenseInfo: "Apache-2.0",
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
