#!/usr/bin/env bash
# scripts/build-all.sh — build all three builds from one command (`npm run build`):
#   build/native-release   g++ runtime, rvf tool, GoogleTest suites
#   build/wasm-release     Emscripten runtime, suites for node, js/dist/rvf_core.mjs + .wasm
#   build/microkernel      freestanding wasm32 tile modules (scalar + simd), sizes printed
# Extra presets can be named as arguments: scripts/build-all.sh native-debug native-asan
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh

presets=("$@")
((${#presets[@]})) || presets=(native-release wasm-release microkernel)
for preset in "${presets[@]}"; do
    echo "== build: $preset"
    cmake --preset "$preset" >/dev/null
    cmake --build --preset "$preset"
done
echo "build-all: built ${presets[*]}"
