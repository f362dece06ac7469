// The dated runtime catalogue: its table, where a runtime stands on a given day, and what synth does
// with a deprecated runtime (layers warn; functions past block-create are refused unless overridden).
import { TerraformStack, Testing } from "cdktf";
import * as path from "path";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  LAMBDA_OS_GLIBC,
  LambdaLayer,
  LayeredFunction,
  parseRuntimes,
  Runtime,
  RuntimeFamily,
  RUNTIME_CATALOGUE,
  RUNTIME_CATALOGUE_CHECKED,
  runtimeDeprecationWarning,
} from "../modules";
import { formatVersion, parseVersion } from "../modules/aws/version-constraint";
import { tree } from "./helpers/files";
import { refusal as caught } from "./helpers/refusal";

const ROLE = "arn:aws:iam::123456789012:role/fn";

describe("the catalogue table", () => {
  test("has one row per identifier, every date a real YYYY-MM-DD day, in AWS's order deprecation <= block-create <= block-update", () => {
    const names = RUNTIME_CATALOGUE.map((e) => e.name);
    expect(new Set(names).size).toBe(names.length);
    expect(RUNTIME_CATALOGUE_CHECKED).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    for (const e of RUNTIME_CATALOGUE) {
      const dates = [e.deprecation, e.blockCreate, e.blockUpdate].filter((d): d is string => d !== undefined);
      for (const d of dates) expect(new Date(`${d}T00:00:00Z`).toISOString().slice(0, 10)).toBe(d);
      expect([...dates].sort()).toEqual(dates);
    }
  });

  test("every catalogued runtime is a known Runtime, and the runtimes AWS added are known", () => {
    expect(Runtime.all.map((r) => r.name).sort()).toEqual(RUNTIME_CATALOGUE.map((e) => e.name).sort());
    for (const name of ["ruby4.0", "python3.14", "nodejs24.x", "java25", "dotnet10", "java17.al2023", "java11.al2023", "java8.al2023"])
      expect(Runtime.of(name).name).toBe(name);
    expect(Runtime.RUBY_4_0.family).toBe("ruby");
    expect([Runtime.JAVA_8_AL2023, Runtime.JAVA_11_AL2023, Runtime.JAVA_17_AL2023].map((r) => r.family)).toEqual(["java", "java", "java"]);
  });

  test("every row names the first AWS provider release that accepts it, as a version", () => {
    for (const e of RUNTIME_CATALOGUE) {
      expect([e.name, formatVersion(parseVersion(e.awsProvider))]).toEqual([e.name, e.awsProvider]);
      expect(Runtime.of(e.name).awsProviderVersion).toBe(e.awsProvider);
    }
    expect(Runtime.custom("python3.99", RuntimeFamily.PYTHON).awsProviderVersion).toBeUndefined();
  });

  // AWS's runtime pages (Operating system column) and Amazon Linux's toolchain page (glibc per OS).
  test.each<[string, string, string]>([
    ["python3.9", "amazonlinux2", "2.26"],
    ["python3.11", "amazonlinux2", "2.26"],
    ["python3.12", "amazonlinux2023", "2.34"],
    ["nodejs18.x", "amazonlinux2", "2.26"],
    ["nodejs20.x", "amazonlinux2023", "2.34"],
    ["ruby3.2", "amazonlinux2", "2.26"],
    ["ruby3.3", "amazonlinux2023", "2.34"],
    ["java8.al2", "amazonlinux2", "2.26"],
    ["java17", "amazonlinux2", "2.26"],
    ["java21", "amazonlinux2023", "2.34"],
    ["dotnet8", "amazonlinux2023", "2.34"],
    ["provided.al2", "amazonlinux2", "2.26"],
    ["provided.al2023", "amazonlinux2023", "2.34"],
  ])("%s runs on %s with glibc %s", (name, os, glibc) => {
    expect(Runtime.of(name).os).toBe(os);
    expect(Runtime.of(name).glibc).toBe(glibc);
  });

  test("every row's glibc is its OS's, and a custom runtime takes its OS's glibc or none", () => {
    for (const e of RUNTIME_CATALOGUE) expect(e.glibc).toBe(LAMBDA_OS_GLIBC[e.os]);
    expect(Runtime.custom("python3.99", RuntimeFamily.PYTHON, "amazonlinux2023").glibc).toBe("2.34");
    expect(Runtime.custom("python3.98", RuntimeFamily.PYTHON).glibc).toBeUndefined();
  });
});

