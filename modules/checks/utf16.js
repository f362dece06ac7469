// @ts-check
// How UTF-16 text is recognised (Windows editors and PowerShell write it): shared by the secret
// rules (secrets.ts) and the packing engine's pre-scan (pack-engine.js), which must agree on which
// files are UTF-16. Plain JavaScript, so that the engine's worker threads load it as it is.
"use strict";

/**
 * The byte order of UTF-16 text and where its characters start, or undefined for anything else.
 * A byte-order mark decides; without one, printable ASCII with NUL high bytes in the first 64
 * bytes (at least 16) is UTF-16.
 * @param {Uint8Array} data
 * @returns {{ little: boolean, start: number } | undefined}
 */
function utf16Layout(data) {
  if (data.length < 4) return undefined;
  if (data[0] === 0xff && data[1] === 0xfe) return { little: true, start: 2 };
  if (data[0] === 0xfe && data[1] === 0xff) return { little: false, start: 2 };
  const probe = Math.min(data.length & ~1, 64);
  if (probe < 16) return undefined;
  let le = true;
  let be = true;
  for (let i = 0; i < probe; i += 2) {
    le &&= data[i] >= 0x09 && data[i] < 0x7f && data[i + 1] === 0;
    be &&= data[i] === 0 && data[i + 1] >= 0x09 && data[i + 1] < 0x7f;
  }
  return le || be ? { little: le, start: 0 } : undefined;
}

module.exports = { utf16Layout };
