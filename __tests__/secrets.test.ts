// The secret rules: real values (generated per run in their issuers' shapes) are refused, the
// frames around them in SDKs and documentation are not, and thin evidence is a warning.
import * as fs from "fs";
import { buildLayerArchive } from "../modules";
import { secretByContent, secretByName, secretFindings } from "../modules/secrets";
import { settle, tempDir, tree } from "./helpers/files";
import { awsKeyPair, base62, openSshPrivateKey, pgpPrivateKey, puttyKey, randomOf, rsaPrivateKeyPem } from "./helpers/secrets";

const aws = awsKeyPair();
const utf16 = (text: string, bom = true) =>
  Buffer.concat([bom ? Buffer.from([0xff, 0xfe]) : Buffer.alloc(0), Buffer.from(text, "utf16le")]);

describe("refused: a real value in its issuer's shape", () => {
  test.each<[string, string, string | Buffer, string]>([
    ["AWS access key id", "settings.py", `KEY = '${aws.id}'\n`, "AWS access key id"],
    ["secret key, ini", "conf.ini", `[default]\naws_secret_access_key = ${aws.secret}\n`, "AWS secret access key"],
    ["secret key, upper-case shell", "deploy.sh", `export AWS_SECRET_ACCESS_KEY="${aws.secret}"\n`, "AWS secret access key"],
    ["secret key, upper-case python", "settings.py", `AWS_SECRET_ACCESS_KEY = '${aws.secret}'\n`, "AWS secret access key"],
    ["secret key, YAML", "config.yml", `aws:\n  aws_secret_access_key: ${aws.secret}\n`, "AWS secret access key"],
    ["secret key, JSON", "creds.json", `{"AccessKeyId": "x", "SecretAccessKey": "${aws.secret}"}`, "AWS secret access key"],
    ["secret key, camelCase JSON", "config.json", `{ "secretAccessKey" : "${aws.secret}" }`, "AWS secret access key"],
    ["RSA private key (PEM)", "server.pem", rsaPrivateKeyPem(), "private key"],
    ["OpenSSH private key", "deploy_key", openSshPrivateKey(), "private key"],
    ["private key with \\n escapes in JSON", "sa.json", JSON.stringify({ private_key: rsaPrivateKeyPem() }), "private key"],
    ["PGP private key block", "key.asc", pgpPrivateKey(), "PGP private key"],
    ["PuTTY private key", "key.txt", puttyKey(), "PuTTY private key"],
    ["GitHub classic token", "ci.py", `TOKEN = "ghp_${base62(36)}"\n`, "GitHub token"],
    ["GitHub fine-grained token", "ci.py", `TOKEN = "github_pat_${base62(22)}_${base62(59)}"\n`, "GitHub fine-grained token"],
    ["npm token", "publish.js", `const t = "npm_${base62(36)}";\n`, "npm access token"],
    [
      "Slack bot token",
      "bot.py",
      `SLACK = "xoxb-${randomOf("0123456789", 12)}-${randomOf("0123456789", 13)}-${base62(24)}"\n`,
      "Slack token",
    ],
    [
      "Slack webhook",
      "notify.py",
      `URL = "https://hooks.slack.com/services/T${randomOf("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8)}/B${randomOf("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", 8)}/${base62(24)}"\n`,
      "Slack webhook URL",
    ],
    [".npmrc _authToken", ".npmrc", `//registry.npmjs.org/:_authToken=${base62(36)}\n`, "npm registry credential"],
    [".pypirc password", ".pypirc", `[pypi]\nusername = __token__\npassword = pypi-${base62(60)}\n`, "PyPI password"],
    [".netrc password", ".netrc", `machine api.example.com login me password ${base62(20)}\n`, "netrc password"],
    [".git-credentials", ".git-credentials", `https://me:${base62(30)}@github.com\n`, "git credentials"],
    ["UTF-16 with a byte-order mark", "notes.txt", utf16(`aws_secret_access_key = ${aws.secret}\r\n`), "AWS secret access key"],
    ["UTF-16 without a byte-order mark", "notes.txt", utf16(`AWS_SECRET_ACCESS_KEY=${aws.secret}\r\n`, false), "AWS secret access key"],
  ])("%s", (_name, rel, content, why) => {
    expect(secretByContent(Buffer.from(content), rel)).toBe(why);
  });
});

