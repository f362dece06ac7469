// An option buildLayerArchive, buildFunctionArchive or LambdaLayer does not know is refused by name,
// with the closest known option and the list, before anything is written: a typo no longer builds
// elsewhere without a word.
import { Testing, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import {
  buildFunctionArchive,
  BuildFunctionArchiveOptions,
  buildLayerArchive,
  BuildLayerArchiveOptions,
  LambdaLayer,
  LambdaLayerProps,
  LayerFanout,
} from "../modules";
import { closestName } from "../modules/core/option-names";
import { tempDir, tree } from "./helpers/files";
import { refusal } from "./helpers/refusal";

const KNOWN =
  "source, compatibleRuntimes, compatibleArchitectures, outDir, s3Upload, installDependencies, stage, excludes, defaultExcludes, allowSecrets, allowForeignBinaries, pipArgs, npmArgs";

describe("buildLayerArchive refuses an option it does not know", () => {
  test.each([
    // LambdaLayer's name for the same folder: the alias names buildLayerArchive's.
    ["cacheDir", "did you mean `outDir`?"],
    ["compatibleRuntime", "did you mean `compatibleRuntimes`?"],
    ["outdir", "did you mean `outDir`?"],
    ["exclude", "did you mean `excludes`?"],
    ["colour", ""],
  ])("%s", (name, hint) => {
    const source = tree({ "python/greeting.py": "x = 1\n" });
    const cache = tempDir("cache-");
    const elsewhere = path.join(tempDir("elsewhere-"), "cache");
    const options = { source, compatibleRuntimes: ["python3.12"], outDir: cache, [name]: elsewhere } as BuildLayerArchiveOptions;

    const err = refusal(() => buildLayerArchive(options));

    expect(err.field).toBe(name);
    expect(err.value).toBe(elsewhere);
    expect(err.message).toBe(
      `\`${name}\` is not an option of buildLayerArchive, got ${JSON.stringify(elsewhere)}. Fix: ${hint ? `${hint} ` : ""}the options of buildLayerArchive are ${KNOWN}`,
    );
    // Refused before any work: neither folder was written.
    expect(fs.readdirSync(cache)).toEqual([]);
    expect(fs.existsSync(elsewhere)).toBe(false);
  });

  test("an unknown option set to undefined is refused too (a spread object's leftover)", () => {
    const source = tree({ "python/greeting.py": "x = 1\n" });
    const err = refusal(() =>
      buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], cacheDir: undefined } as BuildLayerArchiveOptions),
    );
    expect([err.field, err.value]).toEqual(["cacheDir", undefined]);
    expect(err.message).toContain("got nothing. Fix: did you mean `outDir`?");
  });

  test("every documented option is accepted", () => {
    const source = tree({ "python/greeting.py": "x = 1\n" });
    const archive = buildLayerArchive({
      source,
      compatibleRuntimes: ["python3.12"],
      compatibleArchitectures: ["x86_64"],
      outDir: tempDir("cache-"),
      s3Upload: false,
      installDependencies: false,
      stage: false,
      excludes: [],
      defaultExcludes: true,
      allowSecrets: [],
      allowForeignBinaries: [],
      pipArgs: [],
      npmArgs: [],
    });
    expect(archive.entries).toEqual(["python/greeting.py"]);
  });
});

describe("closestName", () => {
  test.each([
    ["outdir", "outDir"],
    ["compatibleRuntime", "compatibleRuntimes"],
    ["allowSecret", "allowSecrets"],
    ["compatibleArchitecture", "compatibleArchitectures"],
    ["zzz", undefined],
    ["cacheDir", undefined],
  ])("%s -> %s", (name, expected) => {
    expect(closestName(name, KNOWN.split(", "))).toBe(expected);
  });
});

describe("buildFunctionArchive refuses an option it does not know", () => {
  test.each([
    ["cacheDir", "did you mean `outDir`?"],
    ["architecture", "did you mean `architectures`?"],
    ["compatibleRuntimes", ""],
  ])("%s", (name, hint) => {
    const source = tree({ "index.js": "exports.handler = async () => 1;\n" });
    const cache = tempDir("cache-");
    const options = { source, runtime: "nodejs22.x", outDir: cache, [name]: "x" } as BuildFunctionArchiveOptions;

    const err = refusal(() => buildFunctionArchive(options));

    expect([err.field, err.value]).toEqual([name, "x"]);
    expect(err.message).toBe(
      `\`${name}\` is not an option of buildFunctionArchive, got "x". Fix: ${hint ? `${hint} ` : ""}the options of buildFunctionArchive are source, runtime, architectures, excludes, defaultExcludes, allowSecrets, outDir, pipArgs, npmArgs`,
    );
    expect(fs.readdirSync(cache)).toEqual([]);
  });
});

describe("LambdaLayer refuses a prop it does not know, at its construct path", () => {
  test.each([
    ["outDir", "did you mean `cacheDir`?"],
    ["compatibleRuntime", "did you mean `compatibleRuntimes`?"],
    ["layername", "did you mean `layerName`?"],
  ])("%s", (name, hint) => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const source = tree({ "python/greeting.py": "x = 1\n" });
    const props = { layerName: "greeting", source, compatibleRuntimes: ["python3.12"], [name]: "x" } as LambdaLayerProps;

    const err = refusal(() => new LambdaLayer(stack, "Greeting", props));

    expect(err.message).toMatch(
      new RegExp(
        `^stack/Greeting: \`${name}\` is not an option of LambdaLayer props, got "x"\\. Fix: ${hint.replace(/[?`]/g, "\\$&")} the options of LambdaLayer props are layerName, source, `,
      ),
    );
  });

  test("a typo inside a LayerFanout's layer reaches the LambdaLayer of each region and is refused there", () => {
    const stack = new TerraformStack(Testing.app(), "stack");
    const source = tree({ "python/greeting.py": "x = 1\n" });
    const layer = { layerName: "greeting", source, compatibleRuntimes: ["python3.12"], descripton: "typo" } as LambdaLayerProps;

    const err = refusal(() => new LayerFanout(stack, "Everywhere", { regions: ["eu-west-1", "us-east-1"], layer }));

    expect(err.message).toMatch(
      /^stack\/Everywhere\/eu-west-1: `descripton` is not an option of LambdaLayer props, got "typo"\. Fix: did you mean `description`\?/,
    );
  });
});
