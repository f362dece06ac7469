// modules/ is split by concern, and each folder imports only the folders below it (its README.md says
// which): read from the import declarations and require calls of every file, with the TypeScript parser.
// A type-only import is allowed upward (it leaves nothing in the compiled output); operations/ (the
// code that talks to AWS) is never imported by synth-time code.
import * as fs from "fs";
import * as path from "path";
import * as ts from "typescript";
import { repoRoot } from "./helpers/files";

/** What each folder under modules/ may import (besides itself); modules/index.ts, the public API, imports all. */
const MAY_IMPORT: Record<string, readonly string[]> = {
  core: [],
  terraform: ["core"],
  aws: ["core", "terraform"],
  checks: ["core", "aws"],
  packaging: ["core", "aws", "checks"],
  constructs: ["core", "aws", "checks", "packaging", "terraform"],
};

const modulesDir = path.join(repoRoot, "modules");

/** Every relative import of `file`: its specifier and whether it is type-only. */
function importsOf(file: string): { specifier: string; typeOnly: boolean }[] {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: { specifier: string; typeOnly: boolean }[] = [];
  const visit = (node: ts.Node) => {
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier &&
      ts.isStringLiteral(node.moduleSpecifier)
    ) {
      const typeOnly = ts.isImportDeclaration(node) ? !!node.importClause?.isTypeOnly : node.isTypeOnly;
      found.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (
      ts.isCallExpression(node) &&
      ((ts.isIdentifier(node.expression) && node.expression.text === "require") || node.expression.kind === ts.SyntaxKind.ImportKeyword) &&
      node.arguments.length > 0 &&
      ts.isStringLiteralLike(node.arguments[0])
    ) {
      found.push({ specifier: node.arguments[0].text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found.filter((i) => i.specifier.startsWith("."));
}

const files = fs
  .readdirSync(modulesDir, { recursive: true })
  .map(String)
  .filter((f) => /\.(ts|js)$/.test(f));

test("modules/ holds only its public API at the top, and the library in one folder per concern", () => {
  expect(files.filter((f) => !f.includes(path.sep))).toEqual(["index.ts"]);
  expect([...new Set(files.filter((f) => f.includes(path.sep)).map((f) => f.split(path.sep)[0]))].sort()).toEqual(
    Object.keys(MAY_IMPORT).sort(),
  );
  for (const folder of Object.keys(MAY_IMPORT)) {
    const readme = fs.readFileSync(path.join(modulesDir, folder, "README.md"), "utf8");
    expect([folder, readme]).toEqual([folder, expect.stringContaining("May import:")]);
  }
});

/** The imports of `file` (relative to modules/) that its folder may not make. */
function violations(file: string, imports: { specifier: string; typeOnly: boolean }[]): string[] {
  const folder = file.split(path.sep)[0];
  return imports.flatMap(({ specifier, typeOnly }) => {
    const target = path.relative(modulesDir, path.resolve(modulesDir, path.dirname(file), specifier));
    if (target.startsWith("..")) return [`modules/${file} imports ${specifier}, outside modules/`];
    const targetFolder = target.split(path.sep)[0];
    if (targetFolder === folder || MAY_IMPORT[folder].includes(targetFolder) || typeOnly) return [];
    return [`modules/${file} imports ${specifier}`];
  });
}

test("each folder imports only the folders it may, and none imports operations/", () => {
  const inFolders = files.filter((f) => f.includes(path.sep));
  const imports = inFolders.map((f) => [f, importsOf(path.join(modulesDir, f))] as const);
  expect(imports.reduce((n, [, list]) => n + list.length, 0)).toBeGreaterThan(100);
  expect(imports.flatMap(([f, list]) => violations(f, list))).toEqual([]);
});

test.each([
  ["checks/secrets.ts", "../packaging/zip-writer", false, ["modules/checks/secrets.ts imports ../packaging/zip-writer"]],
  ["checks/secrets.ts", "../packaging/zip-writer", true, []],
  ["aws/runtime.ts", "../../operations", false, ["modules/aws/runtime.ts imports ../../operations, outside modules/"]],
  ["aws/runtime.ts", "../../operations", true, ["modules/aws/runtime.ts imports ../../operations, outside modules/"]],
  ["packaging/inspect.ts", "../checks/layout", false, []],
  ["core/errors.ts", "../aws/runtime", false, ["modules/core/errors.ts imports ../aws/runtime"]],
])("%s importing %s (type-only: %s) breaks the rule in %j", (file, specifier, typeOnly, expected) => {
  expect(violations(file.split("/").join(path.sep), [{ specifier, typeOnly }])).toEqual(expected);
});

/** The names `file` imports from each relative specifier. */
function importedNames(file: string): Map<string, string[]> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const names = new Map<string, string[]>();
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const bindings = statement.importClause?.namedBindings;
    const named = bindings && ts.isNamedImports(bindings) ? bindings.elements.map((e) => (e.propertyName ?? e.name).text) : [];
    names.set(statement.moduleSpecifier.text, [...(names.get(statement.moduleSpecifier.text) ?? []), ...named]);
  }
  return names;
}

describe("the packaging pipeline", () => {
  const packaging = path.join(modulesDir, "packaging");
  const STAGES = ["resolveSource", "walkArchiveSource", "placeLayerSource", "findManifests", "installDeclared", "installDependencies"];
  const LATER_STAGES = ["collectFiles", "listArchiveFiles", "buildZip"];

  test.each(["layer-archive.ts", "function-archive.ts"])("%s runs the stages only through packageSource", (file) => {
    const imports = importedNames(path.join(packaging, file));
    expect(imports.get("./pipeline")).toEqual(["packageSource"]);
    const stagesCalled = [...imports.values()].flat().filter((name) => [...STAGES, ...LATER_STAGES].includes(name));
    expect(stagesCalled).toEqual([]);
  });

  test.each(["archive-builder.ts", "archive-files.ts", "placement.ts", "dependencies.ts", "source-files.ts"])(
    "the stage module %s never imports the pipeline or an entry point (no call back up)",
    (file) => {
      const imported = [...importedNames(path.join(packaging, file)).keys()];
      expect(imported.filter((s) => ["./pipeline", "./layer-archive", "./function-archive"].includes(s))).toEqual([]);
    },
  );

  test("packageSource calls the stages in order", () => {
    const text = fs.readFileSync(path.join(packaging, "pipeline.ts"), "utf8");
    const body = text.slice(text.indexOf("export function packageSource"));
    const order = ["resolveSource(", "walkArchiveSource(", "placeLayerSource(", "installDeclared(", "listArchiveFiles(", "buildZip("];
    const at = order.map((call) => body.indexOf(call));
    expect(at.every((i) => i > 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});
