// A copy of this project as a user has it: a fresh git clone (under a chosen umask), the
// dependencies linked in, synthesized with the app's own command.
import { execFileSync, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { repoRoot, tempDir } from "./files";

/** A fresh clone of the committed tree, made under `umask`, with this checkout's node_modules linked in. */
export function cloneProject(umask = "022"): string {
  const dest = path.join(tempDir("project-"), "app");
  execFileSync("sh", ["-c", `umask ${umask} && git clone --quiet --no-hardlinks "$0" "$1"`, repoRoot, dest]);
  fs.symlinkSync(path.join(repoRoot, "node_modules"), path.join(dest, "node_modules"), "dir");
  return dest;
}

/** Runs the example app (`main.ts`) in `project` as `cdktf synth` would, into `<project>/cdktf.out`. */
export function synthProject(project: string, env: NodeJS.ProcessEnv = {}): string {
  const outdir = path.join(project, "cdktf.out");
  fs.rmSync(outdir, { recursive: true, force: true });
  const r = spawnSync("node", ["--require", "ts-node/register/transpile-only", "main.ts"], {
    cwd: project,
    encoding: "utf8",
    env: { ...process.env, CDKTF_OUTDIR: outdir, CDKTF_LAYERS_QUIET: "1", ...env },
  });
  if (r.status !== 0) throw new Error(`synth failed in ${project}:\n${r.stdout}\n${r.stderr}`);
  return outdir;
}

/** Sets every file's times under `dir` (the .git folder aside) to `when`. */
export function touchAll(dir: string, when: Date): void {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === ".git" || entry.name === "node_modules" || entry.name === "cdktf.out") continue;
    const abs = path.join(dir, entry.name);
    if (entry.isDirectory()) touchAll(abs, when);
    else if (entry.isFile()) fs.utimesSync(abs, when, when);
  }
}
