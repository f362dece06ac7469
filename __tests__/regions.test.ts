// The region and partition table: generated from the installed AWS SDK's partition data and equal
// to it, opt-in regions derived from the closed list of default ones, ARNs per partition.
import { Testing } from "cdktf";
import * as fs from "fs";
import { COMMERCIAL_REGIONS, isKnownRegion, isOptInRegion, LayerFanout, parseLayerVersionArn, partitionOf } from "../modules";
import { PARTITIONS } from "../modules/aws/regions.generated";
import { ARN_PARTITIONS, arnOf, parseRegions } from "../modules/aws/regions";
import { ExampleLayersStack } from "../main";
import { GENERATED_FILE, readSdkPartitions, regionsOf, renderRegionsModule } from "../scripts/generate-regions";
import { tree } from "./helpers/files";
import { newStack, synthJson } from "./helpers/stacks";
import { refusal } from "./helpers/refusal";

describe("the generated table", () => {
  test("is what `npm run regions` writes from the installed SDK: the committed file cannot drift from it", () => {
    expect(fs.readFileSync(GENERATED_FILE, "utf8")).toBe(renderRegionsModule(readSdkPartitions()));
  });

  test("every region resolves through the SDK's own partition() to the partition the table gives it", () => {
    const { partition } = require("@aws-sdk/core/client") as { partition: (r: string) => { name: string } };
    const regions = PARTITIONS.flatMap((p) => Object.keys(p.regions).map((r) => [r, p.name]));
    expect(regions.length).toBeGreaterThan(40);
    for (const [region, name] of regions) {
      expect([region, partition(region).name]).toEqual([region, name]);
      expect([region, partitionOf(region)]).toEqual([region, name]);
    }
  });

  test("keeps the regions, not the endpoint rules' global pseudo-regions", () => {
    const sdk = readSdkPartitions();
    const aws = sdk.partitions.find((p) => p.id === "aws")!;
    expect(Object.keys(aws.regions)).toContain("aws-global");
    expect(regionsOf(aws)).not.toContain("aws-global");
    expect(isKnownRegion("aws-global")).toBe(false);
    expect(Object.keys(PARTITIONS.find((p) => p.id === "aws-cn")!.regions)).toEqual(["cn-north-1", "cn-northwest-1"]);
  });
});

describe("commercial regions", () => {
  test("are the SDK's partition aws: 36 today, the 17 default ones first", () => {
    expect([...COMMERCIAL_REGIONS].sort()).toEqual(Object.keys(PARTITIONS.find((p) => p.id === "aws")!.regions).sort());
    expect(COMMERCIAL_REGIONS).toHaveLength(36);
    expect(COMMERCIAL_REGIONS.slice(0, 17).every((r) => !isOptInRegion(r))).toBe(true);
    expect(COMMERCIAL_REGIONS.slice(17).every(isOptInRegion)).toBe(true);
  });

  test.each<[string, boolean]>([
    ["us-east-1", false],
    ["eu-north-1", false],
    ["ap-northeast-3", false],
    ["af-south-1", true],
    ["ap-southeast-7", true],
    ["mx-central-1", true],
    ["me-west-1", true],
    ["sa-west-1", true],
    ["cn-north-1", false],
    ["eusc-de-east-1", false],
  ])("%s opt-in: %s (regions launched after 2019-03-20 are disabled by default)", (region, optIn) => {
    expect(isOptInRegion(region)).toBe(optIn);
  });
});

describe("partitions and ARNs", () => {
  test.each<[string, string]>([
    ["us-east-1", "aws"],
    ["sa-west-1", "aws"],
    ["cn-northwest-1", "aws-cn"],
    ["us-gov-west-1", "aws-us-gov"],
    ["eusc-de-east-1", "aws-eusc"],
    ["us-isob-east-1", "aws-iso-b"],
    ["eu-isoe-west-1", "aws-iso-e"],
    // Not listed yet: resolved by the partition's region pattern, as the SDK does.
    ["eusc-de-west-9", "aws-eusc"],
    ["cn-south-7", "aws-cn"],
  ])("%s is in %s", (region, partition) => {
    expect(partitionOf(region)).toBe(partition);
  });

  test("ARNs carry the region's partition", () => {
    expect(arnOf("lambda", "eusc-de-east-1", "123456789012", "layer:utils")).toBe(
      "arn:aws-eusc:lambda:eusc-de-east-1:123456789012:layer:utils",
    );
    expect(arnOf("lambda", "cn-north-1", "123456789012", "layer:utils")).toBe("arn:aws-cn:lambda:cn-north-1:123456789012:layer:utils");
    expect(ARN_PARTITIONS).toEqual(expect.arrayContaining(["aws", "aws-cn", "aws-us-gov", "aws-eusc", "aws-iso", "aws-iso-b"]));
  });

  test("a layer ARN of the European Sovereign Cloud is read, and one naming the wrong partition is refused", () => {
    expect(parseLayerVersionArn("arn:aws-eusc:lambda:eusc-de-east-1:123456789012:layer:utils:3")).toEqual({
      partition: "aws-eusc",
      region: "eusc-de-east-1",
      account: "123456789012",
      name: "utils",
      version: 3,
    });
    expect(refusal(() => parseLayerVersionArn("arn:aws:lambda:eusc-de-east-1:123456789012:layer:utils:3")).message).toMatch(
      /names the partition aws, but eusc-de-east-1 belongs to aws-eusc.*arn:aws-eusc:lambda:eusc-de-east-1/,
    );
  });

  test("a region list mixing partitions is refused; the new regions are accepted", () => {
    expect(parseRegions(["me-west-1", "sa-west-1"], "regions")).toEqual(["me-west-1", "sa-west-1"]);
    expect(refusal(() => parseRegions(["eu-central-1", "eusc-de-east-1"], "regions")).message).toMatch(
      /mixes the AWS partitions aws, aws-eusc/,
    );
    expect(refusal(() => parseRegions(["eu-central-9"], "regions")).message).toMatch(/is not an AWS region this library knows/);
  });

  test("a fan-out publishes in the European Sovereign Cloud, through a provider of that region assuming a role of that partition", () => {
    const { stack } = newStack("eusc-de-east-1");
    const fanout = new LayerFanout(stack, "Utils", {
      regions: ["eusc-de-east-1"],
      layer: { layerName: "utils", source: tree({ "python/u.py": "" }), compatibleRuntimes: ["python3.13"] },
      assumeRoleArn: "arn:aws-eusc:iam::123456789012:role/deployer",
    });
    expect(fanout.regions).toEqual(["eusc-de-east-1"]);
    const json = synthJson(stack);
    expect(json.provider.aws).toContainEqual(
      expect.objectContaining({
        alias: "eusc-de-east-1",
        region: "eusc-de-east-1",
        assume_role: [expect.objectContaining({ role_arn: "arn:aws-eusc:iam::123456789012:role/deployer" })],
      }),
    );
  });

  test.each([
    ["ca-central-1", "arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
    ["cn-north-1", "arn:aws-cn:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"],
  ])("the example app in %s attaches the managed policy of its partition", (region, policyArn) => {
    const stack = new ExampleLayersStack(Testing.app(), "example", { region });
    expect(Object.values<any>(synthJson(stack).resource.aws_iam_role_policy_attachment).map((a) => a.policy_arn)).toEqual([policyArn]);
  });
});
