// What a user of the package reads besides the API: the CLI's --version, sizes in one unit system
// (binary units, as Lambda's limits are: 250 MiB = 262,144,000 bytes), and an API reference that
// lists the internals apart from the public API.
import * as fs from "fs";
import * as path from "path";
import { main } from "../bin/cdktf-lambda-layers";
import { formatBytes } from "../modules/core/progress";
import { repoRoot } from "./helpers/files";

const manifest = JSON.parse(fs.readFileSync(path.join(repoRoot, "package.json"), "utf8"));

describe("cdktf-lambda-layers --version", () => {
  test("prints the package's version and exits 0", () => {
    let out = "";
    expect(main(["--version"], (s) => (out += s))).toBe(0);
    expect(out).toBe(`${manifest.version}\n`);
  });

  test("is in the usage", () => {
    let out = "";
    expect(main(["--help"], (s) => (out += s))).toBe(0);
    expect(out).toContain("cdktf-lambda-layers --version");
  });
});

describe("sizes", () => {
  test.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1.0 KiB"],
    [1536, "1.5 KiB"],
    [52_428_800, "50.0 MiB"],
    [262_144_000, "250.0 MiB"],
  ])("formatBytes(%d) is %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  test("are written in binary units (KiB, MiB, GiB) everywhere a user reads them", () => {
    const files = [
      "README.md",
      "BENCHMARKS.md",
      ...["modules", "bin", "operations"].flatMap((dir) =>
        fs
          .readdirSync(path.join(repoRoot, dir), { recursive: true })
          .map((f) => path.join(dir, String(f)))
          .filter((f) => fs.statSync(path.join(repoRoot, f)).isFile()),
      ),
      ...fs
        .readdirSync(path.join(repoRoot, "examples"))
        .flatMap((e) => [path.join("examples", e, "README.md"), path.join("examples", e, "main.ts")]),
      ...fs
        .readdirSync(path.join(repoRoot, "docs", "api"), { recursive: true })
        .map((f) => path.join("docs", "api", String(f)))
        .filter((f) => f.endsWith(".md")),
    ];
    expect(files.length).toBeGreaterThan(100);
    const decimal = files.flatMap((file) =>
      fs
        .readFileSync(path.join(repoRoot, file), "utf8")
        .split("\n")
        .flatMap((line, i) => (/\b(kB|KB|MB|GB)\b/.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : [])),
    );
    expect(decimal).toEqual([]);
  });
});

test("docs/api lists the internals in a section of their own, apart from the public API", () => {
  const index = fs.readFileSync(path.join(repoRoot, "docs", "api", "README.md"), "utf8");
  const [publicPart, internals] = index.split("\n## Internals\n");
  expect(internals).toBeDefined();
  const listed = (part: string) => [...part.matchAll(/^- \[([^\]]+)\]/gm)].map((m) => m[1].replace(/\\/g, ""));
  const publicApi = listed(publicPart);
  expect(publicApi).toEqual(
    expect.arrayContaining([
      "LambdaLayer",
      "LayeredFunction",
      "LayerFanout",
      "LayerRollout",
      "buildLayerArchive",
      "inspectLayer",
      "LayerValidationError",
    ]),
  );
  expect(listed(internals)).toEqual(
    expect.arrayContaining(["modeFor", "walkSource", "checkAttachments", "elfMachine", "archiveOptionsOf"]),
  );
  expect(listed(internals).filter((name) => publicApi.includes(name))).toEqual([]);
});

test("the repository resolves each subpath import to the source of the file package.json exports for it", () => {
  // tsconfig's paths (examples, docs and tests type-check against the sources) and jest's
  // moduleNameMapper must send "cdktf-lambda-layers/<subpath>" where the published package does.
  const tsconfig = JSON.parse(fs.readFileSync(path.join(repoRoot, "tsconfig.json"), "utf8"));
  const jestConfig = require(path.join(repoRoot, "jest.config.js")) as { moduleNameMapper: Record<string, string> };
  const exported = Object.entries(manifest.exports as Record<string, { default: string } | string>).filter(
    ([subpath, target]) => subpath !== "./package.json" && typeof target === "object",
  );
  expect(exported.length).toBe(32);
  for (const [subpath, target] of exported) {
    const source = (target as { default: string }).default.replace(/^\.\/dist\//, "").replace(/\.js$/, "");
    expect(fs.existsSync(path.join(repoRoot, `${source}.ts`))).toBe(true);
    const name = subpath === "." ? "cdktf-lambda-layers" : `cdktf-lambda-layers/${subpath.slice(2)}`;
    expect([name, tsconfig.compilerOptions.paths[name]]).toEqual([name, [`./${source}.ts`]]);
    expect([name, jestConfig.moduleNameMapper[`^${name}$`]]).toEqual([name, `<rootDir>/${source}${subpath === "." ? ".ts" : ""}`]);
  }
  expect(Object.keys(tsconfig.compilerOptions.paths).length).toBe(exported.length);
});

test("the README stays an overview: under 20 KiB, linking a guide per concern that exists", () => {
  const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
  expect(Buffer.byteLength(readme)).toBeLessThan(20 * 1024);
  const guides = [...readme.matchAll(/\]\((docs\/[a-z-]+\.md)\)/g)].map((m) => m[1]);
  expect(new Set(guides)).toEqual(
    new Set([
      "docs/layers.md",
      "docs/sharing-and-attachment.md",
      "docs/regions-and-terraform-cloud.md",
      "docs/runtimes-and-regions.md",
      "docs/operations.md",
      "docs/archives-and-cache.md",
      "docs/checks.md",
      "docs/cdktn.md",
      "docs/development.md",
    ]),
  );
  for (const guide of guides) expect([guide, fs.existsSync(path.join(repoRoot, guide))]).toEqual([guide, true]);
});
