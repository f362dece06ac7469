// The README's fenced code blocks, as the tests that run or compile them read them.
import * as fs from "fs";
import * as path from "path";
import { repoRoot } from "./files";

export interface ReadmeBlock {
  /** The info string after the opening fence (`ts`, `sh`, …). */
  readonly lang: string;
  /** The block's text, without its fences. */
  readonly code: string;
  /** The line of its opening fence (1-based), for messages. */
  readonly line: number;
  /** The nearest heading above it, without its #s. */
  readonly heading: string;
}

/** Every fenced block of README.md (``` fences at the start of a line), in order. */
export function readmeBlocks(readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8")): ReadmeBlock[] {
  const blocks: ReadmeBlock[] = [];
  const lines = readme.split("\n");
  let heading = "";
  for (let i = 0; i < lines.length; i++) {
    const h = /^#+\s+(.*)$/.exec(lines[i]);
    if (h) heading = h[1];
    const open = /^```(\S*)\s*$/.exec(lines[i]);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && /^```\s*$/.test(l));
    if (end < 0) throw new Error(`README.md:${i + 1}: a code block is not closed`);
    blocks.push({ lang: open[1], code: lines.slice(i + 1, end).join("\n") + "\n", line: i + 1, heading });
    i = end;
  }
  return blocks;
}

/** The one block of `lang` under `heading`; an error when there is none or more than one. */
export function readmeBlock(heading: string, lang: string): ReadmeBlock {
  const found = readmeBlocks().filter((b) => b.heading === heading && b.lang === lang);
  if (found.length !== 1) throw new Error(`README.md has ${found.length} \`${lang}\` blocks under "${heading}", expected one`);
  return found[0];
}
