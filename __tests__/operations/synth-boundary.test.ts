// The synth-time library never loads the AWS SDK: `cdktf synth` runs main.ts, which imports
// modules/ (through modules/index.ts); only operations/ talks to AWS. Checked in a plain node
// process, whose require.cache lists every module loaded.
import { spawnSync } from "child_process";
import * as path from "path";

const repoRoot = path.resolve(__dirname, "..", "..");

function loaded(entry: string): { awsSdk: string[]; modules: number } {
  const script = `
    require(${JSON.stringify(entry)});
    const files = Object.keys(require.cache);
    console.log(JSON.stringify({ awsSdk: files.filter((f) => f.includes("@aws-sdk")), modules: files.length }));
  `;
  const r = spawnSync("node", ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: repoRoot, encoding: "utf8" });
  expect(r.stderr).toBe("");
  expect(r.status).toBe(0);
  return JSON.parse(r.stdout);
}

test.each(["./modules/index.ts", "./main.ts", "./bin/cdktf-lambda-layers.ts"])("loading %s loads no @aws-sdk module", (entry) => {
  const { awsSdk, modules } = loaded(entry);
  expect(awsSdk).toEqual([]);
  expect(modules).toBeGreaterThan(10);
});

test("the operations do load it (the check above can see the SDK)", () => {
  expect(loaded("./operations/index.ts").awsSdk.some((f) => f.includes("@aws-sdk/client-lambda"))).toBe(true);
});
