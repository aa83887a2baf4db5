// bench/wasm/wasm_vs_native_bench.mjs — @ruvector/rvf-wasm against the native runtime on one and
// the same file: module size (raw, gzip -9), cold load + instantiate time (fresh Node processes),
// HNSW query QPS / recall@10 / latency at the same efSearch values in Node-wasm and natively
// (rvf_bench_engine "serve", the peer benchmark's native runner; the N-API addon too when
// npm/rvf-node loads), and what RvfStore.openProgressive fetches before its first answer (bytes,
// round trips, per phase) from the browser tests' local Range server. Prints one JSON line per
// measurement; asserts nothing.
//
//   node bench/wasm/wasm_vs_native_bench.mjs [--queries 200] [--ef 32,64,100,200] [--with-1m]
//                                            [--engine build/bench/bench/rvf_bench_engine]
//
// The file: browser-tests' seeded 100,000 × 128 f32 file (N(0,1) components, seed 1; written by
// the wasm store with M 16, efConstruction 200, layers A/B/C persisted), generated once into
// build/browser-data/. Queries: 200 more N(0,1) vectors (seed 99); ground truth by brute force.
// --with-1m also measures openProgressive on a 1,000,000 × 128 file, written once (≈ 0.5 GB)
// by the native engine's "build" phase (multithreaded) into build/browser-data/.
// Needs the wasm-release preset (or RVF_WASM_DIST); the native side needs
//   cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DRVF_BUILD_BENCH=ON -DRVF_BUILD_TESTS=OFF
//   cmake --build build/bench --target rvf_bench_engine
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { dataDir, ensureDataset, gaussian } from '../../browser-tests/lib/dataset.mjs';
import { stageAndImport } from '../../browser-tests/lib/package.mjs';
import { startServer } from '../../browser-tests/lib/server.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const arg = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] && !argv[i + 1].startsWith('--') ? argv[i + 1] : fallback;
};
const NQ = Number(arg('--queries', 200));
const EFS = arg('--ef', '32,64,100,200').split(',').map(Number);
const K = 10;
const engine = arg('--engine', path.join(repoRoot, 'build/bench/bench/rvf_bench_engine'));
const machine = { cpu: os.cpus()[0]?.model, cores: os.cpus().length, node: process.version, arch: process.arch };
const print = (row) => console.log(JSON.stringify({ ...row, machine }));
const note = (message) => console.error(`note: ${message}`);
const work = path.join(repoRoot, 'build/browser/bench');
mkdirSync(work, { recursive: true });

// --- the package: size and cold load ---------------------------------------------------------

const { rvf, pkgDir, wasmFile } = await stageAndImport();
for (const f of ['rvf_core.wasm', 'rvf_core.mjs']) {
    const bytes = readFileSync(path.join(pkgDir, 'dist', f));
    print({ bench: 'size', file: f, bytes: bytes.length, gzip9_bytes: gzipSync(bytes, { level: 9 }).length });
}
{
    // Each run is a fresh process: import the glue, read + compile + instantiate the .wasm, run
    // the static constructors (init()). Median of 7 (the first also pays the disk cache).
    const script = `const t0 = performance.now(); const m = await import(${JSON.stringify(pathToFileURL(path.join(pkgDir, 'src/index.js')).href)});
const t1 = performance.now(); await m.init(); const t2 = performance.now();
const b = (await import('node:fs')).readFileSync(${JSON.stringify(wasmFile)}); const t3 = performance.now(); await WebAssembly.compile(b);
console.log(JSON.stringify({ importMs: t1 - t0, initMs: t2 - t1, compileMs: performance.now() - t3 }));`;
    const runs = [];
    for (let i = 0; i < 7; i++)
        runs.push(JSON.parse(execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })));
    const median = (key) => +runs.map((r) => r[key]).sort((a, b) => a - b)[3].toFixed(1);
    print({ bench: 'load', runs: runs.length, ms_import_glue: median('importMs'), ms_read_compile_instantiate_init: median('initMs'),
            ms_compile_only: median('compileMs') });
}

// --- the same index in wasm and natively -----------------------------------------------------

const data = await ensureDataset(rvf, wasmFile, { n: 100000, dim: 128, seed: 1, log: note });
const DIM = data.dim;
const queries = gaussian(NQ * DIM, 99);
const rows = gaussian(data.n * DIM, data.seed);
const truth = [];
for (let qi = 0; qi < NQ; qi++) {
    const q = queries.subarray(qi * DIM, (qi + 1) * DIM);
    const best = [];
    for (let id = 0; id < data.n; id++) {
        let s = 0;
        for (let d = 0, o = id * DIM; d < DIM; d++, o++) s += (q[d] - rows[o]) ** 2;
        if (best.length < K || s < best[best.length - 1][0]) {
            best.push([s, id]);
            best.sort((a, b) => a[0] - b[0]);
            if (best.length > K) best.pop();
        }
    }
    truth.push(best.map((b) => b[1]));
}
const fvecs = (mat, n, dim) => {
    const out = Buffer.alloc(n * (4 + 4 * dim));
    for (let i = 0; i < n; i++) {
        out.writeInt32LE(dim, i * (4 + 4 * dim));
        Buffer.from(mat.buffer, mat.byteOffset + i * dim * 4, dim * 4).copy(out, i * (4 + 4 * dim) + 4);
    }
    return out;
};
const queryFile = path.join(work, `queries-${NQ}x${DIM}-seed99.fvecs`);
const truthFile = path.join(work, `truth-${NQ}-k${K}-${data.name}.ivecs`);
writeFileSync(queryFile, fvecs(queries, NQ, DIM));
writeFileSync(truthFile, fvecs(new Float32Array(Int32Array.from(truth.flat()).buffer), NQ, K));

