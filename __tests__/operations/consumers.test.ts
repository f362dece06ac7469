// Consumers in other accounts, against the emulator with real second accounts: moto keeps resources
// per account and AssumeRole credentials act as the role's account; the AWS-shape proxy refuses
// AssumeRole into a role that does not exist or does not trust the caller, and lets a function of
// account B use a layer version of account A only when A's policy grants it, as AWS does. No SDK mock:
// the operations assume the role in each consumer account and read its ListFunctions.
import {
  AddLayerVersionPermissionCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListFunctionsCommand,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
  UpdateFunctionConfigurationCommand,
} from "@aws-sdk/client-lambda";
import { CreateAccountCommand, CreateOrganizationCommand, OrganizationsClient } from "@aws-sdk/client-organizations";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import * as fs from "fs";
import * as path from "path";
import { Emulator, createAccountRole, runCliAgainst, startEmulator, writeZip } from "../helpers/emulator";
import { tempDir } from "../helpers/files";

const LAYER = "shared-utils";
/** A consumer account with the read role: its functions are scanned. */
const CONSUMER = "222233334444";
/** A consumer account without the role: AssumeRole is refused. */
const CLOSED = "555566667777";
const ROLE = "layers-reader";
const ORG = "o-a1b2c3d4e5";

let emulator: Emulator;
const config = () => ({
  endpoint: emulator.endpoint,
  credentials: { accessKeyId: "testing", secretAccessKey: "testing" },
  maxAttempts: 1,
});
const publisher = (region: string) => new LambdaClient({ ...config(), region });
const transcripts: Record<string, string> = {};

beforeAll(async () => {
  emulator = await startEmulator();
}, 120_000);

afterAll(async () => {
  if (process.env.OPS_TRANSCRIPTS) fs.writeFileSync(process.env.OPS_TRANSCRIPTS, JSON.stringify(transcripts, null, 2));
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
});

