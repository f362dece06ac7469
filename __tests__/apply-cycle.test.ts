// Day two, proven by applying: the example stack is applied to the local AWS emulator (moto behind
// the AWS-shape proxy) with real terraform and the real AWS provider, then planned again from other
// machines' point of view (a fresh clone under another umask, every file touched, another deflate),
// changed, re-applied, its grants edited, and destroyed. Each plan's exit code is asserted, and so is
// the state the emulator is left in, statement by statement.
import * as fs from "fs";
import * as path from "path";
import { EMULATOR_ACCOUNT_ID, emulatorRequest, terraformIn, useEmulator } from "./helpers/emulator";
import { tempDir } from "./helpers/files";
import { cloneProject, synthProject, touchAll } from "./helpers/project";

const STACK = "example-layers";
const ACCOUNT_A = "111122223333";
const ACCOUNT_B = "444455556666";
const ACCOUNT_C = "777788889999";
const ACCOUNT_D = "210987654321";
const ACCOUNT_E = "123123123123";
const ORGANIZATION = "o-a1b2c3d4e5";

const emulator = useEmulator({ region: "ca-central-1" });

interface Change {
  readonly address: string;
  readonly type: string;
  readonly actions: string;
}

/** terraform in a synthesized project's stack folder, its state where the stack says (outside cdktf.out). */
function stackTerraform(project: string) {
  const tf = terraformIn(path.join(project, "cdktf.out", "stacks", STACK), emulator());
  tf.init();
  return tf;
}

/** plan -detailed-exitcode, saved, and the resources it would change (no-ops left out). */
function planned(tf: ReturnType<typeof stackTerraform>): { exitCode: number; changes: Change[]; output: string } {
  const plan = tf.plan(["-out=cycle.tfplan", "-lock=false"]);
  const shown = JSON.parse(tf.run(["show", "-json", "cycle.tfplan"]).stdout);
  const changes = (shown.resource_changes ?? [])
    .filter((c: any) => c.change.actions.join() !== "no-op")
    .map((c: any) => ({ address: c.address, type: c.type, actions: c.change.actions.join() }));
  return { exitCode: plan.status, changes, output: plan.stdout };
}

async function lambda(method: string, urlPath: string): Promise<any> {
  const res = await emulatorRequest(emulator(), { service: "lambda", method, path: urlPath });
  if (res.status >= 300) throw new Error(`${method} ${urlPath}: ${res.status} ${res.text}`);
  return res.json;
}

async function layerVersions(name: string): Promise<number[]> {
  const body = await lambda("GET", `/2018-10-31/layers/${name}/versions`);
  return body.LayerVersions.map((v: any) => v.Version).sort((a: number, b: number) => a - b);
}

/** The principals a layer version's policy grants, as AWS writes them, by statement id. */
async function grantsOf(name: string, version: number): Promise<Record<string, string>> {
  const body = await lambda("GET", `/2018-10-31/layers/${name}/versions/${version}/policy`);
  const statements: any[] = JSON.parse(body.Policy).Statement;
  return Object.fromEntries(
    statements.map((s) => [
      s.Sid,
      s.Condition?.StringEquals?.["aws:PrincipalOrgID"]
        ? `org:${s.Condition.StringEquals["aws:PrincipalOrgID"]}`
        : JSON.stringify(s.Principal),
    ]),
  );
}

const root = (account: string) => JSON.stringify({ AWS: `arn:aws:iam::${account}:root` });

async function functionLayers(name: string): Promise<string[]> {
  const body = await lambda("GET", `/2015-03-31/functions/${name}/configuration`);
  return (body.Layers ?? []).map((l: any) => l.Arn);
}