/** The engine runner's timing loop: untimed pass (recall), then passes until 0.3 s; fastest pass. */
function sweep(label, query) {
    const lat = new Float64Array(NQ);
    for (const ef of EFS) {
        let hits = 0;
        for (let i = 0; i < NQ; i++)
            hits += query(queries.subarray(i * DIM, (i + 1) * DIM), ef).filter((id) => truth[i].includes(id)).length;
        let best = Infinity, bestLat = null, total = 0, passes = 0;
        while (passes < 2 || (total < 0.3 && passes < 50)) {
            const p0 = performance.now();
            for (let i = 0; i < NQ; i++) {
                const a = performance.now();
                query(queries.subarray(i * DIM, (i + 1) * DIM), ef);
                lat[i] = performance.now() - a;
            }
            const s = (performance.now() - p0) / 1000;
            total += s;
            passes++;
            if (s < best) { best = s; bestLat = Float64Array.from(lat).sort(); }
        }
        const pct = (p) => +(bestLat[Math.min(NQ - 1, Math.floor(p * NQ))] * 1000).toFixed(1);
        print({ bench: 'query', engine: label, n: data.n, dim: DIM, k: K, ef, queries: NQ, recall: +(hits / (NQ * K)).toFixed(4),
                qps: +(NQ / best).toFixed(0), p50_us: pct(0.5), p95_us: pct(0.95), p99_us: pct(0.99), passes });
    }
}

{
    const t0 = performance.now();
    const store = await rvf.RvfStore.fromBytes(readFileSync(data.file));
    const openMs = performance.now() - t0;
    const t1 = performance.now();
    store.query(queries.subarray(0, DIM), K, { efSearch: 64 });
    print({ bench: 'open', engine: 'wasm-node', file_bytes: data.size, ms_read_and_fromBytes: +openMs.toFixed(1),
            ms_first_query: +(performance.now() - t1).toFixed(2) });
    sweep('wasm-node', (q, ef) => store.query(q, K, { efSearch: ef }).map((h) => h.id));
    store.close();
}

if (existsSync(engine)) {
    const job = { phase: 'serve', file: data.file, query: queryFile, truth: truthFile, k: K, ef_search: EFS, stop_recall: 2 };
    const r = spawnSync(engine, [], { input: JSON.stringify(job), encoding: 'utf8' });
    for (const line of r.stdout.split('\n').filter(Boolean)) {
        const e = JSON.parse(line);
        if (e.event === 'open')
            print({ bench: 'open', engine: 'native', file_bytes: data.size, ms_open_readonly: +(e.open_seconds * 1000).toFixed(1),
                    ms_first_query: +(e.first_query_seconds * 1000).toFixed(2), indexed: e.indexed });
        else if (e.event === 'search')
            print({ bench: 'query', engine: 'native', n: data.n, dim: DIM, k: K, ef: e.ef, queries: NQ, recall: +e.recall.toFixed(4),
                    qps: Math.round(e.qps), p50_us: +e.p50_us.toFixed(1), p95_us: +e.p95_us.toFixed(1), p99_us: +e.p99_us.toFixed(1),
                    passes: e.passes, binary: path.relative(repoRoot, engine) });
        else if (e.event === 'error')
            note(`native engine: ${e.message}`);
    }
    if (r.status !== 0)
        note(`native engine exited with ${r.status}: ${r.stderr.slice(0, 500)}`);
} else {
    note(`${path.relative(repoRoot, engine)} not found: cmake -S . -B build/bench -DCMAKE_BUILD_TYPE=Release -DRVF_BUILD_BENCH=ON -DRVF_BUILD_TESTS=OFF && cmake --build build/bench --target rvf_bench_engine`);
}

// The N-API addon, when an optimised build of it exists: the same loop through its JS API. The
// package loads $RVF_NODE_ADDON or the newest build/{native-release,native-debug,node}/native/
// rvf_node.node; a Debug build would measure the compiler's -O0, so it is skipped.
const addonFile = process.env.RVF_NODE_ADDON ?? ['native-release', 'native-debug', 'node']
    .map((d) => path.join(repoRoot, 'build', d, 'native/rvf_node.node')).filter((p) => existsSync(p))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
