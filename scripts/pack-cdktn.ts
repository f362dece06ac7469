// One source, two packages: builds cdktn-lambda-layers (for CDK Terrain, the continuation of the
// archived CDK for Terraform) from this project's source, and packs it. The library is compiled as
// for cdktf-lambda-layers, then every module specifier of the compiled JavaScript and of its type
// declarations that names a framework package is rewritten (cdktf -> cdktn, @cdktf/provider-aws ->
// @cdktn/provider-aws, @cdktf/provider-archive -> @cdktn/provider-archive), found by TypeScript's own
// parser: require() and import() calls, import/export declarations, `import x = require()` and
// `import("…")` types. Strings that are not specifiers (messages, names in generated Terraform) are
// never touched; the build fails on any framework path left in a string it did not rewrite. The
// package.json is this one's with the cdktn peers, engines and dependencies.
//
//   npm run pack:cdktn                      # writes cdktn-lambda-layers-<version>.tgz here
//   npm run pack:cdktn -- --pack-destination /tmp/out
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as ts from "typescript";

/** A package of one framework and its counterpart in the other. */
export interface PackageRename {
  readonly from: string;
  readonly to: string;
}

/**
 * CDK Terrain's upgrade guide renames the packages; their module layout (`lib/<resource>`,
 * `lib/synthesize/synthesizer`) is the same, which the cdktn test proves by installing the result.
 */
export const CDKTN_RENAMES: readonly PackageRename[] = [
  { from: "cdktf", to: "cdktn" },
  { from: "@cdktf/provider-aws", to: "@cdktn/provider-aws" },
  { from: "@cdktf/provider-archive", to: "@cdktn/provider-archive" },
];

/** The package's runtime dependencies that are framework packages, with the cdktn release line to depend on. */
export const CDKTN_DEPENDENCIES: Readonly<Record<string, { readonly name: string; readonly range: string }>> = {
  // @cdktn/provider-archive 14 peers cdktn ^0.24: keeping @cdktf/provider-archive would make npm
  // install cdktf beside cdktn, and archive_file would then crash at synth.
  "@cdktf/provider-archive": { name: "@cdktn/provider-archive", range: "^14.0.1" },
};

/** The cdktn package's peers and engines: cdktn 0.24 and its AWS provider 25 (AWS provider 6.x). */
export const CDKTN_PEERS = { cdktn: "^0.24.0", "@cdktn/provider-aws": "^25.0.0", constructs: ">=10.6.0 <10.8.0" };
/** cdktn-cli 0.24 requires Node 22.19 (cdktn 0.24 and @cdktn/provider-aws 25 say 22.11 or none). */
export const CDKTN_ENGINES = { node: ">=22.19" };

/** A module specifier of the framework: the package itself or a path inside it ("cdktf", "cdktf/lib/x", "@cdktf/y/lib/z"). */
const FRAMEWORK_SPECIFIER = /^(?:cdktf|cdktf-cli|@cdktf\/[^/]+)(?:\/|$)/;

/** The specifier with its package renamed, or undefined when it names no package of `renames`. */
export function renameSpecifier(specifier: string, renames: readonly PackageRename[]): string | undefined {
  for (const { from, to } of renames) {
    if (specifier === from) return to;
    if (specifier.startsWith(`${from}/`)) return to + specifier.slice(from.length);
  }
  return undefined;
}