describe("apply cycle of the example stack against the emulator", () => {
  let first: string;
  let clone: string;
  let tf: ReturnType<typeof stackTerraform>;

  test("apply from an empty account, then the next plan is empty", () => {
    first = cloneProject("022");
    synthProject(first);
    tf = stackTerraform(first);
    tf.apply(["-lock=false"]);
    // State lives outside cdktf.out, where the stack's backend says.
    expect(fs.existsSync(path.join(first, `terraform.${STACK}.tfstate`))).toBe(true);
    expect(fs.existsSync(path.join(first, "cdktf.out", "stacks", STACK, "terraform.tfstate"))).toBe(false);
    const plan = planned(tf);
    expect(plan.changes).toEqual([]);
    expect(plan.exitCode).toBe(0);
  }, 600_000);

  test("the emulator holds every grant, one statement per principal, in AWS's shapes", async () => {
    expect(await layerVersions("nodejs-logging")).toEqual([1]);
    expect(await grantsOf("nodejs-logging", 1)).toEqual({
      [`account-${ACCOUNT_A}`]: root(ACCOUNT_A),
      [`account-${ACCOUNT_B}`]: root(ACCOUNT_B),
    });
    expect(await grantsOf("python-shared-utils", 1)).toEqual({ [`org-${ORGANIZATION}`]: `org:${ORGANIZATION}` });
    expect(await functionLayers("example-todos")).toEqual([`arn:aws:lambda:ca-central-1:${EMULATOR_ACCOUNT_ID}:layer:nodejs-logging:1`]);
  });

  test("rm -rf cdktf.out and synth again: the state is still there and nothing changes", () => {
    fs.rmSync(path.join(first, "cdktf.out"), { recursive: true, force: true });
    synthProject(first);
    const plan = planned(stackTerraform(first));
    expect(plan.changes).toEqual([]);
    expect(plan.exitCode).toBe(0);
  }, 600_000);

  test("another machine: a fresh clone under umask 077, every file touched, same state: nothing changes", () => {
    clone = cloneProject("077");
    touchAll(clone, new Date(Date.now() + 3_600_000));
    fs.copyFileSync(path.join(first, `terraform.${STACK}.tfstate`), path.join(clone, `terraform.${STACK}.tfstate`));
    synthProject(clone);
    tf = stackTerraform(clone);
    const plan = planned(tf);
    expect(plan.changes).toEqual([]);
    expect(plan.exitCode).toBe(0);
  }, 600_000);

  test("another deflate (level 1, a new cache): other zips, nothing changes", () => {
    const zipsBefore = zipsUnder(path.join(clone, "cdktf.out"));
    synthProject(clone, { CDKTF_LAYERS_DEFLATE_LEVEL: "1", CDKTF_LAYERS_CACHE_DIR: tempDir("cache-") });
    tf = stackTerraform(clone);
    const zipsAfter = zipsUnder(path.join(clone, "cdktf.out"));
    expect([...zipsAfter.keys()]).toEqual([...zipsBefore.keys()]);
    expect([...zipsAfter].some(([name, bytes]) => !bytes.equals(zipsBefore.get(name)!))).toBe(true);
    const plan = planned(tf);
    expect(plan.changes).toEqual([]);
    expect(plan.exitCode).toBe(0);
  }, 600_000);

  test("one layer file changed: exactly a new version with its grants and its functions updated; the old version keeps its grants", async () => {
    fs.appendFileSync(path.join(clone, "layers", "nodejs-logging", "index.js"), "// day two\n");
    synthProject(clone);
    tf = stackTerraform(clone);
    const plan = planned(tf);
    expect(plan.exitCode).toBe(2);
    const byType = (type: string) => plan.changes.filter((c) => c.type === type);
    expect(byType("aws_lambda_layer_version")).toEqual([
      expect.objectContaining({ address: expect.stringContaining("nodejs-logging"), actions: "delete,create" }),
    ]);
    expect(byType("aws_lambda_layer_version_permission").map((c) => c.actions)).toEqual(["delete,create", "delete,create"]);
    expect(byType("aws_lambda_function").map((c) => [c.address.split(".")[1].split("_")[0], c.actions])).toEqual([
      ["todos", "update"],
      ["users", "update"],
    ]);
    expect(plan.changes).toHaveLength(5);

    tf.apply(["-lock=false"]);
    expect(await layerVersions("nodejs-logging")).toEqual([1, 2]);
    const both = { [`account-${ACCOUNT_A}`]: root(ACCOUNT_A), [`account-${ACCOUNT_B}`]: root(ACCOUNT_B) };
    expect(await grantsOf("nodejs-logging", 1)).toEqual(both);
    expect(await grantsOf("nodejs-logging", 2)).toEqual(both);
    expect(await functionLayers("example-users")).toEqual([`arn:aws:lambda:ca-central-1:${EMULATOR_ACCOUNT_ID}:layer:nodejs-logging:2`]);
    expect(await layerVersions("python-shared-utils")).toEqual([1]);

    const after = planned(tf);
    expect(after.changes).toEqual([]);
    expect(after.exitCode).toBe(0);
  }, 600_000);

  test("principals added (five on one version: accounts and an organization) and one removed: the new ones granted, the removed one kept (as designed), no other touched", async () => {
    const main = path.join(clone, "main.ts");
    const code = fs.readFileSync(main, "utf8");
    const edited = code.replace(
      `accounts: ["${ACCOUNT_A}", "arn:aws:iam::${ACCOUNT_B}:root"] }`,
      `accounts: ["${ACCOUNT_A}", "${ACCOUNT_C}", "${ACCOUNT_D}", "${ACCOUNT_E}"], organizationId: "${ORGANIZATION}" }`,
    );
    expect(edited).not.toBe(code);
    fs.writeFileSync(main, edited);
    synthProject(clone);
    tf = stackTerraform(clone);
    const plan = planned(tf);
    expect(plan.exitCode).toBe(2);
    expect(plan.changes.map((c) => [c.address.replace(/.*permission-/, "").replace(/_[0-9A-F]{8}$/, ""), c.actions]).sort()).toEqual(
      [
        [`account-${ACCOUNT_B}`, "delete"],
        [`account-${ACCOUNT_C}`, "create"],
        [`account-${ACCOUNT_D}`, "create"],
        [`account-${ACCOUNT_E}`, "create"],
        [`org-${ORGANIZATION}`, "create"],
      ].sort(),
    );
    tf.apply(["-lock=false"]);
    expect(await grantsOf("nodejs-logging", 2)).toEqual({
      [`account-${ACCOUNT_A}`]: root(ACCOUNT_A),
      [`account-${ACCOUNT_B}`]: root(ACCOUNT_B), // never revoked by Terraform: `revoke` does that on purpose
      [`account-${ACCOUNT_C}`]: root(ACCOUNT_C),
      [`account-${ACCOUNT_D}`]: root(ACCOUNT_D),
      [`account-${ACCOUNT_E}`]: root(ACCOUNT_E),
      [`org-${ORGANIZATION}`]: `org:${ORGANIZATION}`,
    });
    // The version published before keeps exactly what it had.
    expect(Object.keys(await grantsOf("nodejs-logging", 1)).sort()).toEqual([`account-${ACCOUNT_A}`, `account-${ACCOUNT_B}`]);
    expect(await grantsOf("python-shared-utils", 1)).toEqual({ [`org-${ORGANIZATION}`]: `org:${ORGANIZATION}` });
    const after = planned(tf);
    expect(after.changes).toEqual([]);
    expect(after.exitCode).toBe(0);
  }, 600_000);

  test("destroy: the functions go, every layer version and its grants stay", async () => {
    tf.destroy(["-lock=false"]);
    expect(await layerVersions("nodejs-logging")).toEqual([1, 2]);
    expect(await layerVersions("python-shared-utils")).toEqual([1]);
    expect(Object.keys(await grantsOf("nodejs-logging", 2)).sort()).toEqual(
      [
        `account-${ACCOUNT_A}`,
        `account-${ACCOUNT_B}`,
        `account-${ACCOUNT_C}`,
        `account-${ACCOUNT_D}`,
        `account-${ACCOUNT_E}`,
        `org-${ORGANIZATION}`,
      ].sort(),
    );
    const functions = await lambda("GET", "/2015-03-31/functions/");
    expect(functions.Functions.map((f: any) => f.FunctionName)).toEqual([]);
  }, 600_000);
});

function zipsUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile() && entry.name.endsWith(".zip")) {
      const abs = path.join(entry.parentPath, entry.name);
      out.set(path.relative(dir, abs), fs.readFileSync(abs));
    }
  }
  return new Map([...out].sort(([a], [b]) => a.localeCompare(b)));
}