const cache = addonFile && path.join(path.dirname(path.dirname(addonFile)), 'CMakeCache.txt');
const addonType = cache && existsSync(cache) ? /CMAKE_BUILD_TYPE:STRING=(\w*)/.exec(readFileSync(cache, 'utf8'))?.[1] : 'unknown';
if (!addonFile) {
    note('N-API addon not measured: no rvf_node.node built (cmake --preset native-release && cmake --build --preset native-release)');
} else if (!/^(Release|RelWithDebInfo)$/.test(addonType ?? '')) {
    note(`N-API addon not measured: ${path.relative(repoRoot, addonFile)} is a ${addonType} build; set RVF_NODE_ADDON to a Release one`);
} else {
    try {
        process.env.RVF_NODE_ADDON = addonFile;
        const addon = await import(pathToFileURL(path.join(repoRoot, 'npm/rvf-node/index.js')).href);
        const db = addon.RvfDatabase.openReadonly(data.file);
        sweep('native-napi', (q, ef) => db.query(q, K, { efSearch: ef }).map((h) => Number(h.id)));
        db.close?.();
    } catch (e) {
        note(`N-API addon not measured: ${String(e.message).split('\n')[0]}`);
    }
}

// --- progressive open over HTTP Range ---------------------------------------------------------

const server = await startServer({ '/data/': dataDir }, { dataMounts: ['/data/'] });
async function progressive(name, size) {
    if (typeof rvf.RvfStore.openProgressive !== 'function') {
        note('RvfStore.openProgressive is not in the package yet (npm/rvf-wasm/src/progressive.js): progressive rows skipped');
        return;
    }
    const url = `${server.origin}/data/${name}`;
    const phases = new Map(); // phase → where loading stood when it began (first event in it)
    const t0 = performance.now();
    const store = await rvf.RvfStore.openProgressive(url, {
        onProgress: (p) => phases.has(p.phase) || phases.set(p.phase, { ...p, ms: performance.now() - t0 }),
    });
    const first = store.progress();
    const msFirst = performance.now() - t0;
    const hits = store.query(queries.subarray(0, DIM), K, { efSearch: 100 }).length;
    const began = () => [...phases.values()].map((p) => ({ phase: p.phase, round_trip: p.roundTrips, after_bytes: p.bytesFetched, ms: +p.ms.toFixed(1) }));
    // The first answer: what the loader held (bytes per phase) and the round trip the stream
    // phase began in (progress().roundTrips already counts the stream wave started just before).
    print({ bench: 'progressive_first_answer', file: name, file_bytes: size, bytes: first.bytesFetched,
            pct: +((100 * first.bytesFetched) / size).toFixed(3), round_trips: first.roundTrips,
            round_trips_needed: phases.get('stream')?.roundTrips ?? null, requests: first.requests,
            bytes_by_phase: first.bytesByPhase, whole_file: first.wholeFile, ms: +msFirst.toFixed(1), hits });
    try { // the whole file ends up in wasm memory (≤ 2 GiB): a 1M file may not fit
        await store.loaded();
        const full = store.progress();
        print({ bench: 'progressive_loaded', file: name, file_bytes: size, bytes: full.bytesFetched, round_trips: full.roundTrips,
                requests: full.requests, bytes_by_phase: full.bytesByPhase, ms: +(performance.now() - t0).toFixed(1), phase_began: began(),
                server_requests: server.log.filter((e) => e.key === `/data/${name}`).length });
    } catch (e) {
        print({ bench: 'progressive_loaded', file: name, file_bytes: size, error: `${e.name}: ${e.message}`, phase_began: began() });
    }
    store.close?.();
}
try {
    await progressive(path.basename(data.file), data.size);
    if (argv.includes('--with-1m')) {
        const name = 'rvf-1000000x128-seed1-native.rvf';
        const file = path.join(dataDir, name);
        if (!existsSync(file)) {
            if (!existsSync(engine))
                throw new Error(`--with-1m writes its file with ${path.relative(repoRoot, engine)}, which is missing`);
            note(`writing ${name} with the native engine (1M × 128, multithreaded HNSW build; minutes)`);
            const base = path.join(work, 'base-1000000x128-seed1.fvecs');
            writeFileSync(base, fvecs(gaussian(1000000 * DIM, 1), 1000000, DIM));
            const out = execFileSync(engine, [], { input: JSON.stringify({ phase: 'build', file: `${file}.part`, base, batch: 10000, k: K, m: 16, ef_construction: 100 }),
                                                   encoding: 'utf8', maxBuffer: 1 << 24 });
            note(out.trim().split('\n').join('; '));
            renameSync(`${file}.part`, file);
            rmSync(`${file}.part.lock`, { force: true });
            rmSync(base, { force: true });
        }
        await progressive(name, statSync(file).size);
    }
} catch (e) {
    note(`progressive: ${e.name} ${e.message}`);
} finally {
    await server.close();
}
