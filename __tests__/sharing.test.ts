import { LambdaLayerVersionPermission } from "@cdktf/provider-aws/lib/lambda-layer-version-permission";
import { Token } from "cdktf";
import { LambdaLayer, LambdaLayerProps, LayerFanout, LayerSharing, LayerValidationError, parseSharing } from "../modules";
import { tree } from "./helpers/files";
import { newStack, synthJson } from "./helpers/stacks";

const props = (overrides: Partial<LambdaLayerProps> = {}): LambdaLayerProps => ({
  layerName: "shared",
  source: tree({ "python/shared.py": "X = 1\n" }),
  compatibleRuntimes: ["python3.12"],
  ...overrides,
});

function permissions(stack: Parameters<typeof synthJson>[0]): Array<Record<string, unknown>> {
  return Object.values(synthJson(stack).resource.aws_lambda_layer_version_permission ?? {});
}

describe("parseSharing", () => {
  test.each<[string, LayerSharing, Array<{ statementId: string; principal: string; organizationId?: string }>]>([
    ["an account id", { accounts: ["123456789012"] }, [{ statementId: "account-123456789012", principal: "123456789012" }]],
    [
      "an account root ARN",
      { accounts: ["arn:aws:iam::123456789012:root"] },
      [{ statementId: "account-123456789012", principal: "123456789012" }],
    ],
    [
      "a GovCloud root ARN",
      { accounts: ["arn:aws-us-gov:iam::123456789012:root"] },
      [{ statementId: "account-123456789012", principal: "123456789012" }],
    ],
    [
      "a European Sovereign Cloud root ARN",
      { accounts: ["arn:aws-eusc:iam::123456789012:root"] },
      [{ statementId: "account-123456789012", principal: "123456789012" }],
    ],
    [
      "an organization",
      { organizationId: "o-a1b2c3d4e5" },
      [{ statementId: "org-o-a1b2c3d4e5", principal: "*", organizationId: "o-a1b2c3d4e5" }],
    ],
    ["public", { public: true }, [{ statementId: "public", principal: "*" }]],
    [
      "accounts and an organization",
      { accounts: ["111122223333", "444455556666"], organizationId: "o-abcdefghij" },
      [
        { statementId: "account-111122223333", principal: "111122223333" },
        { statementId: "account-444455556666", principal: "444455556666" },
        { statementId: "org-o-abcdefghij", principal: "*", organizationId: "o-abcdefghij" },
      ],
    ],
  ])("grants %s", (_name, sharing, expected) => {
    const grants = parseSharing(sharing);
    expect(grants).toEqual(expected.map((e) => expect.objectContaining(e)));
    for (const g of grants) expect(g.statementId).toMatch(/^[A-Za-z0-9_-]{1,100}$/);
  });

  test("gives an account known only at apply time a positional statement id", () => {
    const account = Token.asString({ Ref: "caller" });
    expect(parseSharing({ accounts: [account] })).toEqual([{ statementId: "account-ref-1", principal: account }]);
  });

  test.each<[string, unknown, string, RegExp]>([
    ["an empty block", {}, "sharing", /grants nothing/],
    ["empty accounts", { accounts: [] }, "sharing", /grants nothing/],
    ["public: false alone", { public: false }, "sharing", /grants nothing/],
    ["a short account", { accounts: ["12345"] }, "sharing.accounts", /12-digit account ids.*got "12345"/],
    ["a user ARN", { accounts: ["arn:aws:iam::123456789012:user/bob"] }, "sharing.accounts", /got "arn:aws:iam::123456789012:user\/bob"/],
    ["a star among accounts", { accounts: ["*"] }, "sharing.accounts", /needs `public: true` exactly, got "\*"/],
    ["public as a string", { public: "yes" }, "sharing.public", /needs `public: true` exactly, got "yes"/],
    ["a duplicate account", { accounts: ["123456789012", "123456789012"] }, "sharing.accounts", /already grants, got "123456789012"/],
    [
      "an account twice in two forms",
      { accounts: ["123456789012", "arn:aws:iam::123456789012:root"] },
      "sharing.accounts",
      /already grants/,
    ],
    ["a malformed organization", { organizationId: "org-123" }, "sharing.organizationId", /not an AWS Organizations id .*, got "org-123"/],
    ["an uppercase organization", { organizationId: "o-ABCDEFGHIJ" }, "sharing.organizationId", /not an AWS Organizations id/],
    ["public with accounts", { public: true, accounts: ["123456789012"] }, "sharing", /public access already includes/],
  ])("refuses %s", (_name, sharing, field, message) => {
    let caught: unknown;
    try {
      parseSharing(sharing as LayerSharing);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(LayerValidationError);
    expect((caught as LayerValidationError).field).toBe(field);
    expect((caught as LayerValidationError).message).toMatch(message);
    expect((caught as LayerValidationError).message).toContain("Fix: ");
  });
});

describe("LambdaLayer sharing", () => {
  test("grants every published version, per principal, with lambda:GetLayerVersion", () => {
    const { stack } = newStack();
    new LambdaLayer(stack, "Shared", props({ sharing: { accounts: ["123456789012"], organizationId: "o-a1b2c3d4e5" } }));
    const json = synthJson(stack);
    const [versionName] = Object.keys(json.resource.aws_lambda_layer_version);
    expect(permissions(stack)).toEqual([
      expect.objectContaining({
        statement_id: "account-123456789012",
        principal: "123456789012",
        action: "lambda:GetLayerVersion",
        layer_name: `\${aws_lambda_layer_version.${versionName}.layer_arn}`,
        version_number: `\${aws_lambda_layer_version.${versionName}.version}`,
        skip_destroy: true,
      }),
      expect.objectContaining({ statement_id: "org-o-a1b2c3d4e5", principal: "*", organization_id: "o-a1b2c3d4e5", skip_destroy: true }),
    ]);
  });

  test("Terraform never revokes a grant and ignores what the provider's read overwrites, retained layer or not", () => {
    // The provider reads the first statement of the whole policy into every permission of a version
    // (terraform-provider-aws#21917): a delete would revoke another principal, a diff never settles.
    for (const retain of [true, false]) {
      const { stack } = newStack();
      new LambdaLayer(stack, "Shared", props({ retain, sharing: { accounts: ["123456789012", "210987654321"] } }));
      for (const permission of permissions(stack)) {
        expect(permission.skip_destroy).toBe(true);
        expect(permission.lifecycle).toEqual({ ignore_changes: ["principal", "statement_id", "organization_id", "action"] });
      }
    }
  });

  test("says at synth that removing a principal keeps its access to published versions", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ sharing: { accounts: ["123456789012"] } }));
    layer.grant({ accounts: ["210987654321"] });
    const infos = layer.node.metadata.filter((m) => m.type === "@cdktf/info").map((m) => String(m.data));
    expect(infos).toEqual([
      expect.stringMatching(/grants are never revoked by Terraform: .*keeps its access to versions already published/),
    ]);
  });

  test("says it once per layer name, not once per region of a fan-out", () => {
    const { stack } = newStack();
    const fanout = new LayerFanout(stack, "Fan", {
      layer: props({ sharing: { accounts: ["123456789012"] } }),
      regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
    });
    const infos = fanout.node
      .findAll()
      .flatMap((c) => c.node.metadata)
      .filter((m) => m.type === "@cdktf/info" && String(m.data).includes("never revoked"));
    expect(infos).toHaveLength(1);
  });

  test("public sharing needs the explicit flag and warns at synth", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ sharing: { public: true } }));
    expect(permissions(stack)).toEqual([expect.objectContaining({ principal: "*", statement_id: "public" })]);
    expect(permissions(stack)[0]).not.toHaveProperty("organization_id");
    const warnings = layer.node.metadata.filter((m) => m.type === "@cdktf/warn").map((m) => String(m.data));
    expect(warnings).toEqual([expect.stringContaining("shared is shared publicly")]);
  });

  test("grant() adds principals later and refuses one already granted", () => {
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ sharing: { accounts: ["123456789012"] } }));
    layer.grant({ accounts: ["210987654321"] });
    expect(permissions(stack).map((p) => p.principal)).toEqual(["123456789012", "210987654321"]);
    expect(() => layer.grant({ accounts: ["arn:aws:iam::123456789012:root"] })).toThrow(
      /^test\/Shared: `sharing.accounts` grants a principal this layer already grants/,
    );
    expect(() => layer.grant({ public: true })).toThrow(/public access already includes/);
  });

  test("every grant of a layer, later ones too, references its version through one number token", () => {
    // GIVEN: cdktf captures a stack trace for each token it makes, so a token per grant costs synth time at scale
    const { stack } = newStack();
    const layer = new LambdaLayer(stack, "Shared", props({ sharing: { accounts: ["123456789012", "210987654321"] } }));
    // WHEN
    const later = layer.grant({ accounts: ["111122223333"] });
    // THEN
    const granted = layer.node.children.filter((c) => c instanceof LambdaLayerVersionPermission);
    expect(granted).toHaveLength(3);
    expect(granted[2]).toBe(later[0]);
    expect(new Set(granted.map((p) => p.versionNumberInput)).size).toBe(1);
    expect(Token.isUnresolved(granted[0].versionNumberInput)).toBe(true);
    const version = Object.keys(synthJson(stack).resource.aws_lambda_layer_version)[0];
    expect(permissions(stack).map((p) => p.version_number)).toEqual(Array(3).fill(`\${aws_lambda_layer_version.${version}.version}`));
  });

  test("a bad sharing prop fails construction with the construct path", () => {
    const { stack } = newStack();
    expect(() => new LambdaLayer(stack, "Shared", props({ sharing: {} }))).toThrow(/^test\/Shared: `sharing` grants nothing, got \{\}/);
  });
});
