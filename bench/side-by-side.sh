#!/usr/bin/env bash
# Info-ZIP and this library side by side on one tree, without the bench's memory sampler: the
# tree read once, Info-ZIP once, two full builds (fresh caches), then a rebuild with nothing
# changed, one after appending to one .py file, and one after `touch` of every file. Prints the
# buildLayerArchive call time of each build. Usage (after `npm run build`):
#   node dist/bench/generate-tree.js /tmp/tree 150 20000   # or any layer folder with a python/ top
#   bash bench/side-by-side.sh /tmp/tree
# It appends a line to one file of the tree and touches every file: run it on a copy.
set -euo pipefail
tree=${1:?usage: bench/side-by-side.sh <layer folder holding python/>}
build="$(cd "$(dirname "$0")/.." && pwd)/dist/bench/archive-build.js"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export CDKTF_LAYERS_QUIET=1
call() { node "$build" "$tree" "$1" | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); console.log(`${process.argv[1]}: ${(r.ms / 1000).toFixed(2)} s (${r.cache})`)' "$2"; }
# Every file read once first: this VM pages out memory idle for a minute (DAMON), page cache
# included, and the first reader of a cold tree would pay for the disk.
find "$tree" -type f -exec cat {} + >/dev/null
start=$(date +%s%N)
(cd "$tree" && zip -r -X -q -6 "$work/infozip.zip" python)
awk -v ns=$(( $(date +%s%N) - start )) 'BEGIN { printf "Info-ZIP zip -r -X -q -6: %.2f s (wall)\n", ns / 1e9 }'
rm -f "$work/infozip.zip"
call "$work/cache-a" "full build"
call "$work/cache-b" "full build"
call "$work/cache-a" "nothing changed"
echo "# changed $(date +%s%N)" >> "$(find "$tree/python" -name '*.py' | sort | head -1)"
call "$work/cache-a" "one file changed"
find "$tree" -type f -exec touch {} +
call "$work/cache-a" "after touch"
