// The example app as a user deploys it: `cdktf deploy '*'` of every stack (the example stack, then
// the rollout's five regions in wave order) into a fresh account (the local AWS emulator), then again:
// the second deploy changes nothing.
import { cdktfCli } from "./helpers/cdktf-cli";
import { outputByStack as byStack } from "./helpers/deploy-output";
import { EMULATOR_ACCOUNT_ID, emulatorRequest, useEmulator } from "./helpers/emulator";
import { cloneProject } from "./helpers/project";

const ROLLOUT_REGIONS = ["us-east-1", "us-west-2", "eu-west-1", "eu-central-1", "ap-southeast-2"];
const STACKS = ["example-layers", ...ROLLOUT_REGIONS.map((r) => `layers-${r}`)];

const emulator = useEmulator({ region: "us-east-1" });

function deployAll(project: string): string {
  const r = cdktfCli(["deploy", "*", "--auto-approve", "--skip-provider-lock"], {
    cwd: project,
    env: { ...emulator().env, CI: "1", CDKTF_LAYERS_QUIET: "1", FORCE_COLOR: "0" },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`cdktf deploy '*' exited ${r.status}:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

const outputByStack = (output: string) => byStack(output, STACKS);

async function layerVersionsIn(region: string, name: string): Promise<number[]> {
  const res = await emulatorRequest(
    { ...emulator(), region },
    { service: "lambda", method: "GET", path: `/2018-10-31/layers/${name}/versions` },
  );
  return (res.json?.LayerVersions ?? []).map((v: any) => v.Version);
}

test("cdktf deploy '*' on a fresh account deploys every stack in wave order; a second deploy changes nothing", async () => {
  const project = cloneProject();
  const first = deployAll(project);
  const firstByStack = outputByStack(first);
  for (const stack of STACKS) expect([stack, firstByStack.get(stack)]).toEqual([stack, expect.stringContaining("Apply complete!")]);

  // One owner per layer name and region: the example stack publishes outside the rollout's regions.
  expect(await layerVersionsIn("ca-central-1", "nodejs-logging")).toEqual([1]);
  for (const region of ROLLOUT_REGIONS) {
    expect(await layerVersionsIn(region, "nodejs-logging")).toEqual([1]);
    expect(await layerVersionsIn(region, "python-shared-utils")).toEqual([1]);
    const fn = await emulatorRequest(
      { ...emulator(), region },
      { service: "lambda", method: "GET", path: "/2015-03-31/functions/todos/configuration" },
    );
    // The rollout's functions run under the example stack's role, by reference (cross-stack remote state).
    expect(fn.json.Role).toBe(`arn:aws:iam::${EMULATOR_ACCOUNT_ID}:role/example-layers-functions`);
    expect(fn.json.Layers.map((l: any) => l.Arn)).toEqual([`arn:aws:lambda:${region}:${EMULATOR_ACCOUNT_ID}:layer:nodejs-logging:1`]);
  }

  const second = deployAll(project);
  const secondByStack = outputByStack(second);
  for (const stack of STACKS)
    expect([stack, secondByStack.get(stack)]).toEqual([
      stack,
      expect.stringContaining("No changes. Your infrastructure matches the configuration."),
    ]);
  expect(second).not.toMatch(/Apply complete! Resources: [1-9]/);
}, 1_200_000);
