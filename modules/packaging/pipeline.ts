// The packaging pipeline, shared by layers and function code. Its stages run in this order, each
// taking what the one before returned, and none calls back into another:
//   1. resolve the source folder             (archive-builder.ts: resolveSource, walkArchiveSource)
//   2. place it: a prefix and its manifests  (placement.ts)
//   3. install the declared dependencies     (archive-files.ts: installDeclared)
//   4. list the archive's files              (archive-files.ts: listArchiveFiles)
//   5-7. check, pack and cache               (archive-builder.ts: buildZip; a cache hit on the file
//        metadata replays the checks' outcome, so the lookup comes first there)
import { BuiltArchive, buildZip, resolveSource, walkArchiveSource, ZipOptions } from "./archive-builder";
import { installDeclared, listArchiveFiles } from "./archive-files";
import { LayerPlacement, placeFunctionSource, placeLayerSource } from "./placement";
import { Architecture, Runtime } from "../aws/runtime";

/** What to package, and how each stage is set. */
export interface PackagingRequest {
  /** The source folder as the user named it (errors and progress lines name it so). */
  readonly source: string;
  /** Where the content goes: a layer under /opt (placed by its runtimes), or function code at the root. */
  readonly kind: "layer" | "function";
  readonly runtimes: readonly Runtime[];
  readonly architectures?: readonly Architecture[];
  readonly cacheDir: string;
  readonly excludes?: readonly string[];
  readonly defaultExcludes?: boolean;
  /** @default true */
  readonly installDependencies?: boolean;
  readonly pipArgs?: readonly string[];
  readonly npmArgs?: readonly string[];
  /** Stages 5-7: the secret allowances, the upload route, staging, and the kind's own content checks. */
  readonly zip: Pick<ZipOptions, "allowSecrets" | "s3Upload" | "stage" | "checks">;
}

/** What the pipeline made: the archive, where the content was placed, and advice that is never fatal. */
export interface PackagedSource {
  readonly built: BuiltArchive;
  readonly placement: LayerPlacement;
  readonly fileCount: number;
  /** Placement, install and listing warnings, in stage order (the archive's own are on `built`). */
  readonly warnings: readonly string[];
}

/** Runs the stages in order. @throws LayerValidationError from the stage that refuses; nothing is written then. */
export function packageSource(request: PackagingRequest): PackagedSource {
  const reportAs = request.source;
  const source = resolveSource(reportAs);
  const walked = walkArchiveSource(source, reportAs, request);
  const placement =
    request.kind === "layer"
      ? placeLayerSource(source, reportAs, request.runtimes, walked, request.pipArgs)
      : placeFunctionSource(source, request.runtimes[0], request.pipArgs);
  const installs = (request.installDependencies ?? true) ? installDeclared(placement.manifests, { ...request, reportAs }) : [];
  const listed = listArchiveFiles(reportAs, walked, placement.placedUnder, placement.buildInputs, installs, request);
  const built = buildZip(listed.files, { reportAs, source, cacheDir: request.cacheDir, ...request.zip });
  return { built, placement, fileCount: listed.files.length, warnings: [...placement.warnings, ...listed.warnings] };
}