/** A Lambda client acting as `account`, through AssumeRole of `role` there (created when missing). */
async function clientIn(account: string, region: string): Promise<LambdaClient> {
  const sts = new STSClient({ ...config(), region });
  const r = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${account}:role/${ROLE}`, RoleSessionName: "test" }));
  sts.destroy();
  const c = r.Credentials!;
  return new LambdaClient({
    ...config(),
    region,
    credentials: { accessKeyId: c.AccessKeyId!, secretAccessKey: c.SecretAccessKey!, sessionToken: c.SessionToken },
  });
}

async function publish(region: string, count: number): Promise<void> {
  const client = publisher(region);
  const dir = tempDir("consumers-zips-");
  for (let i = 1; i <= count; i++) {
    const zip = fs.readFileSync(writeZip(path.join(dir, `${i}.zip`), { "python/shared_utils.py": `V = ${i}\n` }));
    await client.send(new PublishLayerVersionCommand({ LayerName: LAYER, Content: { ZipFile: zip }, CompatibleRuntimes: ["python3.12"] }));
  }
  client.destroy();
}

async function grant(region: string, version: number, principal: string, organizationId?: string): Promise<void> {
  const client = publisher(region);
  await client.send(
    new AddLayerVersionPermissionCommand({
      LayerName: LAYER,
      VersionNumber: version,
      StatementId: organizationId ? `org-${organizationId}` : `account-${principal}`,
      Action: "lambda:GetLayerVersion",
      Principal: principal,
      OrganizationId: organizationId,
    }),
  );
  client.destroy();
}

const layerArn = (region: string, version: number) => `arn:aws:lambda:${region}:${emulator.accountId}:layer:${LAYER}:${version}`;

/** CreateFunction in `client`'s account with the publisher's layer versions. */
async function createFunction(client: LambdaClient, account: string, name: string, region: string, versions: number[]) {
  const functionRole = await createAccountRole(emulator, account, `fn-${name}`, account).catch(
    () => `arn:aws:iam::${account}:role/fn-${name}`,
  );
  const code = fs.readFileSync(writeZip(path.join(tempDir("consumers-fn-"), "fn.zip"), { "app.py": "def handler(e, c):\n    return 1\n" }));
  return client.send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "python3.12",
      Role: functionRole,
      Handler: "app.handler",
      Code: { ZipFile: code },
      Layers: versions.map((v) => layerArn(region, v)),
    }),
  );
}

async function remainingVersions(region: string): Promise<number[]> {
  const client = publisher(region);
  const r = await client.send(new ListLayerVersionsCommand({ LayerName: LAYER }));
  client.destroy();
  return (r.LayerVersions ?? []).map((v) => v.Version!).sort((a, b) => a - b);
}

/** Sid -> principal of one version's policy. */
async function statements(region: string, version: number): Promise<Record<string, unknown>> {
  const client = publisher(region);
  try {
    const r = await client.send(new GetLayerVersionPolicyCommand({ LayerName: LAYER, VersionNumber: version }));
    const doc = JSON.parse(r.Policy!) as { Statement: Array<{ Sid: string; Principal: unknown }> };
    return Object.fromEntries(doc.Statement.map((s) => [s.Sid, s.Principal]));
  } catch (e) {
    if ((e as Error).name === "ResourceNotFoundException") return {};
    throw e;
  } finally {
    client.destroy();
  }
}

const accountPrincipal = (account: string) => ({ AWS: `arn:aws:iam::${account}:root` });
const cli = (args: string[]) => runCliAgainst(emulator, args);
const scanFlags = ["--consumer-accounts", `${CONSUMER},${CLOSED}`, "--consumer-role", ROLE];

/**
 * us-east-1: v1 granted to CLOSED (cannot be scanned), v2 granted to CONSUMER and used by its
 * function `orders`, v3 granted to CONSUMER and unused, v4 the newest. eu-west-1: v1 granted to
 * CONSUMER and used by its `users`, v2 the newest.
 */
async function consumerSetup(): Promise<void> {
  await createAccountRole(emulator, CONSUMER, ROLE);
  await publish("us-east-1", 4);
  await publish("eu-west-1", 2);
  await grant("us-east-1", 1, CLOSED);
  await grant("us-east-1", 2, CONSUMER);
  await grant("us-east-1", 3, CONSUMER);
  await grant("eu-west-1", 1, CONSUMER);
  const east = await clientIn(CONSUMER, "us-east-1");
  const west = await clientIn(CONSUMER, "eu-west-1");
  await createFunction(east, CONSUMER, "orders", "us-east-1", [2]);
  await createFunction(west, CONSUMER, "users", "eu-west-1", [1]);
  east.destroy();
  west.destroy();
}

describe("the emulator answers across accounts as AWS does", () => {
  test("AssumeRole: a role that trusts the caller gives that account's identity; a missing or untrusting role is AccessDenied", async () => {
    await createAccountRole(emulator, CONSUMER, ROLE);
    await createAccountRole(emulator, CONSUMER, "trusts-someone-else", "999988887777");
    const sts = new STSClient({ ...config(), region: "us-east-1" });
    const assumed = await sts.send(new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${CONSUMER}:role/${ROLE}`, RoleSessionName: "t" }));
    const asConsumer = new STSClient({
      ...config(),
      region: "us-east-1",
      credentials: {
        accessKeyId: assumed.Credentials!.AccessKeyId!,
        secretAccessKey: assumed.Credentials!.SecretAccessKey!,
        sessionToken: assumed.Credentials!.SessionToken,
      },
    });
    expect((await asConsumer.send(new GetCallerIdentityCommand({}))).Account).toBe(CONSUMER);
    for (const roleArn of [`arn:aws:iam::${CLOSED}:role/${ROLE}`, `arn:aws:iam::${CONSUMER}:role/trusts-someone-else`]) {
      const refused = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "t" })).catch((e: Error) => e);
      expect(refused).toMatchObject({
        name: "AccessDenied",
        message: `User: arn:aws:sts::${emulator.accountId}:user/moto is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`,
        $metadata: { httpStatusCode: 403 },
      });
    }
    sts.destroy();
    asConsumer.destroy();
  });

  test("CreateFunction in account B with a layer version of account A: allowed by an account or public grant, refused without one or for an organization it is not in", async () => {
    await createAccountRole(emulator, CONSUMER, ROLE);
    await publish("us-east-1", 3);
    await grant("us-east-1", 1, CONSUMER);
    const consumer = await clientIn(CONSUMER, "us-east-1");
    const created = await createFunction(consumer, CONSUMER, "orders", "us-east-1", [1]);
    expect(created.Layers?.map((l) => l.Arn)).toEqual([layerArn("us-east-1", 1)]);
    expect(created.Layers?.[0].CodeSize).toBeGreaterThan(0);
    // Listed where AWS lists it: the consumer's ListFunctions and GetFunctionConfiguration; not in A.
    const listed = await consumer.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => [f.FunctionName, f.Layers?.map((l) => l.Arn)])).toEqual([["orders", [layerArn("us-east-1", 1)]]]);
    const configuration = await consumer.send(new GetFunctionConfigurationCommand({ FunctionName: "orders" }));
    expect(configuration.Layers?.map((l) => l.Arn)).toEqual([layerArn("us-east-1", 1)]);
    const own = publisher("us-east-1");
    expect((await own.send(new ListFunctionsCommand({}))).Functions).toEqual([]);
    own.destroy();

    const refused = await createFunction(consumer, CONSUMER, "todos", "us-east-1", [2]).catch((e: Error) => e);
    expect(refused).toMatchObject({
      name: "AccessDeniedException",
      message: expect.stringContaining(
        `is not authorized to perform: lambda:GetLayerVersion on resource: ${layerArn("us-east-1", 2)} because no resource-based policy allows`,
      ),
      $metadata: { httpStatusCode: 403 },
    });
    // A grant to an organization the consumer is not in does not let it either; a public grant does.
    await grant("us-east-1", 3, "*", ORG);
    await expect(createFunction(consumer, CONSUMER, "todos", "us-east-1", [3])).rejects.toMatchObject({ name: "AccessDeniedException" });
    await grant("us-east-1", 2, "*");
    expect((await createFunction(consumer, CONSUMER, "todos", "us-east-1", [2])).Layers?.map((l) => l.Arn)).toEqual([
      layerArn("us-east-1", 2),
    ]);
    consumer.destroy();
  });
});

