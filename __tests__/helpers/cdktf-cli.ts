// The cdktf CLI (0.21) as tests run it. The CLI loads a terminal addon whose prebuilt binaries stop
// at Node 22's ABI (`@cdktf/node-pty-prebuilt-multiarch` 0.10.2: `prebuilds/linux-x64/node.abi127.node`),
// so on Node >= 24 it dies with "Cannot find module '../build/Release/pty.node'". The suite itself runs
// on the current LTS; the CLI runs on the Node 22 whose bin folder NODE_BIN_FOR_CDKTF_CLI names
// (`.ci/run` sets it to `bash scripts/install-node.sh 22`). Never skipped: without it a CLI test fails.
// Its name does not start with CDKTF_: the CLI reads CDKTF_* variables as options (`cdktf init` refuses
// CDKTF_CLI_NODE_BIN as "Unknown argument: cliNodeBin").
import { spawnSync, SpawnSyncOptionsWithStringEncoding, SpawnSyncReturns } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./files";

/** The first Node major whose ABI the cdktf CLI's pty addon has no prebuilt binary for. */
export const FIRST_NODE_WITHOUT_CDKTF_CLI = 24;

/**
 * The environment that makes the cdktf CLI (and the app it spawns, and terraform) run on a Node it
 * can start on: NODE_BIN_FOR_CDKTF_CLI's folder first on PATH when set; an error when it is not set and
 * this Node is too new for the CLI.
 */
export function cdktfCliEnv(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  // cdktf points every stack's `terraform init` at one shared TF_PLUGIN_CACHE_DIR, which is not safe for
  // the parallel inits of `deploy '*'`: on an empty cache two of them raced on mkdir ("file exists").
  // Each stack installs from the provider mirror on its own instead.
  env = { ...env, CDKTF_DISABLE_PLUGIN_CACHE_ENV: "1" };
  const bin = env.NODE_BIN_FOR_CDKTF_CLI ?? process.env.NODE_BIN_FOR_CDKTF_CLI;
  if (bin) {
    if (!fs.existsSync(path.join(bin, "node"))) throw new Error(`NODE_BIN_FOR_CDKTF_CLI=${bin} holds no node executable`);
    return { ...env, PATH: `${bin}${path.delimiter}${env.PATH ?? process.env.PATH ?? ""}` };
  }
  const major = Number(process.versions.node.split(".")[0]);
  if (major >= FIRST_NODE_WITHOUT_CDKTF_CLI) {
    throw new Error(
      `the cdktf CLI 0.21 cannot start on Node ${process.versions.node} (its pty addon stops at Node 22's ABI); ` +
        `set NODE_BIN_FOR_CDKTF_CLI to a Node 22 bin folder: NODE_BIN_FOR_CDKTF_CLI="$(bash scripts/install-node.sh 22)"`,
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
