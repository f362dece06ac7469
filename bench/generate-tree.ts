// Generates a Python-like layer tree for benchmarks: deterministic (seeded), so every run and
// every machine gets the same bytes. Usage: node -r ts-node/register/transpile-only bench/generate-tree.ts <dir> [MiB] [files]
import * as fs from "fs";
import * as path from "path";

/** A small deterministic PRNG (mulberry32): the tree must be the same on every run. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = [
  "def",
  "return",
  "self",
  "import",
  "class",
  "value",
  "result",
  "config",
  "request",
  "response",
  "data",
  "items",
  "for",
  "in",
  "if",
  "else",
  "None",
  "True",
  "False",
  "raise",
  "ValueError",
  "logger",
  "json",
  "path",
  "name",
  "key",
];

/**
 * Writes `files` files totalling about `megabytes` MiB under dir/python/: mostly source-like text
 * (compresses ~4:1 like real packages) with some binary-like blobs (native extensions).
 */
export function generateTree(dir: string, megabytes = 150, files = 20_000, seed = 42): { files: number; bytes: number } {
  const random = rng(seed);
  const target = megabytes * 1024 * 1024;
  const perFile = Math.floor(target / files);
  let bytes = 0;
  for (let i = 0; i < files; i++) {
    const pkg = `pkg_${i % 97}`;
    const sub = `mod_${Math.floor(i / 97) % 23}`;
    const binary = i % 50 === 0;
    const name = binary ? `_ext_${i}.cpython-312-x86_64-linux-gnu.so` : `file_${i}.py`;
    const size = Math.max(64, Math.floor(perFile * (0.25 + random() * 1.5)));
    let content: Buffer;
    if (binary) {
      content = Buffer.alloc(size);
      for (let j = 0; j < size; j += 4) content.writeUInt32LE(((random() * 0xffffffff) >>> 0) & 0x0f0f0f0f, Math.min(j, size - 4));
    } else {
      const parts: string[] = [];
      let len = 0;
      while (len < size) {
        const line = `    ${Array.from({ length: 4 + Math.floor(random() * 8) }, () => WORDS[Math.floor(random() * WORDS.length)]).join(" ")}_${Math.floor(random() * 1000)}\n`;
        parts.push(line);
        len += line.length;
      }
      content = Buffer.from(parts.join("")).subarray(0, size);
    }
    const file = path.join(dir, "python", pkg, sub, name);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, content);
    bytes += content.length;
  }
  return { files, bytes };
}

if (require.main === module) {
  const [dir, mb, count] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: generate-tree.ts <dir> [megabytes=150] [files=20000]");
    process.exit(2);
  }
  const result = generateTree(dir, Number(mb ?? 150), Number(count ?? 20_000));
  console.log(`wrote ${result.files} files, ${(result.bytes / 1024 / 1024).toFixed(1)} MiB under ${dir}`);
}
