// Terraform's version constraint syntax (a required provider's `version`), parsed so that synth can
// ask what a constraint admits: which is the oldest provider release it lets `terraform init` pick,
// and whether it admits any release of a major version. One parser for every such question.
//
// Syntax and meaning, as Terraform documents them
// (https://developer.hashicorp.com/terraform/language/expressions/version-constraints):
// comma-joined clauses; each an operator (=, !=, >, >=, <, <=, ~>; none means =) and a version of
// one to three numbers with an optional pre-release suffix ("6.0.0-beta1"). `~>` allows only the
// right-most number given to grow: "~> 6.2.0" is ">= 6.2.0, < 6.3.0", "~> 6.2" and "~> 6" are
// ">= 6.2, < 7.0" and ">= 6.0, < 7.0". A pre-release is selected only by an exact (=) clause.
import { errors } from "../core/errors";

/** A provider version: three numbers and an optional pre-release suffix. @group Internals */
export interface ProviderVersion {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
  /** "beta1" for 6.0.0-beta1; undefined for a release. */
  readonly prerelease?: string;
}

/** One clause of a constraint, such as ">= 5.80". @group Internals */
export interface ConstraintClause {
  readonly operator: "=" | "!=" | ">" | ">=" | "<" | "<=" | "~>";
  readonly version: ProviderVersion;
  /** How many numbers the clause wrote (1 to 3): `~>` lets the last of them grow. */
  readonly segments: number;
}

const CLAUSE = /^\s*(=|!=|>=|<=|>|<|~>)?\s*(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?\s*$/;

/**
 * The clauses of a Terraform version constraint.
 * @throws LayerValidationError (field `awsProviderVersion`) when `text` is not one.
 * @group Internals
 */
export function parseVersionConstraint(text: string): ConstraintClause[] {
  if (typeof text !== "string" || text.trim() === "") throw errors.invalidProviderConstraint(text);
  return text.split(",").map((part) => {
    const m = CLAUSE.exec(part);
    if (!m) throw errors.invalidProviderConstraint(text);
    const [major, minor, patch] = [m[2], m[3], m[4]].map((n) => (n === undefined ? 0 : Number(n)));
    const segments = m[4] !== undefined ? 3 : m[3] !== undefined ? 2 : 1;
    return {
      operator: (m[1] ?? "=") as ConstraintClause["operator"],
      version: { major, minor, patch, prerelease: m[5] },
      segments,
    };
  });
}

/** A version from "6.21.0" or "6.21" (missing numbers are 0). @group Internals */
export function parseVersion(text: string): ProviderVersion {
  const clauses = parseVersionConstraint(text);
  if (clauses.length !== 1 || clauses[0].operator !== "=" || !/^\s*\d/.test(text)) throw errors.invalidProviderConstraint(text);
  return clauses[0].version;
}

/** "6.21.0", "6.0.0-beta1". @group Internals */
export function formatVersion(v: ProviderVersion): string {
  return `${v.major}.${v.minor}.${v.patch}${v.prerelease ? `-${v.prerelease}` : ""}`;
}

/** Orders versions; a pre-release comes before its release (6.0.0-beta1 < 6.0.0). @group Internals */
export function compareVersions(a: ProviderVersion, b: ProviderVersion): number {
  if (a.major !== b.major) return a.major - b.major;
  if (a.minor !== b.minor) return a.minor - b.minor;
  if (a.patch !== b.patch) return a.patch - b.patch;
  if (a.prerelease === b.prerelease) return 0;
  if (a.prerelease === undefined) return 1;
  if (b.prerelease === undefined) return -1;
  return comparePrerelease(a.prerelease, b.prerelease);
}

/** Semantic Versioning's order of pre-release identifiers: numbers numerically, before words. */
function comparePrerelease(a: string, b: string): number {
  const [x, y] = [a.split("."), b.split(".")];
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    if (x[i] === y[i]) continue;
    const [nx, ny] = [/^\d+$/.test(x[i]), /^\d+$/.test(y[i])];
    if (nx && ny) return Number(x[i]) - Number(y[i]);
    if (nx !== ny) return nx ? -1 : 1;
    return x[i] < y[i] ? -1 : 1;
  }
  return x.length - y.length;
}

/** The first version `~>` no longer admits: the number before the last one written, plus one. */
function pessimisticCeiling(clause: ConstraintClause): ProviderVersion {
  const v = clause.version;
  return clause.segments === 3 ? { major: v.major, minor: v.minor + 1, patch: 0 } : { major: v.major + 1, minor: 0, patch: 0 };
}

