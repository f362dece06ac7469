// Layer version policies as data: the statements GetLayerVersionPolicy returns, each with the
// principal it lets read the version, and the pure rule for which statements a revocation removes.
// Statement ids are always the ones AWS returns: they are never derived or guessed here.
import { ARN_PARTITION_PATTERN } from "../modules/aws/regions";

/** Who a statement lets read a layer version. */
export type Principal =
  | { readonly kind: "account"; readonly accountId: string }
  | { readonly kind: "organization"; readonly organizationId: string }
  | { readonly kind: "public" }
  /** Anything else (several principals, a service, a condition this tool does not read): never revoked. */
  | { readonly kind: "other"; readonly description: string };

/** One statement of a layer version's policy. */
export interface PolicyStatement {
  /** The statement id as AWS returns it (`Sid`): what RemoveLayerVersionPermission takes. */
  readonly statementId: string;
  readonly principal: Principal;
  readonly action: string;
}

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT_ARN = new RegExp(`^arn:${ARN_PARTITION_PATTERN}:iam::(\\d{12}):root$`);
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * Parses a `--principal` value: a 12-digit account id or `arn:aws:iam::<id>:root`, an organization
 * id (`o-…`), or `public` (also `*`). Undefined when it is none of these.
 */
export function parsePrincipal(value: string): Principal | undefined {
  if (value === "public" || value === "*") return { kind: "public" };
  if (ACCOUNT_ID.test(value)) return { kind: "account", accountId: value };
  const arn = ACCOUNT_ROOT_ARN.exec(value);
  if (arn) return { kind: "account", accountId: arn[2] };
  if (ORGANIZATION_ID.test(value)) return { kind: "organization", organizationId: value };
  return undefined;
}

/** "account 111122223333", "organization o-…", "public". */
export function principalLabel(p: Principal): string {
  switch (p.kind) {
    case "account":
      return `account ${p.accountId}`;
    case "organization":
      return `organization ${p.organizationId}`;
    case "public":
      return "public";
    case "other":
      return `other (${p.description})`;
  }
}

export function samePrincipal(a: Principal, b: Principal): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "account") return a.accountId === (b as typeof a).accountId;
  if (a.kind === "organization") return a.organizationId === (b as typeof a).organizationId;
  if (a.kind === "public") return true;
  return a.description === (b as typeof a).description;
}

interface RawStatement {
  Sid?: string;
  Effect?: string;
  Principal?: unknown;
  Action?: string | string[];
  Condition?: Record<string, Record<string, unknown>>;
}

/** The statements of a policy document (the `Policy` string of GetLayerVersionPolicy). */
export function parsePolicy(policy: string | undefined): PolicyStatement[] {
  if (!policy) return [];
  const doc = JSON.parse(policy) as { Statement?: RawStatement | RawStatement[] };
  const statements = doc.Statement === undefined ? [] : Array.isArray(doc.Statement) ? doc.Statement : [doc.Statement];
  return statements.map((s) => ({
    statementId: s.Sid ?? "",
    principal: principalOf(s),
    action: Array.isArray(s.Action) ? s.Action.join(",") : (s.Action ?? ""),
  }));
}

/** Reads the principal the way Lambda writes it: `{"AWS": "arn:aws:iam::<id>:root"}`, or `"*"` with an optional org condition. */
export function principalOf(s: RawStatement): Principal {
  if (s.Effect !== undefined && s.Effect !== "Allow") return { kind: "other", description: `Effect ${s.Effect}` };
  const conditions = Object.entries(s.Condition ?? {});
  const orgs = conditions.flatMap(([op, keys]) =>
    Object.entries(keys)
      .filter(([key]) => key.toLowerCase() === "aws:principalorgid")
      .map(([, v]) => ({ op, v })),
  );
  const otherConditions = conditions.flatMap(([, keys]) => Object.keys(keys)).filter((k) => k.toLowerCase() !== "aws:principalorgid");
  if (otherConditions.length > 0) return { kind: "other", description: `condition on ${otherConditions.join(", ")}` };

  const raw = s.Principal;
  const aws = typeof raw === "object" && raw !== null ? (raw as Record<string, unknown>).AWS : raw;
  const values = Array.isArray(aws) ? aws : [aws];
  if (values.length !== 1 || typeof values[0] !== "string") return { kind: "other", description: JSON.stringify(raw) };
  const value = values[0];
  if (value === "*") {
    if (orgs.length === 0) return { kind: "public" };
    const [{ op, v }] = orgs;
    if (orgs.length === 1 && op === "StringEquals" && typeof v === "string" && ORGANIZATION_ID.test(v))
      return { kind: "organization", organizationId: v };
    return { kind: "other", description: `organization condition ${JSON.stringify(s.Condition)}` };
  }
  const account = parsePrincipal(value);
  if (account?.kind === "account" && orgs.length === 0) return account;
  return { kind: "other", description: JSON.stringify(raw) };
}

/** What a revocation does to one version's statements. */
export interface RevokeSelection {
  /** The statements granting exactly `principal`: removed, by their own statement ids. */
  readonly remove: PolicyStatement[];
  /** Every other statement: never touched. */
  readonly keep: PolicyStatement[];
}

/**
 * Which statements revoking `principal` removes: those whose only principal is exactly it. A
 * statement naming several principals, or one this tool cannot read, is kept (removing it would
 * revoke someone else too); so is a statement without a statement id.
 */
export function selectStatementsToRevoke(statements: readonly PolicyStatement[], principal: Principal): RevokeSelection {
  const remove: PolicyStatement[] = [];
  const keep: PolicyStatement[] = [];
  for (const s of statements) {
    (s.statementId !== "" && principal.kind !== "other" && samePrincipal(s.principal, principal) ? remove : keep).push(s);
  }
  return { remove, keep };
}

/**
 * The principals other than `ownAccount` (the publishing account) that `statements` let read the
 * version, each once: the accounts, organizations and the public a version is shared with. A
 * statement this tool cannot read (`other`) counts too, since it may let someone read the version.
 */
export function granteesOf(statements: readonly PolicyStatement[], ownAccount: string | undefined): Principal[] {
  const grantees: Principal[] = [];
  for (const s of statements) {
    if (s.principal.kind === "account" && s.principal.accountId === ownAccount) continue;
    if (!grantees.some((g) => samePrincipal(g, s.principal))) grantees.push(s.principal);
  }
  return grantees;
}

/** The account id of a Lambda ARN (`arn:aws:lambda:us-east-1:123456789012:layer:…`), or undefined. */
export function accountOfArn(arn: string): string | undefined {
  return /^arn:[a-z-]+:[a-z0-9-]+:[a-z0-9-]*:(\d{12}):/.exec(arn)?.[1];
}
