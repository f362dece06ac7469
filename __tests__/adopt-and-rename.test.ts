// The routes of docs/layers.md for a layer that exists before this construct manages it under its current id.
// Renaming: a LambdaLayer construct renamed gets new Terraform addresses (asserted below); cdktf's
// `moveFromId` on each resource, the old addresses read from the last synth's cdk.tf.json, keeps them,
// checked with the real terraform on a state holding the layer under its old id (offline plan,
// -refresh=false, mock credentials). Adopting: `importFrom` on a version published by hand, planned
// against the local AWS emulator.
import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import * as fs from "fs";
import * as path from "path";
import { LambdaLayer } from "../modules";
import { tree } from "./helpers/files";
import { emulatorRequest, terraformIn, useEmulator } from "./helpers/emulator";
import { requireTerraform, terraformInit, TerraformRun } from "./helpers/terraform";

const ACCOUNT = "123456789012";
const source = tree({ "python/shared_utils/__init__.py": "def ok():\n    return True\n" });
const changedSource = tree({ "python/shared_utils/__init__.py": "def ok():\n    return 'yes'\n" });

interface PlannedResource {
  address: string;
  mode: string;
  type: string;
  name: string;
  provider_name: string;
  values: Record<string, unknown>;
}
interface Plan {
  resource_changes: Array<{
    address: string;
    previous_address?: string;
    type: string;
    change: { actions: string[]; after: Record<string, unknown>; after_unknown: Record<string, unknown> };
  }>;
  planned_values: { root_module: { resources: PlannedResource[] } };
}

/**
 * A stack with one shared layer under the construct id given; returns the stack folder.
 * @param moveFrom the old address of each resource, by construct path below the layer
 */
