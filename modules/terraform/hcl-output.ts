// Makes `cdktf synth --hcl` output fit for Terraform Cloud: cdktf writes quoted provider
// references and interpolation-only strings, and does not format its files. After a stack is
// written, its cdk.tf is rewritten in place and, when terraform is on the PATH, formatted.
import { spawnSync } from "child_process";
import { ISynthesisSession, TerraformStack } from "cdktf";
import * as fs from "fs";
import * as path from "path";

const wrapped = new WeakSet<TerraformStack>();

/** Post-processes the stack's HCL after every synth (idempotent per stack; JSON output is left alone). */
export function cleanHclOnSynth(stack: TerraformStack): void {
  if (wrapped.has(stack)) return;
  wrapped.add(stack);
  const inner = stack.synthesizer;
  stack.synthesizer = {
    synthesize(session: ISynthesisSession): void {
      inner.synthesize(session);
      const dir = path.join(session.outdir, session.manifest.forStack(stack).workingDirectory);
      const file = path.join(dir, "cdk.tf");
      if (!fs.existsSync(file)) return;
      const config = stack.toTerraform() as { terraform?: { cloud?: { workspaces?: { project?: string } } } };
      const project = config.terraform?.cloud?.workspaces?.project;
      const exact = exactMultilineStrings(fs.readFileSync(file, "utf8"), multilineStrings(config));
      fs.writeFileSync(file, restoreCloudProject(cleanHcl(exact), project));
      formatWithTerraform(dir);
    },
  };
}

/** Every string value of a stack's JSON configuration that spans several lines. */
function multilineStrings(config: unknown): string[] {
  const found = new Set<string>();
  const walk = (value: unknown): void => {
    if (typeof value === "string") {
      if (/[\r\n]/.test(value)) found.add(value);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === "object") Object.values(value).forEach(walk);
  };
  walk(config);
  return [...found];
}

/**
 * cdktf writes every multi-line string as `<<EOF` … `EOF`, which changes the value: a heredoc adds
 * a final newline, turns "\r\n" into "\n", and ends early at a line of the value that reads `EOF`.
 * Each such heredoc is rewritten from the exact value the JSON synth holds: as a heredoc where that
 * is exact (the value ends in a newline and no line of it is the marker), else as a quoted string.
 */
export function exactMultilineStrings(hcl: string, values: readonly string[]): string {
  let result = hcl;
  for (const value of [...values].sort((a, b) => b.length - a.length)) {
    const cdktfForm = `<<EOF\n${value.split(/\r\n|[\n\r]/).join("\n")}\nEOF`;
    if (!result.includes(cdktfForm)) continue;
    result = result.split(cdktfForm).join(hclStringLiteral(value));
  }
  return result;
}

/** The HCL literal for a string, keeping its `${…}`/`%{…}` templates as templates (as the JSON synth does). */
export function hclStringLiteral(value: string): string {
  const lines = value.split("\n");
  const heredocExact = value.endsWith("\n") && !value.includes("\r") && !lines.some((l) => l.trim() === "EOT");
  if (heredocExact) return `<<EOT\n${value}EOT`;
  const named: Record<string, string> = { "\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t" };
  const escaped = [...value].map((c) => named[c] ?? (c < " " ? `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}` : c));
  return `"${escaped.join("")}"`;
}

/** A run of HCL source: code between literals, a quoted string, a heredoc, or a comment. @group Internals */
export interface HclSegment {
  readonly kind: "code" | "string" | "heredoc" | "comment";
  /** The exact source text (a string keeps its quotes, a heredoc its markers). */
  readonly text: string;
}

/**
 * Splits HCL source into code, quoted strings, heredocs and comments, so that rewrites touch code
 * only. Quoted strings may hold `${…}` and `%{…}` templates with nested strings; `$${` and `%%{`
 * are literal; a heredoc (`<<EOF` or `<<-EOF`) runs to the line holding only its marker.
 * Concatenating the segments' text gives the input back.
 * @group Internals
 */
export function tokenizeHcl(hcl: string): HclSegment[] {
  const segments: HclSegment[] = [];
  let code = "";
  let i = 0;
  const flush = () => {
    if (code) segments.push({ kind: "code", text: code });
    code = "";
  };
  while (i < hcl.length) {
    const c = hcl[i];
    if (c === "#" || (c === "/" && hcl[i + 1] === "/")) {
      const end = lineEnd(hcl, i);
      flush();
      segments.push({ kind: "comment", text: hcl.slice(i, end) });
      i = end;
    } else if (c === "/" && hcl[i + 1] === "*") {
      const close = hcl.indexOf("*/", i + 2);
      const end = close === -1 ? hcl.length : close + 2;
      flush();
      segments.push({ kind: "comment", text: hcl.slice(i, end) });
      i = end;
    } else if (c === '"') {
      const end = quotedStringEnd(hcl, i);
      flush();
      segments.push({ kind: "string", text: hcl.slice(i, end) });
      i = end;
    } else if (c === "<" && hcl[i + 1] === "<" && /^<<-?[A-Za-z_][\w-]*\r?\n/.test(hcl.slice(i, i + 260))) {
      const end = heredocEnd(hcl, i);
      flush();
      segments.push({ kind: "heredoc", text: hcl.slice(i, end) });
      i = end;
    } else {
      code += c;
      i++;
    }
  }
  flush();
  return segments;
}