describe("usage across accounts", () => {
  test("versions lists account:function of a consumer account and names the account that cannot be scanned (exit 4)", async () => {
    await consumerSetup();
    const r = await cli(["versions", LAYER, "--regions", "us-east-1,eu-west-1", ...scanFlags]);
    expect(r.status).toBe(4);
    expect(r.stdout).toMatch(
      new RegExp(`\\n  v2  .*\\n      grants: account ${CONSUMER} \\[account-${CONSUMER}\\]\\n      used by: ${CONSUMER}:orders\\n`),
    );
    expect(r.stdout).toMatch(
      new RegExp(`\\n  v3  .*\\n      grants: account ${CONSUMER} \\[account-${CONSUMER}\\]\\n      used by: none\\n`),
    );
    expect(r.stdout).toContain(`      used by: ${CONSUMER}:users\n`);
    expect(r.stdout).toContain(`  consumer accounts scanned: ${CONSUMER}\n`);
    expect(r.stdout).toContain(
      `  consumer account ${CLOSED} NOT scanned (its functions are missing above): AccessDenied: User: arn:aws:sts::${emulator.accountId}:user/moto ` +
        `is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${CLOSED}:role/${ROLE}\n`,
    );
    // One AssumeRole per account for the whole run, whatever the number of regions.
    const assumeRoles = [...r.stdout.matchAll(/AssumeRole (\d+)/g)].map((m) => Number(m[1]));
    expect(assumeRoles.reduce((a, b) => a + b, 0)).toBe(2);
    transcripts["cross-account usage and an unassumable account: versions"] = r.stdout;
  });

  test("prune keeps a version used in a consumer account and one granted to an account it cannot scan; deletes only the rest", async () => {
    await consumerSetup();
    const dry = await cli(["prune", LAYER, "--regions", "us-east-1,eu-west-1", "--keep", "1", "--include-shared", ...scanFlags]);
    expect(dry.status).toBe(4);
    expect(dry.stdout).toContain(
      [
        "us-east-1",
        "  v4  keep: one of the newest",
        `  v3  would delete (shared with account ${CONSUMER})`,
        `  v2  keep: used by ${CONSUMER}:orders`,
        `  v1  keep: shared with account ${CLOSED}; not scanned: account ${CLOSED}`,
        `  consumer accounts scanned: ${CONSUMER}`,
        `  consumer account ${CLOSED} NOT scanned (versions granted to it are kept): AccessDenied: `,
      ].join("\n"),
    );
    expect(dry.stdout).toContain(["eu-west-1", "  v2  keep: one of the newest", `  v1  keep: used by ${CONSUMER}:users`].join("\n"));
    transcripts["cross-account usage and an unassumable account: prune (dry run)"] = dry.stdout;

    const pruned = await cli([
      "prune",
      LAYER,
      "--regions",
      "us-east-1,eu-west-1",
      "--keep",
      "1",
      "--include-shared",
      "--yes",
      ...scanFlags,
    ]);
    expect(pruned.status).toBe(4);
    expect(pruned.stdout).toContain(`  v3  deleted (shared with account ${CONSUMER})\n`);
    expect(await remainingVersions("us-east-1")).toEqual([1, 2, 4]);
    expect(await remainingVersions("eu-west-1")).toEqual([1, 2]);
    expect(await statements("us-east-1", 1)).toEqual({ [`account-${CLOSED}`]: accountPrincipal(CLOSED) });
    expect(await statements("us-east-1", 2)).toEqual({ [`account-${CONSUMER}`]: accountPrincipal(CONSUMER) });
    expect(await statements("us-east-1", 4)).toEqual({});
    expect(await statements("eu-west-1", 1)).toEqual({ [`account-${CONSUMER}`]: accountPrincipal(CONSUMER) });

    // Without the consumer scan, prune knows nothing of `orders`: only the grant keeps v2.
    const blind = await cli(["prune", LAYER, "--regions", "us-east-1", "--keep", "1"]);
    expect(blind.status).toBe(0);
    expect(blind.stdout).toContain(`  v2  keep: shared with account ${CONSUMER} (--include-shared to delete)\n`);
  });

  test("revoke shows which of the principal's functions use each version before removing its statement", async () => {
    await consumerSetup();
    await grant("us-east-1", 2, "*", ORG);
    const dry = await cli(["revoke", LAYER, "--regions", "us-east-1", "--principal", CONSUMER, "--consumer-role", ROLE]);
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain(
      [
        "  v4  nothing to revoke (0 other statements kept)",
        `  v3  would remove account-${CONSUMER} (0 other statements kept)`,
        `  v2  would remove account-${CONSUMER} (1 other statements kept)`,
        `      revoking breaks the next deploy of ${CONSUMER}:orders`,
        "  v1  nothing to revoke (1 other statements kept)",
        `  consumer accounts scanned: ${CONSUMER}`,
        "  dry run: add --yes to remove",
      ].join("\n"),
    );
    transcripts["revoke warning (dry run)"] = dry.stdout;
    expect(await statements("us-east-1", 2)).toEqual({ [`account-${CONSUMER}`]: accountPrincipal(CONSUMER), [`org-${ORG}`]: "*" });

    // The organization, scanned through the consumer accounts given: one cannot be read (exit 4).
    const org = await cli(["revoke", LAYER, "--regions", "us-east-1", "--principal", ORG, ...scanFlags]);
    expect(org.status).toBe(4);
    expect(org.stdout).toContain(
      `  v2  would remove org-${ORG} (1 other statements kept)\n      revoking breaks the next deploy of ${CONSUMER}:orders\n`,
    );
    expect(org.stdout).toContain(`  consumer account ${CLOSED} NOT scanned (who uses the versions there is unknown): AccessDenied: `);

    const revoked = await cli([
      "revoke",
      LAYER,
      "--regions",
      "us-east-1",
      "--principal",
      CONSUMER,
      "--versions",
      "2",
      "--yes",
      "--consumer-role",
      ROLE,
    ]);
    expect(revoked.status).toBe(0);
    expect(revoked.stdout).toContain(
      `  v2  removed account-${CONSUMER} (1 other statements kept)\n      revoked: this breaks the next deploy of ${CONSUMER}:orders\n`,
    );
    expect(await statements("us-east-1", 2)).toEqual({ [`org-${ORG}`]: "*" });
    expect(await statements("us-east-1", 3)).toEqual({ [`account-${CONSUMER}`]: accountPrincipal(CONSUMER) });
    expect(await statements("us-east-1", 1)).toEqual({ [`account-${CLOSED}`]: accountPrincipal(CLOSED) });
    // The function keeps the version it has (AWS: only its next deploy naming it fails).
    const consumer = await clientIn(CONSUMER, "us-east-1");
    expect((await consumer.send(new GetFunctionConfigurationCommand({ FunctionName: "orders" }))).Layers?.map((l) => l.Arn)).toEqual([
      layerArn("us-east-1", 2),
    ]);
    // Its next deploy naming v2 fails; one naming v3 (still granted) succeeds and is what the account lists.
    const redeploy = (version: number) =>
      consumer.send(new UpdateFunctionConfigurationCommand({ FunctionName: "orders", Layers: [layerArn("us-east-1", version)] }));
    await expect(redeploy(2)).rejects.toMatchObject({ name: "AccessDeniedException", $metadata: { httpStatusCode: 403 } });
    expect((await redeploy(3)).Layers?.map((l) => l.Arn)).toEqual([layerArn("us-east-1", 3)]);
    const listed = await consumer.send(new ListFunctionsCommand({}));
    expect(listed.Functions?.map((f) => [f.FunctionName, f.Layers?.map((l) => l.Arn)])).toEqual([["orders", [layerArn("us-east-1", 3)]]]);
    consumer.destroy();
  });

  test("--consumer-accounts organization scans every account of the organization (ListAccounts)", async () => {
    const organizations = new OrganizationsClient({ ...config(), region: "us-east-1" });
    const org = (await organizations.send(new CreateOrganizationCommand({ FeatureSet: "ALL" }))).Organization!.Id!;
    const created = await organizations.send(new CreateAccountCommand({ AccountName: "payments", Email: "payments@example.com" }));
    const member = created.CreateAccountStatus!.AccountId!;
    organizations.destroy();
    await createAccountRole(emulator, member, ROLE);
    await publish("us-east-1", 3);
    await grant("us-east-1", 1, "*", org);
    await grant("us-east-1", 2, "*", org);
    const payments = await clientIn(member, "us-east-1");
    // The proxy lets the member use the organization's grant, as AWS does.
    await createFunction(payments, member, "charge", "us-east-1", [1]);
    payments.destroy();

    const flags = ["--consumer-accounts", "organization", "--consumer-role", ROLE];
    const dry = await cli(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--include-shared", ...flags]);
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain(
      [
        "  v3  keep: one of the newest",
        `  v2  would delete (shared with organization ${org})`,
        `  v1  keep: used by ${member}:charge`,
        `  consumer accounts scanned: ${member}`,
      ].join("\n"),
    );
    expect(dry.stdout).toMatch(
      /API calls in us-east-1: AssumeRole 1, GetLayerVersionPolicy 2, ListAccounts 1, ListFunctions 2, ListLayerVersions 1\n/,
    );
    const revoke = await cli(["revoke", LAYER, "--regions", "us-east-1", "--principal", org, ...flags]);
    expect(revoke.status).toBe(1);
    expect(revoke.stdout).toContain(
      `  v1  would remove org-${org} (0 other statements kept)\n      revoking breaks the next deploy of ${member}:charge\n`,
    );
    expect(await remainingVersions("us-east-1")).toEqual([1, 2, 3]);
    expect(await statements("us-east-1", 1)).toEqual({ [`org-${org}`]: "*" });
  });

  test("usage errors: accounts need a role, the role a name, ids twelve digits", async () => {
    const usage = async (args: string[]) => (await cli(args)).stderr.split("\n")[0];
    expect(await usage(["versions", LAYER, "--regions", "us-east-1", "--consumer-accounts", CONSUMER])).toBe(
      "error: --consumer-accounts needs --consumer-role <name>: the role assumed in each account to list its functions",
    );
    expect(await usage(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--consumer-role", ROLE])).toBe(
      "error: prune needs --consumer-accounts with --consumer-role: the accounts whose functions to read",
    );
    expect(await usage(["versions", LAYER, "--regions", "us-east-1", "--consumer-accounts", "1234", "--consumer-role", ROLE])).toBe(
      'error: --consumer-accounts "1234" is not a 12-digit account id nor "organization"',
    );
    expect(await usage(["grants", LAYER, "--regions", "us-east-1", "--consumer-role", ROLE])).toBe(
      "error: --consumer-accounts and --consumer-role do not apply to grants",
    );
  });
});
