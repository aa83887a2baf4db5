#!/usr/bin/env bash
# scripts/demo.sh — `npm run demo`: build what the demo needs (the `rvf` tool and the Node addon as
# the npm platform package ships them: preset node-portable, zig, glibc 2.28 baseline; the
# Emscripten module for @ruvector/rvf-wasm), then run the SDK CLI's demo on the bundled SIFT10K
# set: create a store through the CLI (progress bar), query it with the native and the wasm backend
# (recall@10, latency percentiles), reopen it to show persistence and verify it.
# The demo runs the shipped binaries, and `npm test`'s portable stage (objdump check, smoke test)
# and tests/js/sdk/pack_install.test.mjs reuse this build instead of compiling them once more.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh

echo "== build: node-portable (rvf tool with rvf serve + Node addon; zig from npm, glibc >= 2.28)"
bash scripts/portable-tools.sh
cmake --preset node-portable >/dev/null
cmake --build --preset node-portable
echo "== build: wasm-release (Embind module for @ruvector/rvf-wasm)"
cmake --preset wasm-release >/dev/null
cmake --build --preset wasm-release --target rvf_core_js
# The package ships the microkernel modules too (npm/rvf-wasm/scripts/build.mjs needs them): on a
# fresh clone nothing else has built them.
echo "== build: microkernel (raw wasm32 modules shipped in @ruvector/rvf-wasm)"
cmake --preset microkernel >/dev/null
cmake --build --preset microkernel
node npm/rvf-wasm/scripts/build.mjs >/dev/null

export RVF_NODE_ADDON="$PWD/build/node-portable/native/rvf_node.node"
export RVF_NATIVE_TOOL="$PWD/build/node-portable/runtime/rvf"
rm -rf build/demo-sdk
echo
echo "== npx rvf demo build/demo-sdk"
node npm/rvf/bin/rvf.js demo build/demo-sdk --progress
