// Racy metadata on a real coarse-timestamp filesystem: ext2 with 128-byte inodes keeps whole
// seconds, so an in-place edit that keeps the size within the second of the last build changes
// no metadata at all. Every rebuild must still ship what the folder holds, byte for byte.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { buildLayerArchive } from "../modules";
import { isRacy } from "../modules/packaging/archive-cache";
import { tempDir } from "./helpers/files";

let image: string;
let mountPoint: string;

beforeAll(() => {
  const dir = tempDir("ext2-");
  image = path.join(dir, "fs.img");
  mountPoint = path.join(dir, "mnt");
  fs.mkdirSync(mountPoint);
  execFileSync("truncate", ["-s", "64M", image]);
  // -I 128: inodes without room for sub-second timestamps (what the report used).
  execFileSync("mkfs.ext2", ["-q", "-F", "-I", "128", image], { stdio: "pipe" });
  // Root is needed (CI runs as root): without the mount there is nothing to test, so this fails loudly.
  execFileSync("mount", ["-o", "loop", image, mountPoint], { stdio: "pipe" });
});

afterAll(() => {
  if (mountPoint) execFileSync("umount", [mountPoint]);
});

const build = (source: string, outDir: string) => buildLayerArchive({ source, compatibleRuntimes: ["python3.12"], outDir, s3Upload: true });

/** The settings file with a value of fixed width: every version has the same size. */
const settings = (n: number) => `DEBUG = ${String(n).padStart(6, "0")}\n`;

test("the filesystem really is coarse: whole-second timestamps", () => {
  const file = path.join(mountPoint, "probe");
  fs.writeFileSync(file, "x");
  const stat = fs.statSync(file, { bigint: true });
  expect(stat.mtimeNs % 1_000_000_000n).toBe(0n);
  expect(stat.ctimeNs % 1_000_000_000n).toBe(0n);
});

/** Blocks until just after the next whole second of the clock: a build then starts in a fresh second. */
function untilNextSecond(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1000 - (Date.now() % 1000) + 5);
}

/** Whether `built` is byte for byte what a build of the same folder into an empty cache gives. */
function isCleanBuild(source: string, built: ReturnType<typeof build>): boolean {
  const clean = build(source, tempDir("clean-"));
  return built.contentSha256 === clean.contentSha256 && fs.readFileSync(built.path).equals(fs.readFileSync(clean.path));
}

test.each([
  ["beside the source, on the same coarse filesystem", () => path.join(mountPoint, "cache-beside")],
  ["on another filesystem, with fine timestamps", () => tempDir("cache-elsewhere-")],
])(
  "an in-place same-size edit in the second of the last build is shipped, the cache %s: every rebuild is a clean build's bytes",
  (_, cacheDir) => {
    const source = fs.mkdtempSync(path.join(mountPoint, "layer-"));
    const cache = cacheDir();
    fs.mkdirSync(path.join(source, "python"), { recursive: true });
    fs.writeFileSync(path.join(source, "python", "helper.py"), "def helper():\n    return 1\n");
    const file = path.join(source, "python", "settings.py");
    const rounds = 60;
    let racy = 0;
    const stale: string[] = [];
    for (let round = 0; round < rounds; round++) {
      // Every tenth round starts in a fresh second, so the edits do not all fall in one or two seconds.
      if (round % 10 === 0) untilNextSecond();
      fs.writeFileSync(file, settings(2 * round));
      const first = build(source, cache);
      const before = fs.statSync(file);
      // In place (same inode), same size, new bytes.
      fs.writeFileSync(file, settings(2 * round + 1));
      const after = fs.statSync(file);
      if (before.mtimeMs === after.mtimeMs && before.ctimeMs === after.ctimeMs && before.ino === after.ino) racy++;
      const rebuilt = build(source, cache);
      // The content changed, so must its identity: the same identity would plan no new version.
      if (rebuilt.contentSha256 === first.contentSha256 || !isCleanBuild(source, rebuilt)) stale.push(`round ${round} (${rebuilt.cache})`);
    }
    // Most rounds fall within one second (the race itself); the rest are ordinary edits.
    expect(racy).toBeGreaterThan(rounds / 2);
    expect({ stale, of: rounds }).toEqual({ stale: [], of: rounds });

    // Once the window has passed, the next build records the files as safely older, and the one after is a metadata hit.
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 2100);
    const later = build(source, cache);
    expect(isCleanBuild(source, later)).toBe(true);
    const hit = build(source, cache);
    expect([hit.cache, hit.zipSha256]).toEqual(["metadata-hit", later.zipSha256]);
  },
);

describe("the racy rule (isRacy): which timestamps an unseen write may have left", () => {
  const readAt = Date.parse("2026-06-01T12:00:10.500Z");
  const now = readAt + 60_000; // the next build, a minute later
  const at = (iso: string) => Date.parse(iso);
  test.each([
    // whole seconds: perhaps a 1 s or 2 s (FAT) filesystem, so within 2 s (and a jiffy) of the read is racy
    ["whole second, 10 s before", false, at("2026-06-01T12:00:00Z")],
    ["whole second, 2.4 s before", false, at("2026-06-01T12:00:08Z")],
    ["whole second, 1.5 s before (FAT's 2 s tick)", true, at("2026-06-01T12:00:09Z")],
    ["whole second, the read's own second", true, at("2026-06-01T12:00:10Z")],
    ["whole second, after the read", true, at("2026-06-01T12:00:40Z")],
    // a fraction of a second: a fine filesystem, racy only within the fine window (a jiffy and more)
    ["fine, 150 ms before", false, at("2026-06-01T12:00:10.350Z") + 0.123],
    ["fine, 50 ms before", true, at("2026-06-01T12:00:10.450Z") + 0.123],
    ["fine, after the read", true, at("2026-06-01T12:00:11.250Z") + 0.123],
    // ahead of the clock: a network server's clock may be, by up to a day; further is a date set by hand
    ["an hour ahead of the next build (a server clock ahead)", true, now + 3600 * 1000],
    ["years ahead (touch -d 2030)", false, at("2030-01-01T00:00:00Z")],
  ])("%s: racy %s", (_, racy, time) => {
    expect(isRacy({ mtimeMs: time, ctimeMs: at("2026-01-01T00:00:00.5Z") }, readAt, now)).toBe(racy);
    // The ctime counts the same way: tools that restore an mtime cannot restore it.
    expect(isRacy({ mtimeMs: at("2026-01-01T00:00:00.5Z"), ctimeMs: time }, readAt, now)).toBe(racy);
  });
});
