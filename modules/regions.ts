// The AWS regions a layer can be published in, and which of them an account must opt into.
import { errors } from "./errors";

/** Regions enabled by default in every commercial account. */
const DEFAULT_REGIONS = [
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
] as const;

/** Regions an account must enable before use (AWS "opt-in" regions). */
const OPT_IN_REGIONS = [
  "af-south-1",
  "ap-east-1",
  "ap-east-2",
  "ap-south-2",
  "ap-southeast-3",
  "ap-southeast-4",
  "ap-southeast-5",
  "ap-southeast-6",
  "ap-southeast-7",
  "ca-west-1",
  "eu-central-2",
  "eu-south-1",
  "eu-south-2",
  "il-central-1",
  "me-central-1",
  "me-south-1",
  "mx-central-1",
] as const;

/** Regions of the separate partitions (their own accounts and ARNs). */
const PARTITION_REGIONS: Record<string, readonly string[]> = {
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

export const COMMERCIAL_REGIONS: readonly string[] = [...DEFAULT_REGIONS, ...OPT_IN_REGIONS];

export function isKnownRegion(region: string): boolean {
  return COMMERCIAL_REGIONS.includes(region) || Object.values(PARTITION_REGIONS).some((r) => r.includes(region));
}

export function isOptInRegion(region: string): boolean {
  return (OPT_IN_REGIONS as readonly string[]).includes(region);
}

/** The ARN partition of a region: "aws", "aws-cn" or "aws-us-gov". @group Internals */
export function partitionOf(region: string): string {
  for (const [partition, regions] of Object.entries(PARTITION_REGIONS)) {
    if (regions.includes(region)) return partition;
  }
  return "aws";
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