function lineEnd(text: string, from: number): number {
  const nl = text.indexOf("\n", from);
  return nl === -1 ? text.length : nl;
}

/** The index after the closing quote of the string opening at `start`. */
function quotedStringEnd(text: string, start: number): number {
  let i = start + 1;
  while (i < text.length) {
    const c = text[i];
    if (c === "\\") i += 2;
    else if ((c === "$" || c === "%") && text[i + 1] === c && text[i + 2] === "{") i += 3;
    else if ((c === "$" || c === "%") && text[i + 1] === "{") i = templateEnd(text, i + 2);
    else if (c === '"') return i + 1;
    else if (c === "\n")
      return i; // unterminated: HCL strings are one line; leave the rest to terraform
    else i++;
  }
  return i;
}

/** The index after the `}` closing a template opened just before `start`, skipping nested strings. */
function templateEnd(text: string, start: number): number {
  let depth = 1;
  let i = start;
  while (i < text.length && depth > 0) {
    const c = text[i];
    if (c === '"') i = quotedStringEnd(text, i);
    else {
      if (c === "{") depth++;
      else if (c === "}") depth--;
      i++;
    }
  }
  return i;
}

/** The index after the line closing the heredoc that opens at `start`. */
function heredocEnd(text: string, start: number): number {
  const marker = /^<<-?([A-Za-z_][\w-]*)/.exec(text.slice(start))![1];
  let lineStart = text.indexOf("\n", start) + 1;
  while (lineStart > 0 && lineStart <= text.length) {
    const end = lineEnd(text, lineStart);
    if (text.slice(lineStart, end).trim() === marker) return end;
    if (end >= text.length) return text.length;
    lineStart = end + 1;
  }
  return text.length;
}

const REFERENCE = /^"\$\{([A-Za-z_][\w-]*(?:\.[\w-]+|\[\d+\]|\["[^"\\]*"\])*)\}"$/;
const PROVIDER_REFERENCE = /^"([A-Za-z_][\w-]*\.[A-Za-z_][\w-]*)"$/;
const QUOTED_TRAVERSAL = /^"([A-Za-z_][\w-]*(?:\.[\w-]+)+)"$/;
const QUOTED_ATTRIBUTE = /^"([A-Za-z_][\w-]*)"$/;

/**
 * Rewrites what Terraform warns about or what Terraform Cloud trips on, in code only (never inside
 * a string's content, a heredoc or a comment): `provider = "aws.eu-west-1"` -> `provider =
 * aws.eu-west-1`, a string that is only `"${a.b.c}"` -> `a.b.c`, quoted references in `depends_on`
 * and attribute names in `lifecycle.ignore_changes`, and runs of blank lines between blocks.
 * @group Internals
 */
export function cleanHcl(hcl: string): string {
  const segments = tokenizeHcl(hcl);
  // The list whose items (strings) are being read: it opens in one code run and closes in a later one.
  let list: "depends_on" | "ignore_changes" | undefined;
  return segments
    .map((segment, index) => {
      if (segment.kind === "code") {
        const opened = /(depends_on|ignore_changes)\s*=\s*\[[^\]]*$/.exec(segment.text);
        if (opened) list = opened[1] as typeof list;
        else if (segment.text.includes("]")) list = undefined;
        return segment.text.replace(/\n{3,}/g, "\n\n");
      }
      if (segment.kind !== "string") return segment.text;
      const before = segments[index - 1];
      const lineBefore = before?.kind === "code" ? before.text.slice(before.text.lastIndexOf("\n") + 1) : "";
      if (/^\s*provider\s*=\s*$/.test(lineBefore) && PROVIDER_REFERENCE.test(segment.text)) return segment.text.slice(1, -1);
      if (list === "depends_on" && QUOTED_TRAVERSAL.test(segment.text)) return segment.text.slice(1, -1);
      if (list === "ignore_changes" && QUOTED_ATTRIBUTE.test(segment.text)) return segment.text.slice(1, -1);
      const ref = REFERENCE.exec(segment.text);
      return ref ? ref[1] : segment.text;
    })
    .join("");
}

/** cdktf's HCL drops the Terraform Cloud `project` of a `cloud` block's workspaces: put it back. */
export function restoreCloudProject(hcl: string, project: string | undefined): string {
  if (!project) return hcl;
  return hcl.replace(
    /(\n(\s*)cloud \{[\s\S]*?\n(\s*)workspaces \{\n)([\s\S]*?)(\n\s*\})/,
    (match, head: string, _i: string, indent: string, body: string, tail: string) =>
      /^\s*project\s*=/m.test(body) ? match : `${head}${body}\n${indent}  project = ${JSON.stringify(project)}${tail}`,
  );
}

function formatWithTerraform(dir: string): void {
  // Without terraform the file stays valid, only unformatted: nothing to fail the synth over, so the result is not read.
  spawnSync("terraform", ["fmt", "-list=false", dir]);
}
