import * as crypto from "crypto";
import { compressAll } from "../modules/parallel-deflate";
import { compressEntry } from "../modules/zip-writer";

describe("compressAll", () => {
  // Above the threshold that starts worker threads: text that deflates, random bytes that do not, empties.
  const contents = Array.from({ length: 300 }, (_, i) => {
    if (i % 7 === 0) return i % 2 ? undefined : Buffer.alloc(0);
    if (i % 5 === 0) return crypto.randomBytes(20_000 + i);
    return Buffer.from(`line ${i} of a python module\n`.repeat(1_000 + i * 3));
  });

  test("gives exactly what compressing one by one gives, in input order, on 1, 2 and 3 threads", () => {
    const expected = contents.map((c) => compressEntry(c));
    for (const threads of [1, 2, 3]) {
      const got = compressAll(contents, threads);
      expect(got).toHaveLength(contents.length);
      got.forEach((g, i) => {
        expect(g.crc32).toBe(expected[i].crc32);
        expect(g.method).toBe(expected[i].method);
        expect(g.size).toBe(expected[i].size);
        expect(g.compressed.equals(expected[i].compressed)).toBe(true);
      });
    }
  });

  test("stores what deflate cannot shrink", () => {
    const random = crypto.randomBytes(5 * 1024 * 1024);
    const [r] = compressAll([random], 2);
    expect(r.method).toBe(0);
    expect(r.compressed.equals(random)).toBe(true);
  });
});