/** The string literals of `source` that are module specifiers, as TypeScript's parser sees them. */
export function moduleSpecifiers(source: ts.SourceFile): ts.StringLiteralLike[] {
  const found: ts.StringLiteralLike[] = [];
  const add = (node: ts.Node | undefined) => {
    if (node && ts.isStringLiteralLike(node)) found.push(node);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal);
    else if (ts.isModuleDeclaration(node) && ts.isStringLiteral(node.name)) add(node.name);
    else if (ts.isCallExpression(node) && node.arguments.length > 0) {
      const callee = node.expression;
      // require("x"), require.resolve("x"), import("x")
      const isRequire =
        (ts.isIdentifier(callee) && callee.text === "require") ||
        (ts.isPropertyAccessExpression(callee) &&
          ts.isIdentifier(callee.expression) &&
          callee.expression.text === "require" &&
          callee.name.text === "resolve");
      if (isRequire || callee.kind === ts.SyntaxKind.ImportKeyword) add(node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

function parse(fileName: string, text: string): ts.SourceFile {
  const kind = fileName.endsWith(".ts") ? ts.ScriptKind.TS : fileName.endsWith(".tsx") ? ts.ScriptKind.TSX : ts.ScriptKind.JS;
  return ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true, kind);
}

/**
 * Rewrites the module specifiers of one file (JavaScript, TypeScript or a .d.ts) that name a package
 * of `renames`; the rest of the text is kept byte for byte.
 * @returns the new text and the specifiers rewritten, as "from -> to"
 */
export function rewriteModuleSpecifiers(
  fileName: string,
  text: string,
  renames: readonly PackageRename[] = CDKTN_RENAMES,
): { text: string; rewritten: string[] } {
  const source = parse(fileName, text);
  const edits = moduleSpecifiers(source)
    .map((literal) => ({ literal, to: renameSpecifier(literal.text, renames) }))
    .filter((e): e is { literal: ts.StringLiteralLike; to: string } => e.to !== undefined)
    .sort((a, b) => b.literal.getStart(source) - a.literal.getStart(source));
  let out = text;
  for (const { literal, to } of edits) {
    // Inside the quotes: the file's own quote style stays.
    const start = literal.getStart(source) + 1;
    const end = literal.getEnd() - 1;
    out = out.slice(0, start) + to + out.slice(end);
  }
  return { text: out, rewritten: edits.reverse().map((e) => `${e.literal.text} -> ${e.to}`) };
}

/**
 * What a rewritten file must not hold: a specifier of a framework package the renames do not cover,
 * any string literal naming a path inside a cdktf package (a specifier the parser could not see as
 * one), a require()/import() of a computed name, or a `/// <reference types>` of a cdktf package.
 */
export function frameworkLeftovers(fileName: string, text: string): string[] {
  const source = parse(fileName, text);
  const problems: string[] = [];
  const where = (node: ts.Node) => `${fileName}:${source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1}`;
  const specifiers = new Set(moduleSpecifiers(source));
  const visit = (node: ts.Node): void => {
    if (ts.isStringLiteralLike(node) && FRAMEWORK_SPECIFIER.test(node.text) && (specifiers.has(node) || node.text.includes("/")))
      problems.push(`${where(node)}: "${node.text}"`);
    if (ts.isCallExpression(node) && node.arguments.length > 0 && !ts.isStringLiteralLike(node.arguments[0])) {
      const callee = node.expression;
      if ((ts.isIdentifier(callee) && callee.text === "require") || callee.kind === ts.SyntaxKind.ImportKeyword)
        problems.push(`${where(node)}: a module loaded by a computed name (${node.getText(source)})`);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  for (const ref of source.typeReferenceDirectives) {
    if (FRAMEWORK_SPECIFIER.test(ref.fileName)) problems.push(`${fileName}: /// <reference types="${ref.fileName}" />`);
  }
  return problems;
}

/** The fields of this project's package.json that the cdktn package's is made from. */
export interface ProjectManifest {
  readonly name: string;
  readonly version: string;
  readonly description: string;
  readonly license: string;
  readonly repository: unknown;
  readonly keywords: readonly string[];
  readonly main: string;
  readonly types: string;
  readonly exports: unknown;
  readonly typesVersions: unknown;
  readonly bin: Readonly<Record<string, string>>;
  readonly files: readonly string[];
  readonly dependencies: Readonly<Record<string, string>>;
}

/** The cdktn package's package.json, made from this project's. */
export function cdktnManifest(manifest: ProjectManifest): Record<string, unknown> {
  const binaries = Object.values(manifest.bin);
  if (binaries.length !== 1) throw new Error(`pack-cdktn: expected one bin in package.json, found ${binaries.length}`);
  const dependencies: Record<string, string> = {};
  for (const [name, range] of Object.entries(manifest.dependencies)) {
    const renamed = CDKTN_DEPENDENCIES[name];
    if (renamed) dependencies[renamed.name] = renamed.range;
    else if (FRAMEWORK_SPECIFIER.test(name))
      throw new Error(`pack-cdktn: dependency ${name} is a cdktf package with no cdktn counterpart in CDKTN_DEPENDENCIES: add one`);
    else dependencies[name] = range;
  }
  return {
    name: manifest.name.replace(/^cdktf-/, "cdktn-"),
    version: manifest.version,
    description: manifest.description.replace("CDK for Terraform", "CDK Terrain (cdktn)"),
    license: manifest.license,
    repository: manifest.repository,
    keywords: manifest.keywords.map((k) => (k === "cdktf" ? "cdktn" : k)).concat("cdk-terrain"),
    main: manifest.main,
    types: manifest.types,
    exports: manifest.exports,
    typesVersions: manifest.typesVersions,
    bin: { "cdktn-lambda-layers": binaries[0] },
    files: manifest.files,
    engines: CDKTN_ENGINES,
    peerDependencies: CDKTN_PEERS,
    dependencies,
  };
}

/** Every .js and .d.ts file under `dir`. */
function compiledFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".js") || f.endsWith(".d.ts"))
    .map((f) => path.join(dir, f));
}

/**
 * Compiles, rewrites and packs the cdktn package.
 * @returns the tarball's path
 */
export function packCdktn(root: string, packDestination: string): string {
  const manifest = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as ProjectManifest;
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), "cdktn-package-"));
  try {
    // A fresh output folder: nothing stale from an earlier `npm run build` gets packed.
    execFileSync(
      process.execPath,
      [require.resolve("typescript/bin/tsc"), "-p", "tsconfig.build.json", "--outDir", path.join(staging, "dist")],
      {
        cwd: root,
        stdio: "inherit",
      },
    );
    const packed = manifest.files.filter((f) => f.startsWith("dist/"));
    const problems: string[] = [];
    let count = 0;
    for (const folder of packed) {
      for (const file of compiledFiles(path.join(staging, folder))) {
        const { text, rewritten } = rewriteModuleSpecifiers(file, fs.readFileSync(file, "utf8"));
        fs.writeFileSync(file, text);
        count += rewritten.length;
        problems.push(...frameworkLeftovers(path.relative(staging, file), text));
      }
    }
    if (problems.length > 0) throw new Error(`pack-cdktn: framework names the rewrite did not handle:\n  ${problems.join("\n  ")}`);
    if (count === 0) throw new Error("pack-cdktn: no module specifier was rewritten: is the build output where package.json's files say?");

    for (const file of manifest.files) {
      if (file.startsWith("dist/")) continue;
      fs.cpSync(path.join(root, file), path.join(staging, file), { recursive: true });
    }
    fs.copyFileSync(path.join(root, "LICENSE"), path.join(staging, "LICENSE"));
    fs.writeFileSync(path.join(staging, "package.json"), `${JSON.stringify(cdktnManifest(manifest), null, 2)}\n`);
    fs.mkdirSync(packDestination, { recursive: true });
    const output = execFileSync("npm", ["pack", "--silent", "--pack-destination", path.resolve(packDestination)], {
      cwd: staging,
      encoding: "utf8",
    });
    const tarball = path.join(path.resolve(packDestination), output.trim().split("\n").pop()!);
    process.stderr.write(`pack-cdktn: ${count} module specifiers rewritten\n`);
    return tarball;
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf("--pack-destination");
  const root = path.resolve(__dirname, "..");
  console.log(packCdktn(root, at >= 0 ? args[at + 1] : root));
}
