// bench/wasm/store_wasm_bench.mjs — @ruvector/rvf-wasm (the C++ RvfStore under Emscripten) in
// Node: module size (raw and gzip -9), load + instantiate time, ingest rate and exact-search QPS
// on N × DIM f32 vectors, L2, k = 10 — the shape of bench/native/store_bench.cpp, whose f32 line
// it can run alongside (--native). Prints one JSON line per measurement; asserts nothing.
//
//   node bench/wasm/store_wasm_bench.mjs [--n 100000] [--dim 128] [--queries 50] [--native [PATH]]
// Needs the wasm-release preset (or RVF_WASM_DIST); --native needs rvf_store_bench from a
// Release build with -DRVF_BUILD_BENCH=ON (default path build/bench/bench/rvf_store_bench).
//
// Data: N(0,1) components from mulberry32 + Box–Muller (seed 1 for rows, 2 for queries), not the
// native bench's std::mt19937 + std::normal_distribution: same distribution, different values.
// Exact search scans every row whatever the values, so the timings compare; the ids do not.
// Ingest: batches of 1000 as in the native bench, but into the in-memory image (no fsync), so
// the native ingest figure (an fsync per batch) is not comparable.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : fallback;
};
const N = Number(arg('--n', 100000));
const DIM = Number(arg('--dim', 128));
const NQ = Number(arg('--queries', 50));
const native = argv.includes('--native') ? arg('--native', path.join(repoRoot, 'build/bench/bench/rvf_store_bench')) : null;
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, arch: process.arch };
const print = (row) => console.log(JSON.stringify({ ...row, machine }));

function gaussian(count, seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++)
        out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return out;
}

// The package exactly as published, staged into a scratch directory.
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-wasm-bench-'));
try {
    const pkg = path.join(work, 'pkg');
    await stagePackage(pkg);
    for (const f of ['rvf_core.wasm', 'rvf_core.mjs']) {
        const bytes = readFileSync(path.join(pkg, 'dist', f));
        print({ bench: 'size', file: f, bytes: bytes.length, gzip9_bytes: gzipSync(bytes, { level: 9 }).length });
    }

    // Cold load: import the glue, read the .wasm, compile, instantiate, run static constructors.
    let t0 = performance.now();
    const { RvfStore, init } = await import(pathToFileURL(path.join(pkg, 'src/index.js')).href);
    const tImport = performance.now() - t0;
    t0 = performance.now();
    await init();
    const tInit = performance.now() - t0;
    const wasmBytes = readFileSync(path.join(pkg, 'dist/rvf_core.wasm'));
    t0 = performance.now();
    await WebAssembly.compile(wasmBytes);
    const tCompile = performance.now() - t0; // may hit V8's in-process module cache: a lower bound
    print({ bench: 'load', ms_import_glue: +tImport.toFixed(1), ms_read_compile_instantiate_init: +tInit.toFixed(1),
            ms_recompile_same_bytes: +tCompile.toFixed(1) });

    const rows = gaussian(N * DIM, 1);
    const queries = gaussian(NQ * DIM, 2);
    const store = await RvfStore.create({ dimensions: DIM, metric: 'l2', storage: 'f32' });
    const batch = 1000;
    const ids = new BigUint64Array(batch);
    t0 = performance.now();
    for (let b = 0; b * batch < N; b++) {
        const m = Math.min(batch, N - b * batch);
        for (let i = 0; i < m; i++) ids[i] = BigInt(b * batch + i);
        store.ingestBatch(ids.subarray(0, m), rows.subarray(b * batch * DIM, (b * batch + m) * DIM));
    }
    const tIngest = (performance.now() - t0) / 1000;
    print({ bench: 'ingest', n: N, dim: DIM, batch, vectors_per_s: Math.round(N / tIngest),
            image_mb: +(store.status().fileSize / 1e6).toFixed(1) });

    store.query(queries.subarray(0, DIM), 10); // warm-up
    t0 = performance.now();
    let found = 0;
    for (let q = 0; q < NQ; q++)
        found += store.query(queries.subarray(q * DIM, (q + 1) * DIM), 10).length;
    const tQuery = (performance.now() - t0) / 1000;
    const qps = NQ / tQuery;
    print({ bench: 'exact_query', n: N, dim: DIM, k: 10, queries: NQ, qps: +qps.toFixed(1),
            gb_per_s_scanned: +((qps * N * DIM * 4) / 1e9).toFixed(2), results: found });
    store.close();

    if (native) {
        if (!existsSync(native)) {
            console.error(`--native: ${native} not found (cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DRVF_BUILD_BENCH=ON && cmake --build build/bench --target rvf_store_bench)`);
        } else {
            const out = execFileSync(native, [String(N), String(DIM), String(NQ)], { encoding: 'utf8' });
            const line = out.split('\n').find((l) => l.startsWith('store f32'));
            const nativeQps = Number(line?.match(/search\s+([\d.]+) q\/s/)?.[1]);
            print({ bench: 'exact_query_native', binary: path.relative(repoRoot, native), n: N, dim: DIM, k: 10, queries: NQ,
                    qps: nativeQps, wasm_over_native_time: +(nativeQps / qps).toFixed(2), native_line: line?.trim() });
        }
    }
} finally {
    rmSync(work, { recursive: true, force: true });
}
