// Rules for files that look like secrets. A layer is readable by every account it is shared
// with, so a leaked key in a layer is a leaked key everywhere.
import * as path from "path";

/** Why a file looks like a secret judging by its name alone, or undefined. @group Internals */
export function secretByName(relPath: string): string | undefined {
  const base = path.posix.basename(relPath);
  if (base === ".env" || (/^\.env\./.test(base) && !/\.(example|sample|template|dist)$/.test(base))) return "dotenv file";
  if (/^id_(rsa|dsa|ecdsa|ed25519)(?!.*\.pub$)/.test(base)) return "SSH private key";
  if (/(^|\/)\.aws\/(credentials|config)$/.test(relPath)) return "AWS credentials file";
  if (/\.(p12|pfx)$/i.test(base)) return "PKCS#12 key store";
  return undefined;
}

const ACCESS_KEY_ID = /\b(AKIA|ASIA)[A-Z2-7]{16}\b/g;
const PRIVATE_KEY = /-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----/;
const SECRET_ACCESS_KEY = /aws_secret_access_key\s*=/i;

/**
 * Why a file looks like a secret judging by its content, or undefined. Certificates (public,
 * as in certifi's cacert.pem) pass; private keys, AWS access key ids and credential files do not.
 * AWS's documented example keys (ending in EXAMPLE) pass.
 * @group Internals
 */
export function secretByContent(data: Buffer): string | undefined {
  // Cheap native scans first: nearly every file fails all three and costs no regex.
  if (data.includes("PRIVATE KEY-----") && PRIVATE_KEY.test(data.toString("latin1"))) return "private key";
  if (data.includes("AKIA") || data.includes("ASIA")) {
    const ids = data.toString("latin1").match(ACCESS_KEY_ID) ?? [];
    if (ids.some((id) => !id.endsWith("EXAMPLE"))) return "AWS access key id";
  }
  if (data.includes("ws_secret_access_key") && SECRET_ACCESS_KEY.test(data.toString("latin1"))) return "AWS secret access key";
  return undefined;
}
