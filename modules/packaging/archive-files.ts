// Stages 3 and 4 of the packaging pipeline (pipeline.ts): install the dependencies a placed source
// declares, then list the archive's files: the source's own under their place, the installed ones
// under their prefix, sorted by bytes. Each takes what the stage before it returned.
import * as path from "path";
import { errors } from "../core/errors";
import { DependencyManifest, InstallOptions, installDependencies, InstalledDependencies, isBuildInput } from "./dependencies";
import { compareBytes, SourceFile, walkSource } from "./source-files";

/** A file as it will be archived: its archive path, mode and where its bytes come from. @group Internals */
export interface PlannedFile {
  /** Path inside the archive. */
  readonly name: string;
  /** Path relative to the source folder (for installed files, the archive path). */
  readonly sourceRel: string;
  readonly abs: string;
  readonly size: number;
  readonly mode: number;
  readonly mtimeMs: number;
  readonly ctimeMs: number;
  readonly ino: number;
}

/** One declared dependency set and where its install landed. */
export interface InstalledSet {
  readonly manifest: DependencyManifest;
  readonly installed: InstalledDependencies;
}

/** Stage 3: installs (or finds in the cache) every dependency set the placed source declares, in order. */
export function installDeclared(manifests: readonly DependencyManifest[], options: InstallOptions): InstalledSet[] {
  return manifests.map((manifest) => ({ manifest, installed: installDependencies(manifest, options) }));
}

/**
 * Stage 4: the sorted list of files to archive, from the source's walk (files go under
 * `placedUnder`) and the installs. `skip` names source files and folders (ending in "/") that are
 * build input, not content. A source file wins over an installed file of the same path.
 * @throws LayerValidationError when nothing is left to archive.
 */
export function listArchiveFiles(
  reportAs: string,
  walked: readonly SourceFile[],
  placedUnder: string,
  skip: ReadonlySet<string>,
  installs: readonly InstalledSet[],
  options: { readonly defaultExcludes?: boolean },
): { files: PlannedFile[]; warnings: string[] } {
  const byName = new Map<string, PlannedFile>();
  for (const f of walked) {
    if (isBuildInput(f.rel, skip)) continue;
    const name = placedUnder + f.rel;
    byName.set(name, plannedFile(name, f.rel, f));
  }
  const warnings: string[] = [];
  for (const { manifest, installed } of installs) {
    warnings.push(...installed.warnings);
    let shadowed = 0;
    for (const f of walkSource(installed.root, { defaultExcludes: options.defaultExcludes })) {
      const name = installed.archivePrefix + f.rel;
      if (byName.has(name)) {
        shadowed++;
        continue; // the source folder's own file wins over an installed one
      }
      byName.set(name, plannedFile(name, name, f));
    }
    if (shadowed > 0)
      warnings.push(
        `${shadowed} installed file(s) from ${path.basename(manifest.manifest)} were replaced by the source folder's own copies`,
      );
  }
  const files = [...byName.values()].sort((a, b) => compareBytes(a.name, b.name));
  if (files.length === 0) throw errors.sourceEmpty(reportAs);
  return { files, warnings };
}

function plannedFile(name: string, sourceRel: string, f: SourceFile): PlannedFile {
  const { abs, size, mtimeMs, ctimeMs, ino } = f;
  return { name, sourceRel, abs, size, mode: modeFor(name, f.executable), mtimeMs, ctimeMs, ino };
}

/** 0755 for executables, a custom runtime's `bootstrap` and anything in bin/; 0644 otherwise. @group Internals */
export function modeFor(name: string, executable: boolean): number {
  return executable || name.endsWith("/bootstrap") || name === "bootstrap" || name.startsWith("bin/") ? 0o755 : 0o644;
}
