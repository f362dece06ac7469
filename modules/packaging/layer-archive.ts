// Turns a folder of layer content into a byte-reproducible zip through the packaging pipeline
// (pipeline.ts): placed under its runtimes' prefix, dependencies installed, checked that a declared
// runtime would load the result and that its native code runs there, packed and cached.
import * as path from "path";
import picomatch from "picomatch";
import { BuiltArchive, defaultCacheDir, ZipOptions } from "./archive-builder";
import { packageSource } from "./pipeline";
import { checkLayout, LAYOUT_RULES_VERSION } from "../checks/layout";
import { checkNativeBinaries, findNativeBinaries, NativeBinary } from "../checks/native-binaries";
import { optionNames, refuseUnknownOptions } from "../core/option-names";
import { formatBytes, progress, seconds } from "../core/progress";
import { Architecture, parseArchitectures, parseRuntimes, Runtime } from "../aws/runtime";

// Placement is stage 2 of the pipeline (placement.ts); exported here, where it always was.
export { placeLayerSource } from "./placement";
export type { LayerPlacement } from "./placement";

/** Bump when the native-binary rules change, so that layers checked by older rules are checked again. */
const NATIVE_CHECK_VERSION = 4;

/** What decides a layer's content besides its folder and runtimes: shared by buildLayerArchive and the constructs. */
export interface LayerContentOptions {
  /** Globs relative to `source` left out of the archive; a matching folder is left out whole. @default [] */
  readonly excludes?: readonly string[];
  /** Leave out caches, VCS folders, `*.pyc`, `.DS_Store` and test folders (see DEFAULT_EXCLUDES). @default true */
  readonly defaultExcludes?: boolean;
  /** Paths or globs relative to `source` that look like secrets but are not. @default [] */
  readonly allowSecrets?: readonly string[];
  /**
   * Paths or globs (relative to `source`, or archive paths) of native binaries built for another
   * architecture that may stay, such as a package's `prebuilds/linux-x64/**` beside its arm64 build.
   * @default []
   */
  readonly allowForeignBinaries?: readonly string[];
  /** Extra arguments for `pip install`, such as ["--no-index", "--find-links", "./wheels"]. @default [] */
  readonly pipArgs?: readonly string[];
  /** Extra arguments for `npm ci` / `npm install`. @default [] */
  readonly npmArgs?: readonly string[];
}

export interface BuildLayerArchiveOptions extends LayerContentOptions {
  /** Folder holding the layer content, laid out for /opt (python/, nodejs/node_modules/, …) or a plain package folder. */
  readonly source: string;
  /** Runtimes that load the layer; they decide where a plain folder is placed and which layouts load. */
  readonly compatibleRuntimes: ReadonlyArray<string | Runtime>;
  /**
   * Architectures the layer supports; dependencies are installed for them and native binaries must match them.
   * @default - x86_64 for dependency installs; the layer itself declares none
   */
  readonly compatibleArchitectures?: ReadonlyArray<string | Architecture>;
  /** Cache folder for archives, installs and staged folders. @default $CDKTF_LAYERS_CACHE_DIR or ./.layer-cache */
  readonly outDir?: string;
  /** The archive will be uploaded through S3, so the 50 MiB direct-upload limit does not apply. @default false */
  readonly s3Upload?: boolean;
  /** Install requirements.txt / package.json dependencies. @default true */
  readonly installDependencies?: boolean;
  /** Also write the archive's content, laid out, as a folder (for `archive_file` packaging). @default false */
  readonly stage?: boolean;
}

/** buildLayerArchive's options as a value: the compiler keeps it equal to BuildLayerArchiveOptions' keys. */
const BUILD_LAYER_ARCHIVE_OPTIONS = optionNames<BuildLayerArchiveOptions>()({
  source: true,
  compatibleRuntimes: true,
  compatibleArchitectures: true,
  outDir: true,
  s3Upload: true,
  installDependencies: true,
  stage: true,
  excludes: true,
  defaultExcludes: true,
  allowSecrets: true,
  allowForeignBinaries: true,
  pipArgs: true,
  npmArgs: true,
});

