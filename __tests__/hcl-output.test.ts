// The `--hcl` post-processing rewrites code only: strings, heredocs and comments keep their bytes,
// and the real terraform reads the same values from the HCL as from the JSON synth.
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { App, TerraformStack, TerraformVariable } from "cdktf";
import * as fs from "fs";
import * as path from "path";
import { cleanHcl, LayeredFunction, tokenizeHcl } from "../modules";
import { tempDir, tree } from "./helpers/files";
import { fmtCheck, plan, requireTerraform, terraformInit, validate } from "./helpers/terraform";

beforeAll(() => {
  requireTerraform();
});

describe("tokenizeHcl", () => {
  test.each<[string, string, string[]]>([
    ["a quoted string with a nested template string", 'a = "${f("${x.y}")}"\n', ["code", "string", "code"]],
    ["literal template escapes", 'a = "$${x} %%{y}"\n', ["code", "string", "code"]],
    ["an escaped quote", 'a = "say \\"hi\\""\n', ["code", "string", "code"]],
    ["a heredoc with an EOF-like line and quotes inside", 'a = <<EOT\n"${x.y}"\n EOF\nEOT\n', ["code", "heredoc", "code"]],
    ["an indented heredoc", "a = <<-EOT\n    x\n    EOT\n", ["code", "heredoc", "code"]],
    ["comments of all three kinds", '# "${a.b}"\n// x\n/* "${c.d}" */\n', ["comment", "code", "comment", "code", "comment", "code"]],
  ])("splits %s and joins back to the same text", (_name, hcl, kinds) => {
    const segments = tokenizeHcl(hcl);
    expect(segments.map((s) => s.kind)).toEqual(kinds);
    expect(segments.map((s) => s.text).join("")).toBe(hcl);
  });
});

describe("cleanHcl", () => {
  test("unquotes references, provider and depends_on in code", () => {
    const hcl =
      'resource "a" "b" {\n  provider   = "aws.eu-west-1"\n  x          = "${aws_s3_bucket.b.arn}"\n  depends_on = ["aws_s3_bucket.b", "data.x.y"]\n}\n';
    expect(cleanHcl(hcl)).toBe(
      'resource "a" "b" {\n  provider   = aws.eu-west-1\n  x          = aws_s3_bucket.b.arn\n  depends_on = [aws_s3_bucket.b, data.x.y]\n}\n',
    );
  });

  test("unquotes attribute names in ignore_changes, not strings elsewhere", () => {
    const hcl = 'resource "a" "b" {\n  tags = ["tags"]\n  lifecycle {\n    ignore_changes = ["tags", "description"]\n  }\n}\n';
    expect(cleanHcl(hcl)).toBe('resource "a" "b" {\n  tags = ["tags"]\n  lifecycle {\n    ignore_changes = [tags, description]\n  }\n}\n');
  });

  test("leaves heredoc content, string content and comments byte for byte", () => {
    const heredoc = '<<EOT\n{\n  "arn": "${aws_s3_bucket.b.arn}",\n  provider = "aws.x"\n\n\n\nEOF\n%{if true}y%{endif}\n}\nEOT';
    const hcl = `locals {\n  a = ${heredoc}\n  b = "x ${"${a.b}"} y"\n  # "${"${c.d}"}"\n}\n`;
    expect(cleanHcl(hcl)).toBe(hcl);
  });

  test("collapses runs of blank lines between blocks only", () => {
    expect(cleanHcl("a = 1\n\n\n\nb = <<EOT\nx\n\n\n\ny\nEOT\n")).toBe("a = 1\n\nb = <<EOT\nx\n\n\n\ny\nEOT\n");
  });
});

/** A stack whose function environment holds multi-line values that the old regexes broke. */
function environmentStack(app: App): TerraformStack {
  const stack = new TerraformStack(app, "env");
  new AwsProvider(stack, "aws", { region: "us-east-1" });
  const bucketArn = new TerraformVariable(stack, "bucket_arn", { type: "string", default: "arn:aws:s3:::acme-data" });
  const policy = JSON.stringify(
    { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "s3:GetObject", Resource: bucketArn.stringValue }] },
    null,
    2,
  );
  new LayeredFunction(stack, "fn", {
    functionName: "env-check",
    runtime: "nodejs22.x",
    handler: "index.handler",
    role: "arn:aws:iam::123456789012:role/fn",
    source: tree({ "index.js": "exports.handler = async () => 1;\n" }),
    environment: {
      POLICY: policy,
      EOF_INSIDE: "first\nEOF\n  EOF\nlast",
      BLANK_RUNS: "a\n\n\n\nb",
      SCRIPT: '#!/bin/sh\necho one\n\n\n\necho "two" $${HOME}\n',
      CRLF: "line one\r\nline two",
      DIRECTIVE: `%{ if true }on%{ endif } and ${bucketArn.stringValue}\n$\${literal}`,
    },
  });
  return stack;
}

function plannedEnvironment(hclOutput: boolean): { variables: Record<string, string>; dir: string } {
  // As `cdktf synth --hcl` does: the CLI sets SYNTH_HCL_OUTPUT, which each stack reads when it is created.
  process.env.SYNTH_HCL_OUTPUT = String(hclOutput);
  const app = new App({ outdir: tempDir("hcl-out-"), hclOutput, stackTraces: false });
  try {
    environmentStack(app);
  } finally {
    delete process.env.SYNTH_HCL_OUTPUT;
  }
  app.synth();
  const stackDir = path.join(app.outdir, "stacks", "env");
  const tf = terraformInit(stackDir);
  const validation = validate(tf);
  expect(validation.diagnostics).toEqual([]);
  expect(validation).toMatchObject({ valid: true, error_count: 0 });
  if (hclOutput) expect(fmtCheck(tf)).toEqual({ status: 0, files: "" });
  const fn = plan(tf).resource_changes.find((c) => c.type === "aws_lambda_function")!;
  const environment = fn.change.after.environment as Array<{ variables: Record<string, string> }>;
  return { variables: environment[0].variables, dir: stackDir };
}

test("terraform reads the same environment values from the HCL as from the JSON synth", () => {
  const fromJson = plannedEnvironment(false);
  const fromHcl = plannedEnvironment(true);
  expect(fs.readFileSync(path.join(fromHcl.dir, "cdk.tf"), "utf8")).toMatch(/SCRIPT\s+= <<EOT\n#!\/bin\/sh\necho one\n\n\n\n/);
  expect(fromHcl.variables).toEqual(fromJson.variables);
  expect(JSON.parse(fromHcl.variables.POLICY).Statement[0].Resource).toBe("arn:aws:s3:::acme-data");
  expect(fromHcl.variables.EOF_INSIDE).toBe("first\nEOF\n  EOF\nlast");
  expect(fromHcl.variables.BLANK_RUNS).toBe("a\n\n\n\nb");
  expect(fromHcl.variables.CRLF).toBe("line one\r\nline two");
  expect(fromHcl.variables.DIRECTIVE).toBe("on and arn:aws:s3:::acme-data\n${literal}");
}, 240_000);
