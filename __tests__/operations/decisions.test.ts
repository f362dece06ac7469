// The pure decisions of the operations: which versions prune may delete, which statements revoke
// removes, how policy statements read, and what the synth output declares and pins.
import { compareWithDeclared } from "../../operations/grants";
import { declaredPrincipals, pinnedVersions } from "../../operations/deployment";
import { granteesOf, parsePolicy, parsePrincipal, PolicyStatement, Principal, selectStatementsToRevoke } from "../../operations/policy";
import { pruneDecisions } from "../../operations/prune";

const ARN = "arn:aws:lambda:us-east-1:123456789012:layer:utils";
const account = (accountId: string): Principal => ({ kind: "account", accountId });
const org = (organizationId: string): Principal => ({ kind: "organization", organizationId });

describe("pruneDecisions", () => {
  test.each([
    // versions, keep, used, pinned, deleted
    { versions: [1, 2, 3, 4, 5], keep: 2, used: {}, pinned: [], deleted: [3, 2, 1] },
    { versions: [1, 2, 3, 4, 5], keep: 5, used: {}, pinned: [], deleted: [] },
    { versions: [1, 2, 3], keep: 10, used: {}, pinned: [], deleted: [] },
    { versions: [1, 2, 3, 4, 5], keep: 1, used: { 2: ["orders"] }, pinned: [], deleted: [4, 3, 1] },
    { versions: [1, 2, 3, 4, 5], keep: 1, used: {}, pinned: [3], deleted: [4, 2, 1] },
    { versions: [1, 2, 3, 4, 5], keep: 1, used: { 1: ["a:3"], 4: ["b"] }, pinned: [2, 3], deleted: [] },
    // Gaps (deleted earlier) and an unsorted list: the newest are by number, not by position.
    { versions: [9, 2, 7, 4], keep: 2, used: {}, pinned: [], deleted: [4, 2] },
    { versions: [], keep: 3, used: {}, pinned: [], deleted: [] },
  ])("$versions keep $keep used $used pinned $pinned -> deletes $deleted", ({ versions, keep, used, pinned, deleted }) => {
    const usage = new Map(Object.entries(used).map(([v, fns]) => [Number(v), fns as string[]]));
    const decisions = pruneDecisions(versions, keep, usage, new Set(pinned));
    expect(decisions.filter((d) => d.delete).map((d) => d.version)).toEqual(deleted);
    expect(decisions.map((d) => d.version)).toEqual([...versions].sort((a, b) => b - a));
  });

  test("says why each version stays", () => {
    const decisions = pruneDecisions([1, 2, 3, 4], 1, new Map([[2, ["orders", "todos:7"]]]), new Set([3]));
    expect(decisions).toEqual([
      { version: 4, delete: false, reason: "newest" },
      { version: 3, delete: false, reason: "pinned" },
      { version: 2, delete: false, reason: "used", usedBy: ["orders", "todos:7"] },
      { version: 1, delete: true, reason: "old" },
    ]);
  });

  test("keeps a version shared with another account, an organization or the public, unless includeShared", () => {
    const grantees = new Map<number, Principal[]>([
      [3, [account("999988887777"), org("o-a1b2c3d4e5")]],
      [2, [{ kind: "public" }]],
    ]);
    expect(pruneDecisions([1, 2, 3, 4], 1, new Map(), new Set(), { grantees })).toEqual([
      { version: 4, delete: false, reason: "newest" },
      { version: 3, delete: false, reason: "shared", grantees: [account("999988887777"), org("o-a1b2c3d4e5")] },
      { version: 2, delete: false, reason: "shared", grantees: [{ kind: "public" }] },
      { version: 1, delete: true, reason: "old" },
    ]);
    const opted = pruneDecisions([1, 2, 3, 4], 1, new Map(), new Set(), { grantees, includeShared: true });
    expect(opted.filter((d) => d.delete).map((d) => [d.version, d.grantees])).toEqual([
      [3, [account("999988887777"), org("o-a1b2c3d4e5")]],
      [2, [{ kind: "public" }]],
      [1, undefined],
    ]);
  });

  test.each([
    // grantees of v2, unscanned accounts, kept?
    { grantees: [account("222233334444")], unscanned: ["222233334444"], kept: true },
    { grantees: [account("222233334444")], unscanned: ["555566667777"], kept: false },
    // An organization or the public may include the account that could not be scanned.
    { grantees: [org("o-a1b2c3d4e5")], unscanned: ["555566667777"], kept: true },
    { grantees: [{ kind: "public" } as Principal], unscanned: ["555566667777"], kept: true },
    { grantees: [], unscanned: ["555566667777"], kept: false },
  ])("with includeShared, $grantees.0 and unscanned $unscanned -> kept $kept", ({ grantees, unscanned, kept }) => {
    const [, v2] = pruneDecisions([2, 3], 1, new Map(), new Set(), {
      grantees: new Map([[2, grantees]]),
      includeShared: true,
      unscanned,
    });
    expect(v2.delete).toBe(!kept);
    expect(v2.reason).toBe(kept ? "unscanned" : "old");
    if (kept) expect(v2.unscannedAccounts).toEqual(unscanned);
  });

  test.each([0, -1, 1.5, NaN])("refuses keep %p: the newest version always stays", (keep) => {
    expect(() => pruneDecisions([1, 2], keep, new Map(), new Set())).toThrow(/keep must be a whole number of at least 1/);
  });
});

