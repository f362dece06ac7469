// The local AWS emulator harness: moto behind the AWS-shape proxy, started and stopped by the test.
// Each proxy rule is checked against real API calls (and against moto's own answer, to show the rule
// is what makes the difference), then a plain-Terraform apply cycle of one shared layer version
// reproduces the multi-grant measurement of shared/notes/day-two-measured.md.
import * as fs from "fs";
import * as path from "path";
import { tempDir } from "./helpers/files";
import { EMULATOR_INSTALL_COMMAND, Emulator, emulatorRequest, startEmulator, terraformIn, writeZip } from "./helpers/emulator";

const ACCOUNT_A = "111111111111";
const ACCOUNT_B = "222222222222";
const ORGANIZATION = "o-abcdefghij";

let emulator: Emulator;

beforeAll(async () => {
  emulator = await startEmulator();
});

afterAll(async () => {
  await emulator?.stop();
});

/** Publishes a one-file layer version through `base` (the proxy unless given); returns its number and ARN. */
async function publishLayer(name: string, base?: string): Promise<{ version: number; arn: string }> {
  const zip = fs.readFileSync(writeZip(path.join(tempDir("emulator-zip-"), "layer.zip"), { "python/shared.py": `NAME = "${name}"\n` }));
  const res = await emulatorRequest(emulator, {
    service: "lambda",
    method: "POST",
    path: `/2018-10-31/layers/${name}/versions`,
    body: { Content: { ZipFile: zip.toString("base64") }, CompatibleRuntimes: ["python3.12"] },
    base,
  });
  expect(res.status).toBe(201);
  return { version: res.json.Version, arn: res.json.LayerVersionArn };
}

function addPermission(
  layer: string,
  version: number,
  grant: { StatementId: string; Principal: string; OrganizationId?: string },
  base?: string,
  query = "",
) {
  return emulatorRequest(emulator, {
    service: "lambda",
    method: "POST",
    path: `/2018-10-31/layers/${encodeURIComponent(layer)}/versions/${version}/policy${query}`,
    body: { Action: "lambda:GetLayerVersion", ...grant },
    base,
  });
}

async function policyStatements(layer: string, version: number, base?: string): Promise<any[]> {
  const res = await emulatorRequest(emulator, {
    service: "lambda",
    method: "GET",
    path: `/2018-10-31/layers/${layer}/versions/${version}/policy`,
    base,
  });
  expect(res.status).toBe(200);
  return JSON.parse(res.json.Policy).Statement;
}

