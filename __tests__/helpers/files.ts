// Temporary folders and file trees for tests.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { timestampSlackMs } from "../../modules/packaging/archive-cache";

export function tempDir(prefix = "layers-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Writes files given as { "relative/path": content }; a number content is an executable mode. */
export function writeTree(root: string, files: Record<string, string | Buffer | { content: string | Buffer; mode: number }>): string {
  for (const [rel, spec] of Object.entries(files)) {
    const abs = path.join(root, rel);
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (typeof spec === "string" || Buffer.isBuffer(spec)) {
      fs.writeFileSync(abs, spec);
    } else {
      fs.writeFileSync(abs, spec.content);
      fs.chmodSync(abs, spec.mode);
    }
  }
  return root;
}

/** A new folder holding the given tree. */
export function tree(files: Parameters<typeof writeTree>[1]): string {
  return writeTree(tempDir(), files);
}

/** Unzips with Info-ZIP's unzip (a reference reader) into a new folder. */
export function unzipTo(zip: string, dest = tempDir("opt-")): string {
  execFileSync("unzip", ["-q", "-o", zip, "-d", dest]);
  return dest;
}

export const repoRoot = path.resolve(__dirname, "..", "..");

/**
 * Waits until the files written so far are safely older than a build started next (the racy rule,
 * archive-cache's isRacy, on this fine-timestamp filesystem): a build right after a fixture
 * is written cannot vouch for its files by their metadata, so the rebuild after it hashes them
 * again (a content hit, not a metadata hit). Tests of what metadata alone reuses settle first.
 */
export function settle(): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, timestampSlackMs(0.5) + 10);
}
