// Refuses an option a function or construct does not know. TypeScript checks object literals, but
// not an options object built elsewhere, spread from another one, or passed from JavaScript: there a
// typo (`cacheDir` for buildLayerArchive's `outDir`) was silently ignored and the build went elsewhere.
import { errors } from "./errors";

/**
 * The option names of an options interface, as a value. Declared as
 * `optionNames<BuildLayerArchiveOptions>()({ source: true, … })`: the compiler requires every key of
 * the interface and no other, so the list cannot drift from the type.
 * @group Internals
 */
export function optionNames<T>(): (names: { readonly [K in keyof Required<T>]: true }) => readonly string[] {
  return (names) => Object.keys(names);
}

/**
 * @throws LayerValidationError naming the first option of `options` that is not in `known` (an own,
 *   enumerable key; an option set to `undefined` counts too), the closest known name and the list.
 * @param where what received the options, as the message names it (`buildLayerArchive`, `LambdaLayer props`)
 * @param aliases names other parts of the API use for a known option (`cacheDir` → `outDir`)
 * @group Internals
 */
export function refuseUnknownOptions(
  where: string,
  options: object,
  known: readonly string[],
  aliases: Readonly<Record<string, string>> = {},
): void {
  for (const name of Object.keys(options)) {
    if (known.includes(name)) continue;
    const suggestion = Object.prototype.hasOwnProperty.call(aliases, name) ? aliases[name] : closestName(name, known);
    throw errors.unknownOption(where, name, (options as Record<string, unknown>)[name], known, suggestion);
  }
}

/** The known name closest to `name` (case ignored), when at most 3 edits or a third of its length away. @group Internals */
export function closestName(name: string, known: readonly string[]): string | undefined {
  let best: { name: string; distance: number } | undefined;
  for (const candidate of known) {
    const distance = editDistance(name.toLowerCase(), candidate.toLowerCase());
    if (!best || distance < best.distance) best = { name: candidate, distance };
  }
  return best && best.distance <= Math.max(3, Math.floor(name.length / 3)) ? best.name : undefined;
}

/** Edit distance counting a swap of two neighbouring characters as one edit (optimal string alignment). */
function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}
