// What `cdktf deploy` / `cdktn deploy` printed for each stack of a multi-stack deploy.

/**
 * The CLI prefixes a chunk of a stack's output with the stack's name and indents the chunk's further
 * lines by the same width; chunks of stacks deploying at the same time interleave, and a line such as
 * "Apply complete!" may open a chunk or continue one. cdktf 0.21 and cdktn 0.24 print the same way.
 */
export function outputByStack(output: string, stacks: readonly string[]): Map<string, string> {
  const byStack = new Map<string, string>();
  let current: string | undefined;
  for (const line of output.split("\n")) {
    const opener = stacks.find((s) => line.startsWith(`${s}  `));
    if (opener) current = opener;
    else if (line.trim() !== "" && (!current || !line.startsWith(" ".repeat(current.length + 2)))) current = undefined;
    if (current) byStack.set(current, `${byStack.get(current) ?? ""}${line.slice(current.length + 2).trim()}\n`);
  }
  return byStack;
}
