// The example app: the two example layers from layers/, shared with two accounts and an
// organization, and three functions (functions/) that use them; then a rollout of both layers and
// the todos function over five regions. The rollout's functions run under the role this stack
// creates, by reference: the dependency is explicit, so `cdktf deploy '*'` and destroy order the stacks.
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicyAttachment } from "@cdktf/provider-aws/lib/iam-role-policy-attachment";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, CloudBackend, NamedCloudWorkspace, TerraformStack } from "cdktf";
import { Construct } from "constructs";
import * as path from "path";
import {
  LambdaLayer,
  LambdaLayerOptions,
  LayeredFunction,
  LayerRollout,
  LayerRolloutProps,
  localStateBackend,
  partitionOf,
} from "./modules";

export interface ExampleLayersStackOptions {
  /**
   * Outside the rollout's regions: a layer name in a region has one owner (one stack's state), or
   * two stacks would interleave its version numbers.
   * @default "ca-central-1"
   */
  readonly region?: string;
  readonly cacheDir?: string;
  /**
   * A Terraform Cloud organization: the stack's state goes to workspace `lambda-<id>` (project
   * "lambda-layers"), as the rollout's do, so their cross-stack reference to the role works there too.
   * @default - local state outside cdktf.out
   */
  readonly organization?: string;
}

export class ExampleLayersStack extends TerraformStack {
  public readonly pythonUtils: LambdaLayer;
  public readonly nodeLogging: LambdaLayer;
  public readonly todos: LayeredFunction;
  public readonly users: LayeredFunction;
  public readonly orders: LayeredFunction;
  /** The functions' execution role (IAM is global: the rollout's functions use it too). */
  public readonly functionRole: IamRole;

  constructor(scope: Construct, id: string, options: ExampleLayersStackOptions = {}) {
    super(scope, id);
    if (options.organization) {
      new CloudBackend(this, { organization: options.organization, workspaces: new NamedCloudWorkspace(`lambda-${id}`, "lambda-layers") });
    } else {
      // State outside cdktf.out, by a relative path: no synth machine path in the output.
      localStateBackend(this);
    }
    const region = options.region ?? "ca-central-1";
    new AwsProvider(this, "aws", { region });

    const layers = exampleLayers(options.cacheDir);
    this.pythonUtils = new LambdaLayer(this, "python-shared-utils", { ...layers.pythonUtils, sharing: { organizationId: "o-a1b2c3d4e5" } });
    this.nodeLogging = new LambdaLayer(this, "nodejs-logging", {
      ...layers.nodeLogging,
      sharing: { accounts: ["111122223333", "arn:aws:iam::444455556666:root"] },
    });

    const role = (this.functionRole = new IamRole(this, "function-role", {
      name: "example-layers-functions",
      assumeRolePolicy: JSON.stringify({
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
      }),
    }));
    new IamRolePolicyAttachment(this, "function-role-logs", {
      role: role.name,
      // AWS managed policies live in each partition: arn:aws-cn:iam::aws:policy/... in China.
      policyArn: `arn:${partitionOf(region)}:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole`,
    });

    const nodeFunction = (name: string) =>
      new LayeredFunction(this, name, {
        functionName: `example-${name}`,
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        role: role.arn,
        source: path.join(__dirname, "functions", name),
        layers: [this.nodeLogging],
        cacheDir: options.cacheDir,
      });
    this.todos = nodeFunction("todos");
    this.users = nodeFunction("users");
    this.orders = new LayeredFunction(this, "orders", {
      functionName: "example-orders",
      runtime: "python3.12",
      handler: "app.handler",
      role: role.arn,
      source: path.join(__dirname, "functions", "orders"),
      layers: [this.pythonUtils],
      timeout: 10,
      cacheDir: options.cacheDir,
    });
  }
}

/** The two example layers from layers/, as the stack and the rollout publish them. */
export function exampleLayers(cacheDir?: string): { pythonUtils: LambdaLayerOptions; nodeLogging: LambdaLayerOptions } {
  const common = { compatibleArchitectures: ["x86_64", "arm64"], licenseInfo: "Apache-2.0", cacheDir };
  return {
    pythonUtils: {
      ...common,
      layerName: "python-shared-utils",
      source: path.join(__dirname, "layers", "python-shared-utils"),
      compatibleRuntimes: ["python3.12", "python3.13"],
      description: "Response helpers, event-body parsing, a JSON logger and an error type",
    },
    nodeLogging: {
      ...common,
      layerName: "nodejs-logging",
      source: path.join(__dirname, "layers", "nodejs-logging"),
      compatibleRuntimes: ["nodejs22.x"],
      description: "Structured JSON logging (require('layer-logger'))",
    },
  };
}

/**
 * The example rollout: both layers and the todos function over three waves and five regions.
 * @param options.role the functions' execution role ARN (a reference to ExampleLayersStack's role in the app)
 */
export function exampleRolloutProps(options: { cacheDir?: string; organization?: string; role?: string } = {}): LayerRolloutProps {
  const { pythonUtils, nodeLogging } = exampleLayers(options.cacheDir);
  const sharing = { organizationId: "o-a1b2c3d4e5" };
  return {
    layers: [
      { ...pythonUtils, sharing },
      { ...nodeLogging, sharing },
    ],
    waves: [["us-east-1"], ["us-west-2", "eu-west-1"], ["eu-central-1", "ap-southeast-2"]],
    functions: [
      {
        functionName: "todos",
        runtime: "nodejs22.x",
        architectures: ["arm64"],
        handler: "index.handler",
        // IAM is global: one execution role serves every region.
        role: options.role ?? "arn:aws:iam::123456789012:role/example-layers-functions",
        source: path.join(__dirname, "functions", "todos"),
        layers: ["nodejs-logging"],
        cacheDir: options.cacheDir,
      },
    ],
    cloud: options.organization ? { organization: options.organization, workspacePrefix: "lambda-", project: "lambda-layers" } : undefined,
  };
}

if (require.main === module) {
  const app = new App();
  // TFC_ORGANIZATION=<org> npx cdktf synth gives every stack its own Terraform Cloud workspace.
  const organization = process.env.TFC_ORGANIZATION;
  const example = new ExampleLayersStack(app, "example-layers", { organization });
  new LayerRollout(app, "layers", exampleRolloutProps({ organization, role: example.functionRole.arn }));
  app.synth();
}
