// A layer uploaded through S3 (required above 50 MiB zipped), to a bucket in the layer's region.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { S3Bucket } from "@cdktf/provider-aws/lib/s3-bucket";
import { App, TerraformStack } from "cdktf";
import * as path from "path";
import { LambdaLayer } from "cdktf-lambda-layers";

export function build(app: App): void {
  const stack = new TerraformStack(app, "large-layer-s3");
  new AwsProvider(stack, "aws", { region: "us-west-2" });
  const bucket = new S3Bucket(stack, "Artifacts", { bucket: "example-layer-artifacts-us-west-2" });
  new LambdaLayer(stack, "Large", {
    layerName: "large-python-deps",
    source: path.join(__dirname, "..", "..", "layers", "python-shared-utils"),
    compatibleRuntimes: ["python3.12"],
    s3: { bucket: bucket.bucket, keyPrefix: "lambda-layers/" },
  });
}

if (require.main === module) {
  const app = new App();
  build(app);
  app.synth();
}
