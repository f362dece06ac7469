// AWS Lambda quotas and name formats as small pure checks. Each returns early on cdktf tokens
// (values known only at apply time), which must never be validated as literals.
import { Token } from "cdktf";
import { errors } from "../core/errors";

/**
 * Function code plus all its layers, unzipped.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html
 */
export const MAX_UNZIPPED_BYTES = 262_144_000;
/** A zip uploaded directly (not through S3). */
export const MAX_DIRECT_UPLOAD_BYTES = 52_428_800;
/** Layers one function may use. */
export const MAX_LAYERS_PER_FUNCTION = 5;
/** Runtimes one layer version may declare. */
export const MAX_COMPATIBLE_RUNTIMES = 15;
export const MAX_DESCRIPTION_LENGTH = 256;
export const MAX_LICENSE_INFO_LENGTH = 512;
/** Entries a zip holds without ZIP64 records. */
export const MAX_ZIP_ENTRIES = 65_535;

const LAYER_NAME = /^[A-Za-z0-9_-]{1,140}$/;
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

const isToken = (value: unknown) => typeof value === "string" && Token.isUnresolved(value);

export function validateLayerName(value: unknown): void {
  if (isToken(value)) return;
  if (typeof value !== "string" || !LAYER_NAME.test(value)) throw errors.invalidLayerName(value);
}

export function validateMaxLength(field: string, value: string | undefined, max: number): void {
  if (value === undefined || isToken(value)) return;
  if (value.length > max) throw errors.tooLong(field, value, max);
}

export function validateS3Bucket(value: unknown): void {
  if (isToken(value)) return;
  if (typeof value !== "string" || !S3_BUCKET.test(value) || value.includes("..")) throw errors.invalidS3Bucket(value);
}

export function validateS3KeyPrefix(value: unknown): void {
  if (value === undefined || value === "" || isToken(value)) return;
  if (typeof value !== "string" || !value.endsWith("/") || value.startsWith("/")) throw errors.invalidS3KeyPrefix(value);
}

export function validateEnum<T extends string>(field: string, value: unknown, allowed: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw errors.invalidEnum(field, value, allowed);
  return value as T;
}

/**
 * A literal string as Terraform must read it: `${` and `%{` start template sequences in every
 * Terraform string, so a description holding them breaks `terraform validate`. Doubling the first
 * character (`$${`, `%%{`) makes them literal. Strings holding cdktf tokens are left alone.
 */
export function escapeTemplateSequences<T extends string | undefined>(value: T): T {
  if (value === undefined || isToken(value)) return value;
  return value.replace(/([$%])\{/g, "$1$1{") as T;
}