function clauseAdmits(clause: ConstraintClause, v: ProviderVersion): boolean {
  // Only an exact clause selects a pre-release (Terraform: "prerelease versions do not match inexact operators").
  if (v.prerelease !== undefined && clause.operator !== "=") return false;
  const c = compareVersions(v, clause.version);
  switch (clause.operator) {
    case "=":
      return c === 0;
    case "!=":
      return c !== 0;
    case ">":
      return c > 0;
    case ">=":
      return c >= 0;
    case "<":
      return c < 0;
    case "<=":
      return c <= 0;
    case "~>":
      return c >= 0 && compareVersions(v, pessimisticCeiling(clause)) < 0;
  }
}

/** Whether every clause admits `version`. @group Internals */
export function constraintAdmits(constraint: string | readonly ConstraintClause[], version: ProviderVersion | string): boolean {
  const clauses = typeof constraint === "string" ? parseVersionConstraint(constraint) : constraint;
  const v = typeof version === "string" ? parseVersion(version) : version;
  return clauses.every((c) => clauseAdmits(c, v));
}

/**
 * The oldest version at or above `floor` the constraint admits (undefined: none). Releases only,
 * unless an exact clause names a pre-release. The versions between two releases (5.80.1 when only
 * 5.80.0 and 5.81.0 exist) count as admitted: the answer is what the constraint allows, not what was
 * published.
 * @group Internals
 */
export function oldestAdmitted(
  constraint: string | readonly ConstraintClause[],
  floor?: ProviderVersion | string,
): ProviderVersion | undefined {
  const clauses = typeof constraint === "string" ? parseVersionConstraint(constraint) : constraint;
  const low = typeof floor === "string" ? parseVersion(floor) : (floor ?? { major: 0, minor: 0, patch: 0 });
  const exact = clauses.find((c) => c.operator === "=");
  if (exact) {
    return compareVersions(exact.version, low) >= 0 && constraintAdmits(clauses, exact.version) ? exact.version : undefined;
  }
  // A pre-release floor (6.0.0-beta1) starts the search at its release: inexact clauses skip pre-releases.
  let candidate: ProviderVersion = release(low);
  for (const c of clauses) {
    const bound = release(c.version);
    if ((c.operator === ">=" || c.operator === "~>") && compareVersions(bound, candidate) > 0) candidate = bound;
    // "> 6.0.0-beta1" admits 6.0.0 itself; "> 6.0.0" admits from 6.0.1.
    if (c.operator === ">" && compareVersions(c.version.prerelease ? bound : next(bound), candidate) > 0)
      candidate = c.version.prerelease ? bound : next(bound);
  }
  // Each != skips one version; after all of them the candidate is admitted or nothing is.
  for (let i = 0; i <= clauses.length; i++) {
    if (!clauses.some((c) => c.operator === "!=" && compareVersions(c.version, candidate) === 0)) break;
    candidate = next(candidate);
  }
  return constraintAdmits(clauses, candidate) ? candidate : undefined;
}

function release(v: ProviderVersion): ProviderVersion {
  return { major: v.major, minor: v.minor, patch: v.patch };
}

function next(v: ProviderVersion): ProviderVersion {
  return { major: v.major, minor: v.minor, patch: v.patch + 1 };
}

/** Whether the constraint admits some version in [from, to). @group Internals */
export function admitsWithin(constraint: string | readonly ConstraintClause[], from: string, to: string): boolean {
  const oldest = oldestAdmitted(constraint, from);
  return oldest !== undefined && compareVersions(oldest, parseVersion(to)) < 0;
}

/**
 * A constraint that keeps `constraint`'s upper bounds but admits nothing older than `floor`: the fix
 * to offer when the constraint admits a version too old for something the stack declares. Upper
 * bounds that would exclude `floor` itself are replaced by the next major version.
 * @group Internals
 */
export function raiseFloor(constraint: string, floor: string): string {
  const low = parseVersion(floor);
  const uppers = parseVersionConstraint(constraint)
    .flatMap((c): string[] => {
      if (c.operator === "<" || c.operator === "<=") return [`${c.operator} ${formatVersion(c.version)}`];
      if (c.operator === "~>") return [`< ${formatVersion(pessimisticCeiling(c))}`];
      if (c.operator === "!=" && compareVersions(c.version, low) > 0) return [`!= ${formatVersion(c.version)}`];
      return [];
    })
    .filter((clause) => constraintAdmits(clause, low));
  const bounded = uppers.some((u) => u.startsWith("<"));
  return [`>= ${formatVersion(low)}`, ...uppers, ...(bounded ? [] : [`< ${low.major + 1}.0.0`])].join(", ");
}
