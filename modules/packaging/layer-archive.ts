// Turns a folder of layer content into a byte-reproducible zip: place a plain package folder
// under its runtime's prefix, install declared dependencies, check that a declared runtime would
// load the result, then hand the files to the shared zip pipeline (archive-builder.ts).
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { BuiltArchive, buildZip, collectFiles, defaultCacheDir, resolveSource, walkArchiveSource } from "./archive-builder";
import { findManifests, FoundManifests, ManifestCandidate } from "./dependencies";
import { checkLayout, checkMisplacedRoots, isLaidOut, LAYOUT_RULES_VERSION, LayoutFile, plainFolderPrefix } from "../checks/layout";
import { checkNativeBinaries, findNativeBinaries, NativeBinary } from "../checks/native-binaries";
import { optionNames, refuseUnknownOptions } from "../core/option-names";
import { formatBytes, progress, seconds } from "../core/progress";
import { Architecture, parseArchitectures, parseRuntimes, Runtime, RuntimeFamily } from "../aws/runtime";
import { SourceFile } from "./source-files";

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
  const source = resolveSource(options.source);
  const cacheDir = path.resolve(options.outDir ?? defaultCacheDir());

  const collectOptions = { ...options, runtimes, architectures, cacheDir };
  const walked = walkArchiveSource(source, reportAs, collectOptions);
  const {
    placedUnder,
    manifests,
    buildInputs,
    warnings: placementWarnings,
  } = placeLayerSource(source, reportAs, runtimes, walked, options.pipArgs);
  const collected = collectFiles(source, reportAs, placedUnder, manifests, collectOptions, buildInputs, walked);
  const built = buildZip(collected.files, {
    reportAs,
    source,
    cacheDir,
    allowSecrets: options.allowSecrets,
    s3Upload: options.s3Upload,
    stage: options.stage,
    // A layout no declared runtime loads, or native code a declared runtime or architecture cannot
    // load: refused before anything is compressed. Both depend only on the files' names and bytes
    // and these options, so a metadata hit replays their outcome instead of running them.
    checks: {
      key: [
        LAYOUT_RULES_VERSION,
        NATIVE_CHECK_VERSION,
        runtimes.map((r) => r.name),
        architectures?.map((a) => a.name),
        options.allowForeignBinaries ?? [],
      ],
      run: (files): LayerChecks => {
        const layoutWarnings = checkLayout(
          reportAs,
          files.map((f) => f.name),
          runtimes,
        );
        const binaries = findNativeBinaries(files);
        let checked = binaries;
        if (options.allowForeignBinaries?.length && binaries.length > 0) {
          const allowed = picomatch([...options.allowForeignBinaries], { dot: true });
          const byName = new Map(files.map((f) => [f.name, f]));
          checked = binaries.filter((b) => !allowed(byName.get(b.name)!.sourceRel) && !allowed(b.name));
        }
        checkNativeBinaries(reportAs, checked, runtimes, architectures);
        return { layoutWarnings, binaries };
      },
    },
  });
  if (built.cache === "built") {
    progress(
      `built ${reportAs}: ${collected.files.length} files, ${formatBytes(built.unzippedBytes)} -> ${formatBytes(built.zippedBytes)} zipped in ${seconds(started)}, ${built.entriesCompressed} compressed and ${built.entriesReused} reused (content ${built.contentSha256.slice(0, 12)})`,
    );
  }
  const { layoutWarnings, binaries: nativeBinaries } = built.checked as LayerChecks;
  return {
    ...built,
    placedUnder,
    nativeBinaries,
    warnings: [...placementWarnings, ...collected.warnings, ...layoutWarnings, ...built.checkWarnings, ...built.cacheWarnings],
  };
}

/** What the layer's checks concluded, kept in the cache with the archive for a metadata hit to return. */
interface LayerChecks {
  readonly layoutWarnings: string[];
  readonly binaries: NativeBinary[];
}

/** Where a layer folder's content goes: as laid out, or a plain package folder under its runtime's prefix. */
export interface LayerPlacement extends FoundManifests {
  /** "" when the folder is laid out for /opt already. */
  readonly placedUnder: string;
}

/**
 * Decides where a layer folder's files go under /opt and which dependencies it declares.
 * @param walked the folder's files, as walkArchiveSource lists them
 * @throws LayerValidationError for a misplaced install tree (lib/python3.12/site-packages/ or
 *   node_modules/ at the top), or a plain folder whose place is ambiguous or whose name is invalid.
 */
export function placeLayerSource(
  source: string,
  reportAs: string,
  runtimes: readonly Runtime[],
  walked: readonly SourceFile[],
  pipArgs?: readonly string[],
): LayerPlacement {
  const files: LayoutFile[] = walked.map((f) => ({
    rel: f.rel,
    executable: f.executable || (isTopLevelProgram(f.rel) && startsLikeProgram(f.abs)),
  }));
  checkMisplacedRoots(reportAs, files, runtimes);
  const laidOut = isLaidOut(files);
  const placedUnder = laidOut
    ? ""
    : plainFolderPrefix(reportAs, runtimes, {
        nodePackageName: nodePackageName(source, runtimes),
        pythonPackage: walked.some((f) => f.rel === "__init__.py") ? path.basename(source) : undefined,
        hasLibFolder: walked.some((f) => f.rel.startsWith("lib/")),
      });
  return { placedUnder, ...findManifests(source, manifestCandidates(laidOut, placedUnder), runtimes, pipArgs) };
}

/** bin/<name>: a program when it has an execute bit, a `#!` line or an ELF header (a checkout may lose the bit). */
function isTopLevelProgram(rel: string): boolean {
  return /^bin\/[^/]+$/.test(rel);
}

function startsLikeProgram(abs: string): boolean {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(abs, "r");
  try {
    const n = fs.readSync(fd, head, 0, 4, 0);
    return (n >= 2 && head[0] === 0x23 && head[1] === 0x21) || (n === 4 && head.readUInt32BE(0) === 0x7f454c46);
  } finally {
    fs.closeSync(fd);
  }
}

function nodePackageName(source: string, runtimes: readonly Runtime[]): string | undefined {
  if (!runtimes.every((r) => r.family === RuntimeFamily.NODEJS)) return undefined;
  const manifest = path.join(source, "package.json");
  if (!fs.existsSync(manifest)) return undefined;
  try {
    const name = JSON.parse(fs.readFileSync(manifest, "utf8")).name;
    return typeof name === "string" && name.length > 0 ? name : undefined;
  } catch {
    return undefined;
  }
}

/** Where a layer may declare dependencies, and where their installed files go. */
function manifestCandidates(laidOut: boolean, placedUnder: string): ManifestCandidate[] {
  return laidOut
    ? [
        ["python/requirements.txt", "pip", "python/"],
        ["requirements.txt", "pip", "python/"],
        ["nodejs/package.json", "npm", "nodejs/"],
      ]
    : [
        // A Python package placed at python/<name>/ still gets its dependencies beside it, in python/.
        ["requirements.txt", "pip", placedUnder.startsWith("python/") ? "python/" : placedUnder],
        ["package.json", "npm", placedUnder],
      ];
}
