import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as zlib from "zlib";
import { writeZip as writeZipFile, ZipEntry } from "../modules/packaging/zip-writer";
import { tempDir } from "./helpers/files";

function writeZip(entries: ZipEntry[]): { file: string; bytes: Buffer } {
  const file = path.join(tempDir(), "out.zip");
  writeZipFile(file, entries);
  return { file, bytes: fs.readFileSync(file) };
}

const compressible = Buffer.from("hello layer\n".repeat(200));
const incompressible = zlib.deflateRawSync(Buffer.from("x".repeat(10)).fill(7)); // tiny, grows when deflated
const ENTRIES: ZipEntry[] = [
  { name: "bin/", mode: 0o755 },
  { name: "bin/tool", mode: 0o755, data: Buffer.from("#!/bin/sh\necho hi\n") },
  { name: "python/", mode: 0o755 },
  { name: "python/big.txt", mode: 0o644, data: compressible },
  { name: "python/empty.txt", mode: 0o644, data: Buffer.alloc(0) },
  { name: "python/raw.bin", mode: 0o644, data: incompressible },
];

describe("the zip writer (pack-engine.js)", () => {
  test("writes a zip that Info-ZIP tests clean and Python reads back byte for byte", () => {
    const { file } = writeZip(ENTRIES);
    expect(execFileSync("unzip", ["-t", file], { encoding: "utf8" })).toContain("No errors detected");
    const script = `
import json, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as z:
    assert z.testzip() is None
    print(json.dumps([[i.filename, i.external_attr >> 16, list(i.date_time), i.compress_type, z.read(i).hex()] for i in z.infolist()]))`;
    const listed = JSON.parse(execFileSync("python3", ["-c", script, file], { encoding: "utf8" }));
    expect(listed.map((e: unknown[]) => e[0])).toEqual(ENTRIES.map((e) => e.name));
    expect(listed.map((e: unknown[]) => (e[1] as number).toString(8))).toEqual(["40755", "100755", "40755", "100644", "100644", "100644"]);
    for (const e of listed) expect(e[2]).toEqual([1980, 1, 1, 0, 0, 0]);
    expect(listed[3][3]).toBe(zipfile.DEFLATED);
    expect(listed[4][3]).toBe(zipfile.STORED);
    expect(listed[5][3]).toBe(zipfile.STORED); // deflate would not shrink it, so it is stored like Info-ZIP does
    ENTRIES.forEach((e, i) => expect(listed[i][4]).toBe((e.data ?? Buffer.alloc(0)).toString("hex")));
  });

  test("the same entries give the same bytes, whatever the clock says", () => {
    const a = writeZip(ENTRIES).bytes;
    const b = writeZip(ENTRIES.map((e) => ({ ...e, data: e.data ? Buffer.from(e.data) : undefined }))).bytes;
    expect(a.equals(b)).toBe(true);
  });

  test("carries no timestamps, extra fields or comments", () => {
    const { bytes } = writeZip([{ name: "a.txt", mode: 0o644, data: Buffer.from("a") }]);
    expect(bytes.readUInt32LE(0)).toBe(0x04034b50);
    expect(bytes.readUInt16LE(10)).toBe(0); // DOS time 00:00:00
    expect(bytes.readUInt16LE(12)).toBe(0x21); // DOS date 1980-01-01
    expect(bytes.readUInt16LE(28)).toBe(0); // no extra field (no extended timestamp, no uid/gid)
    expect(bytes.readUInt16LE(bytes.length - 2)).toBe(0); // no archive comment
  });

  test("flags non-ASCII names as UTF-8", () => {
    const { file, bytes } = writeZip([{ name: "python/données.py", mode: 0o644, data: Buffer.from("x = 1\n") }]);
    expect(bytes.readUInt16LE(6) & 0x0800).toBe(0x0800);
    const name = execFileSync("python3", ["-c", "import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).namelist()[0])", file], {
      encoding: "utf8",
    });
    expect(name.trim()).toBe("python/données.py");
  });
});

const zipfile = { STORED: 0, DEFLATED: 8 };
