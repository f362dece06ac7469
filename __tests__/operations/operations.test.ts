// The operations against the local AWS emulator (moto behind the AWS-shape proxy): versions
// published in two regions with the SDK, some attached to functions, shared, revoked and pruned;
// what is left is checked statement by statement with GetLayerVersionPolicy. The CLI runs as a user
// runs it, in a child process whose environment points the SDK's standard chain at the emulator.
import {
  AddLayerVersionPermissionCommand,
  CreateFunctionCommand,
  GetLayerVersionPolicyCommand,
  LambdaClient,
  ListLayerVersionsCommand,
  PublishLayerVersionCommand,
} from "@aws-sdk/client-lambda";
import { spawnSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";
import { AwsOptions, layerGrants, layerVersions, pruneLayerVersions, revokeLayerGrant, versionsExitCode } from "../../operations";
import { Emulator, runCliAgainst, startEmulator, writeZip } from "../helpers/emulator";
import { repoRoot, tempDir } from "../helpers/files";
import { requireTerraform } from "../helpers/terraform";

const LAYER = "ops-utils";
const PARTNER = "444455556666";
const CONSUMER = "111122223333";
const ORG = "o-a1b2c3d4e5";

let emulator: Emulator;
let aws: AwsOptions;
const clients = new Map<string, LambdaClient>();
const client = (region: string) => {
  if (!clients.has(region)) clients.set(region, new LambdaClient({ ...aws.clientConfig, region }));
  return clients.get(region)!;
};
let roleArn: string;
const zips: Record<string, Buffer[]> = {};
/** The dry-run outputs of the operator's scenarios, written to $OPS_TRANSCRIPTS (a file) when set, for the docs and the report. */
const transcripts: Record<string, string> = {};

beforeAll(async () => {
  emulator = await startEmulator();
  aws = {
    clientConfig: { endpoint: emulator.endpoint, credentials: { accessKeyId: "testing", secretAccessKey: "testing" }, maxAttempts: 1 },
  };
  roleArn = await createRole("ops-test-functions");
}, 120_000);

afterAll(async () => {
  if (process.env.OPS_TRANSCRIPTS) fs.writeFileSync(process.env.OPS_TRANSCRIPTS, JSON.stringify(transcripts, null, 2));
  for (const c of clients.values()) c.destroy();
  await emulator?.stop();
});

beforeEach(async () => {
  await emulator.reset();
  roleArn = await createRole("ops-test-functions");
});

/** IAM's query API by hand: Lambda's CreateFunction needs an existing role, and the package has no IAM client. */
async function createRole(name: string): Promise<string> {
  const body = new URLSearchParams({
    Action: "CreateRole",
    Version: "2010-05-08",
    RoleName: name,
    AssumeRolePolicyDocument: JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }],
    }),
  });
  const res = await fetch(emulator.endpoint, {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      authorization: "AWS4-HMAC-SHA256 Credential=testing/20260101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: body.toString(),
  });
  expect(res.status).toBe(200);
  return `arn:aws:iam::${emulator.accountId}:role/${name}`;
}

/**
 * Publishes `count` versions of the layer in `region`, each shared with CONSUMER and ORG (as
 * LambdaLayer's grants name them) unless `shared` is false.
 */
async function publish(region: string, count: number, shared = true): Promise<void> {
  const dir = tempDir("ops-zips-");
  zips[region] = [];
  for (let i = 1; i <= count; i++) {
    const zip = fs.readFileSync(writeZip(path.join(dir, `${i}.zip`), { "python/ops_utils.py": `VERSION = ${i}  # ${region}\n` }));
    zips[region].push(zip);
    const v = await client(region).send(
      new PublishLayerVersionCommand({
        LayerName: LAYER,
        Content: { ZipFile: zip },
        CompatibleRuntimes: ["python3.12"],
        CompatibleArchitectures: ["arm64"],
      }),
    );
    expect(v.Version).toBe(i);
    if (!shared) continue;
    await grant(region, i, `account-${CONSUMER}`, { Principal: CONSUMER });
    await grant(region, i, `org-${ORG}`, { Principal: "*", OrganizationId: ORG });
  }
}