describe("a runtime on a given day", () => {
  test.each<[string, string, string]>([
    ["python3.12", "2026-11-29", "supported"],
    ["python3.12", "2028-10-31", "deprecated"],
    ["python3.12", "2028-11-30", "create-blocked"],
    ["python3.12", "2029-01-10", "update-blocked"],
    ["nodejs20.x", "2026-04-29", "supported"],
    ["nodejs20.x", "2026-05-01", "deprecated"],
    ["nodejs20.x", "2026-09-01", "create-blocked"],
    ["provided.al2023", "2029-06-29", "supported"],
    ["provided.al2023", "2029-08-31", "update-blocked"],
    ["provided.al2", "2026-12-02", "update-blocked"],
    ["java17.al2023", "2029-06-30", "deprecated"],
  ])("%s on %s is %s", (name, day, state) => {
    expect(Runtime.of(name).lifecycle(day)).toBe(state);
  });

  test("the successor is the newest runtime of the family that is not deprecated that day", () => {
    expect(Runtime.PYTHON_3_9.successor("2026-11-29")?.name).toBe("python3.14");
    expect(Runtime.NODEJS_20_X.successor("2026-11-29")?.name).toBe("nodejs24.x");
    expect(Runtime.RUBY_3_2.successor("2026-11-29")?.name).toBe("ruby4.0");
    expect(Runtime.PROVIDED_AL2.successor("2026-11-29")?.name).toBe("provided.al2023");
    // java25, java21 and the java*.al2023 builds retire the same day: the catalogue's order decides, not the name.
    expect(Runtime.JAVA_11.successor("2026-12-02")?.name).toBe("java25");
    expect(Runtime.JAVA_8_AL2023.successor("2026-12-02")?.name).toBe("java25");
  });

  test("the warning names the dates and the successor, and stays silent while a runtime is supported", () => {
    expect(runtimeDeprecationWarning(Runtime.PYTHON_3_12, "layer", "2026-11-29")).toBeUndefined();
    expect(runtimeDeprecationWarning(Runtime.DOTNET_8, "function", "2026-11-20")).toBe(
      "runtime is dotnet8, deprecated by AWS since 2026-11-10: Lambda refuses new functions on it from 2026-12-10 and updates from 2027-01-11; move to dotnet10",
    );
  });
});

describe("at synth", () => {
  const newStack = () => {
    const stack = new TerraformStack(Testing.app(), "test");
    new AwsProvider(stack, "aws", { region: "us-east-1" });
    return stack;
  };
  const fn = (runtime: string, extra: Record<string, unknown> = {}) => ({
    functionName: "old",
    runtime,
    handler: "app.handler",
    role: ROLE,
    source: tree({ "app.py": "def handler(e, c):\n    return 1\n" }),
    ...extra,
  });

  test("a layer declaring a deprecated runtime warns, naming it and the successor", () => {
    const layer = new LambdaLayer(newStack(), "Old", {
      layerName: "old",
      source: tree({ "python/old.py": "" }),
      compatibleRuntimes: ["python3.9", "python3.12"],
    });
    const warnings = layer.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([
      expect.stringMatching(/^old: compatibleRuntimes lists python3.9, deprecated by AWS since 2025-12-15: .*move to python3.14$/),
    ]);
  });

  test("a new function on a runtime past block-create is refused with a fix naming the successor and the override", () => {
    const error = caught(() => new LayeredFunction(newStack(), "Fn", fn("python3.9")));
    expect(error.field).toBe("runtime");
    expect(error.message).toBe(
      'test/Fn: `runtime` is a runtime on which Lambda has refused to create functions since 2026-02-03 (AWS deprecated it), got "python3.9". ' +
        "Fix: move the function to python3.14; for a function that already exists on it, set `allowDeprecatedRuntime: true` to keep deploying it while you migrate",
    );
  });

  test("allowDeprecatedRuntime lets it through, with a warning", () => {
    const stack = newStack();
    const f = new LayeredFunction(stack, "Fn", fn("python3.9", { allowDeprecatedRuntime: true }));
    const warnings = f.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining("old: runtime is python3.9, deprecated by AWS since 2025-12-15")]);
    expect(JSON.parse(Testing.synth(stack, true)).resource.aws_lambda_function).toBeDefined();
  });
});

describe("input mistakes", () => {
  test("a single string instead of a list says to wrap it", () => {
    const error = caught(() => parseRuntimes("python3.12" as unknown as string[]));
    expect(error.message).toBe(
      '`compatibleRuntimes` must be a list of runtimes, not a single value, got "python3.12". Fix: wrap it in a list: compatibleRuntimes: ["python3.12"]',
    );
  });

  test.each([
    ["pyhton3.12", "python3.12"],
    ["nodejs22", "nodejs22.x"],
    ["Python3.13", "python3.13"],
  ])("a typo %s gets a did-you-mean %s", (typo, suggestion) => {
    expect(caught(() => parseRuntimes([typo])).fix).toMatch(new RegExp(`^did you mean "${suggestion.replace(".", "\\.")}"\\?`));
  });

  test("a missing source shows the absolute path looked at and, for a Windows-style path, the forward-slash form", () => {
    const error = caught(
      () =>
        new LambdaLayer(new TerraformStack(Testing.app(), "s"), "L", {
          layerName: "l",
          source: "layers\\python-utils",
          compatibleRuntimes: ["python3.13"],
        }),
    );
    expect(error.message).toContain(`is not an existing folder (looked for ${path.resolve("layers\\python-utils")})`);
    expect(error.fix).toMatch(/^write the path with forward slashes \("layers\/python-utils"\)/);
    expect(error.fix).toContain(`relative paths resolve from the working directory, ${process.cwd()}`);
  });
});
