// The small pure rules, each with tables of good and bad values.
import {
  Architecture,
  checkLayout,
  isLaidOut,
  plainFolderPrefix,
  Runtime,
  RuntimeFamily,
  searchPaths,
  secretByContent,
  secretByName,
} from "../modules";
import { validateLayerName, validateS3Bucket, validateS3KeyPrefix } from "../modules/aws/limits";
import { Token } from "cdktf";

describe("Runtime", () => {
  test.each([
    ["python3.12", RuntimeFamily.PYTHON, "3.12"],
    ["nodejs20.x", RuntimeFamily.NODEJS, "20"],
    ["ruby3.3", RuntimeFamily.RUBY, "3.3"],
    ["java21", RuntimeFamily.JAVA, undefined],
    ["provided.al2023", RuntimeFamily.PROVIDED, undefined],
    ["dotnet8", RuntimeFamily.DOTNET, undefined],
  ])("%s is %s, version %s", (name, family, version) => {
    const r = Runtime.of(name);
    expect(r.family).toBe(family);
    expect(r.version).toBe(version);
    expect(r.sameAs(Runtime.of(name))).toBe(true);
  });

  test.each(["python2.7", "nodejs", "Python3.12", "", "go1.x"])("refuses %j", (name) => {
    expect(() => Runtime.of(name)).toThrow(/not a Lambda runtime identifier this library knows/);
  });

  test("custom() admits a runtime newer than the library", () => {
    expect(Runtime.custom("python3.15", RuntimeFamily.PYTHON).version).toBe("3.15");
  });

  test("Architecture knows the names npm and wheels use", () => {
    expect(Architecture.of("arm64")).toMatchObject({ npmCpu: "arm64", linuxMachine: "aarch64" });
    expect(Architecture.of("x86_64")).toMatchObject({ npmCpu: "x64", linuxMachine: "x86_64" });
    expect(() => Architecture.of("amd64")).toThrow(/"x86_64" or "arm64", got "amd64"/);
  });
});

describe("layout rules", () => {
  test.each([
    ["python3.12", ["python", "python/lib/python3.12/site-packages"]],
    ["nodejs22.x", ["nodejs/node_modules", "nodejs/node22/node_modules"]],
    ["ruby3.4", ["ruby/gems/3.4.0", "ruby/lib"]],
    ["java17", ["java/lib"]],
  ])("%s searches %j", (runtime, paths) => {
    expect(searchPaths(Runtime.of(runtime))).toEqual(paths);
  });

  test.each([
    [["python/a.py"], true],
    [["nodejs/node_modules/a/index.js", "README.md"], true],
    [["bin/tool"], true],
    [["bootstrap"], true],
    [["mylib/__init__.py", "setup.py"], false],
    [["index.js", "package.json"], false],
    [["site-packages/a.py"], false],
  ])("isLaidOut(%j) is %s", (rels, expected) => {
    expect(isLaidOut(rels.map((rel) => ({ rel, executable: true })))).toBe(expected);
  });

  test.each([
    [["python3.12", "python3.13"], undefined, "python/"],
    [["nodejs20.x"], "my-lib", "nodejs/node_modules/my-lib/"],
    [["ruby3.3"], undefined, "ruby/lib/"],
    [["java21"], undefined, "java/lib/"],
    [["provided.al2023"], undefined, ""],
  ])("a plain folder for %j goes under %j", (runtimes, name, prefix) => {
    expect(
      plainFolderPrefix(
        "src",
        runtimes.map((r) => Runtime.of(r)),
        { nodePackageName: name },
      ),
    ).toBe(prefix);
  });

  test("checkLayout names the runtimes' search paths when nothing loads", () => {
    expect(() => checkLayout("src", ["site-packages/x.py"], [Runtime.PYTHON_3_12])).toThrow(
      /python3.12: \/opt\/python\/, \/opt\/python\/lib\/python3.12\/site-packages\/, \/opt\/bin\/, \/opt\/lib\//,
    );
  });
});

describe("secret rules", () => {
  test.each([
    [".env", "dotenv file"],
    ["app/.env.local", "dotenv file"],
    [".env.example", undefined],
    ["id_ed25519", "SSH private key"],
    ["id_rsa.pub", undefined],
    ["home/.aws/credentials", "AWS credentials file"],
    ["store.p12", "PKCS#12 key store"],
    ["cacert.pem", undefined],
    ["environment.py", undefined],
  ])("by name: %s -> %s", (rel, why) => {
    expect(secretByName(rel)).toBe(why);
  });

  test.each([
    ["key = 'AKIAZ7VQ2X4RT6MNB3LC'", "AWS access key id"],
    ["ASIAZ7VQ2X4RT6MNB3LC", "AWS access key id"],
    ["AKIAIOSFODNN7EXAMPLE", undefined],
    ["AKIA-not-a-key", undefined],
    ["-----BEGIN EC PRIVATE KEY-----", undefined], // a header constant: no key body
    [`-----BEGIN EC PRIVATE KEY-----\n${"MHcCAQEEIBkq8Z0x3LpQv7W".repeat(4)}\n-----END EC PRIVATE KEY-----`, "private key"],
    ["-----BEGIN CERTIFICATE-----", undefined],
    ["[default]\naws_secret_access_key = x", undefined], // no 40-character value
    ["[default]\nAWS_SECRET_ACCESS_KEY = q8Jc2vR9xLm4Tz7Wb1Ns6Kd3Hf0Ya5Pe+Gu/Xo8R", "AWS secret access key"],
    ["Asia/Tokyo", undefined],
  ])("by content: %j -> %s", (text, why) => {
    expect(secretByContent(Buffer.from(text))).toBe(why);
  });
});

describe("name formats", () => {
  test.each(["a", "shared-utils", "Under_score-9", "x".repeat(140)])("layer name %j is accepted", (name) => {
    expect(() => validateLayerName(name)).not.toThrow();
  });
  test.each(["", "has space", "dot.name", "x".repeat(141), "slash/name", "ünïcode"])("layer name %j is refused", (name) => {
    expect(() => validateLayerName(name)).toThrow(/`layerName` must be 1-140 characters/);
  });
  test("a token is never validated as a literal", () => {
    expect(() => validateLayerName(Token.asString({ Ref: "x" }))).not.toThrow();
  });
  test.each([
    ["my-bucket", true],
    ["my.bucket.eu", true],
    ["ab", false],
    ["My_Bucket", false],
    ["-bucket", false],
    ["a..b", false],
  ])("bucket %j valid: %s", (bucket, ok) => {
    if (ok) expect(() => validateS3Bucket(bucket)).not.toThrow();
    else expect(() => validateS3Bucket(bucket)).toThrow(/`s3.bucket` is not a valid S3 bucket name/);
  });
  test.each([
    ["", true],
    ["layers/", true],
    ["a/b/", true],
    ["layers", false],
    ["/layers/", false],
  ])("key prefix %j valid: %s", (prefix, ok) => {
    if (ok) expect(() => validateS3KeyPrefix(prefix)).not.toThrow();
    else expect(() => validateS3KeyPrefix(prefix)).toThrow(/`s3.keyPrefix`/);
  });
});