async function grant(region: string, version: number, statementId: string, who: { Principal: string; OrganizationId?: string }) {
  await client(region).send(
    new AddLayerVersionPermissionCommand({
      LayerName: LAYER,
      VersionNumber: version,
      StatementId: statementId,
      Action: "lambda:GetLayerVersion",
      ...who,
    }),
  );
}

async function createFunction(region: string, name: string, layerVersions: number[]): Promise<void> {
  const code = fs.readFileSync(writeZip(path.join(tempDir("ops-fn-"), "fn.zip"), { "app.py": "def handler(e, c):\n    return 1\n" }));
  await client(region).send(
    new CreateFunctionCommand({
      FunctionName: name,
      Runtime: "python3.12",
      Role: roleArn,
      Handler: "app.handler",
      Code: { ZipFile: code },
      Layers: layerVersions.map((v) => `arn:aws:lambda:${region}:${emulator.accountId}:layer:${LAYER}:${v}`),
    }),
  );
}

/** Sid -> principal of one version's policy, as GetLayerVersionPolicy returns it. */
async function statements(region: string, version: number): Promise<Record<string, unknown>> {
  try {
    const r = await client(region).send(new GetLayerVersionPolicyCommand({ LayerName: LAYER, VersionNumber: version }));
    const doc = JSON.parse(r.Policy!) as { Statement: Array<{ Sid: string; Principal: unknown; Condition?: unknown }> };
    return Object.fromEntries(
      doc.Statement.map((s) => [s.Sid, s.Condition ? { principal: s.Principal, condition: s.Condition } : s.Principal]),
    );
  } catch (e) {
    if ((e as Error).name === "ResourceNotFoundException") return {};
    throw e;
  }
}

const consumerStatement = { AWS: `arn:aws:iam::${CONSUMER}:root` };
const orgStatement = { principal: "*", condition: { StringEquals: { "aws:PrincipalOrgID": ORG } } };

async function remainingVersions(region: string): Promise<number[]> {
  const r = await client(region).send(new ListLayerVersionsCommand({ LayerName: LAYER }));
  return (r.LayerVersions ?? []).map((v) => v.Version!).sort((a, b) => a - b);
}

/** The CLI as a user runs it: the SDK's standard chain finds the emulator and credentials in the environment. */
function cli(args: string[]) {
  const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", "bin/cdktf-lambda-layers.ts", ...args], {
    cwd: repoRoot,
    env: emulator.env,
    encoding: "utf8",
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The CLI in this process, against the emulator. */
const cliHere = (args: string[]) => runCliAgainst(emulator, args);

/** A synthesized stack folder in `outdir` whose cdk.tf.json holds `config`, and a local state with `outputs` when given. */
function stackFolder(outdir: string, name: string, config: object, outputs?: Record<string, string>): string {
  const dir = path.join(outdir, "stacks", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "cdk.tf.json"), JSON.stringify(config));
  if (outputs)
    fs.writeFileSync(
      path.join(dir, "terraform.tfstate"),
      JSON.stringify({
        version: 4,
        outputs: Object.fromEntries(Object.entries(outputs).map(([k, value]) => [k, { value, type: "string" }])),
      }),
    );
  return dir;
}

describe("the emulator pages lists as AWS does (50 items at most, NextMarker while items remain)", () => {
  const { awsPage } = require("../helpers/aws-shape-proxy") as {
    awsPage: (items: number[], marker: string | null, maxItems: string | null) => { items: number[]; nextMarker?: string };
  };
  const all = Array.from({ length: 120 }, (_, i) => i);
  test.each([
    { maxItems: null, pages: [50, 50, 20] },
    { maxItems: "50", pages: [50, 50, 20] },
    { maxItems: "1000", pages: [50, 50, 20] },
    { maxItems: "40", pages: [40, 40, 40] },
  ])("MaxItems $maxItems -> pages of $pages", ({ maxItems, pages }) => {
    const seen: number[][] = [];
    let marker: string | undefined;
    do {
      const page = awsPage(all, marker ?? null, maxItems);
      seen.push(page.items);
      marker = page.nextMarker;
    } while (marker);
    expect(seen.map((p) => p.length)).toEqual(pages);
    expect(seen.flat()).toEqual(all);
  });
});