/** A built layer archive. */
export interface LayerArchive extends BuiltArchive {
  /** Prefix a plain package folder was placed under ("" when the source was already laid out). */
  readonly placedUnder: string;
  /** Advice about the content (runtimes that load nothing, stray files, possible secrets); never fatal. */
  readonly warnings: readonly string[];
  /** The compiled code in the layer and what each file was built for (allowed foreign binaries included). */
  readonly nativeBinaries: readonly NativeBinary[];
}

/**
 * Builds (or reuses) the reproducible zip for a layer folder.
 * @throws LayerValidationError for an option it does not know (named, with the closest known one),
 *   a missing or empty source, a layout no declared runtime loads, an escaping symlink, a secret, or
 *   an archive over Lambda's limits. Nothing is left behind then.
 */
export function buildLayerArchive(options: BuildLayerArchiveOptions): LayerArchive {
  // `cacheDir` is what LambdaLayer calls the same folder.
  refuseUnknownOptions("buildLayerArchive", options, BUILD_LAYER_ARCHIVE_OPTIONS, { cacheDir: "outDir" });
  const started = process.hrtime.bigint();
  const runtimes = parseRuntimes(options.compatibleRuntimes);
  const architectures = parseArchitectures(options.compatibleArchitectures);
  const reportAs = options.source;
  const packaged = packageSource({
    ...options,
    kind: "layer",
    runtimes,
    architectures,
    cacheDir: path.resolve(options.outDir ?? defaultCacheDir()),
    zip: {
      allowSecrets: options.allowSecrets,
      s3Upload: options.s3Upload,
      stage: options.stage,
      checks: layerChecks(reportAs, runtimes, architectures, options.allowForeignBinaries),
    },
  });
  const { built, placement } = packaged;
  if (built.cache === "built") {
    progress(
      `built ${reportAs}: ${packaged.fileCount} files, ${formatBytes(built.unzippedBytes)} -> ${formatBytes(built.zippedBytes)} zipped in ${seconds(started)}, ${built.entriesCompressed} compressed and ${built.entriesReused} reused (content ${built.contentSha256.slice(0, 12)})`,
    );
  }
  const { layoutWarnings, binaries: nativeBinaries } = built.checked as LayerChecks;
  return {
    ...built,
    placedUnder: placement.placedUnder,
    nativeBinaries,
    warnings: [...packaged.warnings, ...layoutWarnings, ...built.checkWarnings, ...built.cacheWarnings],
  };
}

/**
 * A layer's content checks, run by stage 5 before anything is compressed: a layout no declared
 * runtime loads, or native code a declared runtime or architecture cannot load. Both depend only on
 * the files' names and bytes and these options, so a metadata hit replays their outcome instead of
 * running them.
 */
function layerChecks(
  reportAs: string,
  runtimes: readonly Runtime[],
  architectures: readonly Architecture[] | undefined,
  allowForeignBinaries: readonly string[] | undefined,
): NonNullable<ZipOptions["checks"]> {
  return {
    key: [
      LAYOUT_RULES_VERSION,
      NATIVE_CHECK_VERSION,
      runtimes.map((r) => r.name),
      architectures?.map((a) => a.name),
      allowForeignBinaries ?? [],
    ],
    run: (files): LayerChecks => {
      const layoutWarnings = checkLayout(
        reportAs,
        files.map((f) => f.name),
        runtimes,
      );
      const binaries = findNativeBinaries(files);
      let checked = binaries;
      if (allowForeignBinaries?.length && binaries.length > 0) {
        const allowed = picomatch([...allowForeignBinaries], { dot: true });
        const byName = new Map(files.map((f) => [f.name, f]));
        checked = binaries.filter((b) => !allowed(byName.get(b.name)!.sourceRel) && !allowed(b.name));
      }
      checkNativeBinaries(reportAs, checked, runtimes, architectures);
      return { layoutWarnings, binaries };
    },
  };
}

/** What the layer's checks concluded, kept in the cache with the archive for a metadata hit to return. */
interface LayerChecks {
  readonly layoutWarnings: string[];
  readonly binaries: NativeBinary[];
}
