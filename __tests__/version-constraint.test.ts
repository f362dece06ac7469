// Terraform's version constraint syntax: what parses, which version a constraint admits first, and
// the fix that raises a constraint's floor. The tables follow Terraform's documented meaning
// (https://developer.hashicorp.com/terraform/language/expressions/version-constraints).
import { admitsProvider6 } from "../modules/aws/aws-provider";
import {
  admitsWithin,
  compareVersions,
  constraintAdmits,
  formatVersion,
  oldestAdmitted,
  parseVersion,
  parseVersionConstraint,
  raiseFloor,
} from "../modules/aws/version-constraint";
import { refusal } from "./helpers/refusal";

describe("parsing", () => {
  test.each<[string, Array<[string, string, number]>]>([
    ["5.100.0", [["=", "5.100.0", 3]]],
    ["= 5.100", [["=", "5.100.0", 2]]],
    [
      ">= 5.80, < 7.0",
      [
        [">=", "5.80.0", 2],
        ["<", "7.0.0", 2],
      ],
    ],
    ["~> 6", [["~>", "6.0.0", 1]]],
    ["~>6.2.0", [["~>", "6.2.0", 3]]],
    [
      "!= 6.20.1 ,> 6.0",
      [
        ["!=", "6.20.1", 3],
        [">", "6.0.0", 2],
      ],
    ],
    ["<= 6.0.0-beta1", [["<=", "6.0.0-beta1", 3]]],
  ])("%s", (text, clauses) => {
    expect(parseVersionConstraint(text).map((c) => [c.operator, formatVersion(c.version), c.segments])).toEqual(clauses);
  });

  test.each(["", " ", ">= ", "latest", "=> 5.0", ">= 5.80,", ">= 5.80 < 7.0", "~> 5.x", "5.1.2.3", "v5.80", ">= 5.80, , < 7"])(
    "%j is refused, naming the field and the value",
    (text) => {
      const error = refusal(() => parseVersionConstraint(text));
      expect(error.field).toBe("awsProviderVersion");
      expect(error.message).toBe(
        `\`awsProviderVersion\` is not a Terraform version constraint, got ${JSON.stringify(text)}. Fix: use a constraint such as ">= 5.80, < 7.0" or "~> 5.100"`,
      );
    },
  );
});

test.each<[string, string, number]>([
  ["6.21.0", "6.21.0", 0],
  ["6.21", "6.21.0", 0],
  ["6.9.0", "6.21.0", -1],
  ["10.0.0", "9.99.99", 1],
  ["6.0.0-beta1", "6.0.0", -1],
  ["6.0.0-beta.2", "6.0.0-beta.10", -1],
  ["6.0.0-beta2", "6.0.0-beta10", 1],
  ["6.0.0-beta", "6.0.0-beta.1", -1],
  ["6.0.0-1", "6.0.0-alpha", -1],
])("%s compared with %s: %d (Semantic Versioning: numbers numerically, words in ASCII order)", (a, b, sign) => {
  expect(Math.sign(compareVersions(parseVersion(a), parseVersion(b)))).toBe(sign);
});

describe("the oldest version a constraint admits", () => {
  test.each<[string, string | undefined]>([
    [">= 5.80, < 7.0", "5.80.0"],
    ["< 7.0", "0.0.0"],
    ["~> 5.100", "5.100.0"],
    ["~> 6.2.0", "6.2.0"],
    ["> 6.20.0", "6.20.1"],
    ["> 6.20", "6.20.1"],
    ["> 6.20.0, != 6.20.1, != 6.20.2", "6.20.3"],
    ["!= 0.0.0", "0.0.1"],
    ["6.25.0", "6.25.0"],
    ["= 6.25.0, < 6.0", undefined],
    [">= 6.0, < 5.0", undefined],
    ["~> 5.100.0, >= 5.101", undefined],
    ["= 6.0.0-beta1", "6.0.0-beta1"],
    ["> 6.0.0-beta1", "6.0.0"],
    [">= 6.0.0-beta1, < 6.0.0", undefined],
  ])("%s admits %s first", (constraint, oldest) => {
    const v = oldestAdmitted(constraint);
    expect(v && formatVersion(v)).toBe(oldest);
  });

  test("above a floor", () => {
    expect(formatVersion(oldestAdmitted(">= 5.80, < 7.0", "6.0.0")!)).toBe("6.0.0");
    expect(oldestAdmitted("~> 5.100", "6.0.0")).toBeUndefined();
    expect(formatVersion(oldestAdmitted("!= 6.0.0", "6.0.0")!)).toBe("6.0.1");
  });

  test.each<[string, string, boolean]>([
    ["~> 6.2.0", "6.2.9", true],
    ["~> 6.2.0", "6.3.0", false],
    ["~> 6.2", "6.99.0", true],
    ["~> 6.2", "7.0.0", false],
    ["~> 6", "6.99.0", true],
    ["~> 6", "7.0.0", false],
    [">= 6.0", "6.0.0-rc1", false],
    ["= 6.0.0-rc1", "6.0.0-rc1", true],
    ["!= 6.1.0", "6.1.0", false],
  ])("%s admits %s: %s", (constraint, version, admitted) => {
    expect(constraintAdmits(constraint, version)).toBe(admitted);
  });
});

describe("admits some 6.x release (the per-resource region argument)", () => {
  test.each<[string, boolean]>([
    [">= 5.80, < 7.0", true],
    [">= 6.0, < 7.0", true],
    ["~> 5.100", false],
    [">= 5.80, < 6.0", false],
    ["5.100.0", false],
    ["6.25.0", true],
    ["~> 6.2.0", true],
    ["> 6.999.999, < 7.0.0", true],
    [">= 7.0", false],
    ["!= 6.0.0, < 6.0.1", false],
  ])("%s: %s", (constraint, admits) => {
    expect(admitsWithin(constraint, "6.0.0", "7.0.0")).toBe(admits);
    expect(admitsProvider6(constraint)).toBe(admits);
  });
});

describe("the fix: the same upper bounds above a new floor", () => {
  test.each<[string, string, string]>([
    [">= 5.80, < 7.0", "6.21.0", ">= 6.21.0, < 7.0.0"],
    ["~> 5.100", "6.21.0", ">= 6.21.0, < 7.0.0"],
    ["~> 6.2", "6.21.0", ">= 6.21.0, < 7.0.0"],
    ["~> 6.2.0", "6.21.0", ">= 6.21.0, < 7.0.0"],
    [">= 5.0", "6.27.0", ">= 6.27.0, < 7.0.0"],
    [">= 5.80, <= 6.50.0, != 6.30.0, != 6.1.0", "6.21.0", ">= 6.21.0, <= 6.50.0, != 6.30.0"],
    ["6.20.0", "6.21.0", ">= 6.21.0, < 7.0.0"],
  ])("%s needing %s becomes %s", (constraint, floor, fixed) => {
    expect(raiseFloor(constraint, floor)).toBe(fixed);
    expect(formatVersion(oldestAdmitted(fixed)!)).toBe(floor);
  });
});
