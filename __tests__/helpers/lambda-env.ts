// Runs code the way Lambda would find it: layers unpacked into an /opt-like folder, and the
// search paths the managed runtimes set (PYTHONPATH, NODE_PATH, PATH, LD_LIBRARY_PATH).
import { spawnSync } from "child_process";
import * as path from "path";
import { Runtime, RuntimeFamily } from "../../modules";
import { tempDir, unzipTo } from "./files";

/** Unpacks archives in order into one fresh folder standing for /opt (later layers overwrite earlier ones). */
export function unpackOpt(zips: readonly string[]): string {
  const opt = tempDir("opt-");
  for (const zip of zips) unzipTo(zip, opt);
  return opt;
}

/** The environment Lambda's runtime sets for /opt, with `opt` standing for /opt. */
export function lambdaEnv(opt: string, runtimeName: string, task?: string): NodeJS.ProcessEnv {
  const runtime = Runtime.of(runtimeName);
  const v = runtime.version;
  const env: NodeJS.ProcessEnv = {
    PATH: `${path.join(opt, "bin")}:${process.env.PATH}`,
    LD_LIBRARY_PATH: path.join(opt, "lib"),
    HOME: process.env.HOME,
  };
  if (runtime.family === RuntimeFamily.PYTHON) {
    env.PYTHONPATH = [task, path.join(opt, `python/lib/python${v}/site-packages`), path.join(opt, "python")].filter(Boolean).join(":");
  }
  if (runtime.family === RuntimeFamily.NODEJS) {
    env.NODE_PATH = [path.join(opt, `nodejs/node${v}/node_modules`), path.join(opt, "nodejs/node_modules")].join(":");
  }
  return env;
}

/** Runs a program with Lambda's search paths, from an empty working folder (no accidental local imports). */
export function runWithOpt(opt: string, runtimeName: string, command: string, args: string[], task?: string) {
  const r = spawnSync(command, args, { env: lambdaEnv(opt, runtimeName, task), cwd: task ?? tempDir("cwd-"), encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