const statement = (statementId: string, principal: Principal): PolicyStatement => ({
  statementId,
  principal,
  action: "lambda:GetLayerVersion",
});

describe("selectStatementsToRevoke", () => {
  const a = statement("account-111122223333", account("111122223333"));
  const b = statement("account-444455556666", account("444455556666"));
  // Statement ids need not follow this tool's scheme (made by hand, by another tool): they are read, not derived.
  const aByHand = statement("share-with-partner", account("111122223333"));
  const o = statement("org-o-a1b2c3d4e5", org("o-a1b2c3d4e5"));
  const p = statement("public", { kind: "public" });
  const several = statement("two-accounts", { kind: "other", description: '{"AWS":["111122223333","444455556666"]}' });
  const noSid = statement("", account("111122223333"));

  test.each([
    { name: "one account among others", statements: [a, b, o], principal: account("111122223333"), removed: ["account-111122223333"] },
    {
      name: "every statement of that account",
      statements: [a, aByHand, b],
      principal: account("111122223333"),
      removed: ["account-111122223333", "share-with-partner"],
    },
    { name: "an organization", statements: [a, o], principal: org("o-a1b2c3d4e5"), removed: ["org-o-a1b2c3d4e5"] },
    { name: "another organization", statements: [a, o], principal: org("o-zzzzzzzzzz"), removed: [] },
    {
      name: "public, not the organization (both are principal *)",
      statements: [o, p],
      principal: { kind: "public" } as Principal,
      removed: ["public"],
    },
    { name: "the organization, not public", statements: [o, p], principal: org("o-a1b2c3d4e5"), removed: ["org-o-a1b2c3d4e5"] },
    { name: "never a statement naming several principals", statements: [several, b], principal: account("111122223333"), removed: [] },
    { name: "never a statement without an id", statements: [noSid], principal: account("111122223333"), removed: [] },
    { name: "nothing in an empty policy", statements: [], principal: account("111122223333"), removed: [] },
  ])("$name", ({ statements, principal, removed }) => {
    const selection = selectStatementsToRevoke(statements, principal);
    expect(selection.remove.map((s) => s.statementId)).toEqual(removed);
    expect([...selection.remove, ...selection.keep]).toHaveLength(statements.length);
    expect(selection.keep).toEqual(statements.filter((s) => !selection.remove.includes(s)));
  });
});

describe("parsePolicy reads statements as AWS writes them", () => {
  const policy = (...statements: object[]) => JSON.stringify({ Version: "2012-10-17", Id: "default", Statement: statements });
  const base = { Effect: "Allow", Action: "lambda:GetLayerVersion", Resource: `${ARN}:3` };
  test.each([
    { statement: { Sid: "s1", Principal: { AWS: "arn:aws:iam::111122223333:root" } }, principal: account("111122223333") },
    { statement: { Sid: "s2", Principal: "111122223333" }, principal: account("111122223333") },
    { statement: { Sid: "s3", Principal: "*" }, principal: { kind: "public" } },
    {
      statement: { Sid: "s4", Principal: "*", Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } } },
      principal: org("o-a1b2c3d4e5"),
    },
    {
      statement: { Sid: "s5", Principal: { AWS: ["arn:aws:iam::111122223333:root", "arn:aws:iam::444455556666:root"] } },
      principal: { kind: "other", description: '{"AWS":["arn:aws:iam::111122223333:root","arn:aws:iam::444455556666:root"]}' },
    },
    {
      statement: { Sid: "s6", Principal: "*", Condition: { StringEquals: { "aws:SourceVpc": "vpc-1" } } },
      principal: { kind: "other", description: "condition on aws:SourceVpc" },
    },
  ])("$statement.Sid", ({ statement: s, principal }) => {
    expect(parsePolicy(policy({ ...base, ...s }))).toEqual([{ statementId: s.Sid, principal, action: "lambda:GetLayerVersion" }]);
  });

  test("no policy, no statements", () => {
    expect(parsePolicy(undefined)).toEqual([]);
  });
});