describe("operations against the emulator", () => {
  test("versions: every version per region with its hash, size, grants and the functions using it", async () => {
    await publish("us-east-1", 3);
    await publish("eu-west-1", 2);
    await createFunction("us-east-1", "orders", [2]);
    await createFunction("us-east-1", "todos", [2]);
    await createFunction("eu-west-1", "users", [1]);

    const result = await layerVersions(LAYER, ["us-east-1", "eu-west-1"], aws);
    expect(result.failedRegions).toEqual([]);
    const [east, west] = result.regions;
    if (!east.ok || !west.ok) throw new Error("a region failed");
    expect(east.data.versions.map((v) => [v.version, v.usedBy])).toEqual([
      [3, []],
      [2, ["orders", "todos"]],
      [1, []],
    ]);
    expect(west.data.versions.map((v) => [v.version, v.usedBy])).toEqual([
      [2, []],
      [1, ["users"]],
    ]);
    const v2 = east.data.versions[1];
    expect(v2).toMatchObject({
      layerVersionArn: `arn:aws:lambda:us-east-1:${emulator.accountId}:layer:${LAYER}:2`,
      codeSha256: createHash("sha256").update(zips["us-east-1"][1]).digest("base64"),
      codeSize: zips["us-east-1"][1].length,
      compatibleRuntimes: ["python3.12"],
      compatibleArchitectures: ["arm64"],
    });
    expect(v2.createdDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(v2.grants.map((g) => [g.statementId, g.principal])).toEqual([
      [`account-${CONSUMER}`, { kind: "account", accountId: CONSUMER }],
      [`org-${ORG}`, { kind: "organization", organizationId: ORG }],
    ]);
    // One ListLayerVersions and one ListFunctions page per region, two reads per version.
    expect(east.calls).toEqual({ ListLayerVersions: 1, ListFunctions: 1, GetLayerVersion: 3, GetLayerVersionPolicy: 3 });
    expect(result.calls).toEqual({ ListLayerVersions: 2, ListFunctions: 2, GetLayerVersion: 5, GetLayerVersionPolicy: 5 });
  });

  test("versions on 120 functions reads their layers from ListFunctions pages of 50, not one call per function", async () => {
    await publish("us-east-1", 2);
    for (let i = 0; i < 120; i++) await createFunction("us-east-1", `fn-${String(i).padStart(3, "0")}`, [i % 3 === 0 ? 1 : 2]);
    const requests: string[] = [];
    const counted: AwsOptions = {
      ...aws,
      clientFor: (region) => {
        const c = new LambdaClient({ ...aws.clientConfig, region });
        c.middlewareStack.add(
          (next, context) => async (args) => {
            requests.push(context.commandName!);
            return next(args);
          },
          { step: "initialize", name: "testCounter" },
        );
        return c;
      },
    };
    const result = await layerVersions(LAYER, ["us-east-1"], counted);
    const [east] = result.regions;
    if (!east.ok) throw new Error(east.error);
    expect(east.data.versions.map((v) => v.usedBy.length)).toEqual([80, 40]);
    expect(requests.filter((r) => r === "ListFunctionsCommand")).toHaveLength(3);
    expect(east.calls.ListFunctions).toBe(3);
    expect(requests.filter((r) => r === "GetFunctionConfigurationCommand")).toHaveLength(0);
  }, 300_000);

  test("a region that errors does not stop the others; the summary names it and the exit code says so", async () => {
    await publish("us-east-1", 2);
    await publish("eu-west-1", 1);
    const broken: AwsOptions = {
      ...aws,
      // Nothing listens on port 9 of the loopback: every request to ap-southeast-2 is refused.
      clientFor: (region) =>
        new LambdaClient({ ...aws.clientConfig, region, endpoint: region === "ap-southeast-2" ? "http://127.0.0.1:9" : emulator.endpoint }),
    };
    const progress: string[] = [];
    const result = await layerVersions(LAYER, ["us-east-1", "ap-southeast-2", "eu-west-1"], {
      ...broken,
      onProgress: (l) => progress.push(l),
    });
    expect(result.failedRegions).toEqual(["ap-southeast-2"]);
    expect(versionsExitCode(result)).toBe(1);
    expect(result.regions.map((r) => [r.region, r.ok, r.ok ? r.data.versions.length : r.error])).toEqual([
      ["us-east-1", true, 2],
      ["ap-southeast-2", false, expect.stringContaining("ECONNREFUSED")],
      ["eu-west-1", true, 1],
    ]);
    expect(progress.filter((l) => l.startsWith("ap-southeast-2: failed"))).toHaveLength(1);
    expect(
      progress
        .filter((l) => / done in .* API calls$/.test(l))
        .map((l) => l.split(":")[0])
        .sort(),
    ).toEqual(["eu-west-1", "us-east-1"]);
  });

  test("grants, revoke and prune, checked statement by statement", async () => {
    await publish("us-east-1", 5);
    await publish("eu-west-1", 3);
    // A statement made by hand, with an id of its own: revoke must read it from the policy.
    await grant("us-east-1", 2, "partner-share", { Principal: PARTNER });
    await grant("us-east-1", 4, `account-${PARTNER}`, { Principal: PARTNER });
    await createFunction("us-east-1", "orders", [2]);
    await createFunction("eu-west-1", "users", [1]);

    // grants: compared with what the app declares (the consumer account and the organization).
    const audit = await layerGrants(LAYER, ["us-east-1", "eu-west-1"], {
      ...aws,
      declared: [
        { kind: "account", accountId: CONSUMER },
        { kind: "organization", organizationId: ORG },
      ],
    });
    const [auditEast] = audit.regions;
    if (!auditEast.ok) throw new Error(auditEast.error);
    expect(auditEast.data.versions.map((v) => [v.version, v.statements.map((s) => s.statementId), v.public])).toEqual([
      [5, [`account-${CONSUMER}`, `org-${ORG}`], false],
      [4, [`account-${CONSUMER}`, `org-${ORG}`, `account-${PARTNER}`], false],
      [3, [`account-${CONSUMER}`, `org-${ORG}`], false],
      [2, [`account-${CONSUMER}`, `org-${ORG}`, "partner-share"], false],
      [1, [`account-${CONSUMER}`, `org-${ORG}`], false],
    ]);
    expect(auditEast.data).toMatchObject({ undeclared: [], missing: [] });

    // revoke, dry run: nothing changes.
    const dry = await revokeLayerGrant(LAYER, ["us-east-1", "eu-west-1"], { ...aws, principal: { kind: "account", accountId: PARTNER } });
    const [dryEast, dryWest] = dry.regions;
    if (!dryEast.ok || !dryWest.ok) throw new Error("a region failed");
    expect(dryEast.data.versions.filter((v) => v.remove.length > 0).map((v) => [v.version, v.remove.map((s) => s.statementId)])).toEqual([
      [4, [`account-${PARTNER}`]],
      [2, ["partner-share"]],
    ]);
    expect(dryWest.data.versions.every((v) => v.remove.length === 0)).toBe(true);
    expect(Object.keys(await statements("us-east-1", 2))).toEqual([`account-${CONSUMER}`, `org-${ORG}`, "partner-share"]);

    // revoke --yes on version 2 only: its partner statement goes, every other statement stays.
    const revoked = await revokeLayerGrant(LAYER, ["us-east-1"], {
      ...aws,
      principal: { kind: "account", accountId: PARTNER },
      versions: [2, 9],
      yes: true,
    });
    const [revokedEast] = revoked.regions;
    if (!revokedEast.ok) throw new Error(revokedEast.error);
    expect(revokedEast.data.versions.map((v) => [v.version, v.removed])).toEqual([[2, ["partner-share"]]]);
    expect(revokedEast.data.notFound).toEqual([9]);
    expect(await statements("us-east-1", 2)).toEqual({ [`account-${CONSUMER}`]: consumerStatement, [`org-${ORG}`]: orgStatement });
    expect(await statements("us-east-1", 4)).toEqual({
      [`account-${CONSUMER}`]: consumerStatement,
      [`org-${ORG}`]: orgStatement,
      [`account-${PARTNER}`]: { AWS: `arn:aws:iam::${PARTNER}:root` },
    });

    // The organization, through the CLI, in eu-west-1 only: the account statements stay.
    const orgDry = cli(["revoke", LAYER, "--regions", "eu-west-1", "--principal", ORG]);
    expect(orgDry.status).toBe(1);
    expect(orgDry.stdout).toContain(`v3  would remove org-${ORG} (1 other statements kept)`);
    const org = cli(["revoke", LAYER, "--regions", "eu-west-1", "--principal", ORG, "--yes", "--json"]);
    expect(org.stderr).not.toMatch(/started|done in/);
    expect(org.status).toBe(0);
    expect(JSON.parse(org.stdout).regions[0].data.versions.map((v: any) => [v.version, v.removed])).toEqual([
      [3, [`org-${ORG}`]],
      [2, [`org-${ORG}`]],
      [1, [`org-${ORG}`]],
    ]);
    for (const v of [1, 2, 3]) expect(await statements("eu-west-1", v)).toEqual({ [`account-${CONSUMER}`]: consumerStatement });
    expect(await statements("us-east-1", 1)).toEqual({ [`account-${CONSUMER}`]: consumerStatement, [`org-${ORG}`]: orgStatement });

    // prune, shared versions included: a dry run first, then --keep 2 with version 3 pinned by the
    // deployment in us-east-1.
    const plan = await pruneLayerVersions(LAYER, ["us-east-1", "eu-west-1"], { ...aws, keep: 2, includeShared: true });
    const [planEast, planWest] = plan.regions;
    if (!planEast.ok || !planWest.ok) throw new Error("a region failed");
    expect(planEast.data.decisions.map((d) => [d.version, d.delete, d.reason])).toEqual([
      [5, false, "newest"],
      [4, false, "newest"],
      [3, true, "old"],
      [2, false, "used"],
      [1, true, "old"],
    ]);
    expect(planWest.data.decisions.map((d) => [d.version, d.delete, d.reason])).toEqual([
      [3, false, "newest"],
      [2, false, "newest"],
      [1, false, "used"],
    ]);
    expect(await remainingVersions("us-east-1")).toEqual([1, 2, 3, 4, 5]);

    // The deployment: a synthesized stack whose state's outputs name version 3 in us-east-1.
    const outdir = tempDir("ops-outdir-");
    fs.mkdirSync(path.join(outdir, "stacks", "layers-us-east-1"), { recursive: true });
    fs.writeFileSync(path.join(outdir, "stacks", "layers-us-east-1", "cdk.tf.json"), "{}");
    fs.writeFileSync(
      path.join(outdir, "stacks", "layers-us-east-1", "terraform.tfstate"),
      JSON.stringify({
        version: 4,
        outputs: { [`${LAYER}_layer_version_arn`]: { value: `arn:aws:lambda:us-east-1:${emulator.accountId}:layer:${LAYER}:3` } },
      }),
    );
    const pruned = cli([
      "prune",
      LAYER,
      "--regions",
      "us-east-1,eu-west-1",
      "--keep",
      "2",
      "--include-shared",
      "--yes",
      "--outdir",
      outdir,
      "--stack",
      "layers-us-east-1",
    ]);
    expect(pruned.status).toBe(0);
    expect(pruned.stdout).toContain("v3  keep: pinned by the deployment's outputs");
    expect(pruned.stdout).toContain("v2  keep: used by orders");
    expect(pruned.stdout).toContain(`v1  deleted (shared with account ${CONSUMER}, organization ${ORG})`);
    expect(pruned.stdout).toMatch(
      /API calls in us-east-1: DeleteLayerVersion 1, GetLayerVersionPolicy 3, ListFunctions 1, ListLayerVersions 1\n/,
    );
    expect(await remainingVersions("us-east-1")).toEqual([2, 3, 4, 5]);
    expect(await remainingVersions("eu-west-1")).toEqual([1, 2, 3]);
    // What is left keeps its statements, one by one.
    expect(await statements("us-east-1", 2)).toEqual({ [`account-${CONSUMER}`]: consumerStatement, [`org-${ORG}`]: orgStatement });
    expect(await statements("us-east-1", 3)).toEqual({ [`account-${CONSUMER}`]: consumerStatement, [`org-${ORG}`]: orgStatement });
    expect(await statements("us-east-1", 5)).toEqual({ [`account-${CONSUMER}`]: consumerStatement, [`org-${ORG}`]: orgStatement });
  }, 300_000);

  test("prune keeps a shared version unless --include-shared; the dry run names the grantees", async () => {
    await publish("us-east-1", 4, false);
    await grant("us-east-1", 2, `account-${PARTNER}`, { Principal: PARTNER });
    await grant("us-east-1", 2, `org-${ORG}`, { Principal: "*", OrganizationId: ORG });
    // A grant to the publishing account itself shares with nobody else.
    await grant("us-east-1", 3, "self", { Principal: emulator.accountId });

    const dry = await cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1"]);
    expect(dry.status).toBe(1);
    expect(dry.stdout).toContain(
      [
        "  v4  keep: one of the newest",
        "  v3  would delete",
        `  v2  keep: shared with account ${PARTNER}, organization ${ORG} (--include-shared to delete)`,
        "  v1  would delete",
        "  2 to delete (dry run: add --yes to delete)",
      ].join("\n"),
    );
    transcripts["shared version (dry run)"] = dry.stdout;

    const pruned = await cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--yes"]);
    expect(pruned.status).toBe(0);
    expect(await remainingVersions("us-east-1")).toEqual([2, 4]);
    expect(await statements("us-east-1", 2)).toEqual({
      [`account-${PARTNER}`]: { AWS: `arn:aws:iam::${PARTNER}:root` },
      [`org-${ORG}`]: orgStatement,
    });
    expect(await statements("us-east-1", 4)).toEqual({});

    const opted = await cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--include-shared"]);
    expect(opted.status).toBe(1);
    expect(opted.stdout).toContain(`  v2  would delete (shared with account ${PARTNER}, organization ${ORG})\n`);
    transcripts["shared version, --include-shared (dry run)"] = opted.stdout;
    expect(await remainingVersions("us-east-1")).toEqual([2, 4]);
    expect((await cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--include-shared", "--yes"])).status).toBe(0);
    expect(await remainingVersions("us-east-1")).toEqual([4]);
  });

  test("pins are read or prune stops: a named stack whose outputs cannot be read stops it before any delete", async () => {
    requireTerraform();
    await publish("us-east-1", 4, false);
    const outdir = tempDir("ops-pins-");
    const v2 = `arn:aws:lambda:us-east-1:${emulator.accountId}:layer:${LAYER}:2`;
    stackFolder(outdir, "deployed", {}, { [`${LAYER}_layer_version_arn`]: v2 });
    stackFolder(outdir, "no-state", {});
    stackFolder(outdir, "in-cloud", { terraform: { cloud: { organization: "acme", workspaces: { name: "layers-prod" } } } });
    stackFolder(outdir, "empty-state", {}, {});
    const prune = (...more: string[]) =>
      cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--yes", "--outdir", outdir, ...more]);

    const missing = await prune("--stack", "deployed", "--stack", "no-state");
    expect(missing).toMatchObject({ status: 3, stdout: "" });
    expect(missing.stderr).toBe(
      "error: cannot read the outputs of stack no-state, so the versions it pins are unknown; nothing was deleted: " +
        `no state file at ${path.join(outdir, "stacks", "no-state", "terraform.tfstate")} (local backend): the stack was not deployed from here. ` +
        "Restore the state there, give --terraform to read it with `terraform output`, or name only deployed stacks\n",
    );
    transcripts["unreadable pins: missing local state"] = missing.stderr;

    const cloud = await prune("--stack", "in-cloud");
    expect(cloud.status).toBe(3);
    expect(cloud.stderr).toContain(
      "error: cannot read the outputs of stack in-cloud, so the versions it pins are unknown; nothing was deleted: ",
    );
    expect(cloud.stderr).toContain("(cloud backend) exited 1: Error: HCP Terraform or Terraform Enterprise initialization required");
    expect(cloud.stderr).toContain("Run `terraform init` there with access to the backend");
    transcripts["unreadable pins: cloud backend without access"] = cloud.stderr;

    const empty = await prune("--stack", "empty-state");
    expect(empty.status).toBe(3);
    expect(empty.stderr).toContain("empty-state/terraform.tfstate holds no outputs: the stack was not applied there");

    // --terraform on a folder without state: `terraform output -json` answers {} (exit 0), which pins nothing: a stop too.
    const viaTerraform = await prune("--stack", "no-state", "--terraform");
    expect(viaTerraform.status).toBe(3);
    expect(viaTerraform.stderr).toContain("the local state that `terraform output -json` reads in");
    expect(await remainingVersions("us-east-1")).toEqual([1, 2, 3, 4]);

    // Readable, with --terraform as well as from the state file: v2 is pinned and stays.
    const read = await prune("--stack", "deployed", "--terraform");
    expect(read.status).toBe(0);
    expect(read.stdout).toContain("  v2  keep: pinned by the deployment's outputs\n");
    expect(read.stdout).not.toContain("deployment pins not checked");
    expect(await remainingVersions("us-east-1")).toEqual([2, 4]);
  });

  test("a dry run without a deployment source says in one line that pins were not checked", async () => {
    await publish("us-east-1", 3, false);
    const dry = await cliHere(["prune", LAYER, "--regions", "us-east-1", "--keep", "1"]);
    expect(dry.status).toBe(1);
    expect(dry.stdout.split("\n").slice(0, 2)).toEqual([
      `${LAYER} in 1 region`,
      "deployment pins not checked: no --stack or --rollout given, so a version only the deployment names may be listed to delete; " +
        "add --rollout <id> or --stack <name> (or --pinned <arn>) to keep it",
    ]);
    expect(dry.stdout).toContain("  v2  would delete\n  v1  would delete\n");
    transcripts["no deployment source (dry run)"] = dry.stdout;
    expect(await remainingVersions("us-east-1")).toEqual([1, 2, 3]);
  });

  test("the CLI: usage errors exit 2, grants finds the undeclared principal and exits 1", async () => {
    await publish("us-east-1", 1);
    await grant("us-east-1", 1, "everyone", { Principal: "*" });
    const usage = cli(["prune", LAYER, "--regions", "us-east-1"]);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toContain("prune needs --keep N");
    // The failing command's usage only, with the common options: not every command of the CLI.
    expect(usage.stderr).toMatch(/^error: prune needs --keep N .*\n\nUsage: cdktf-lambda-layers prune <layer> --keep N /);
    expect(usage.stderr).toContain("--include-shared");
    expect(usage.stderr).toContain("  Common options:\n");
    expect(usage.stderr).not.toMatch(/cdktf-lambda-layers (versions|grants|revoke|inspect|report|cache) /);
    expect(usage.stderr.split("\n").length).toBeLessThan(35);
    expect(cli(["revoke", LAYER, "--regions", "us-east-1", "--principal", "bob"]).status).toBe(2);
    expect(cli(["versions", LAYER, "--regions", "mars-north-1"]).status).toBe(2);
    expect(
      cli(["prune", LAYER, "--regions", "us-east-1", "--keep", "1", "--pinned", "arn:aws:lambda:us-east-1:1:layer:other:1"]).status,
    ).toBe(2);

    // --regions takes a rollout manifest too.
    const manifest = path.join(tempDir("ops-manifest-"), "rollout-layers.json");
    fs.writeFileSync(manifest, JSON.stringify({ waves: [{ wave: 1, regions: ["us-east-1"], stacks: [] }], layers: [], optInRegions: [] }));
    const listed = cli(["versions", LAYER, "--regions", manifest]);
    expect(listed.status).toBe(0);
    expect(listed.stdout).toContain(`${LAYER} in 1 region\n\nus-east-1\n  v1  `);

    const grants = cli(["grants", LAYER, "--regions", "us-east-1"]);
    expect(grants.status).toBe(1);
    expect(grants.stdout).toContain(
      `v1  PUBLIC  account ${CONSUMER} [account-${CONSUMER}], organization ${ORG} [org-${ORG}], public [everyone]`,
    );
    expect(grants.stderr).toMatch(/us-east-1: started\n/);
    expect(grants.stderr).toMatch(/us-east-1: done in [\d.]+ s, 2 API calls\n/);
  });
});
