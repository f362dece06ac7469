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
  /** What was found, such as "AWS secret access key": the rule's name. */
  readonly why: string;
  /** The 1-based line of the file (of its text, for UTF-16) where the value starts. */
  readonly line: number;
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
  const report = (found: Found | undefined) => {
    if (found) findings.push({ severity: found.severity, why: found.why, line: lineAt(str(), found.at) });
  };
  for (const rule of CONTENT_RULES) {
    // Cheap native scans first: nearly every file holds none of the keywords and costs no regex.
    if (!rule.keywords.some((k) => bytes.includes(k))) continue;
    report(rule.find(str()));
  }
  const credentialFile = CREDENTIAL_FILES.find((c) => c.name.test(path.posix.basename(relPath)));
  if (credentialFile) report(credentialFile.find(str()));
  return findings;
}

/** The 1-based line holding offset `at` (only computed for a finding, so a scan of the prefix is fine). */
function lineAt(text: string, at: number): number {
  let line = 1;
  for (let i = text.indexOf("\n"); i !== -1 && i < at; i = text.indexOf("\n", i + 1)) line++;
  return line;
}

/** A rule's conclusion and the offset in the text where the value starts. */
interface Found {
  readonly severity: SecretFinding["severity"];
  readonly why: string;
  readonly at: number;
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
  readonly find: (text: string) => Found | undefined;
}

const refuse = (why: string, at: number): Found => ({ severity: "refuse", why, at });
const warn = (why: string, at: number): Found => ({ severity: "warn", why, at });

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

/** The offset of the first match of `re` (global) whose value (group 1) is no placeholder and passes `real`. */
function firstValue(re: RegExp, text: string, real: (value: string, m: RegExpExecArray) => boolean = () => true): number | undefined {
  re.lastIndex = 0;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    if (!isPlaceholder(m[1]) && real(m[1], m)) return m.index + m[0].indexOf(m[1]);
  }
  return undefined;
}

