// A function's own code as a reproducible zip: the same pipeline as layers (pipeline.ts), with the
// code at the archive root (Lambda unpacks it into /var/task) and dependencies installed beside it.
import * as path from "path";
import { BuiltArchive, defaultCacheDir } from "./archive-builder";
import { packageSource } from "./pipeline";
import { optionNames, refuseUnknownOptions } from "../core/option-names";
import { formatBytes, progress, seconds } from "../core/progress";
import { Architecture, parseArchitectures, Runtime } from "../aws/runtime";

export interface BuildFunctionArchiveOptions {
  /** Folder holding the function's code, handler at its top. */
  readonly source: string;
  readonly runtime: string | Runtime;
  /** @default ["x86_64"] */
  readonly architectures?: ReadonlyArray<string | Architecture>;
  readonly excludes?: readonly string[];
  readonly defaultExcludes?: boolean;
  readonly allowSecrets?: readonly string[];
  readonly outDir?: string;
  readonly pipArgs?: readonly string[];
  readonly npmArgs?: readonly string[];
}

/** buildFunctionArchive's options as a value: the compiler keeps it equal to BuildFunctionArchiveOptions' keys. */
const BUILD_FUNCTION_ARCHIVE_OPTIONS = optionNames<BuildFunctionArchiveOptions>()({
  source: true,
  runtime: true,
  architectures: true,
  excludes: true,
  defaultExcludes: true,
  allowSecrets: true,
  outDir: true,
  pipArgs: true,
  npmArgs: true,
});

/** A built function archive, plus advice that is never fatal. */
export interface FunctionArchive extends BuiltArchive {
  readonly warnings: readonly string[];
}

/**
 * Builds (or reuses) the reproducible zip of a function's code.
 * @throws LayerValidationError for an option it does not know (named, with the closest known one).
 */
export function buildFunctionArchive(options: BuildFunctionArchiveOptions): FunctionArchive {
  // `cacheDir` is what LayeredFunction calls the same folder.
  refuseUnknownOptions("buildFunctionArchive", options, BUILD_FUNCTION_ARCHIVE_OPTIONS, { cacheDir: "outDir" });
  const started = process.hrtime.bigint();
  const runtime = Runtime.of(options.runtime, "runtime");
  const architectures = parseArchitectures(options.architectures ?? ["x86_64"], "architectures");
  const reportAs = options.source;
  const packaged = packageSource({
    ...options,
    kind: "function",
    runtimes: [runtime],
    architectures,
    cacheDir: path.resolve(options.outDir ?? defaultCacheDir()),
    zip: { allowSecrets: options.allowSecrets },
  });
  const { built } = packaged;
  if (built.cache === "built")
    progress(
      `built function code ${reportAs}: ${formatBytes(built.unzippedBytes)} -> ${formatBytes(built.zippedBytes)} in ${seconds(started)}`,
    );
  return { ...built, warnings: [...packaged.warnings, ...built.checkWarnings, ...built.cacheWarnings] };
}
