// The secret rules: real values (generated per run in their issuers' shapes) are refused, the
// frames around them in SDKs and documentation are not, and thin evidence is a warning.
import * as fs from "fs";
import { buildLayerArchive } from "../modules";
import { secretByContent, secretByName, secretFindings } from "../modules/checks/secrets";
import { settle, tempDir, tree } from "./helpers/files";
import {
  awsKeyPair,
  base62,
  dockerConfig,
  openSshPrivateKey,
  pgpPrivateKey,
  puttyKey,
  randomOf,
  rsaPrivateKeyPem,
  slackRotatingTokens,
} from "./helpers/secrets";

const aws = awsKeyPair();
const slack = slackRotatingTokens();
/** JSON as PHP's json_encode writes it by default: every "/" escaped as "\/". */
const phpJson = (value: unknown) => JSON.stringify(value).replace(/\//g, "\\/");
/** A real key's PEM body with AWS's documentation marker written over part of it, as the AWS CLI's examples do. */
const exampleKey = (at: number) => {
  const pem = rsaPrivateKeyPem();
  const start = pem.indexOf("\n") + 1 + at;
  return pem.slice(0, start) + "EXAMPLE" + pem.slice(start + 7);
};
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
    ["private key with \\/ and \\n escapes in JSON (PHP's json_encode)", "key.json", phpJson({ key: rsaPrivateKeyPem() }), "private key"],
    ["Slack expiring access token (xoxe.xoxp-1-…)", "manifest.py", `CONFIG_TOKEN = "${slack.access}"\n`, "Slack expiring access token"],
    [
      "Slack expiring bot token (xoxe.xoxb-1-…)",
      "bot.py",
      `TOKEN = "${slack.access.replace("xoxp", "xoxb")}"\n`,
      "Slack expiring access token",
    ],
    ["Slack refresh token (xoxe-1-…)", "tokens.json", `{"refresh_token": "${slack.refresh}"}`, "Slack refresh token"],
    [
      ".yarnrc.yml npmAuthToken",
      ".yarnrc.yml",
      `npmRegistryServer: "https://npm.pkg.github.com"\nnpmAuthToken: "${base62(40)}"\n`,
      "Yarn registry credential",
    ],
    [
      ".yarnrc.yml npmAuthToken of a scope",
      ".yarnrc.yml",
      `npmScopes:\n  acme:\n    npmRegistryServer: "https://npm.acme.dev"\n    npmAuthToken: ${base62(40)} # CI\n`,
      "Yarn registry credential",
    ],
    [".yarnrc.yml npmAuthIdent", ".yarnrc.yml", `npmAuthIdent: "deploy:${base62(20)}"\n`, "Yarn registry credential"],
    [
      "Docker config.json auth",
      "config.json",
      dockerConfig("ci-bot", base62(24)),
      "Docker registry credential (auth is base64 of user:password)",
    ],
    [
      "Docker config.json identity token",
      "config.json",
      JSON.stringify({ auths: { "myregistry.azurecr.io": { auth: "", identitytoken: base62(120) } } }),
      "Docker registry identity token",
    ],
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
    [
      "a presigned URL's credential scope (awscli examples/ecr/get-download-url-for-layer.rst)",
      "get-download-url-for-layer.rst",
      `"downloadUrl": "https://bucket.s3.us-west-2.amazonaws.com/x?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${aws.id}%2F20190814%2Fus-west-2%2Fs3%2Faws4_request&X-Amz-Expires=3600"\n`,
    ],
    [
      "a SigV4 Authorization header's credential",
      "trace.txt",
      `Authorization: AWS4-HMAC-SHA256 Credential=${aws.id}/20260101/eu-west-1/lambda/aws4_request, SignedHeaders=host\n`,
    ],
    [
      "a key whose body starts with EXAMPLE (awscli examples/lightsail/get-instance-access-details.rst)",
      "get-instance-access-details.rst",
      JSON.stringify({ privateKey: exampleKey(0) }),
    ],
    ["a key marked EXAMPLE inside its body (awscli examples/iot/create-provisioning-claim.rst)", "claim.rst", exampleKey(400)],
    [
      "a key block whose body is left out in words (awscli examples/iot/create-keys-and-certificate.rst)",
      "create-keys-and-certificate.rst",
      '"PrivateKey": "-----BEGIN RSA PRIVATE KEY-----\\nkey omittted for security reasons\\n-----END RSA PRIVATE KEY-----\\n"',
    ],
    [
      "Slack's documented token shapes",
      "tooling.md",
      '{"token": "xoxe.xoxp-...", "refresh_token": "xoxe-..."}\nrefresh_token: xoxe-1-abcdefg\n',
    ],
    ["a xoxe- value too short for a refresh token", "ids.txt", `xoxe-1-${base62(40)}\n`],
    [".yarnrc.yml reading the token from the environment", ".yarnrc.yml", 'npmAlwaysAuth: true\nnpmAuthToken: "${NPM_TOKEN}"\n'],
    [".yarnrc.yml with an empty token", ".yarnrc.yml", 'npmAuthToken: ""\nnpmRegistryServer: "https://registry.yarnpkg.com"\n'],
    [
      "Docker config.json with a credential helper (empty auths)",
      "config.json",
      '{\n\t"auths": {\n\t\t"https://index.docker.io/v1/": {}\n\t},\n\t"credsStore": "desktop"\n}\n',
    ],
    [
      "Docker config.json with empty and placeholder auth",
      "config.json",
      '{"auths": {"a.io": {"auth": ""}, "b.io": {"auth": "<base64 user:password>"}}}',
    ],
    ["Docker's documented username:password", "docker.md", dockerConfig("username", "password")],
  ])("%s", (_name, rel, content) => {
    expect(secretFindings(Buffer.from(content), rel)).toEqual([]);
  });
});