// AWS secret access key: exactly 40 characters of [A-Za-z0-9/+] assigned to such a name in
// code, ini, shell, YAML or JSON (`AWS_SECRET_ACCESS_KEY=…`, `aws_secret_access_key: …`,
// `"SecretAccessKey": "…"`). Not followed by more of its alphabet (a longer value is something else).
const SECRET_ACCESS_KEY_RE =
  /(?:(?:aws[_-]?)?secret[_-]?access[_-]?key|aws[_-]?secret[_-]?key)["']?\s*(?:=|:=|:|=>)\s*["'`]?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;

// A private key block: BEGIN line, optional headers (Proc-Type, Comment, Version), a base64 body,
// END line of the same kind. In JSON or code the line breaks may be written as \n, and a JSON
// encoder may write each "/" of the body as \/ (PHP's json_encode does by default).
const PRIVATE_KEY_RE = /-----BEGIN ((?:[A-Z0-9]+ ){0,3})PRIVATE KEY( BLOCK)?-----([\s\S]{0,20000}?)-----END \1PRIVATE KEY\2-----/g;
const MIN_KEY_BODY = 64; // the smallest real key (Ed25519 in OpenSSH form) has over 200 base64 characters

function privateKey(text: string): Found | undefined {
  PRIVATE_KEY_RE.lastIndex = 0;
  let short: Found | undefined;
  for (let m = PRIVATE_KEY_RE.exec(text); m !== null; m = PRIVATE_KEY_RE.exec(text)) {
    const lines = m[3]
      .replace(/\\[nr]/g, "\n")
      .replace(/\\\//g, "/")
      .split(/\r?\n/);
    const headers = lines.filter((line) => /^[A-Za-z-]+: /.test(line.trim())); // armour headers
    const body = lines
      .filter((line) => !/^[A-Za-z-]+: /.test(line.trim()))
      .join("")
      .replace(/\s+/g, "");
    if (!/^[A-Za-z0-9+/=]*$/.test(body)) continue; // "<a very long private key string>", "...": documentation
    if (!keyBodyShape(m[1], body, headers)) continue; // "key omitted for security reasons": prose, not base64 of a key
    // AWS marks the keys in its documentation with EXAMPLE (the AWS CLI's Lightsail and IoT examples):
    // seven given letters fall in a random 1,600-character body with a chance of about 1 in 10^7.
    if (/EXAMPLE/i.test(body)) continue;
    const kind = m[1] === "PGP " ? "PGP private key" : "private key";
    if (body.length >= MIN_KEY_BODY && looksRandom(body)) return refuse(kind, m.index);
    if (body.length >= 16) short ??= warn(`${kind} block with a body too short to be a key`, m.index);
  }
  return short;
}

/**
 * Whether a base64 body starts as its kind of key does. PEM keys (PKCS#1, PKCS#8, SEC1; RFC 7468)
 * are DER, whose outer SEQUENCE tag 0x30 is "M" in base64; OpenSSH's format starts with the magic
 * "openssh-key-v1\0". Legacy encrypted PEM (a Proc-Type header) and PGP packets may start with anything.
 */
function keyBodyShape(kind: string, body: string, headers: readonly string[]): boolean {
  if (kind === "PGP " || headers.some((h) => /^\s*Proc-Type:/.test(h))) return true;
  if (kind === "OPENSSH ") return body.startsWith("b3BlbnNzaC1rZXktdjE");
  return body.startsWith("M");
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
  // Slack's rotating tokens (https://docs.slack.dev/authentication/using-token-rotation,
  // https://docs.slack.dev/reference/methods/tooling.tokens.rotate): expiring access tokens
  // "xoxe.xoxb-1-…"/"xoxe.xoxp-1-…" and refresh tokens "xoxe-1-…". Slack documents the prefixes
  // only; the bodies seen in the wild (gitleaks' rules) are 163-166 and 146 characters.
  {
    why: "Slack expiring access token",
    keywords: ["xoxe.xox"],
    re: /\b(xoxe\.xox[bp]-\d-[0-9A-Za-z]{140,200})(?![0-9A-Za-z])/g,
  },
  { why: "Slack refresh token", keywords: ["xoxe-"], re: /\b(xoxe-\d-[0-9A-Za-z]{120,200})(?![0-9A-Za-z])/g },
  { why: "Slack app token", keywords: ["xapp-"], re: /\b(xapp-\d-[A-Z0-9]+-\d+-[a-z0-9]{32,})/g },
  {
    why: "Slack webhook URL",
    keywords: ["hooks.slack.com"],
    re: /hooks\.slack\.com\/(?:services|workflows|triggers)\/(T[A-Z0-9]+\/B[A-Z0-9]+\/[A-Za-z0-9]{20,})/g,
  },
  { why: "PyPI upload token", keywords: ["AgEIcHlwaS5vcmc"], re: /\b(pypi-AgEIcHlwaS5vcmc[A-Za-z0-9_-]{50,})/g },
];

/**
 * An access key id followed by the rest of a SigV4 credential scope (`/20190814/us-west-2/s3/aws4_request`,
 * the "/" possibly written %2F) is the id as every signed request and presigned URL carries it in
 * the clear (X-Amz-Credential, https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html):
 * the public half of a signature that expires within 7 days, not a key pair. The AWS CLI's
 * examples hold such URLs (ecr get-download-url-for-layer).
 */
const CREDENTIAL_SCOPE_RE = /^(?:\/|%2F)\d{8}(?:\/|%2F)[a-z0-9-]+(?:\/|%2F)[a-z0-9-]+(?:\/|%2F)aws4_request/i;

/**
 * A Docker client's config.json (https://docs.docker.com/reference/cli/docker/login/): under
 * "auths", each registry's "auth" is base64 of "user:password", and "identitytoken" an OAuth
 * refresh token. Empty entries (a credential helper holds the password) are not secrets.
 */
const DOCKER_AUTHS_RE = /"auths"\s*:\s*\{/g;
const DOCKER_AUTH_RE = /"(auth|identitytoken)"\s*:\s*"([^"\\]*)"/g;

function dockerCredential(text: string): Found | undefined {
  DOCKER_AUTHS_RE.lastIndex = 0;
  for (let m = DOCKER_AUTHS_RE.exec(text); m !== null; m = DOCKER_AUTHS_RE.exec(text)) {
    const scope = text.slice(m.index, m.index + 65536);
    for (const a of scope.matchAll(DOCKER_AUTH_RE)) {
      const at = m.index + a.index;
      if (a[1] === "identitytoken") {
        if (a[2].length >= 16 && !isPlaceholder(a[2])) return refuse("Docker registry identity token", at);
        continue;
      }
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(a[2])) continue; // "<base64 of user:password>", "..."
      const decoded = Buffer.from(a[2], "base64").toString("latin1");
      const colon = decoded.indexOf(":");
      if (!/^[\x20-\x7e]+$/.test(decoded) || colon < 1) continue; // not user:password
      const password = decoded.slice(colon + 1);
      if (literal(password) && !/example|x{4,}|\*{3,}|\.{3}/i.test(password))
        return refuse("Docker registry credential (auth is base64 of user:password)", at);
    }
  }
  return undefined;
}

