// The names each entry point of the package exports, read from a built package folder (the repo's
// dist, or the packed package installed in an app): the runtime names that `require` returns, and
// every name (values and types) that its declaration file exports, as the TypeScript checker sees it.
// __tests__/data/exported-names.json holds them as they were before modules/ was split into folders.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";

export interface ExportedNames {
  /** Object.keys(require(subpath)), sorted. */
  readonly runtime: string[];
  /** Every exported name of the declaration file, values and types, sorted. */
  readonly declared: string[];
}

type ExportTarget = { types: string; default: string } | string;

/** The subpath exports of the package at `packageRoot` ("." and "./package.json" aside), with their targets. */
export function subpathExports(packageRoot: string): [string, { types: string; default: string }][] {
  const manifest = JSON.parse(fs.readFileSync(path.join(packageRoot, "package.json"), "utf8"));
  return Object.entries(manifest.exports as Record<string, ExportTarget>).flatMap(([subpath, target]) =>
    subpath === "./package.json" || typeof target === "string" ? [] : [[subpath, target]],
  );
}

/** The names every entry point of the package at `packageRoot` exports, keyed by subpath ("." included). */
export function exportedNames(packageRoot: string): Record<string, ExportedNames> {
  const entries = subpathExports(packageRoot);
  const program = ts.createProgram(
    entries.map(([, target]) => path.join(packageRoot, target.types)),
    { noEmit: true, skipLibCheck: true, module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
  );
  const checker = program.getTypeChecker();
  const names: Record<string, ExportedNames> = {};
  for (const [subpath, target] of entries) {
    const file = program.getSourceFile(path.join(packageRoot, target.types));
    const symbol = file && checker.getSymbolAtLocation(file);
    if (!symbol) throw new Error(`${subpath}: no declaration file at ${target.types}`);
    const loaded = require(path.join(packageRoot, target.default)) as object;
    names[subpath] = {
      runtime: Object.keys(loaded).sort(),
      declared: checker
        .getExportsOfModule(symbol)
        .map((s) => s.name)
        .sort(),
    };
  }
  return names;
}
