// The synth benchmark compares like with like: the hand-written program and the library must write
// the same Terraform. Construct paths, logical ids and asset folder names differ by design; every
// resource, property, output, provider and asset must match once those are set aside.
import * as fs from "fs";
import * as path from "path";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A stack's JSON with names set aside: no "//" metadata, references and asset paths without the names. */
function normalise(value: Json): Json {
  if (typeof value === "string")
    return value.replace(/\$\{([a-z0-9_]+)\.[A-Za-z0-9_-]+\./g, "${$1.<name>.").replace(/^assets\/[^/]+\//, "assets/<name>/");
  if (Array.isArray(value)) return value.map(normalise);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value)
        .filter(([key]) => key !== "//")
        .map(([key, v]) => [key, normalise(v)]),
    );
  return value;
}

/** Each block kind as sorted normalised bodies (resources and data sources lose their names, outputs keep theirs). */
function shape(config: Record<string, Json>): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (const [kind, blocks] of Object.entries(config)) {
    if (kind === "//") continue;
    if (kind === "terraform") {
      const { backend: _backend, ...rest } = blocks as Record<string, Json>; // its state file is named after the stack
      result[kind] = [JSON.stringify(normalise(rest))];
    } else if (kind === "resource" || kind === "data") {
      for (const [type, byName] of Object.entries(blocks as Record<string, Record<string, Json>>))
        result[`${kind}.${type}`] = Object.values(byName)
          .map((body) => JSON.stringify(normalise(body)))
          .sort();
    } else result[kind] = [JSON.stringify(normalise(blocks))];
  }
  return result;
}

function assetFiles(stackDir: string): string[] {
  const assets = path.join(stackDir, "assets");
  if (!fs.existsSync(assets)) return [];
  return fs
    .readdirSync(assets, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${path.basename(e.parentPath)}/${e.name}:${fs.statSync(path.join(e.parentPath, e.name)).size}`)
    .sort();
}

/**
 * @throws Error naming the first block kind whose count or content differs between the two stack folders.
 */
export function assertSameTerraform(a: { label: string; stackDir: string }, b: { label: string; stackDir: string }): void {
  const read = (dir: string) => shape(JSON.parse(fs.readFileSync(path.join(dir, "cdk.tf.json"), "utf8")));
  const [x, y] = [read(a.stackDir), read(b.stackDir)];
  for (const kind of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
    const [xs, ys] = [x[kind] ?? [], y[kind] ?? []];
    if (xs.length !== ys.length) throw new Error(`synth bench: ${a.label} writes ${xs.length} ${kind}, ${b.label} ${ys.length}`);
    const i = xs.findIndex((body, j) => body !== ys[j]);
    if (i !== -1) throw new Error(`synth bench: ${kind} differs:\n  ${a.label}: ${xs[i]}\n  ${b.label}: ${ys[i]}`);
  }
  const [ax, ay] = [assetFiles(a.stackDir), assetFiles(b.stackDir)];
  if (ax.join("\n") !== ay.join("\n"))
    throw new Error(`synth bench: asset files differ: ${a.label} ${ax.length} (${ax[0]}), ${b.label} ${ay.length} (${ay[0]})`);
}
