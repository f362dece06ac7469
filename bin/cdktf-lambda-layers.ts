#!/usr/bin/env node
// Command line entry for checks that are useful outside a cdktf app: `inspect` reports what a
// layer folder or zip holds and fails a CI step when no runtime would load it or its native code
// does not match the declared architecture; `report` reads a deployed rollout's outputs and
// reports version numbers per region and drift; `cache clean|prune` empties or trims the build cache;
// `versions`, `prune`, `grants` and `revoke` operate on deployed layers through the AWS SDK
// (operations/, loaded only for those commands).
// Run with: node -r ts-node/register/transpile-only bin/cdktf-lambda-layers.ts inspect <folder|zip> …
import * as fs from "fs";
import * as path from "path";
import { parseArgs } from "util";
import { LayerValidationError } from "../modules/core/errors";
import { defaultCacheDir } from "../modules/packaging/archive-builder";
import { cleanCache, pruneCache } from "../modules/packaging/cache-maintenance";
import { formatInspectReport, inspectIncomplete, inspectLayer, inspectProblems } from "../modules/packaging/inspect";
import { toolName } from "../modules/core/framework";
import { formatBytes } from "../modules/core/progress";
import {
  formatRolloutReport,
  outputsFromStateFile,
  outputsFromTerraform,
  ReportInputError,
  rolloutReport,
} from "../modules/terraform/rollout-report";
import { parseArchitectures, parseRuntimes } from "../modules/aws/runtime";
import { OPERATION_COMMANDS, OPERATIONS_USAGE } from "../operations/usage";

const TOOL = toolName();

/** Each offline command's usage: what a usage error of that command prints. */
const COMMAND_USAGE: Readonly<Record<string, string>> = {
  inspect: `Usage: ${TOOL} inspect <folder|zip> --runtime <runtime> [--runtime …] [--arch x86_64|arm64] [--json]
                           [--no-install] [--pip-arg=<arg> …] [--npm-arg=<arg> …] [--cache-dir .layer-cache]
  Reports which runtimes load the layer, its packages, sizes, largest files and native binaries.
  --runtime  a Lambda runtime the layer is for, such as python3.12 or nodejs22.x (repeatable, required)
  --arch     an architecture the layer is for (repeatable); every native binary must load on each one
             given (x86-64 code in a layer for x86_64 and arm64 needs its arm64 build beside it)
  --json     print the report as JSON instead of text
  A folder's declared dependencies (requirements.txt, package.json) are installed as the build
  installs them (same platforms, same cache) and checked with it. --pip-arg / --npm-arg pass the
  layer's pipArgs / npmArgs, one argument each (--pip-arg=--no-index --pip-arg=--find-links=./wheels).
  --no-install skips that: the report then says what it did not check and exits 3.

  Native binaries are classified by their bytes (ELF, Mach-O, PE; machine; glibc or musl; the newest
  GLIBC_x.y an ELF file needs) and file name tags (cpython-3XY, abi3); macOS, Windows, musl,
  foreign-machine, other-Python code and code needing a newer glibc than the runtime's is refused.
  Exit: 0 no problem; 1 no runtime loads the layer, or a native binary cannot load on a --runtime or --arch;
  2 usage error; 3 --no-install on a folder whose declared dependencies were therefore not checked
`,
  report: `Usage: ${TOOL} report <rollout id> [--outdir cdktf.out] [--terraform] [--json]
  Reads rollout-<id>.json from the synth output and each stack's outputs: from its local state file
  (terraform.<stack>.tfstate beside the output folder), or with --terraform from \`terraform output -json\`
  in each stack folder (after \`terraform init\`: any backend, Terraform Cloud included)
  Exit: 0 no drift; 1 the rollout drifts, or a stack's state file cannot be read; 2 usage error
`,
  cache: `Usage: ${TOOL} cache clean|prune [--cache-dir .layer-cache] [--older-than <days>]
  clean empties the build cache (archives, dependency installs, staged folders); prune removes
  leftovers of interrupted builds and entries written more than --older-than days ago (default 30).
  --cache-dir defaults to $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache
  Exit: 0 done; 1 the cache folder cannot be used; 2 usage error
`,
};

/** The whole CLI's usage (--help, or a usage error without a known command). */
export const USAGE = `${Object.values(COMMAND_USAGE).join("\n")}
Usage: ${TOOL} --version

${OPERATIONS_USAGE}`;

/**
 * Runs any command of the CLI, the operations on AWS included; resolves to the exit code. The
 * operations module (and with it the AWS SDK) is loaded only for those commands.
 */
export async function runCli(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): Promise<number> {
  if (OPERATION_COMMANDS.includes(argv[0])) {
    const operations = await import("../operations/cli");
    return operations.runOperation(argv, out, err);
  }
  return main(argv, out, err);
}

/**
 * Runs an offline command (inspect, report, cache); returns the exit code instead of exiting so that
 * it can be called in-process. The operations on AWS are asynchronous: call {@link runCli} for them.
 */
