// A rollout in three waves over five regions, one Terraform Cloud workspace per region stack.
import { App } from "cdktf";
import * as path from "path";
import { LayerRollout } from "cdktf-lambda-layers";

const repo = path.join(__dirname, "..", "..");

export function build(app: App): LayerRollout {
  return new LayerRollout(app, "layers", {
    layers: [
      {
        layerName: "python-shared-utils",
        source: path.join(repo, "layers", "python-shared-utils"),
        compatibleRuntimes: ["python3.12"],
        sharing: { organizationId: "o-a1b2c3d4e5" },
      },
    ],
    waves: [["us-east-1"], ["us-west-2", "eu-west-1"], ["eu-central-1", "ap-southeast-2"]],
    cloud: { organization: process.env.TFC_ORGANIZATION ?? "acme", workspacePrefix: "lambda-", project: "lambda-layers" },
    // Credentials come from Terraform Cloud dynamic credentials; each region assumes its deploy role.
    assumeRoleArn: "arn:aws:iam::123456789012:role/layer-deployer-{region}",
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
