// Rules for files that hold secrets. A layer is readable by every account it is shared with, so a
// leaked key in a layer is a leaked key everywhere. Every content rule matches the secret's value
// in the shape its issuer documents (gitleaks' and trufflehog's public rule sets are the reference
// for the token formats), not the name or frame around it: `aws_secret_access_key=None` in an SDK,
// a `<placeholder>` in documentation or a PEM header constant in a crypto library are not secrets.
// A value that has the shape but thin evidence of being real is a warning, never a refusal.
import * as path from "path";
import { utf16Layout } from "./utf16";

/** What a rule concluded about a file: refuse the layer, or warn and build it. @group Internals */
export interface SecretFinding {
  readonly severity: "refuse" | "warn";
  /** What was found, such as "AWS secret access key". */
  readonly why: string;
}

/** Why a file looks like a secret judging by its name alone, or undefined. Names are matched whole. @group Internals */
export function secretByName(relPath: string): string | undefined {
  const base = path.posix.basename(relPath);
  if (base === ".env" || (/^\.env\./.test(base) && !/\.(example|sample|template|dist)$/.test(base))) return "dotenv file";
  // Anchored: id_rsa is a key, id_rsa.pub is public and sshkeys/id_rsa.py is code.
  if (/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(base)) return "SSH private key";
  if (/(^|\/)\.aws\/(credentials|config)$/.test(relPath)) return "AWS credentials file";
  if (/\.(p12|pfx)$/i.test(base)) return "PKCS#12 key store";
  if (/\.ppk$/i.test(base)) return "PuTTY private key";
  return undefined;
}

/**
 * Why a file holds a secret judging by its content, or undefined: the first refusing finding of
 * {@link secretFindings}. `relPath` lets credential files (.npmrc, .pypirc, .netrc,
 * .git-credentials) be read by their own syntax.
 * @group Internals
 */
export function secretByContent(data: Buffer, relPath = ""): string | undefined {
  return secretFindings(data, relPath).find((f) => f.severity === "refuse")?.why;
}

/**
 * Every secret rule's finding for a file's content. Certificates and public keys pass; so do
 * AWS's documented example keys, `None`, variables, `${…}`/`<…>` placeholders and PEM headers
 * without a key body.
 * @group Internals
 */
export function secretFindings(data: Buffer, relPath = ""): SecretFinding[] {
  const text = utf16Text(data);
  const bytes = text === undefined ? data : Buffer.from(text, "latin1");
  const findings: SecretFinding[] = [];
  let latin1: string | undefined;
  const str = () => (latin1 ??= text ?? data.toString("latin1"));
  for (const rule of CONTENT_RULES) {
    // Cheap native scans first: nearly every file holds none of the keywords and costs no regex.
    if (!rule.keywords.some((k) => bytes.includes(k))) continue;
    const found = rule.find(str());
    if (found) findings.push(found);
  }
  const credentialFile = CREDENTIAL_FILES.find((c) => c.name.test(path.posix.basename(relPath)));
  if (credentialFile) {
    const found = credentialFile.find(str());
    if (found) findings.push(found);
  }
  return findings;
}

interface ContentRule {
  /**
   * Literal byte strings, one of which every match contains (case-sensitive). A search costs a
   * stop at every occurrence of its first byte, so each keyword starts at a byte that is rare in
   * source text: "cret" rather than "secret", "AgEIcHlwaS5vcmc" rather than "pypi-". They are also
   * the packing engine's pre-scan, which marks the files the rules then read: a keyword of two or
   * three bytes turns up by chance in nearly every binary file (a .so, a jar), and marks it.
   */
  readonly keywords: readonly string[];
  readonly find: (text: string) => SecretFinding | undefined;
}

const refuse = (why: string): SecretFinding => ({ severity: "refuse", why });
const warn = (why: string): SecretFinding => ({ severity: "warn", why });