describe("warned: plausible value, thin evidence", () => {
  test("a 40-character value that is not random is a warning, not a refusal", () => {
    const content = "aws_secret_access_key = abcdefghijklmnopqrstuvwxyzabcdefghijklmn\n";
    expect(secretFindings(Buffer.from(content))).toEqual([
      { severity: "warn", why: expect.stringContaining("not random-looking"), line: 1 },
    ]);
    expect(secretByContent(Buffer.from(content))).toBeUndefined();
  });

  test("a private key block with a body too short for a key is a warning", () => {
    const content = "-----BEGIN RSA PRIVATE KEY-----\nMIIBOgIBAAJBAKj34GkxFhD9\n-----END RSA PRIVATE KEY-----\n";
    expect(secretFindings(Buffer.from(content))).toEqual([
      { severity: "warn", why: "private key block with a body too short to be a key", line: 1 },
    ]);
  });
});

describe("where: each finding names its line", () => {
  test.each<[string, string, string | Buffer, number]>([
    ["an access key id on line 3", "settings.py", `import os\n\nKEY = "${aws.id}"\n`, 3],
    ["a private key block starting on line 2", "key.pem", `# deploy key\n${rsaPrivateKeyPem()}`, 2],
    ["a .yarnrc.yml token on line 4", ".yarnrc.yml", `npmScopes:\n  acme:\n    npmAlwaysAuth: true\n    npmAuthToken: ${base62(40)}\n`, 4],
    ["a Docker auth on line 4 of the indented config", "config.json", dockerConfig("ci-bot", base62(24)), 4],
    ["a UTF-16 file's line", "notes.txt", utf16(`first\r\nsecond\r\naws_secret_access_key = ${aws.secret}\r\n`), 3],
  ])("%s", (_name, rel, content, line) => {
    expect(secretFindings(Buffer.from(content), rel)).toEqual([expect.objectContaining({ severity: "refuse", line })]);
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
      /python\/conf\/settings\.py:1 \(AWS secret access key\)/,
    );
    expect(fs.readdirSync(cache).filter((d) => d === "archives" || d === "index")).toEqual([]);

    const thin = tree({ "python/app.py": "aws_secret_access_key = 'abcdefghijklmnopqrstuvwxyzabcdefghijklmn'\n" });
    settle();
    const built = buildLayerArchive({ source: thin, compatibleRuntimes: ["python3.12"], outDir: cache });
    expect(built.warnings).toEqual([expect.stringMatching(/^python\/app\.py:1 may hold a secret .*allowSecrets/)]);
    // The warning survives a metadata hit, which skips the content scan.
    const again = buildLayerArchive({ source: thin, compatibleRuntimes: ["python3.12"], outDir: cache });
    expect(again.cache).toBe("metadata-hit");
    expect(again.warnings).toEqual(built.warnings);
  });
});

describe("in a build: the secrets issue 21 found passing", () => {
  test("each is refused, the message naming file, line and rule; the near-misses beside them build", () => {
    const files = {
      "python/app.py": "",
      "python/keys/signing.json": `{\n  "kid": "1",\n  "pem": ${phpJson(rsaPrivateKeyPem())}\n}\n`,
      "python/slack_settings.py": `# rotated by the manifest job\nCONFIG_TOKEN = "${slack.access}"\nREFRESH = "${slack.refresh}"\n`,
      "nodejs/.yarnrc.yml": `nodeLinker: node-modules\nnpmAuthToken: ${base62(40)}\n`,
      "bin/.docker/config.json": dockerConfig("deploy", base62(24)),
    };
    const options = { compatibleRuntimes: ["python3.12", "nodejs20.x"], outDir: tempDir("cache-") };
    let message = "";
    try {
      buildLayerArchive({ source: tree(files), ...options });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain(
      "contains files that look like secrets: bin/.docker/config.json:4 (Docker registry credential (auth is base64 of user:password)); " +
        "nodejs/.yarnrc.yml:2 (Yarn registry credential); python/keys/signing.json:3 (private key); python/slack_settings.py:2 (Slack expiring access token)",
    );

    const nearMisses = {
      "python/app.py": "",
      "python/keys/signing.json": phpJson({ pem: "-----BEGIN RSA PRIVATE KEY-----\n...\n-----END RSA PRIVATE KEY-----\n" }),
      "python/slack_settings.py": 'CONFIG_TOKEN = os.environ["SLACK_CONFIG_TOKEN"]  # xoxe.xoxp-1-...\n',
      "nodejs/.yarnrc.yml": 'npmAuthToken: "${NPM_AUTH_TOKEN}"\n',
      "bin/.docker/config.json": '{"auths": {"ghcr.io": {}}, "credsStore": "pass"}\n',
    };
    const built = buildLayerArchive({ source: tree(nearMisses), ...options });
    expect(built.warnings.filter((w) => w.includes("secret"))).toEqual([]);
    expect(built.entries).toEqual(expect.arrayContaining(["nodejs/.yarnrc.yml", "bin/.docker/config.json"]));
  });
});
