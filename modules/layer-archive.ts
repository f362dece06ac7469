// Turns a folder of layer content into a byte-reproducible zip: place a plain package folder
// under its runtime's prefix, install declared dependencies, check that a declared runtime would
// load the result, then hand the files to the shared zip pipeline (archive-builder.ts).
import * as fs from "fs";
import * as path from "path";
import picomatch from "picomatch";
import { BuiltArchive, buildZip, collectFiles, defaultCacheDir, resolveSource } from "./archive-builder";
import { DependencyManifest, findManifests, ManifestCandidate } from "./dependencies";
import { checkLayout, isLaidOut, plainFolderPrefix } from "./layout";
import { checkNativeArchitectures, findNativeBinaries } from "./native-binaries";
import { formatBytes, progress, seconds } from "./progress";
import { Architecture, parseArchitectures, parseRuntimes, Runtime, RuntimeFamily } from "./runtime";

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

/** A built layer archive. */
export interface LayerArchive extends BuiltArchive {
  /** Prefix a plain package folder was placed under ("" when the source was already laid out). */
  readonly placedUnder: string;
  /** Advice about the content (runtimes that load nothing, stray files); never fatal. */
  readonly warnings: readonly string[];
}

/**
 * Builds (or reuses) the reproducible zip for a layer folder.
 * @throws LayerValidationError for a missing or empty source, a layout no declared runtime loads,
 *   an escaping symlink, a secret, or an archive over Lambda's limits. Nothing is left behind then.
 */
export function buildLayerArchive(options: BuildLayerArchiveOptions): LayerArchive {
  const started = process.hrtime.bigint();
  const runtimes = parseRuntimes(options.compatibleRuntimes);
  const architectures = parseArchitectures(options.compatibleArchitectures);
  const reportAs = options.source;
  const source = resolveSource(options.source);
  const cacheDir = path.resolve(options.outDir ?? defaultCacheDir());

  const { placedUnder, manifests, buildInputs } = placeLayerSource(source, reportAs, runtimes);
  const collected = collectFiles(source, reportAs, placedUnder, manifests, { ...options, runtimes, architectures, cacheDir }, buildInputs);
  const layoutWarnings = checkLayout(
    reportAs,
    collected.files.map((f) => f.name),
    runtimes,
  );
  const built = buildZip(collected.files, {
    reportAs,
    source,
    cacheDir,
    allowSecrets: options.allowSecrets,
    s3Upload: options.s3Upload,
    stage: options.stage,
    // Native code for the wrong machine loads nowhere: refuse it before anything is compressed.
    checks: {
      key: [architectures?.map((a) => a.name), options.allowForeignBinaries ?? []],
      run: (files) => {
        const allowed = options.allowForeignBinaries?.length ? picomatch([...options.allowForeignBinaries], { dot: true }) : () => false;
        checkNativeArchitectures(
          reportAs,
          findNativeBinaries(files.filter((f) => !allowed(f.sourceRel) && !allowed(f.name))),
          architectures,
        );
      },
    },
  });
  if (built.cache === "built") {
    progress(
      `built ${reportAs}: ${collected.files.length} files, ${formatBytes(built.unzippedBytes)} -> ${formatBytes(built.zippedBytes)} zipped in ${seconds(started)} (content ${built.contentSha256.slice(0, 12)})`,
    );
  }
  return { ...built, placedUnder, warnings: [...collected.warnings, ...layoutWarnings] };
}

/** Where a layer folder's content goes: as laid out, or a plain package folder under its runtime's prefix. */
export interface LayerPlacement {
  /** "" when the folder is laid out for /opt already. */
  readonly placedUnder: string;
  /** The dependency sets the folder declares. */
  readonly manifests: DependencyManifest[];
  /** Source files that are build input, not content (requirements.txt). */
  readonly buildInputs: Set<string>;
}

/**
 * Decides where a layer folder's files go under /opt and which dependencies it declares.
 * @throws LayerValidationError for a plain folder whose place is ambiguous or unknown.
 */
export function placeLayerSource(source: string, reportAs: string, runtimes: readonly Runtime[]): LayerPlacement {
  const laidOut = isLaidOut(fs.readdirSync(source).filter((name) => !name.startsWith(".")));
  const placedUnder = laidOut ? "" : plainFolderPrefix(reportAs, runtimes, nodePackageName(source, runtimes));
  return { placedUnder, ...findManifests(source, manifestCandidates(laidOut, placedUnder), runtimes) };
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
        ["requirements.txt", "pip", placedUnder],
        ["package.json", "npm", placedUnder],
      ];
}
