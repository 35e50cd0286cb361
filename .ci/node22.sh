#!/usr/bin/env bash
# Prints the folder holding a Node 22 binary (`node`), fetching it once from the npm registry: the official build
# is published there as the per-platform package node-linux-<arch> (what the `node` package's installer uses).
# Cached under ${XDG_CACHE_HOME:-~/.cache}/hpf-hub/node-v$NODE22_VERSION; only the npm registry is contacted.
set -euo pipefail
version=${NODE22_VERSION:-22.23.5}
case "$(uname -m)" in
  x86_64) arch=x64 ;;
  aarch64 | arm64) arch=arm64 ;;
  *) echo "node22: no Node 22 package for $(uname -m)" >&2; exit 1 ;;
esac
dir="${XDG_CACHE_HOME:-$HOME/.cache}/hpf-hub/node-v$version-linux-$arch"
if [ ! -x "$dir/bin/node" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-$arch@$version" >/dev/null)
  mkdir -p "$dir"
  tar xzf "$tmp"/node-linux-"$arch"-*.tgz -C "$dir" --strip-components=1
  rm -rf "$tmp"
fi
"$dir/bin/node" --version >/dev/null
echo "$dir/bin"
