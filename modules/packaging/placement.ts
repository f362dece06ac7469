// Stage 2 of the packaging pipeline (pipeline.ts): where a walked source's files go in the archive
// and which dependency manifests it declares. A layer folder goes as laid out for /opt, or a plain
// package folder under its runtime's prefix; function code goes at the archive root.
import * as fs from "fs";
import * as path from "path";
import { findManifests, FoundManifests, ManifestCandidate } from "./dependencies";
import { checkMisplacedRoots, isLaidOut, LayoutFile, plainFolderPrefix } from "../checks/layout";
import { Runtime, RuntimeFamily } from "../aws/runtime";
import { SourceFile } from "./source-files";

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

/** Function code: at the archive root (Lambda unpacks it into /var/task), dependencies beside it. */
export function placeFunctionSource(source: string, runtime: Runtime, pipArgs?: readonly string[]): LayerPlacement {
  const candidates: ManifestCandidate[] = [
    ["requirements.txt", "pip", ""],
    ["package.json", "npm", ""],
  ];
  return { placedUnder: "", ...findManifests(source, candidates, [runtime], pipArgs) };
}
