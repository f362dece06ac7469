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

describe("compressAll failures and stored members", () => {
  const text = Array.from({ length: 40 }, (_, i) => Buffer.from(`row ${i} of a module\n`.repeat(10_000)));

  test("fails with the worker's own error instead of waiting forever (issue 10 item 12)", () => {
    // zlib refuses level 42 inside the worker threads; before the fix the caller slept on the counter forever.
    expect(() => compressAll(text, 2, 42)).toThrow(/compressing on a worker thread failed: RangeError.*level/s);
  });

  test("a name that says compressed has the sample decide: noise is stored, text is still deflated, on one thread and on two", () => {
    const hinted = [...text, ...Array.from({ length: 10 }, () => crypto.randomBytes(100_000))];
    for (const threads of [1, 2]) {
      const got = compressAll(hinted, threads, 6, () => true);
      got.forEach((g, i) => {
        const expected = compressEntry(hinted[i], 6, true);
        expect([g.method, g.crc32, g.size]).toEqual([i < text.length ? 8 : 0, expected.crc32, hinted[i].length]);
        expect(g.compressed.equals(expected.compressed)).toBe(true);
      });
    }
  });

  test("stores a large entry whose sample does not shrink, whatever its name, the same on every thread count", () => {
    const noise = Buffer.concat([crypto.randomBytes(300_000), Buffer.alloc(200_000, 0x61)]);
    const contents = [...text, noise];
    const expected = compressEntry(noise);
    expect(expected.method).toBe(0);
    for (const threads of [1, 2]) {
      const got = compressAll(contents, threads)[contents.length - 1];
      expect([got.method, got.crc32, got.size]).toEqual([0, expected.crc32, noise.length]);
      expect(got.compressed.equals(noise)).toBe(true);
    }
  });
});

describe("compressAll over inputs it may consume", () => {
  test("deflating in place over one shared buffer gives the same entries as compressing one by one", () => {
    const parts = Array.from({ length: 60 }, (_, i) =>
      i % 4 === 0 ? crypto.randomBytes(30_000) : Buffer.from(`item ${i}\n`.repeat(9_000)),
    );
    const expected = parts.map((p) => compressEntry(p));
    const shared = Buffer.from(new SharedArrayBuffer(parts.reduce((s, p) => s + p.length, 0)));
    let at = 0;
    const views = parts.map((p) => {
      p.copy(shared, at);
      at += p.length;
      return shared.subarray(at - p.length, at);
    });
    const got = compressAll(views, 2, 6, () => false, true);
    got.forEach((g, i) => {
      expect([g.method, g.crc32, g.size]).toEqual([expected[i].method, expected[i].crc32, expected[i].size]);
      expect(g.compressed.equals(expected[i].compressed)).toBe(true);
    });
  });
});
