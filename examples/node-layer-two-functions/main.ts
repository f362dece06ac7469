// A Node.js logging layer used by two functions (todos and users).
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack } from "cdktf";
import * as path from "path";
import { LambdaLayer, LayeredFunction } from "cdktf-lambda-layers";

const repo = path.join(__dirname, "..", "..");

export function build(app: App): void {
  const stack = new TerraformStack(app, "node-layer-two-functions");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const logging = new LambdaLayer(stack, "Logging", {
    layerName: "nodejs-logging",
    source: path.join(repo, "layers", "nodejs-logging"), // a plain package: placed at nodejs/node_modules/layer-logger/
    compatibleRuntimes: ["nodejs22.x"],
    compatibleArchitectures: ["arm64"],
  });
  const role = new IamRole(stack, "Role", {
    name: "node-layer-two-functions",
    assumeRolePolicy: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  for (const name of ["todos", "users"]) {
    new LayeredFunction(stack, name, {
      functionName: name,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      role: role.arn,
      source: path.join(repo, "functions", name),
      layers: [logging],
    });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
