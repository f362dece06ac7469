// The AWS regions a layer can be published in, the partition each belongs to (its own accounts and
// ARNs), and which commercial regions an account must opt into. Regions and partitions come from the
// installed AWS SDK's partition data through regions.generated.ts (`npm run regions`); only the
// default-enabled regions are written here.
import { errors } from "../core/errors";
import { Partition, PARTITIONS } from "./regions.generated";

/**
 * The commercial regions enabled in every account. AWS: "Regions launched before March 20, 2019 are
 * enabled by default ... Regions launched after March 20, 2019 are disabled by default" (opt-in):
 * https://docs.aws.amazon.com/accounts/latest/reference/manage-acct-regions.html
 * The list is closed: a region AWS adds is an opt-in region, found in the SDK's data.
 */
const DEFAULT_REGIONS: readonly string[] = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-north-1",
  "ap-northeast-1",
  "ap-northeast-2",
  "ap-northeast-3",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "sa-east-1",
];

/** The partition of ordinary AWS accounts. */
const COMMERCIAL: Partition = PARTITIONS.find((p) => p.id === "aws")!;

/** Regions an account must enable before use (AWS "opt-in" regions): every commercial region not enabled by default. */
const OPT_IN_REGIONS: readonly string[] = Object.keys(COMMERCIAL.regions).filter((r) => !DEFAULT_REGIONS.includes(r));

/** The commercial (partition `aws`) regions: those enabled by default first, then the opt-in ones. */
export const COMMERCIAL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

/** Every partition's ARN name ("aws", "aws-cn", "aws-us-gov", "aws-eusc", ...). */
export const ARN_PARTITIONS: readonly string[] = PARTITIONS.map((p) => p.name);

/**
 * A regular-expression group matching any partition name of an ARN, for the ARN patterns of the
 * library (layer versions, IAM roles, account roots) so that they accept every partition the table
 * knows. @group Internals
 */
export const ARN_PARTITION_PATTERN = `(${[...ARN_PARTITIONS].sort((a, b) => b.length - a.length).join("|")})`;

/** A region of any partition the installed SDK lists. */
export function isKnownRegion(region: string): boolean {
  return PARTITIONS.some((p) => Object.prototype.hasOwnProperty.call(p.regions, region));
}

/** A commercial region an account must enable first (launched after 2019-03-20). */
export function isOptInRegion(region: string): boolean {
  return OPT_IN_REGIONS.includes(region);
}

/**
 * The ARN partition of a region: the partition that lists it, else the one whose region pattern it
 * matches (as the SDK resolves regions it does not list yet), else "aws".
 * @group Internals
 */
export function partitionOf(region: string): string {
  const listed = PARTITIONS.find((p) => Object.prototype.hasOwnProperty.call(p.regions, region));
  if (listed) return listed.name;
  return PARTITIONS.find((p) => new RegExp(p.regionRegex).test(region))?.name ?? "aws";
}

/**
 * An ARN in the region's partition: `arn:<partition>:<service>:<region>:<account>:<resource>`.
 * @example arnOf("lambda", "cn-north-1", "123456789012", "layer:utils") // "arn:aws-cn:lambda:cn-north-1:123456789012:layer:utils"
 * @group Internals
 */
export function arnOf(service: string, region: string, account: string, resource: string): string {
  return `arn:${partitionOf(region)}:${service}:${region}:${account}:${resource}`;
}

/**
 * Validates a region list: known regions, each once, one partition.
 * @throws LayerValidationError naming `field`.
 * @group Internals
 */
export function parseRegions(input: readonly string[] | undefined, field: string): string[] {
  if (!Array.isArray(input) || input.length === 0) throw errors.noRegions(field, input);
  const seen = new Set<string>();
  for (const region of input) {
    if (typeof region !== "string" || !isKnownRegion(region)) throw errors.unknownRegion(field, region);
    if (seen.has(region)) throw errors.duplicate(field, input, region);
    seen.add(region);
  }
  const partitions = [...new Set(input.map(partitionOf))];
  if (partitions.length > 1) throw errors.mixedPartitions(field, input, partitions);
  return [...input];
}