describe("startEmulator", () => {
  test("gives an endpoint and an environment that carry no AWS setting of the caller's", async () => {
    expect(emulator.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.motoUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(emulator.motoUrl).not.toBe(emulator.endpoint);
    expect(emulator.env).toMatchObject({
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_REGION: "us-east-1",
      AWS_DEFAULT_REGION: "us-east-1",
      AWS_EC2_METADATA_DISABLED: "true",
      CHECKPOINT_DISABLE: "1",
    });
    expect(
      Object.keys(emulator.env).filter((k) => k.startsWith("AWS_") && process.env[k] !== undefined && process.env[k] !== emulator.env[k]),
    ).toEqual([]);
    expect(fs.existsSync(emulator.env.TF_CLI_CONFIG_FILE!)).toBe(true);
  });

  test("passes other APIs through the proxy: STS (query protocol) answers with the emulator's account", async () => {
    const res = await emulatorRequest(emulator, {
      service: "sts",
      method: "POST",
      path: "/",
      body: "Action=GetCallerIdentity&Version=2011-06-15",
      headers: { "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain(`<Account>${emulator.accountId}</Account>`);
  });

  test("stop() ends moto and the proxy: their ports refuse connections afterwards", async () => {
    const other = await startEmulator();
    const before = await emulatorRequest(other, { service: "lambda", method: "GET", path: "/2018-10-31/layers" });
    expect(before.status).toBe(200);
    await other.stop();
    await expect(fetch(`${other.endpoint}/2018-10-31/layers`)).rejects.toThrow();
    await expect(fetch(`${other.motoUrl}/moto-api/data.json`)).rejects.toThrow();
  });

  test.each([
    ["moto is not installed", { CDKTF_LAYERS_EMULATOR_DIR: "/nonexistent-emulator-dir" }],
    ["python cannot run", { CDKTF_LAYERS_EMULATOR_PYTHON: "/nonexistent/python3" }],
  ])("throws naming the install command when %s", async (_why, override) => {
    const saved = { ...process.env };
    Object.assign(process.env, override);
    try {
      await expect(startEmulator({ startTimeoutMs: 10000 })).rejects.toThrow(EMULATOR_INSTALL_COMMAND);
    } finally {
      for (const k of Object.keys(override)) {
        if (saved[k] === undefined) delete process.env[k];
        else process.env[k] = saved[k];
      }
    }
  });
});

describe("AWS-shape proxy", () => {
  test("GetLayerVersionPolicy: an account principal is its root ARN, an organization grant a PrincipalOrgID condition", async () => {
    const { version, arn } = await publishLayer("shape-policy");
    expect((await addPermission("shape-policy", version, { StatementId: "account-a", Principal: ACCOUNT_A })).status).toBe(201);
    expect(
      (await addPermission("shape-policy", version, { StatementId: "org", Principal: "*", OrganizationId: ORGANIZATION })).status,
    ).toBe(201);
    expect((await addPermission("shape-policy", version, { StatementId: "public", Principal: "*" })).status).toBe(201);

    expect(await policyStatements("shape-policy", version)).toEqual([
      {
        Sid: "account-a",
        Effect: "Allow",
        Principal: { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
        Action: "lambda:GetLayerVersion",
        Resource: arn,
      },
      {
        Sid: "org",
        Effect: "Allow",
        Principal: "*",
        Action: "lambda:GetLayerVersion",
        Resource: arn,
        Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } },
      },
      { Sid: "public", Effect: "Allow", Principal: "*", Action: "lambda:GetLayerVersion", Resource: arn },
    ]);
    // moto's own answer, which the rule corrects.
    const moto = await policyStatements("shape-policy", version, emulator.motoUrl);
    expect(moto.map((s) => [s.Principal, s.OrganizationId])).toEqual([
      [ACCOUNT_A, undefined],
      ["*", ORGANIZATION],
      ["*", undefined],
    ]);
  });

  test("AddLayerVersionPermission answers its statement in the same shape, by layer name or layer ARN", async () => {
    const { version, arn } = await publishLayer("shape-add");
    const layerArn = arn.replace(/:\d+$/, "");
    const byArn = await addPermission(layerArn, version, { StatementId: "account-b", Principal: ACCOUNT_B });
    expect(byArn.status).toBe(201);
    expect(JSON.parse(byArn.json.Statement)).toEqual({
      Sid: "account-b",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${ACCOUNT_B}:root` },
      Action: "lambda:GetLayerVersion",
      Resource: arn,
    });
    expect(typeof byArn.json.RevisionId).toBe("string");
  });

  test("AddLayerVersionPermission with a statement id already on the version: 409 ResourceConflictException, policy unchanged", async () => {
    const { version } = await publishLayer("shape-conflict");
    expect((await addPermission("shape-conflict", version, { StatementId: "grant", Principal: ACCOUNT_A })).status).toBe(201);

    const again = await addPermission("shape-conflict", version, { StatementId: "grant", Principal: ACCOUNT_B });
    expect(again.status).toBe(409);
    expect(again.headers.get("x-amzn-errortype")).toBe("ResourceConflictException");
    expect(again.json.message).toBe(
      "The statement id (grant) provided already exists. Please provide a new statement id, or remove the existing statement.",
    );
    expect((await policyStatements("shape-conflict", version)).map((s) => s.Principal)).toEqual([
      { AWS: `arn:aws:iam::${ACCOUNT_A}:root` },
    ]);

    // moto alone accepts the duplicate: the rule is what refuses it.
    expect((await addPermission("shape-conflict", version, { StatementId: "grant", Principal: ACCOUNT_B }, emulator.motoUrl)).status).toBe(
      200,
    );
    expect((await policyStatements("shape-conflict", version, emulator.motoUrl)).map((s) => s.Sid)).toEqual(["grant", "grant"]);
  });

  test("AddLayerVersionPermission with a stale RevisionId in the query: 412 PreconditionFailedException", async () => {
    const { version } = await publishLayer("shape-revision");
    const first = await addPermission("shape-revision", version, { StatementId: "a", Principal: ACCOUNT_A });
    const stale = first.json.RevisionId;
    expect(
      (await addPermission("shape-revision", version, { StatementId: "b", Principal: ACCOUNT_B }, undefined, `?RevisionId=${stale}`))
        .status,
    ).toBe(201);

    const refused = await addPermission("shape-revision", version, { StatementId: "c", Principal: "*" }, undefined, `?RevisionId=${stale}`);
    expect(refused.status).toBe(412);
    expect(refused.headers.get("x-amzn-errortype")).toBe("PreconditionFailedException");
    expect((await policyStatements("shape-revision", version)).map((s) => s.Sid)).toEqual(["a", "b"]);
  });
});

/**
 * One layer version shared with two accounts and an organization (principal "*"), plain Terraform,
 * in two variants side by side: `plain` permission resources, and `settled` ones with ignore_changes
 * on what the provider's read overwrites and skip_destroy. One working folder, so the provider
 * (slow to start on a busy machine) is initialised and applied once.
 */
function sharedLayerConfig(variants: Array<"plain" | "settled">): string {
  const guard = `
  skip_destroy = true
  lifecycle {
    ignore_changes = [principal, statement_id, organization_id, action]
  }`;
  const variant = (name: "plain" | "settled") => `
resource "aws_lambda_layer_version" "${name}" {
  layer_name               = "tf-${name}"
  filename                 = "layer.zip"
  source_code_hash         = filebase64sha256("layer.zip")
  compatible_runtimes      = ["python3.12", "python3.13"]
  compatible_architectures = ["arm64", "x86_64"]
  description              = "emulator harness test"
  license_info             = "Apache-2.0"
}

resource "aws_lambda_layer_version_permission" "${name}" {
  for_each        = local.grants
  layer_name      = aws_lambda_layer_version.${name}.layer_arn
  version_number  = aws_lambda_layer_version.${name}.version
  statement_id    = each.key
  action          = "lambda:GetLayerVersion"
  principal       = each.value.principal
  organization_id = each.value.organization_id${name === "settled" ? guard : ""}
}
`;
  return `terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.80, < 7.0"
    }
  }
}

provider "aws" {}

locals {
  grants = {
    "account-a" = { principal = "${ACCOUNT_A}", organization_id = null }
    "account-b" = { principal = "${ACCOUNT_B}", organization_id = null }
    "org"       = { principal = "*", organization_id = "${ORGANIZATION}" }
  }
}
${variants.map(variant).join("")}`;
}

type PlanChange = { address: string; change: { actions: string[] } };

describe("plain Terraform against the emulator: one version shared with two accounts and an organization", () => {
  test("plan after apply: plain grants never settle (exit 2), grants with ignore_changes + skip_destroy do (exit 0)", async () => {
    const dir = tempDir("emulator-tf-");
    writeZip(path.join(dir, "layer.zip"), { "python/shared.py": "VALUE = 1\n" });
    fs.writeFileSync(path.join(dir, "main.tf"), sharedLayerConfig(["plain", "settled"]));
    const tf = terraformIn(dir, emulator);
    tf.init();
    tf.apply();
    for (const layer of ["tf-plain", "tf-settled"]) {
      expect((await policyStatements(layer, 1)).map((s) => s.Sid).sort()).toEqual(["account-a", "account-b", "org"]);
    }

    // Both variants: exactly two of the three plain grants "must be replaced"; nothing else changes.
    expect(tf.plan(["-out=after-apply.tfplan"]).status).toBe(2);
    const changes: PlanChange[] = JSON.parse(tf.run(["show", "-json", "after-apply.tfplan"]).stdout).resource_changes;
    const changed = changes.filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"));
    expect(changed).toHaveLength(2);
    for (const c of changed) {
      expect(c.address).toMatch(/^aws_lambda_layer_version_permission\.plain\["(account-a|account-b|org)"\]$/);
      expect([...c.change.actions].sort()).toEqual(["create", "delete"]);
    }

    // The settled variant alone (the plain one forgotten, not destroyed): "No changes", exit 0.
    const plainAddresses = changes.map((c) => c.address).filter((a) => a.includes(".plain"));
    expect(
      tf.run(["state", "rm", ...plainAddresses.map((a) => a.replace(/\[.*$/, "")).filter((a, i, all) => all.indexOf(a) === i)]).status,
    ).toBe(0);
    fs.writeFileSync(path.join(dir, "main.tf"), sharedLayerConfig(["settled"]));
    expect(tf.plan().status).toBe(0);
    // The state still holds the policy's first statement in every settled resource (the provider's
    // read clobbers it; ignore_changes only hides the diff); the real policy keeps all three grants.
    const grants = tf.state().values!.root_module!.resources!.filter((r) => r.type === "aws_lambda_layer_version_permission");
    expect(grants).toHaveLength(3);
    expect(new Set(grants.map((g) => g.values.statement_id)).size).toBe(1);
    expect((await policyStatements("tf-settled", 1)).map((s) => s.Sid).sort()).toEqual(["account-a", "account-b", "org"]);
  });
});
