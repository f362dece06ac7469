// The import rewrite that makes cdktn-lambda-layers from this source (scripts/pack-cdktn.ts): which
// strings it rewrites (module specifiers, as TypeScript's parser finds them) and which it never
// touches, what it refuses, and the package.json it writes. The packed package itself is installed
// and deployed on cdktn by __tests__/cdktn.test.ts.
import { CDKTN_RENAMES, cdktnManifest, frameworkLeftovers, renameSpecifier, rewriteModuleSpecifiers } from "../scripts/pack-cdktn";
import { frameworkCommand, frameworkName, toolName } from "../modules/core/framework";
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./helpers/files";

describe("renameSpecifier", () => {
  test.each([
    ["cdktf", "cdktn"],
    ["cdktf/lib/synthesize/synthesizer", "cdktn/lib/synthesize/synthesizer"],
    ["cdktf/package.json", "cdktn/package.json"],
    ["@cdktf/provider-aws", "@cdktn/provider-aws"],
    ["@cdktf/provider-aws/lib/lambda-layer-version", "@cdktn/provider-aws/lib/lambda-layer-version"],
    ["@cdktf/provider-archive/lib/data-archive-file", "@cdktn/provider-archive/lib/data-archive-file"],
  ])("%s -> %s", (from, to) => {
    expect(renameSpecifier(from, CDKTN_RENAMES)).toBe(to);
  });

  test.each(["cdktf-lambda-layers", "cdktf-cli", "cdktfx", "@cdktf/provider-awsx", "constructs", "./cdktf", "@aws-sdk/client-lambda"])(
    "%s is no package of the renames",
    (specifier) => {
      expect(renameSpecifier(specifier, CDKTN_RENAMES)).toBeUndefined();
    },
  );
});

describe("rewriteModuleSpecifiers", () => {
  test("rewrites every specifier form of compiled JavaScript and leaves messages, names and comments alone", () => {
    const js = [
      `"use strict";`,
      `// cdktf: "cdktf/lib/x" in a comment stays`,
      `const cdktf_1 = require("cdktf");`,
      `const synthesizer_1 = require('cdktf/lib/synthesize/synthesizer');`,
      "const provider = () => require(`@cdktf/provider-aws/lib/provider`).AwsProvider;",
      `const resolved = require.resolve("@cdktf/provider-archive/lib/provider");`,
      `const lazy = import("cdktf");`,
      `const cli = "cdktf";`,
      `const message = "run \`npx cdktf synth\` first";`,
      `const other = require("cdktf-lambda-layers");`,
      `exports.x = { cdktf: cdktf_1.App };`,
    ].join("\n");
    const { text, rewritten } = rewriteModuleSpecifiers("x.js", js);
    expect(text.split("\n")).toEqual([
      `"use strict";`,
      `// cdktf: "cdktf/lib/x" in a comment stays`,
      `const cdktf_1 = require("cdktn");`,
      `const synthesizer_1 = require('cdktn/lib/synthesize/synthesizer');`,
      "const provider = () => require(`@cdktn/provider-aws/lib/provider`).AwsProvider;",
      `const resolved = require.resolve("@cdktn/provider-archive/lib/provider");`,
      `const lazy = import("cdktn");`,
      `const cli = "cdktf";`,
      `const message = "run \`npx cdktf synth\` first";`,
      `const other = require("cdktf-lambda-layers");`,
      `exports.x = { cdktf: cdktf_1.App };`,
    ]);
    expect(rewritten).toEqual([
      "cdktf -> cdktn",
      "cdktf/lib/synthesize/synthesizer -> cdktn/lib/synthesize/synthesizer",
      "@cdktf/provider-aws/lib/provider -> @cdktn/provider-aws/lib/provider",
      "@cdktf/provider-archive/lib/provider -> @cdktn/provider-archive/lib/provider",
      "cdktf -> cdktn",
    ]);
    expect(frameworkLeftovers("x.js", text)).toEqual([]);
  });

  test("rewrites the specifiers of type declarations: imports, re-exports, import types, import = require", () => {
    const dts = [
      `import { App, TerraformStack } from "cdktf";`,
      `import type { AwsProvider } from "@cdktf/provider-aws/lib/provider";`,
      `export { LocalBackend } from "cdktf";`,
      `export * from "@cdktf/provider-aws/lib/lambda-layer-version";`,
      `import archive = require("@cdktf/provider-archive");`,
      `export declare function f(stack: import("cdktf").TerraformStack): typeof import("@cdktf/provider-aws/lib/provider");`,
      `export declare const name: "cdktf";`,
    ].join("\n");
    const { text } = rewriteModuleSpecifiers("x.d.ts", dts);
    expect(text.split("\n")).toEqual([
      `import { App, TerraformStack } from "cdktn";`,
      `import type { AwsProvider } from "@cdktn/provider-aws/lib/provider";`,
      `export { LocalBackend } from "cdktn";`,
      `export * from "@cdktn/provider-aws/lib/lambda-layer-version";`,
      `import archive = require("@cdktn/provider-archive");`,
      `export declare function f(stack: import("cdktn").TerraformStack): typeof import("@cdktn/provider-aws/lib/provider");`,
      `export declare const name: "cdktf";`,
    ]);
    expect(frameworkLeftovers("x.d.ts", text)).toEqual([]);
  });

  test("user sources: the same rewrite with the library's own name added moves an app to cdktn", () => {
    const main = `import { App } from "cdktf";\nimport { LambdaLayer } from "cdktf-lambda-layers";\nimport { LayerFanout } from "cdktf-lambda-layers/layer-fanout";\n`;
    const renames = [...CDKTN_RENAMES, { from: "cdktf-lambda-layers", to: "cdktn-lambda-layers" }];
    expect(rewriteModuleSpecifiers("main.ts", main, renames).text).toBe(
      `import { App } from "cdktn";\nimport { LambdaLayer } from "cdktn-lambda-layers";\nimport { LayerFanout } from "cdktn-lambda-layers/layer-fanout";\n`,
    );
  });
});

