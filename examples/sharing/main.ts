// Sharing every version of a layer with two accounts and an AWS Organization.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import * as path from "path";
import { LambdaLayer } from "cdktf-lambda-layers";

export function build(app: App): void {
  const stack = new TerraformStack(app, "sharing");
  new AwsProvider(stack, "aws", { region: "eu-central-1" });
  const layer = new LambdaLayer(stack, "Shared", {
    layerName: "org-shared-utils",
    source: path.join(__dirname, "..", "..", "layers", "python-shared-utils"),
    compatibleRuntimes: ["python3.12"],
    sharing: { accounts: ["111122223333", "arn:aws:iam::444455556666:root"], organizationId: "o-a1b2c3d4e5" },
  });
  layer.grant({ accounts: ["777788889999"] }); // grants can be added later too
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
