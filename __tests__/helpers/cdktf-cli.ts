// The cdktf CLI (0.21) as tests run it. The CLI loads a terminal addon whose prebuilt binaries stop
// at Node 22's ABI (`@cdktf/node-pty-prebuilt-multiarch` 0.10.2: `prebuilds/linux-x64/node.abi127.node`),
// so on Node >= 24 it dies with "Cannot find module '../build/Release/pty.node'". The suite itself runs
// on the current LTS; the CLI runs on the Node 22 whose bin folder CDKTF_CLI_NODE_BIN names
// (`.ci/run` sets it to `bash scripts/install-node.sh 22`). Never skipped: without it a CLI test fails.
import { spawnSync, SpawnSyncOptionsWithStringEncoding, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./files";

/** The first Node major whose ABI the cdktf CLI's pty addon has no prebuilt binary for. */
export const FIRST_NODE_WITHOUT_CDKTF_CLI = 24;

/**
 * The environment that makes the cdktf CLI (and the app it spawns, and terraform) run on a Node it
 * can start on: CDKTF_CLI_NODE_BIN's folder first on PATH when set; an error when it is not set and
 * this Node is too new for the CLI.
 */
export function cdktfCliEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const bin = env.CDKTF_CLI_NODE_BIN ?? process.env.CDKTF_CLI_NODE_BIN;
  if (bin) {
    if (!fs.existsSync(path.join(bin, "node"))) throw new Error(`CDKTF_CLI_NODE_BIN=${bin} holds no node executable`);
    return { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? process.env.PATH ?? ""}` };
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= FIRST_NODE_WITHOUT_CDKTF_CLI) {
    throw new Error(
      `the cdktf CLI 0.21 cannot start on Node ${process.versions.node} (its pty addon stops at Node 22's ABI); ` +
        `set CDKTF_CLI_NODE_BIN to a Node 22 bin folder: CDKTF_CLI_NODE_BIN="$(bash scripts/install-node.sh 22)"`,
    );
  }
  return env;
}

/** Runs `cdktf <args>` (this checkout's cdktf-cli) in `cwd` on a Node the CLI can start on. */
export function cdktfCli(
  args: readonly string[],
  options: Omit<SpawnSyncOptionsWithStringEncoding, "encoding"> & { cwd: string },
): SpawnSyncReturns<string> {
  const env = cdktfCliEnv(options.env ?? process.env);
  return spawnSync(path.join(repoRoot, "node_modules", ".bin", "cdktf"), args, { ...options, env, encoding: "utf8" });
}
