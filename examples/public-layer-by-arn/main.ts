// A function in two regions using a public third-party layer imported by ARN: layers are
// regional, so each region attaches that region's ARN (checked against the function's region).
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, LocalBackend, TerraformStack } from "cdktf";
import * as path from "path";
import { LambdaLayer, LayeredFunction } from "cdktf-lambda-layers";

/** AWS Lambda Powertools for Python v3, published by AWS in every commercial region. */
const powertoolsArn = (region: string) => `arn:aws:lambda:${region}:017000801446:layer:AWSLambdaPowertoolsPythonV3-python312-x86_64:7`;

export function build(app: App): void {
  for (const region of ["us-east-1", "eu-west-1"]) {
    const stack = new TerraformStack(app, `orders-${region}`);
    new LocalBackend(stack, { path: "terraform.tfstate" });
    new AwsProvider(stack, "aws", { region });
    const powertools = LambdaLayer.fromLayerVersionArn(stack, "Powertools", powertoolsArn(region), {
      compatibleRuntimes: ["python3.12"],
      compatibleArchitectures: ["x86_64"],
    });
    new LayeredFunction(stack, "Orders", {
      functionName: "orders",
      runtime: "python3.12",
      handler: "app.handler",
      role: "arn:aws:iam::123456789012:role/orders-function",
      source: path.join(__dirname, "function"),
      layers: [powertools],
    });
  }
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