/** Values that stand for a secret in documentation and templates rather than being one. */
function isPlaceholder(value: string): boolean {
  if (/EXAMPLE/i.test(value)) return true; // AWS's documented keys: AKIAIOSFODNN7EXAMPLE, wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY
  if (/^[<{[($%]/.test(value) || /(x{6,}|X{6,}|\*{4,}|\.{3}|0{8,})/.test(value)) return true;
  return distinct(value) < 8; // "aaaa…", "abcabc…": random 20+ character values use far more
}

function distinct(value: string): number {
  return new Set(value).size;
}

/** A random value of mixed-case letters and digits, as generated keys and tokens are. */
function looksRandom(value: string): boolean {
  return /[a-z]/.test(value) && /[A-Z]/.test(value) && /[0-9]/.test(value) && distinct(value) >= 12;
}

/** The first match of `re` (global) whose value (group 1) is no placeholder. */
function firstValue(re: RegExp, text: string): string | undefined {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!isPlaceholder(m[1])) return m[1];
  }
  return undefined;
}

// AWS secret access key: exactly 40 characters of [A-Za-z0-9/+] assigned to such a name in
// code, ini, shell, YAML or JSON (`AWS_SECRET_ACCESS_KEY=…`, `aws_secret_access_key: …`,
// `"SecretAccessKey": "…"`). Not followed by more of its alphabet (a longer value is something else).
const SECRET_ACCESS_KEY_RE =
  /(?:(?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key)["']?\s*(?:=|:=|:|=>)\s*["'`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

// A private key block: BEGIN line, optional headers (Proc-Type, Comment, Version), a base64 body,
// END line of the same kind. In JSON or code the line breaks may be written as \n.
const PRIVATE_KEY_RE = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----([\s\S]{0,20000}?)-----END \1PRIVATE KEY\2-----/g;
const MIN_KEY_BODY = 64; // the smallest real key (Ed25519 in OpenSSH form) has over 200 base64 characters

function privateKey(text: string): SecretFinding | undefined {
  PRIVATE_KEY_RE.lastIndex = 0;
  let short: SecretFinding | undefined;
  for (let m = PRIVATE_KEY_RE.exec(text); m !== null; m = PRIVATE_KEY_RE.exec(text)) {
    const body = m[3]
      .replace(/\\[nr]/g, "\n")
      .split(/\r?\n/)
      .filter((line) => !/^[A-Za-z-]+: /.test(line.trim())) // armour headers
      .join("")
      .replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/=]*$/.test(body)) continue; // "<a very long private key string>", "...": documentation
    const kind = m[1] === "PGP " ? "PGP private key" : "private key";
    if (body.length >= MIN_KEY_BODY && looksRandom(body)) return refuse(kind);
    if (body.length >= 16) short ??= warn(`${kind} block with a body too short to be a key`);
  }
  return short;
}

// PuTTY private key files (.ppk): the header line, then Private-Lines with base64 data.
const PUTTY_RE = /PuTTY-User-Key-File-[23]: [^\r\n]+[\s\S]{0,8000}?Private-Lines: \d+\r?\n([A-Za-z0-9+/=\r\n]{32,})/;

/** Token rules whose value alone is the evidence: prefix and alphabet as the issuer documents them. */
const TOKENS: ReadonlyArray<{ readonly why: string; readonly keywords: readonly string[]; readonly re: RegExp }> = [
  // One keyword per token type: "gh" alone is in a third of all text and in almost every binary.
  { why: "GitHub token", keywords: ["ghp_", "gho_", "ghu_", "ghs_", "ghr_"], re: /\b(gh[pousr]_[0-9A-Za-z]{36})\b/g },
  { why: "GitHub fine-grained token", keywords: ["b_pat_"], re: /\b(github_pat_[0-9A-Za-z_]{82})\b/g },
  { why: "npm access token", keywords: ["pm_"], re: /\b(npm_[0-9A-Za-z]{36})\b/g },
  {
    why: "Slack token",
    keywords: ["xox"],
    re: /\b(xox[bpearso]-[0-9]{6,13}-[0-9A-Za-z-]{20,})/g,
  },
  { why: "Slack app token", keywords: ["xapp-"], re: /\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,})/g },
  {
    why: "Slack webhook URL",
    keywords: ["hooks.slack.com"],
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,})/g,
  },
  { why: "PyPI upload token", keywords: ["AgEIcHlwaS5vcmc"], re: /\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g },
];