function synth(id: string, moveFrom?: Map<string, string>, layerSource = source): string {
  const app = Testing.app();
  const stack = new TerraformStack(app, "layers");
  new AwsProvider(stack, "aws", { region: "eu-west-1" });
  const layer = new LambdaLayer(stack, id, {
    layerName: "shared-utils",
    source: layerSource,
    compatibleRuntimes: ["python3.12"],
    sharing: { accounts: ["111122223333"] },
  });
  // The route of docs/layers.md: each resource of the renamed construct moved from its old address.
  if (moveFrom) {
    for (const resource of layer.node.findAll().filter((c): c is TerraformResource => c instanceof TerraformResource)) {
      resource.moveFromId(moveFrom.get(resource.node.path.replace(/^layers\/[^/]+\//, ""))!);
    }
  }
  app.synth();
  return path.join(app.outdir, "stacks", "layers");
}

/** Construct path below the stack -> Terraform address, from a synthesized cdk.tf.json. */
function addressesByPath(stackDir: string): Map<string, string> {
  const json = JSON.parse(fs.readFileSync(path.join(stackDir, "cdk.tf.json"), "utf8"));
  const byPath = new Map<string, string>();
  for (const [type, resources] of Object.entries(
    json.resource as Record<string, Record<string, { "//": { metadata: { path: string } } }>>,
  )) {
    for (const [name, body] of Object.entries(resources))
      byPath.set(body["//"].metadata.path.replace(/^layers\/[^/]+\//, ""), `${type}.${name}`);
  }
  return byPath;
}

function offlinePlan(tf: TerraformRun): Plan {
  const p = tf.run(["plan", "-refresh=false", "-input=false", "-no-color", "-lock=false", "-out=test.tfplan"]);
  if (p.status !== 0) throw new Error(`terraform plan failed in ${tf.dir}:\n${p.stdout}\n${p.stderr}`);
  return JSON.parse(tf.run(["show", "-json", "test.tfplan"]).stdout);
}

/** What an apply would have recorded: the planned values, with the values AWS assigns filled in. */
function stateAfterApply(planned: Plan): object {
  const layerArn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:layer:shared-utils`;
  const assigned: Record<string, Record<string, unknown>> = {
    aws_lambda_layer_version: {
      arn: `${layerArn}:1`,
      id: `${layerArn}:1`,
      layer_arn: layerArn,
      version: "1",
      code_sha256: "unused",
      created_date: "2026-11-29T12:00:00.000+0000",
      signing_job_arn: "",
      signing_profile_version_arn: "",
      source_code_size: 200,
    },
    aws_lambda_layer_version_permission: {
      id: `${layerArn},1`,
      layer_name: layerArn,
      version_number: 1,
      policy: "{}",
      revision_id: "rev-1",
    },
  };
  const resources = planned.planned_values.root_module.resources.map((r) => {
    const afterUnknown = planned.resource_changes.find((c) => c.address === r.address)!.change.after_unknown;
    const unknown = Object.keys(afterUnknown).filter((key) => afterUnknown[key] === true);
    const attributes = { ...r.values, ...Object.fromEntries(unknown.map((key) => [key, assigned[r.type][key]])) };
    expect([r.address, unknown.filter((key) => attributes[key] === undefined)]).toEqual([r.address, []]);
    return {
      mode: r.mode,
      type: r.type,
      name: r.name,
      provider: `provider["${r.provider_name}"]`,
      instances: [{ schema_version: 0, attributes, sensitive_attributes: [] }],
    };
  });
  return { version: 4, terraform_version: "1.5.0", serial: 1, lineage: "00000000-0000-4000-8000-000000000000", outputs: {}, resources };
}

/** Puts another synth of the same stack into an initialised terraform folder (same providers: no new init). */
function reconfigure(tf: TerraformRun, stackDir: string): TerraformRun {
  fs.rmSync(path.join(tf.dir, "assets"), { recursive: true, force: true });
  fs.cpSync(stackDir, tf.dir, { recursive: true });
  return tf;
}

test("a renamed LambdaLayer whose resources are moved from their old addresses plans no change", () => {
  requireTerraform();
  // GIVEN a state holding the layer and its grant, applied under the construct id "Utils"
  const before = synth("Utils");
  const tf = terraformInit(before, "eu-west-1");
  fs.writeFileSync(path.join(tf.dir, "terraform.tfstate"), JSON.stringify(stateAfterApply(offlinePlan(tf))));
  const old = addressesByPath(before);
  expect([...old.keys()].sort()).toEqual(["layer-version", "permission-account-111122223333"]);

  // WHEN the construct is renamed "SharedUtils" and each resource is moved from its old address
  const renamed = synth("SharedUtils", old);
  const now = addressesByPath(renamed);
  expect(now.get("layer-version")).not.toBe(old.get("layer-version"));
  const plan = offlinePlan(reconfigure(tf, renamed));

  // THEN nothing is published, replaced or destroyed: each resource only changes its address
  expect(plan.resource_changes.map((c) => [c.previous_address, c.address, c.change.actions]).sort()).toEqual(
    [...old.entries()].map(([rel, address]) => [address, now.get(rel), ["no-op"]]).sort(),
  );

  // New content under the new name still publishes a new version, from the new zip's path.
  const changed = offlinePlan(reconfigure(tf, synth("SharedUtils", old, changedSource)));
  const version = changed.resource_changes.find((c) => c.type === "aws_lambda_layer_version")!;
  expect([version.previous_address, version.change.actions]).toEqual([old.get("layer-version"), ["delete", "create"]]);
  expect(version.change.after.filename).toMatch(/^assets\/SharedUtils_archive_[^/]+\/[0-9a-f]{64}\//);
}, 240_000);

describe("adopting a layer version published elsewhere", () => {
  const emulator = useEmulator({ region: "eu-west-1" });

  test("importFrom brings the version into the state; the first plan replaces it (the provider never reads source_code_hash back)", async () => {
    // GIVEN a version published by hand (another tool) from the very zip this library builds
    const app = Testing.app();
    const stack = new TerraformStack(app, "layers");
    new AwsProvider(stack, "aws", { region: "eu-west-1" });
    const layer = new LambdaLayer(stack, "Utils", { layerName: "shared-utils", source, compatibleRuntimes: ["python3.12"] });
    const published = await emulatorRequest(emulator(), {
      service: "lambda",
      method: "POST",
      path: "/2018-10-31/layers/shared-utils/versions",
      body: { Content: { ZipFile: fs.readFileSync(layer.archive.path).toString("base64") }, CompatibleRuntimes: ["python3.12"] },
    });
    expect(published.status).toBe(201);

    // WHEN the LambdaLayer imports it and terraform plans and applies
    layer.resource.importFrom(published.json.LayerVersionArn);
    app.synth();
    const tf = terraformIn(path.join(app.outdir, "stacks", "layers"), emulator());
    tf.init();
    tf.plan(["-out=import.tfplan"]);
    const changes = JSON.parse(tf.run(["show", "-json", "import.tfplan"]).stdout).resource_changes.filter(
      (c: { type: string }) => c.type === "aws_lambda_layer_version",
    );

    // THEN the plan imports the version and replaces it in the same run: one new version of the same content
    expect(
      changes.map((c: { change: { actions: string[]; importing?: { id: string } } }) => [c.change.importing?.id, c.change.actions]),
    ).toEqual([[published.json.LayerVersionArn, ["delete", "create"]]]);
  }, 240_000);
});
