// Who may use a layer version (`lambda:GetLayerVersion`), as pure rules: principals are parsed,
// normalised and checked, and each grant gets a deterministic, valid, unique statement id.
import { Token } from "cdktf";
import { errors } from "../core/errors";
import { ARN_PARTITION_PATTERN } from "../aws/regions";
import { toolName } from "../core/framework";

/** Who may use the layer's versions. At least one of the three must grant something. */
export interface LayerSharing {
  /** 12-digit account ids or `arn:aws:iam::<id>:root`. @default [] */
  readonly accounts?: readonly string[];
  /** Every account of this AWS Organization (`o-` and 10-32 lowercase letters or digits). @default - none */
  readonly organizationId?: string;
  /** Every AWS account. Must be exactly `true`; synth warns. @default false */
  readonly public?: boolean;
}

/** One `aws_lambda_layer_version_permission`. */
export interface LayerGrant {
  /** `[A-Za-z0-9-_]{1,100}`, derived from the principal: stable across synths. */
  readonly statementId: string;
  /** An account id, or "*" (public or organization). */
  readonly principal: string;
  readonly organizationId?: string;
}

/** The only action a layer permission grants. */
export const LAYER_ACTION = "lambda:GetLayerVersion";

/**
 * How every `aws_lambda_layer_version_permission` is managed, because of a defect in the AWS
 * provider (hashicorp/terraform-provider-aws#21917, open since 2021; fix #44668 unmerged): the
 * resource's id is `layer,version`, so its read takes the *first* statement of the version's whole
 * policy for every permission on that version. With two or more grants on a version, plain
 * resources plan a replacement after every apply (which AWS refuses with a duplicate statement id),
 * and a delete would send the first statement's id, revoking another principal.
 *
 * - `ignore_changes` on exactly what that read overwrites, so the plan after an apply is empty.
 *   Statement ids and resource keys are derived from the principal, so a changed principal is a new
 *   resource, never a hidden in-place edit.
 * - `skip_destroy` always: Terraform never sends a delete, so it never revokes anyone. Removing a
 *   principal keeps its access to versions already published; new versions no longer grant it.
 *   Revoke explicitly (`cdktf-lambda-layers revoke`), which reads the real statement ids.
 * @group Internals
 */
export function grantLifecycle(): { skipDestroy: true; lifecycle: { ignoreChanges: string[] } } {
  return { skipDestroy: true, lifecycle: { ignoreChanges: ["principal", "statement_id", "organization_id", "action"] } };
}

/** What a user sees at synth for a layer with grants. @group Internals */
export const GRANTS_ARE_KEPT = `grants are never revoked by Terraform: removing a principal stops granting it on new versions and keeps its access to versions already published (revoke on purpose with \`${toolName()} revoke\`)`;

const ACCOUNT_ID = /^\d{12}$/;
const ACCOUNT_ROOT_ARN = new RegExp(`^arn:${ARN_PARTITION_PATTERN}:iam::(\\d{12}):root$`);
const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;

/**
 * Turns a sharing block into grants, checked against the grants already made (`existing`).
 * @throws LayerValidationError for an empty block, a malformed principal, a duplicate or a public grant without `public: true`.
 * @group Internals
 */
export function parseSharing(sharing: LayerSharing | undefined, existing: readonly LayerGrant[] = [], field = "sharing"): LayerGrant[] {
  if (sharing === undefined || sharing === null || typeof sharing !== "object") throw errors.emptySharing(field, sharing);
  const accounts = sharing.accounts ?? [];
  if (!Array.isArray(accounts)) throw errors.invalidAccount(`${field}.accounts`, accounts);
  if (sharing.public !== undefined && typeof sharing.public !== "boolean")
    throw errors.publicNotExplicit(`${field}.public`, sharing.public);
  if (accounts.length === 0 && sharing.organizationId === undefined && sharing.public !== true) throw errors.emptySharing(field, sharing);

  const grants: LayerGrant[] = [];
  const add = (grant: LayerGrant, fieldName: string, value: unknown) => {
    const clash = [...existing, ...grants].find((g) => g.statementId === grant.statementId);
    if (clash) throw errors.duplicatePrincipal(fieldName, value);
    grants.push(grant);
  };
  let references = existing.filter((g) => g.statementId.startsWith("account-ref-")).length;
  for (const account of accounts) {
    // An account known only at apply time gets a positional id: stable as long as the code is.
    const grant =
      typeof account === "string" && Token.isUnresolved(account)
        ? { statementId: `account-ref-${++references}`, principal: account }
        : accountGrant(account, `${field}.accounts`);
    add(grant, `${field}.accounts`, account);
  }
  if (sharing.organizationId !== undefined) {
    const org = sharing.organizationId;
    if (!Token.isUnresolved(org) && !ORGANIZATION_ID.test(org)) throw errors.invalidOrganizationId(`${field}.organizationId`, org);
    add(
      { statementId: Token.isUnresolved(org) ? "organization" : `org-${org}`, principal: "*", organizationId: org },
      `${field}.organizationId`,
      org,
    );
  }
  if (sharing.public === true) {
    add({ statementId: "public", principal: "*" }, `${field}.public`, true);
  }
  const all = [...existing, ...grants];
  if (all.some((g) => g.statementId === "public") && all.length > 1) {
    throw errors.redundantWithPublic(field, sharing);
  }
  return grants;
}

function accountGrant(value: string, field: string): LayerGrant {
  if (value === "*") throw errors.publicNotExplicit(field, value);
  const id = typeof value === "string" ? (ACCOUNT_ID.test(value) ? value : ACCOUNT_ROOT_ARN.exec(value)?.[2]) : undefined;
  if (!id) throw errors.invalidAccount(field, value);
  return { statementId: `account-${id}`, principal: id };
}

/** Advice for a grant set; never fatal. */
export function sharingWarnings(grants: readonly LayerGrant[]): string[] {
  return grants.some((g) => g.statementId === "public")
    ? ["is shared publicly: every AWS account can read and use this layer's content"]
    : [];
}