describe("frameworkLeftovers", () => {
  test("names what the rewrite cannot have handled: a framework specifier left, a framework path in a string, a computed require, a type reference", () => {
    const js = [
      `/// <reference types="cdktf" />`,
      `const a = require("@cdktf/provider-null");`,
      `const b = "cdktf/lib/testing";`,
      `const c = require(name);`,
      `const d = import(\`\${base}/lib\`);`,
      `const ok = "cdktf";`,
    ].join("\n");
    expect(frameworkLeftovers("dist/x.js", js)).toEqual([
      `dist/x.js:2: "@cdktf/provider-null"`,
      `dist/x.js:3: "cdktf/lib/testing"`,
      "dist/x.js:4: a module loaded by a computed name (require(name))",
      "dist/x.js:5: a module loaded by a computed name (import(`${base}/lib`))",
      `dist/x.js: /// <reference types="cdktf" />`,
    ]);
  });
});

describe("cdktnManifest", () => {
  const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

  test("the cdktn package: its name, cdktn peers and engines, dependencies renamed, the CLI, exports and typesVersions kept", () => {
    const cdktn = cdktnManifest(manifest);
    expect(cdktn).toMatchObject({
      name: "cdktn-lambda-layers",
      version: manifest.version,
      peerDependencies: { cdktn: "^0.24.0", "@cdktn/provider-aws": "^25.0.0", constructs: ">=10.6.0 <10.8.0" },
      engines: { node: ">=22.19" },
      bin: { "cdktn-lambda-layers": "dist/bin/cdktf-lambda-layers.js" },
      exports: manifest.exports,
      typesVersions: manifest.typesVersions,
      files: manifest.files,
      license: manifest.license,
    });
    expect(cdktn.dependencies).toEqual({
      ...Object.fromEntries(Object.entries(manifest.dependencies).filter(([name]) => name !== "@cdktf/provider-archive")),
      "@cdktn/provider-archive": "^14.0.1",
    });
    expect(cdktn).not.toHaveProperty("scripts"); // npm pack in the staging folder must not run prepack
    expect(cdktn).not.toHaveProperty("devDependencies");
  });

  test("a cdktf dependency without a cdktn counterpart stops the build", () => {
    expect(() => cdktnManifest({ ...manifest, dependencies: { ...manifest.dependencies, "@cdktf/provider-null": "^10.0.0" } })).toThrow(
      "pack-cdktn: dependency @cdktf/provider-null is a cdktf package with no cdktn counterpart in CDKTN_DEPENDENCIES: add one",
    );
  });
});

test("this source runs on cdktf: messages name the cdktf CLI and cdktf-lambda-layers", () => {
  expect(frameworkName()).toBe("cdktf");
  expect(frameworkCommand("synth")).toBe("npx cdktf synth");
  expect(toolName()).toBe("cdktf-lambda-layers");
});
