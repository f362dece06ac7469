// The same layer source gives the same zip in two fresh clones checked out under different umasks
// (so with different file modes and mtimes on disk).
import { execFileSync } from "child_process";
import * as path from "path";
import { buildLayerArchive } from "../modules";
import { repoRoot, tempDir } from "./helpers/files";

function cloneWithUmask(umask: string): string {
  const dest = path.join(tempDir("clone-"), "repo");
  execFileSync("sh", ["-c", `umask ${umask} && git clone --quiet --no-hardlinks "$0" "$1"`, repoRoot, dest]);
  return dest;
}

test.each([
  ["python-shared-utils", ["python3.12", "python3.13"]],
  ["nodejs-logging", ["nodejs20.x", "nodejs22.x"]],
])("layers/%s zips to the same bytes and content identity in clones made under umask 022 and 077", (layer, runtimes) => {
  const [a, b] = [cloneWithUmask("022"), cloneWithUmask("077")];
  const build = (root: string) =>
    buildLayerArchive({ source: path.join(root, "layers", layer), compatibleRuntimes: runtimes, outDir: tempDir("cache-") });
  const first = build(a);
  const second = build(b);
  expect(first.cache).toBe("built");
  expect(second.cache).toBe("built");
  expect(second.zipSha256).toBe(first.zipSha256);
  expect(second.contentSha256).toBe(first.contentSha256);
  expect(second.contentSha256).toMatch(/^[0-9a-f]{64}$/);
});