const CONTENT_RULES: readonly ContentRule[] = [
  { keywords: ["PRIVATE KEY"], find: privateKey },
  { keywords: ["PuTTY-User-Key-File-"], find: (t) => (PUTTY_RE.test(t) ? refuse("PuTTY private key") : undefined) },
  {
    // Long-term (AKIA) and temporary (ASIA) keys; the rarer ABIA/ACCA kinds cost a scan each for little.
    keywords: ["AKIA", "ASIA"],
    find: (t) => (firstValue(/\b((?:AKIA|ASIA)[A-Z2-7]{16})\b/g, t) ? refuse("AWS access key id") : undefined),
  },
  {
    keywords: ["cret", "CRET"],
    find: (t) => {
      SECRET_ACCESS_KEY_RE.lastIndex = 0;
      let thin: SecretFinding | undefined;
      for (let m = SECRET_ACCESS_KEY_RE.exec(t); m !== null; m = SECRET_ACCESS_KEY_RE.exec(t)) {
        if (isPlaceholder(m[1])) continue;
        if (looksRandom(m[1])) return refuse("AWS secret access key");
        thin ??= warn("value of the AWS secret access key's length assigned to aws_secret_access_key, but not random-looking");
      }
      return thin;
    },
  },
  ...TOKENS.map(({ why, keywords, re }) => ({ keywords, find: (t: string) => (firstValue(re, t) ? refuse(why) : undefined) })),
];

/**
 * Every content rule's keywords: a file holding none of them (and not UTF-16 text, whose
 * characters are two bytes each) gives no finding, so the packing engine pre-scans files for them
 * while it reads them and only the files it marks are given to the rules.
 * @group Internals
 */
export const SECRET_KEYWORDS: readonly string[] = [...new Set(CONTENT_RULES.flatMap((r) => r.keywords))];

/** Files read by their own syntax (.npmrc, .pypirc, .netrc, .git-credentials): checked whatever the pre-scan says. @group Internals */
export function needsContentRules(relPath: string): boolean {
  const base = path.posix.basename(relPath);
  return CREDENTIAL_FILES.some((c) => c.name.test(base));
}

/** A value after `=` or `:` that is a literal, not empty, a variable or a placeholder. */
function literal(value: string | undefined): boolean {
  const v = (value ?? "").trim().replace(/^["']|["']$/g, "");
  return v.length > 0 && !/^(\$|%\(|<|\{\{)/.test(v) && !/^(none|null|changeme|password|secret|token)$/i.test(v) && distinct(v) > 2;
}

/** Files whose own syntax says where the password is. */
const CREDENTIAL_FILES: ReadonlyArray<{ readonly name: RegExp; readonly find: (text: string) => SecretFinding | undefined }> = [
  {
    name: /^\.npmrc$/,
    find: (t) =>
      [...t.matchAll(/(?:^|:)(?:_authToken|_auth|_password)\s*=\s*(.*)$/gm)].some((m) => literal(m[1]))
        ? refuse("npm registry credential")
        : undefined,
  },
  {
    name: /^\.pypirc$/,
    find: (t) => ([...t.matchAll(/^\s*password\s*[=:]\s*(.*)$/gim)].some((m) => literal(m[1])) ? refuse("PyPI password") : undefined),
  },
  {
    name: /^[._]netrc$/,
    find: (t) => ([...t.matchAll(/\bpassword\s+(\S+)/g)].some((m) => literal(m[1])) ? refuse("netrc password") : undefined),
  },
  {
    name: /^\.git-credentials$/,
    find: (t) =>
      [...t.matchAll(/^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/gim)].some((m) => literal(m[1])) ? refuse("git credentials") : undefined,
  },
];

/**
 * The text of a UTF-16 file (Windows editors and PowerShell write it), as latin1 code units, or
 * undefined for anything else (recognised as utf16.js says).
 */
function utf16Text(data: Buffer): string | undefined {
  const layout = utf16Layout(data);
  if (!layout) return undefined;
  const { little, start } = layout;
  const body = Buffer.from(data.subarray(start, start + ((data.length - start) & ~1)));
  if (!little) body.swap16();
  // Characters beyond latin1 cannot be part of a token: keep them as "?" so offsets stay meaningful.
  return body.toString("utf16le").replace(/[^\t\n\r\x20-\xff]/g, "?");
}