describe("passed: frames, names and placeholders without a real value", () => {
  test.each<[string, string, string]>([
    ["an SDK parameter defaulting to None (boto3/session.py)", "boto3/session.py", "def client(self, aws_secret_access_key=None,\n"],
    ["an assignment from a variable (botocore/credentials.py)", "credentials.py", "aws_secret_access_key = self._secret_key\n"],
    [
      "AWS's documented example keys",
      "docs.rst",
      "AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n",
    ],
    [
      "a documentation placeholder between BEGIN and END (botocore iam examples)",
      "examples-1.json",
      '"-----BEGIN DSA PRIVATE KEY-----<a very long private key string>-----END DSA PRIVATE KEY-----"',
    ],
    [
      "a PEM header constant (cryptography ssh.py)",
      "ssh.py",
      '_SK_START = b"-----BEGIN OPENSSH PRIVATE KEY-----"\n_SK_END = b"-----END OPENSSH PRIVATE KEY-----"\n',
    ],
    ["a public certificate", "cacert.pem", "-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----\n"],
    ["a placeholder token", "README.md", "export GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"],
    ["a templated secret key", "template.yml", "aws_secret_access_key: ${AWS_SECRET_ACCESS_KEY}\n"],
    [".npmrc reading the token from the environment", ".npmrc", "//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n"],
    [".git-credentials without a password", ".git-credentials", "https://github.com\n"],
    ["a time zone that starts like a key id", "tz.py", "Asia/Tokyo\n"],
  ])("%s", (_name, rel, content) => {
    expect(secretFindings(Buffer.from(content), rel)).toEqual([]);
  });
});

describe("warned: plausible value, thin evidence", () => {
  test("a 40-character value that is not random is a warning, not a refusal", () => {
    const content = "aws_secret_access_key = abcdefghijklmnopqrstuvwxyzabcdefghijklmn\n";
    expect(secretFindings(Buffer.from(content))).toEqual([{ severity: "warn", why: expect.stringContaining("not random-looking") }]);
    expect(secretByContent(Buffer.from(content))).toBeUndefined();
  });

  test("a private key block with a body too short for a key is a warning", () => {
    const content = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\n";
    expect(secretFindings(Buffer.from(content))).toEqual([
      { severity: "warn", why: "private key block with a body too short to be a key" },
    ]);
  });
});

describe("names, judged whole", () => {
  test.each([
    ["keys/id_rsa", "SSH private key"],
    ["id_ed25519", "SSH private key"],
    ["id_ecdsa_sk", "SSH private key"],
    ["python/sshkeys/id_rsa.py", undefined],
    ["id_rsa.pub", undefined],
    ["docs/id_rsa_example.txt", undefined],
    ["key.ppk", "PuTTY private key"],
    [".env.production", "dotenv file"],
  ])("%s -> %s", (rel, why) => {
    expect(secretByName(rel)).toBe(why);
  });
});

describe("in a build", () => {
  test("a real key is refused with its file, nothing written; thin evidence builds with a warning", () => {
    const cache = tempDir("cache-");
    const source = tree({ "python/app.py": "", "python/conf/settings.py": `AWS_SECRET_ACCESS_KEY = "${aws.secret}"\n` });
    expect(() => buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: cache })).toThrow(
      /python\/conf\/settings\.py \(AWS secret access key\)/,
    );
    expect(fs.readdirSync(cache).filter((d) => d === "archives" || d === "index")).toEqual([]);

    const thin = tree({ "python/app.py": "aws_secret_access_key = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'\n" });
    settle();
    const built = buildLayerArchive({ source: thin, compatibleRuntimes: ["python3.12"], outDir: cache });
    expect(built.warnings).toEqual([expect.stringMatching(/^python\/app\.py may hold a secret .*allowSecrets/)]);
    // The warning survives a metadata hit, which skips the content scan.
    const again = buildLayerArchive({ source: thin, compatibleRuntimes: ["python3.12"], outDir: cache });
    expect(again.cache).toBe("metadata-hit");
    expect(again.warnings).toEqual(built.warnings);
  });
});