export function main(
  argv: readonly string[],
  out: (s: string) => void = (s) => process.stdout.write(s),
  err: (s: string) => void = (s) => process.stderr.write(s),
): number {
  // A usage error prints the failing command's usage only; the whole CLI's when no known command was given.
  const usageError = (message: string) => {
    err(`error: ${message}\n\n${COMMAND_USAGE[argv[0]] ?? USAGE}`);
    return 2;
  };
  if (OPERATION_COMMANDS.includes(argv[0])) return usageError(`${argv[0]} calls AWS: run it with runCli, which is asynchronous`);
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (e) {
    return usageError((e as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    out(USAGE);
    return 0;
  }
  if (values.version) {
    out(`${packageVersion()}\n`);
    return 0;
  }
  const [command, target, ...rest] = positionals;
  if (command === "report") return report(target, rest, values, out, err, usageError);
  if (command === "cache") return cache(target, rest, values, out, err, usageError);
  if (command !== "inspect") return usageError(command === undefined ? "no command given" : `unknown command ${JSON.stringify(command)}`);
  if (target === undefined) return usageError("inspect needs a folder or zip to look at");
  if (rest.length > 0) return usageError(`unexpected arguments: ${rest.join(" ")}`);
  if (!values.runtime?.length) return usageError("give at least one --runtime, such as --runtime python3.12");
  if (!fs.existsSync(target)) return usageError(`${JSON.stringify(target)} is not an existing folder or zip file`);
  // Bad runtime or architecture names are usage errors; problems with the layer itself are not.
  try {
    parseRuntimes(values.runtime, "--runtime");
    parseArchitectures(values.arch, "--arch");
  } catch (e) {
    if (e instanceof LayerValidationError) return usageError(e.message);
    throw e;
  }

  try {
    const report = inspectLayer(target, {
      runtimes: values.runtime,
      architectures: values.arch,
      installDependencies: !values["no-install"],
      pipArgs: values["pip-arg"],
      npmArgs: values["npm-arg"],
      cacheDir: values["cache-dir"],
    });
    out(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatInspectReport(report));
    if (inspectProblems(report).length > 0) return 1;
    return inspectIncomplete(report).length > 0 ? 3 : 0;
  } catch (e) {
    if (!(e instanceof LayerValidationError)) throw e;
    err(`error: ${e.message}\n`);
    return 1;
  }
}

function report(
  id: string | undefined,
  rest: string[],
  values: ReturnType<typeof parse>["values"],
  out: (s: string) => void,
  err: (s: string) => void,
  usageError: (m: string) => number,
): number {
  if (id === undefined) return usageError("report needs the rollout's id (the second argument of new LayerRollout)");
  if (rest.length > 0) return usageError(`unexpected arguments: ${rest.join(" ")}`);
  const outdir = values.outdir ?? "cdktf.out";
  try {
    const result = rolloutReport(outdir, id, values.terraform ? outputsFromTerraform : outputsFromStateFile);
    out(values.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatRolloutReport(result)}\n`);
    return result.drift ? 1 : 0;
  } catch (e) {
    err(`error: ${(e as Error).message}\n`);
    // A state file that cannot be read is a problem of the deployment, not of the command line.
    return e instanceof ReportInputError ? 1 : 2;
  }
}

function cache(
  action: string | undefined,
  rest: string[],
  values: ReturnType<typeof parse>["values"],
  out: (s: string) => void,
  err: (s: string) => void,
  usageError: (m: string) => number,
): number {
  if (action !== "clean" && action !== "prune") return usageError("cache needs an action: clean or prune");
  if (rest.length > 0) return usageError(`unexpected arguments: ${rest.join(" ")}`);
  const days = values["older-than"] === undefined ? undefined : Number(values["older-than"]);
  if (days !== undefined && (!Number.isFinite(days) || days < 0)) return usageError("--older-than takes a number of days, such as 30");
  if (days !== undefined && action === "clean") return usageError("--older-than applies to prune only");
  const dir = values["cache-dir"] ?? defaultCacheDir();
  try {
    const r = action === "clean" ? cleanCache(dir) : pruneCache(dir, { olderThanDays: days });
    out(
      `${action === "clean" ? "cleaned" : "pruned"} ${r.cacheDir}: removed ${r.removed} entries (${formatBytes(r.removedBytes)}), kept ${r.kept}\n`,
    );
    return 0;
  } catch (e) {
    if (!(e instanceof LayerValidationError)) throw e;
    err(`error: ${e.message}\n`);
    return 1;
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      runtime: { type: "string", multiple: true },
      arch: { type: "string", multiple: true },
      json: { type: "boolean" },
      outdir: { type: "string" },
      terraform: { type: "boolean" },
      "cache-dir": { type: "string" },
      "older-than": { type: "string" },
      "no-install": { type: "boolean" },
      "pip-arg": { type: "string", multiple: true },
      "npm-arg": { type: "string", multiple: true },
      help: { type: "boolean", short: "h" },
      version: { type: "boolean" },
    },
  });
}

/** The version of the package this CLI ships in: the nearest package.json above bin/ (source) or dist/bin/ (installed). */
export function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, "package.json");
    if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, "utf8")).version;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${__dirname}`);
  }
}

if (require.main === module) {
  runCli(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: Error) => {
      process.stderr.write(`error: ${e.stack ?? e.message}\n`);
      process.exitCode = 1;
    },
  );
}
