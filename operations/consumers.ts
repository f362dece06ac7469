// Functions in consumer accounts: a shared layer's users are mostly outside the publishing account,
// where its ListFunctions never sees them. Each consumer account is read through a role assumed in
// it (once per account for the whole operation), region by region, with the same paging as the
// publishing account and the same isolation: an account that cannot be read is reported by id and
// the others go on.
import { LambdaClient } from "@aws-sdk/client-lambda";
import { ListAccountsCommand, ListAccountsResponse, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { AwsOptions, CallCounts, countRequests, describeError, mapLimit } from "./aws";
import { layerUsage } from "./layer-reads";

/** Temporary credentials of an assumed role. */
interface AwsCredentialIdentity {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
  readonly expiration?: Date;
}

/** Consumer accounts read at the same time within a region. */
export const ACCOUNT_CONCURRENCY = 4;

/** An account whose functions could not be read, and why. */
export interface UnscannedAccount {
  readonly account: string;
  readonly error: string;
}

export interface ConsumerUsage {
  /** Version -> `account:function` (or `account:function:3`) using it in the scanned accounts. */
  readonly usage: Map<number, string[]>;
  /** Accounts read. */
  readonly scanned: string[];
  readonly unscanned: UnscannedAccount[];
}

/** Reads consumer accounts for one operation; credentials of each account's role are shared by all its regions. */
export class ConsumerScanner {
  private readonly credentials = new Map<string, () => Promise<AwsCredentialIdentity>>();
  private organization?: Promise<string[]>;

  constructor(private readonly options: AwsOptions) {}

  /**
   * The consumer accounts of the options, with the organization's when asked (listed once for the
   * operation). @throws when the organization's accounts cannot be listed.
   */
  async accounts(calls: CallCounts): Promise<string[]> {
    const consumers = this.options.consumers;
    if (!consumers) return [];
    if (consumers.organization) this.organization ??= organizationAccounts(this.options, calls);
    return [...new Set([...consumers.accounts, ...(consumers.organization ? await this.organization! : [])])];
  }

  /**
   * The functions of `accounts` (default: the options' consumer accounts) in `region` that use a
   * version of the layer `unversionedArn`; the publishing account itself is skipped.
   */
  async usage(region: string, unversionedArn: string, calls: CallCounts, accounts?: readonly string[]): Promise<ConsumerUsage> {
    const [, partition, , , publisher] = unversionedArn.split(":");
    const others = [...new Set(accounts ?? (await this.accounts(calls)))].filter((a) => a !== publisher);
    const outcomes = await mapLimit(others, ACCOUNT_CONCURRENCY, async (account) => {
      const client = new LambdaClient({
        ...this.options.clientConfig,
        region,
        credentials: this.credentialsOf(account, partition, region, calls),
      });
      countRequests(client, calls);
      try {
        return { account, usage: await layerUsage(client, unversionedArn) };
      } catch (e) {
        return { account, error: describeError(e) };
      } finally {
        client.destroy();
      }
    });
    const usage = new Map<number, string[]>();
    for (const o of outcomes)
      for (const [version, names] of o.usage ?? [])
        usage.set(version, [...(usage.get(version) ?? []), ...names.map((n) => `${o.account}:${n}`)]);
    return {
      usage,
      scanned: outcomes.filter((o) => o.usage).map((o) => o.account),
      unscanned: outcomes.flatMap((o) => (o.error === undefined ? [] : [{ account: o.account, error: o.error }])),
    };
  }

  /** The role's credentials in `account`: assumed once, renewed before they expire; a refusal is kept (it is the account's answer). */
  private credentialsOf(account: string, partition: string, region: string, calls: CallCounts): () => Promise<AwsCredentialIdentity> {
    let provider = this.credentials.get(account);
    if (!provider) {
      const roleArn = `arn:${partition}:iam::${account}:role/${this.options.consumers!.roleName}`;
      const { endpoint, credentials, maxAttempts } = this.options.clientConfig ?? {};
      const sts = new STSClient({ region, endpoint, credentials, maxAttempts });
      countRequests(sts, calls);
      let current: Promise<AwsCredentialIdentity> | undefined;
      const assume = async (): Promise<AwsCredentialIdentity> => {
        const r = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "cdktf-lambda-layers" }));
        const c = r.Credentials;
        if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
        return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
      };
      provider = async () => {
        current ??= assume();
        const c = await current;
        if (c.expiration && c.expiration.getTime() - Date.now() < 5 * 60_000) current = assume();
        return current;
      };
      this.credentials.set(account, provider);
    }
    return provider;
  }
}

/** Own usage and consumer usage in one map (own names first). */
export function mergeUsage(
  own: ReadonlyMap<number, readonly string[]>,
  consumers: ReadonlyMap<number, readonly string[]>,
): Map<number, string[]> {
  const merged = new Map<number, string[]>([...own].map(([v, names]) => [v, [...names]]));
  for (const [v, names] of consumers) merged.set(v, [...(merged.get(v) ?? []), ...names]);
  return merged;
}

/**
 * The ids of every active account of the caller's organization: Organizations ListAccounts, paged.
 * Source: Organizations API reference, ListAccounts ("This operation can be called only from the
 * organization's management account or by a member account that is a delegated administrator",
 * https://docs.aws.amazon.com/organizations/latest/APIReference/API_ListAccounts.html).
 */
export async function organizationAccounts(options: AwsOptions, calls: CallCounts = {}): Promise<string[]> {
  const { endpoint, credentials, maxAttempts } = options.clientConfig ?? {};
  // Organizations is a global service, served from us-east-1 in the aws partition.
  const client = new OrganizationsClient({ region: "us-east-1", endpoint, credentials, maxAttempts });
  countRequests(client, calls);
  const accounts: string[] = [];
  try {
    let token: string | undefined;
    do {
      const page: ListAccountsResponse = await client.send(new ListAccountsCommand({ NextToken: token }));
      for (const a of page.Accounts ?? []) if (a.Id && (a.State ?? a.Status) === "ACTIVE") accounts.push(a.Id);
      token = page.NextToken;
    } while (token);
  } catch (e) {
    throw new Error(`cannot list the organization's accounts (--consumer-accounts organization): ${describeError(e)}`);
  } finally {
    client.destroy();
  }
  return accounts;
}
