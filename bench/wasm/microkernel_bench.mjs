// bench/wasm/microkernel_bench.mjs — nanoseconds per distance of the tile microkernel in Node:
// 384-d f16 L2 (rvf_distances over a full 32 KB block of 42 rows) and PQ ADC with 48
// subspaces (rvf_pq_distances, 384-d, K 16: the largest codebook the tile's 16 KB PQ area holds
// at 384 dims), for the scalar and simd128 builds; upstream @ruvector/rvf-wasm 0.1.9 at 96 dims
// (its limit) as a reference. Times are per distance at the export boundary (the row loop,
// kernel dispatch and result store included); ns_table_build is the PQ query-centroid table
// each rvf_pq_distances call builds first. Prints one JSON line per measurement; asserts nothing.
//
//   node bench/wasm/microkernel_bench.mjs [--quick]
// Needs the microkernel build (cmake --preset microkernel && cmake --build --preset microkernel).
import os from 'node:os';
import { WINDOW, gaussianMatrix, loadTileModule, toF16, bytesOf } from '../../tests/js/tile/index.mjs';

const quick = process.argv.includes('--quick');
const minMs = quick ? 50 : 400;
const machine = { cpu: os.cpus()[0]?.model, mhz: os.cpus()[0]?.speed, node: process.version, arch: process.arch };

/**
 * ns per call of fn: the fastest of 7 runs of ≥ minMs/7 ms each, after a warm-up. The minimum,
 * not the median: on a shared machine other load only ever adds time.
 */
function time(fn) {
    for (let i = 0; i < 200; i++) fn();
    let best = Infinity;
    for (let r = 0; r < 7; r++) {
        let reps = 0;
        const t0 = process.hrtime.bigint();
        let t1 = t0;
        while (Number(t1 - t0) < (minMs / 7) * 1e6) {
            for (let i = 0; i < 32; i++) fn();
            reps += 32;
            t1 = process.hrtime.bigint();
        }
        best = Math.min(best, Number(t1 - t0) / reps);
    }
    return best;
}

function print(row) {
    // Cycles only where the OS reports a clock (VMs often report 0).
    const extra = machine.mhz ? { cycles_per_distance: +(row.ns_per_distance * (machine.mhz / 1000)).toFixed(1) } : {};
    console.log(JSON.stringify({ ...row, ...extra, machine }));
}

function l2Bench(name, tm, dim) {
    const t = tm.instantiate();
    const k = t.exports, W = t.base;
    t.write(t.configPtr, new Uint8Array(64));
    k.rvf_init(t.configPtr);
    const n = Math.floor(32768 / (2 * dim));
    t.write(W + WINDOW.QUERY, bytesOf(toF16(gaussianMatrix(1, 1, dim))));
    if (k.rvf_load_query(W + WINDOW.QUERY, dim) !== 0) throw new Error(`${name}: query of ${dim} dims refused`);
    t.write(W, bytesOf(toF16(gaussianMatrix(2, n, dim))));
    if (k.rvf_load_block(W, n, 0) !== 0) throw new Error(`${name}: block refused`);
    const compute = time(() => k.rvf_distances(0, W + WINDOW.DIST));
    const withLoad = time(() => {
        k.rvf_load_block(W, n, 0);
        k.rvf_distances(0, W + WINDOW.DIST);
    });
    print({ bench: 'f16_l2', module: name, dim, rows_per_block: n, ns_per_distance: +(compute / n).toFixed(2), ns_per_distance_incl_block_load: +(withLoad / n).toFixed(2) });
}

function pqBench(name, tm, dim, m, ksub) {
    const t = tm.instantiate();
    const k = t.exports, W = t.base;
    t.write(t.configPtr, new Uint8Array(64));
    k.rvf_init(t.configPtr);
    t.write(W + WINDOW.QUERY, bytesOf(toF16(gaussianMatrix(3, 1, dim))));
    k.rvf_load_query(W + WINDOW.QUERY, dim);
    t.write(W + WINDOW.F16, bytesOf(toF16(gaussianMatrix(4, m * ksub, dim / m))));
    if (k.rvf_load_pq_codebook(W + WINDOW.F16, m, ksub) !== 0) throw new Error(`${name}: codebook refused`);
    const count = Math.min(4096, Math.floor(0x10000 / m));
    t.write(W, Uint8Array.from({ length: count * m }, (_, i) => (i * 2654435761) % ksub));
    const table = time(() => k.rvf_pq_distances(W, 0, W + WINDOW.DIST)); // table build only
    const full = time(() => k.rvf_pq_distances(W, count, W + WINDOW.DIST));
    print({ bench: 'pq_adc', module: name, dim, m, ksub, codes_per_call: count, ns_per_distance: +((full - table) / count).toFixed(2), ns_per_distance_incl_table: +(full / count).toFixed(2), ns_table_build: +table.toFixed(0) });
}

const modules = { scalar: await loadTileModule('scalar'), simd128: await loadTileModule('simd') };
for (const [name, tm] of Object.entries(modules)) {
    l2Bench(name, tm, 384);
    pqBench(name, tm, 384, 48, 16);
}
try {
    const up = await loadTileModule('upstream');
    for (const [name, tm] of [...Object.entries(modules), ['upstream-0.1.9', up]]) {
        l2Bench(name, tm, 96);
        pqBench(name, tm, 96, 48, 16);
    }
} catch (e) {
    console.error(`upstream reference skipped: ${e.message}`);
}
