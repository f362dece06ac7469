// A usage error prints the failing command's usage only (and the operations' common options), not
// every command of the CLI; --help and an unknown command print them all. No AWS request is made.
import { main, runCli, USAGE } from "../../bin/cdktf-lambda-layers";

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const status = await runCli(
    args,
    (t) => (stdout += t),
    (t) => (stderr += t),
  );
  return { status, stdout, stderr };
}

const COMMANDS = ["inspect", "report", "cache", "versions", "prune", "grants", "revoke"];
const usageLines = (text: string) => [...text.matchAll(/^Usage: cdktf-lambda-layers (\S+)/gm)].map((m) => m[1]);

test.each([
  ["prune", ["prune", "utils", "--regions", "us-east-1"], "prune needs --keep N"],
  ["revoke", ["revoke", "utils", "--regions", "us-east-1", "--principal", "bob"], "is not an account id"],
  ["versions", ["versions", "utils", "--regions", "mars-north-1"], "mars-north-1"],
  ["grants", ["grants", "utils", "--regions", "us-east-1", "--keep", "2"], "--keep does not apply to grants"],
  ["inspect", ["inspect", "/tmp"], "give at least one --runtime"],
  ["report", ["report"], "report needs the rollout's id"],
  ["cache", ["cache", "empty"], "cache needs an action"],
])("a usage error of %s prints its usage only", async (command, args, message) => {
  const r = await cli(args);
  expect(r.status).toBe(2);
  expect(r.stdout).toBe("");
  expect(r.stderr.split("\n")[0]).toContain(message);
  expect(usageLines(r.stderr)).toEqual([command]);
  expect(r.stderr.split("\n").length).toBeLessThan(35);
});

test("--help and a usage error without a known command print every command", async () => {
  let help = "";
  expect(main(["--help"], (t) => (help += t))).toBe(0);
  expect(help).toBe(USAGE);
  expect(usageLines(help)).toEqual(expect.arrayContaining([...COMMANDS, "--version"]));
  const unknown = await cli(["frobnicate"]);
  expect(unknown.status).toBe(2);
  expect(usageLines(unknown.stderr)).toEqual(expect.arrayContaining(COMMANDS));
});
