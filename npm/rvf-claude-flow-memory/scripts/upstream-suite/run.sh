#!/usr/bin/env bash
# Run @claude-flow/memory@3.2.2's shipped vitest suite, as shipped (baseline) and with
# RvfMemoryBackend substituted where it is provider-generic (substitute.setup.mjs).
# usage: run.sh baseline|rvf [INSTALL_DIR]   (INSTALL_DIR default /tmp/cfmem; installed when missing)
# Needs the repository's node_modules (vitest) and a built SDK backend (native addon or wasm).
set -euo pipefail
mode=${1:?baseline or rvf}
inst=${2:-/tmp/cfmem}
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../../../.." && pwd)
pkg="$inst/node_modules/@claude-flow/memory"
if [ ! -f "$pkg/package.json" ]; then
    npm install --no-save --no-package-lock --no-audit --no-fund --prefer-offline --prefix "$inst" @claude-flow/memory@3.2.2
fi
# The suite imports 'vitest' (a devDependency the tarball does not bring): use the repository's.
ln -sfn "$repo/node_modules/vitest" "$inst/node_modules/vitest"
export CFMEM_DIST="$pkg/dist"
[ "$mode" = rvf ] && export RVF_SUBSTITUTE=1 || export RVF_SUBSTITUTE=0
cd "$pkg"
exec "$repo/node_modules/.bin/vitest" run --root "$pkg" --config "$here/vitest.config.mjs" "${@:3}"
