// The identity Terraform sees is the content's, not the compressor's: another deflate (level, or
// zlib build) gives other zip bytes and the very same synthesized Terraform.
import { spawnSync } from "child_process";
import * as crypto from "crypto";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive, contentIdentity, deflateLevel, LayerValidationError } from "../modules";
import { repoRoot, tempDir, tree, unzipTo } from "./helpers/files";

/** Every file under `dir`, relative path -> bytes. */
function filesUnder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const abs = path.join(entry.parentPath, entry.name);
    out.set(path.relative(dir, abs), fs.readFileSync(abs));
  }
  return out;
}

function withDeflateLevel<T>(level: string, fn: () => T): T {
  const old = process.env.CDKTF_LAYERS_DEFLATE_LEVEL;
  process.env.CDKTF_LAYERS_DEFLATE_LEVEL = level;
  try {
    return fn();
  } finally {
    if (old === undefined) delete process.env.CDKTF_LAYERS_DEFLATE_LEVEL;
    else process.env.CDKTF_LAYERS_DEFLATE_LEVEL = old;
  }
}

describe("content identity", () => {
  test("another deflate level: other zip bytes, the same content identity, the same files inside", () => {
    const src = tree({
      "python/pkg/__init__.py": "X = 1\n".repeat(2000),
      "python/pkg/data.txt": "abc ".repeat(5000),
      "bin/tool": "#!/bin/sh\n",
    });
    fs.chmodSync(path.join(src, "bin/tool"), 0o755);
    const fast = withDeflateLevel("1", () =>
      buildLayerArchive({ source: src, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-") }),
    );
    const small = withDeflateLevel("9", () =>
      buildLayerArchive({ source: src, compatibleRuntimes: ["python3.12"], outDir: tempDir("cache-") }),
    );
    expect(small.zipSha256).not.toBe(fast.zipSha256);
    expect(fs.readFileSync(small.path).equals(fs.readFileSync(fast.path))).toBe(false);
    expect(small.contentSha256).toBe(fast.contentSha256);
    expect(small.contentBase64Sha256).toBe(fast.contentBase64Sha256);
    expect(path.basename(small.path)).toBe(path.basename(fast.path));
    const [a, b] = [unzipTo(fast.path), unzipTo(small.path)];
    expect(filesUnder(b)).toEqual(filesUnder(a));
  });

  test("the identity is the documented canonical encoding: names in byte order, octal mode, size, each file's SHA-256", () => {
    const contents = [Buffer.from("A = 1\n"), Buffer.from("B\n")];
    const sha = (b: Buffer) => crypto.createHash("sha256").update(b).digest("hex");
    const files = [
      { name: "python/a.py", mode: 0o644, size: 6, sha256: sha(contents[0]) },
      { name: "python/b.py", mode: 0o755, size: 2, sha256: sha(contents[1]) },
    ];
    const expected = crypto
      .createHash("sha256")
      .update("cdktf-lambda-layers content v2\0")
      .update(`python/a.py\x00644\x006\x00${sha(contents[0])}\n`)
      .update(`python/b.py\x00755\x002\x00${sha(contents[1])}\n`)
      .digest("hex");
    expect(contentIdentity(files)).toBe(expected);
    // A mode is part of the content: an executable bit flipped is another layer.
    expect(contentIdentity([files[0], { ...files[1], mode: 0o644 }])).not.toBe(expected);
    // And the identity a build reports is this one, over the files it archived.
    const source = tempDir();
    fs.mkdirSync(path.join(source, "python"));
    fs.writeFileSync(path.join(source, "python", "a.py"), contents[0]);
    fs.writeFileSync(path.join(source, "python", "b.py"), contents[1], { mode: 0o755 });
    const built = buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir: tempDir() });
    expect(built.contentSha256).toBe(expected);
  });

  test("a bad CDKTF_LAYERS_DEFLATE_LEVEL is refused with the variable, the value and the fix", () => {
    expect(() => deflateLevel({ CDKTF_LAYERS_DEFLATE_LEVEL: "fast" })).toThrow(LayerValidationError);
    expect(() => deflateLevel({ CDKTF_LAYERS_DEFLATE_LEVEL: "10" })).toThrow(
      /^`CDKTF_LAYERS_DEFLATE_LEVEL` must be an integer from 0 \(store\) to 9 \(smallest\), got "10"\. Fix: unset it/,
    );
    expect(deflateLevel({})).toBe(6);
    expect(deflateLevel({ CDKTF_LAYERS_DEFLATE_LEVEL: "1" })).toBe(1);
  });

  test("the example app synthesized with deflate level 6 and level 1: byte-identical Terraform, other zips", () => {
    const outdir = path.join(tempDir("identity-"), "cdktf.out");
    const synth = (level: string) => {
      fs.rmSync(outdir, { recursive: true, force: true });
      const r = spawnSync("node", ["--require", "ts-node/register/transpile-only", "main.ts"], {
        cwd: repoRoot,
        encoding: "utf8",
        env: {
          ...process.env,
          CDKTF_OUTDIR: outdir,
          CDKTF_LAYERS_CACHE_DIR: tempDir("cache-"),
          CDKTF_LAYERS_DEFLATE_LEVEL: level,
          CDKTF_LAYERS_QUIET: "1",
        },
      });
      if (r.status !== 0) throw new Error(`synth failed:\n${r.stdout}\n${r.stderr}`);
      return filesUnder(outdir);
    };
    const six = synth("6");
    const one = synth("1");
    expect([...one.keys()].sort()).toEqual([...six.keys()].sort());
    const zips = [...six.keys()].filter((f) => f.endsWith(".zip"));
    const terraform = [...six.keys()].filter((f) => !f.endsWith(".zip"));
    expect(zips.length).toBeGreaterThanOrEqual(5);
    expect(terraform.filter((f) => f.endsWith("cdk.tf.json")).length).toBe(6);
    for (const f of terraform) expect({ f, same: one.get(f)!.equals(six.get(f)!) }).toEqual({ f, same: true });
    // The zips did differ: the test would catch a hash of the compressed bytes.
    expect(zips.some((f) => !one.get(f)!.equals(six.get(f)!))).toBe(true);
  });
});
