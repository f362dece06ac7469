// Realistic secret values, generated per run (never committed): the shapes their issuers use.
import * as crypto from "crypto";

const BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

/** `n` random characters of `alphabet`. */
export function randomOf(alphabet: string, n: number): string {
  const bytes = crypto.randomBytes(n);
  // Every value must show the mixed case and digits a generator gives; retry the rare one that does not.
  const value = Array.from(bytes, (b) => alphabet[b % alphabet.length]).join("");
  return /[a-z]/.test(value) === /[a-z]/.test(alphabet) &&
    /[A-Z]/.test(value) === /[A-Z]/.test(alphabet) &&
    /\d/.test(value) === /\d/.test(alphabet)
    ? value
    : randomOf(alphabet, n);
}

export const base62 = (n: number) => randomOf(BASE62, n);

/** An AWS access key pair as IAM issues it: AKIA + 16 of [A-Z2-7], and 40 of [A-Za-z0-9/+]. */
export function awsKeyPair(): { id: string; secret: string } {
  return { id: `AKIA${randomOf("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 16)}`, secret: randomOf(`${BASE62}/+`, 40) };
}

/** A real RSA private key in PKCS#1 PEM. */
export function rsaPrivateKeyPem(): string {
  return crypto.generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey.export({ type: "pkcs1", format: "pem" }).toString();
}

/** A real Ed25519 private key in OpenSSH's own PEM-like armour (body generated, as ssh-keygen writes it: the format's magic, then key data). */
export function openSshPrivateKey(): string {
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), crypto.randomBytes(300)]).toString("base64");
  const lines = body.match(/.{1,70}/g)!.join("\n");
  return `-----BEGIN OPENSSH PRIVATE KEY-----\n${lines}\n-----END OPENSSH PRIVATE KEY-----\n`;
}

/** An ASCII-armoured PGP private key block, as `gpg --export-secret-keys --armor` writes it. */
export function pgpPrivateKey(): string {
  const body = crypto
    .randomBytes(900)
    .toString("base64")
    .match(/.{1,64}/g)!
    .join("\n");
  return `-----BEGIN PGP PRIVATE KEY BLOCK-----\n\n${body}\n=${crypto.randomBytes(3).toString("base64")}\n-----END PGP PRIVATE KEY BLOCK-----\n`;
}

/** A PuTTY .ppk (version 3) private key file. */
export function puttyKey(): string {
  const b64 = (n: number) =>
    crypto
      .randomBytes(n)
      .toString("base64")
      .match(/.{1,64}/g)!;
  const pub = b64(51);
  const priv = b64(48);
  return [
    "PuTTY-User-Key-File-3: ssh-ed25519",
    "Encryption: none",
    "Comment: ed25519-key-20260101",
    `Public-Lines: ${pub.length}`,
    ...pub,
    `Private-Lines: ${priv.length}`,
    ...priv,
    `Private-MAC: ${crypto.randomBytes(32).toString("hex")}`,
    "",
  ].join("\n");
}

/** Slack's rotating tokens (token rotation, app configuration tokens): an expiring access token and its refresh token. */
export function slackRotatingTokens(): { access: string; refresh: string } {
  return { access: `xoxe.xoxp-1-${base62(164)}`, refresh: `xoxe-1-${base62(146)}` };
}

/** A Docker client's config.json after `docker login`: "auth" is base64 of user:password. */
export function dockerConfig(user: string, password: string): string {
  const auth = Buffer.from(`${user}:${password}`).toString("base64");
  return JSON.stringify({ auths: { "https://index.docker.io/v1/": { auth }, "ghcr.io": {} } }, null, "\t") + "\n";
}