test("granteesOf: every principal but the publishing account, each once", () => {
  const statements = [
    statement("self", account("123456789012")),
    statement("a", account("111122223333")),
    statement("a-again", account("111122223333")),
    statement("o", org("o-a1b2c3d4e5")),
    statement("x", { kind: "other", description: "condition on aws:SourceVpc" }),
  ];
  expect(granteesOf(statements, "123456789012")).toEqual([
    account("111122223333"),
    org("o-a1b2c3d4e5"),
    { kind: "other", description: "condition on aws:SourceVpc" },
  ]);
  expect(granteesOf([statement("self", account("123456789012"))], "123456789012")).toEqual([]);
});

describe("parsePrincipal", () => {
  test.each([
    ["111122223333", account("111122223333")],
    ["arn:aws:iam::111122223333:root", account("111122223333")],
    ["arn:aws-eusc:iam::111122223333:root", account("111122223333")],
    ["arn:aws-cn:iam::111122223333:root", account("111122223333")],
    ["arn:aws-mars:iam::111122223333:root", undefined],
    ["o-a1b2c3d4e5", org("o-a1b2c3d4e5")],
    ["public", { kind: "public" }],
    ["*", { kind: "public" }],
    ["11112222333", undefined],
    ["arn:aws:iam::111122223333:user/bob", undefined],
    ["o-SHORT", undefined],
  ])("%s", (value, expected) => {
    expect(parsePrincipal(value)).toEqual(expected);
  });
});

describe("what the deployment pins and declares", () => {
  test("pinned versions: every versioned ARN of the layer in the outputs, at any depth, per region", () => {
    const outputs = [
      {
        utils_layer_version_arn: `${ARN}:7`,
        utils_version: "7",
        other_layer_version_arn: "arn:aws:lambda:us-east-1:123456789012:layer:utils-extra:2",
      },
      { utils_layer_version_arns: { "eu-west-1": "arn:aws:lambda:eu-west-1:123456789012:layer:utils:3" }, list: [`${ARN}:5`] },
    ];
    expect(pinnedVersions("utils", outputs)).toEqual(
      new Map([
        ["us-east-1", new Set([7, 5])],
        ["eu-west-1", new Set([3])],
      ]),
    );
  });

  test("declared principals: the permissions of the layer's versions in the synthesized stacks", () => {
    const stack = {
      resource: {
        aws_lambda_layer_version: { utils_layer_version_A: { layer_name: "utils" }, other_layer_version_B: { layer_name: "other" } },
        aws_lambda_layer_version_permission: {
          p1: { layer_name: "${aws_lambda_layer_version.utils_layer_version_A.layer_arn}", principal: "111122223333" },
          p2: {
            layer_name: "${aws_lambda_layer_version.utils_layer_version_A.layer_arn}",
            principal: "*",
            organization_id: "o-a1b2c3d4e5",
          },
          p3: { layer_name: "${aws_lambda_layer_version.other_layer_version_B.layer_arn}", principal: "444455556666" },
        },
      },
    };
    expect(declaredPrincipals("utils", [stack, stack])).toEqual([account("111122223333"), org("o-a1b2c3d4e5")]);
  });

  test("compareWithDeclared: undeclared principals that can still read, declared ones missing", () => {
    const statements = [
      statement("a", account("111122223333")),
      statement("b", account("999988887777")),
      statement("c", account("999988887777")),
    ];
    expect(compareWithDeclared(statements, [account("111122223333"), org("o-a1b2c3d4e5")])).toEqual({
      undeclared: [account("999988887777")],
      missing: [org("o-a1b2c3d4e5")],
    });
  });
});
