#!/usr/bin/env bash
# scripts/demo.sh — build the native `rvf` tool, inspect a bundled upstream-written file, then
# run `rvf demo` (a 20,000-vector store: ingest, filtered queries, delete, compact, verify, export).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
. scripts/setup.sh

sample=tests/data/upstream/l2-1000x16-deleted.rvf
tool=build/native-release/runtime/rvf

if ! compgen -G 'runtime/src/tools/*.cpp' >/dev/null; then
    echo "demo: the rvf command-line tool is missing: no sources in runtime/src/tools/, so there is no" >&2
    echo "demo: $tool to run as \`$tool inspect $sample\`" >&2
    exit 1
fi
cmake --preset native-release >/dev/null
cmake --build --preset native-release --target rvf
if [ ! -x "$tool" ]; then
    echo "demo: the build did not produce $tool" >&2
    exit 1
fi
echo "== $tool inspect $sample"
"$tool" inspect "$sample"
echo
echo "== $tool demo build/demo"
"$tool" demo build/demo