const CONTENT_RULES: readonly ContentRule[] = [
  { keywords: ["PRIVATE KEY"], find: privateKey },
  {
    keywords: ["PuTTY-User-Key-File-"],
    find: (t) => {
      const m = PUTTY_RE.exec(t);
      return m ? refuse("PuTTY private key", m.index) : undefined;
    },
  },
  {
    // Long-term (AKIA) and temporary (ASIA) keys; the rarer ABIA/ACCA kinds cost a scan each for little.
    keywords: ["AKIA", "ASIA"],
    find: (t) => {
      const at = firstValue(
        /\b((?:AKIA|ASIA)[A-Z2-7]{16})\b/g,
        t,
        (_id, m) => !CREDENTIAL_SCOPE_RE.test(t.slice(m.index + 20, m.index + 80)),
      );
      return at === undefined ? undefined : refuse("AWS access key id", at);
    },
  },
  {
    keywords: ["cret", "CRET"],
    find: (t) => {
      SECRET_ACCESS_KEY_RE.lastIndex = 0;
      let thin: Found | undefined;
      for (let m = SECRET_ACCESS_KEY_RE.exec(t); m !== null; m = SECRET_ACCESS_KEY_RE.exec(t)) {
        if (isPlaceholder(m[1])) continue;
        if (looksRandom(m[1])) return refuse("AWS secret access key", m.index);
        thin ??= warn("value of the AWS secret access key's length assigned to aws_secret_access_key, but not random-looking", m.index);
      }
      return thin;
    },
  },
  // Every match holds "auths"; the keyword starts at its "u", rarer in source text than "a" or a quote.
  { keywords: ['uths"'], find: dockerCredential },
  ...TOKENS.map(({ why, keywords, re }) => ({
    keywords,
    find: (t: string) => {
      const at = firstValue(re, t);
      return at === undefined ? undefined : refuse(why, at);
    },
  })),
];

/**
 * Every content rule's keywords: a file holding none of them (and not UTF-16 text, whose
 * characters are two bytes each) gives no finding, so the packing engine pre-scans files for them
 * while it reads them and only the files it marks are given to the rules.
 * @group Internals
 */
export const SECRET_KEYWORDS: readonly string[] = minimalKeywords(CONTENT_RULES.flatMap((r) => r.keywords));

/**
 * The keywords without those that hold another one ("xoxe-" holds "xox"): a file with the longer
 * one has the shorter, so the pre-scan would search twice for the same files.
 */
function minimalKeywords(keywords: readonly string[]): string[] {
  const unique = [...new Set(keywords)];
  return unique.filter((k) => !unique.some((other) => other !== k && k.includes(other)));
}

/** Files read by their own syntax (.npmrc, .yarnrc.yml, .pypirc, .netrc, .git-credentials): checked whatever the pre-scan says. @group Internals */
export function needsContentRules(relPath: string): boolean {
  const base = path.posix.basename(relPath);
  return CREDENTIAL_FILES.some((c) => c.name.test(base));
}

/** A value after `=` or `:` that is a literal, not empty, a variable or a placeholder. */
function literal(value: string | undefined): boolean {
  const v = (value ?? "").trim().replace(/^["']|["']$/g, "");
  return v.length > 0 && !/^(\$|%\(|<|\{\{)/.test(v) && !/^(none|null|changeme|password|secret|token)$/i.test(v) && distinct(v) > 2;
}

/** The offset of the first match of `re` (global, one group) whose value is a literal, or undefined. */
function firstLiteral(re: RegExp, text: string, value: (v: string) => string = (v) => v): number | undefined {
  for (const m of text.matchAll(re)) if (literal(value(m[1]))) return m.index;
  return undefined;
}

/** A finding `why` at the offset, when there is one. */
const refuseAt = (why: string, at: number | undefined): Found | undefined => (at === undefined ? undefined : refuse(why, at));

/** Files whose own syntax says where the password is. */
const CREDENTIAL_FILES: ReadonlyArray<{ readonly name: RegExp; readonly find: (text: string) => Found | undefined }> = [
  {
    name: /^\.npmrc$/,
    find: (t) => refuseAt("npm registry credential", firstLiteral(/(?:^|:)(?:_authToken|_auth|_password)[ \t]*=[ \t]*(.*)$/gm, t)),
  },
  {
    // Yarn 2+ (https://yarnpkg.com/configuration/yarnrc#npmAuthToken): npmAuthToken and npmAuthIdent
    // ("user:password") at the top, under npmScopes.<scope> or npmRegistries.<url>; "${NPM_TOKEN}" reads the environment.
    name: /^\.yarnrc\.yml$/,
    find: (t) =>
      refuseAt(
        "Yarn registry credential",
        firstLiteral(/^[ \t]*["']?npmAuth(?:Token|Ident)["']?[ \t]*:[ \t]*(.*)$/gm, t, (v) => v.replace(/\s+#.*$/, "")),
      ),
  },
  {
    name: /^\.pypirc$/,
    find: (t) => refuseAt("PyPI password", firstLiteral(/^[ \t]*password[ \t]*[=:][ \t]*(.*)$/gim, t)),
  },
  {
    name: /^[._]netrc$/,
    find: (t) => refuseAt("netrc password", firstLiteral(/\bpassword\s+(\S+)/g, t)),
  },
  {
    name: /^\.git-credentials$/,
    find: (t) => refuseAt("git credentials", firstLiteral(/^[a-z][a-z0-9+.-]*:\/\/[^:/@\s]*:([^@\s]+)@/gim, t)),
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
