// Reaching AWS from the operations: one Lambda client per region on the SDK's standard credential
// chain (environment, profiles, SSO, container and instance roles), optionally assuming a role per
// region, every request counted; and the region runner that bounds concurrency, isolates each
// region's failure and reports progress.
import { LambdaClient, LambdaClientConfig } from "@aws-sdk/client-lambda";
import { OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";

/** How the operations reach AWS. */
export interface AwsOptions {
  /**
   * A role to assume in each region; "{region}" is replaced (for example
   * "arn:aws:iam::123456789012:role/layers-{region}"). The role is assumed with the standard chain's credentials.
   * @default - the standard credential chain's identity
   */
  readonly roleArn?: string;
  /** Regions worked on at the same time. @default 4 */
  readonly concurrency?: number;
  /** Extra client settings (an endpoint, credentials, retry attempts), for every client. @default - none */
  readonly clientConfig?: LambdaClientConfig;
  /** Makes the Lambda client of a region (the counting middleware is added to it). @default - a new LambdaClient */
  readonly clientFor?: (region: string) => LambdaClient;
  /** Receives one line per region as it starts and ends. @default - no progress */
  readonly onProgress?: (line: string) => void;
  /**
   * Consumer accounts whose functions count as users too (versions, prune, revoke): a role of that name
   * is assumed in each, region by region. @default - only the publishing account's functions
   */
  readonly consumers?: ConsumerAccounts;
}

/** The accounts that use a layer from outside the publishing account, and how to look into them. */
export interface ConsumerAccounts {
  /** 12-digit account ids. */
  readonly accounts: readonly string[];
  /**
   * Every active account of the caller's organization too (Organizations ListAccounts: run from the
   * management account or a delegated administrator). @default false
   */
  readonly organization?: boolean;
  /**
   * The IAM role assumed in each (`arn:<partition>:iam::<account>:role/<roleName>`), with the standard
   * chain's credentials; it needs lambda:ListFunctions.
   */
  readonly roleName: string;
}

/** API requests by operation name ("ListFunctions": 3), retries included. */
export type CallCounts = Record<string, number>;

/** One region's outcome: its data, or the error that stopped it. */
export type RegionOutcome<T> =
  | { readonly region: string; readonly ok: true; readonly data: T; readonly calls: CallCounts }
  | { readonly region: string; readonly ok: false; readonly error: string; readonly calls: CallCounts };

/** What every operation returns. */
export interface OperationResult<T> {
  readonly layerName: string;
  readonly regions: RegionOutcome<T>[];
  /** Regions whose work failed (no access, region not enabled, throttled after retries…). */
  readonly failedRegions: string[];
  /** Requests over all regions. */
  readonly calls: CallCounts;
}

const DEFAULT_CONCURRENCY = 4;

/**
 * Runs `work` for every region, at most `concurrency` at a time. A region that throws is reported
 * as failed; the others go on.
 */
export async function forEachRegion<T>(
  layerName: string,
  regions: readonly string[],
  options: AwsOptions,
  work: (client: LambdaClient, region: string, calls: CallCounts) => Promise<T>,
): Promise<OperationResult<T>> {
  const progress = options.onProgress ?? (() => undefined);
  const outcomes = await mapLimit(regions, options.concurrency ?? DEFAULT_CONCURRENCY, async (region): Promise<RegionOutcome<T>> => {
    const calls: CallCounts = {};
    const started = Date.now();
    progress(`${region}: started`);
    try {
      const client = lambdaClient(region, options, calls);
      const data = await work(client, region, calls);
      progress(`${region}: done in ${((Date.now() - started) / 1000).toFixed(1)} s, ${totalCalls(calls)} API calls`);
      return { region, ok: true, data, calls };
    } catch (e) {
      const error = describeError(e);
      progress(`${region}: failed: ${error}`);
      return { region, ok: false, error, calls };
    }
  });
  const calls: CallCounts = {};
  for (const o of outcomes) for (const [name, n] of Object.entries(o.calls)) calls[name] = (calls[name] ?? 0) + n;
  return { layerName, regions: outcomes, failedRegions: outcomes.filter((o) => !o.ok).map((o) => o.region), calls };
}

export function totalCalls(calls: CallCounts): number {
  return Object.values(calls).reduce((a, b) => a + b, 0);
}

/** "ListFunctions 3, GetLayerVersionPolicy 5" in a stable order. */
export function formatCalls(calls: CallCounts): string {
  const entries = Object.entries(calls).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? "none" : entries.map(([name, n]) => `${name} ${n}`).join(", ");
}

/** Maps `items` through `fn`, at most `limit` at once, keeping the order. */
export async function mapLimit<I, O>(items: readonly I[], limit: number, fn: (item: I) => Promise<O>): Promise<O[]> {
  const results: O[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

function lambdaClient(region: string, options: AwsOptions, calls: CallCounts): LambdaClient {
  const roleArn = options.roleArn?.split("{region}").join(region);
  const client =
    options.clientFor?.(region) ??
    new LambdaClient({
      ...options.clientConfig,
      region,
      credentials: roleArn ? assumedRole(roleArn, region, options, calls) : options.clientConfig?.credentials,
    });
  countRequests(client, calls);
  return client;
}

/** Counts every request sent (the deserialize step runs once per attempt, so retries count). */
export function countRequests(client: LambdaClient | STSClient | OrganizationsClient, calls: CallCounts): void {
  const options = { step: "deserialize", name: "cdktfLambdaLayersRequestCounter", override: true } as const;
  const count = (commandName: string | undefined) => {
    const name = (commandName ?? "unknown").replace(/Command$/, "");
    calls[name] = (calls[name] ?? 0) + 1;
  };
  if (client instanceof LambdaClient)
    client.middlewareStack.add(
      (next, context) => async (args) => {
        count(context.commandName);
        return next(args);
      },
      options,
    );
  else if (client instanceof OrganizationsClient)
    client.middlewareStack.add(
      (next, context) => async (args) => {
        count(context.commandName);
        return next(args);
      },
      options,
    );
  else
    client.middlewareStack.add(
      (next, context) => async (args) => {
        count(context.commandName);
        return next(args);
      },
      options,
    );
}

/** Credentials of `roleArn`, assumed with the standard chain's identity and renewed before they expire. */
function assumedRole(roleArn: string, region: string, options: AwsOptions, calls: CallCounts) {
  const { endpoint, credentials, maxAttempts } = options.clientConfig ?? {};
  const sts = new STSClient({ region, endpoint, credentials, maxAttempts });
  countRequests(sts, calls);
  let cached: { accessKeyId: string; secretAccessKey: string; sessionToken?: string; expiration?: Date } | undefined;
  return async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > 5 * 60_000)) return cached;
    const r = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "cdktf-lambda-layers" }));
    const c = r.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    cached = { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
    return cached;
  };
}

/** "AccessDeniedException: …" or the message alone. */
export function describeError(e: unknown): string {
  if (e instanceof Error) {
    const name = e.name && e.name !== "Error" ? `${e.name}: ` : "";
    return `${name}${e.message}`;
  }
  return String(e);
}

/** True for the SDK's "no such resource" errors. */
export function isNotFound(e: unknown): boolean {
  return (
    e instanceof Error &&
    (e.name === "ResourceNotFoundException" || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
  );
}
