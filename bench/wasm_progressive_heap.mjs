// A large partitioned .rvf answered over HTTP Range by the wasm runtime inside a bounded heap
// (issue 17: "RvfStore.openProgressive on a 1 M × 128 file answers at full quality inside a
// 1 GiB heap"). The file is served on loopback; the reader is a query-only
// RvfStore.openProgressive(url, {stream: false, cacheBytes, nprobe}): each query fetches the
// partitions it lacks (prepare) and is scored exactly over them. Ground truth: an exact scan by
// the native addon over the same file, opened in place. Queries: rows of the file (seeded
// choice) plus N(0, 0.05²) noise, so each has a true neighbourhood in the data.
//
//   node bench/wasm_progressive_heap.mjs FILE [--queries 100] [--nprobe 4,8,16] [--cache-mb 256] [--seed 7]
//
// Needs the wasm-release build (npm/rvf-wasm/dist) and the native addon (build/native-release).
// FILE: a file compacted with partition_on_compact, e.g. rvf_boot_bench's /tmp/boot-1m.rvf
// (bench/README.md "Progressive open"). Prints, per nprobe (each a fresh reader): round trips and
// bytes before the first answer, mean bytes and ms per query, recall@10, the most bytes the
// reader held, and the wasm heap (the module's WebAssembly.Memory; a heap only grows, so its
// final size is the run's peak).
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { RvfStore, init } from '../npm/rvf-wasm/src/index.js';
import { RvfDatabase } from '../npm/rvf/src/index.js';
import { serveRanges } from '../tests/js/helpers/range_server.mjs';
import { gaussianFloats } from '../tests/js/helpers/mulberry32.mjs';

const args = process.argv.slice(2);
const file = args[0];
if (!file || file.startsWith('--')) {
    console.error('usage: node bench/wasm_progressive_heap.mjs FILE [--queries 100] [--nprobe 4,8,16] [--cache-mb 256] [--seed 7]');
    process.exit(2);
}
const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i > 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const Q = Number(opt('queries', 100));
const probes = String(opt('nprobe', '4,8,16')).split(',').map(Number);
const cacheBytes = Math.round(Number(opt('cache-mb', 256)) * 1048576);
const seed = Number(opt('seed', 7));
const K = 10;
const MB = (n) => (n / 1048576).toFixed(2);

// The wasm module's memory, whatever its export is named (captured at instantiation).
let memory = null;
const instantiate = WebAssembly.instantiate;
WebAssembly.instantiate = async (...a) => {
    const r = await instantiate.apply(WebAssembly, a);
    memory ??= Object.values((r.instance ?? r).exports).find((e) => e instanceof WebAssembly.Memory) ?? null;
    return r;
};
await init();
const heapAtStart = memory.buffer.byteLength;

// Queries and exact truth from the native addon (in place: the file is not loaded into memory).
const ref = await RvfDatabase.openReadonly(file, { backend: 'native' });
const n = await ref.count();
const dim = ref.dimensions;
let state = seed >>> 0;
const pick = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state % n;
};
const noise = gaussianFloats(Q * dim, seed + 1);
const queries = [];
const truth = [];
const t0 = performance.now();
for (let qi = 0; qi < Q; qi++) {
    const id = pick() + 1; // rvf_boot_bench writes ids 1..n
    const row = (await ref.get(id))?.vector;
    if (!row)
        throw new Error(`${file} has no row with id ${id}: this bench expects ids 1..n (rvf_boot_bench's)`);
    const v = new Float32Array(dim);
    for (let d = 0; d < dim; d++)
        v[d] = row[d] + 0.05 * noise[qi * dim + d];
    queries.push(v);
    truth.push(new Set((await ref.query(v, K, { efSearch: n })).map((h) => String(h.id))));
}
await ref.close();
console.log(`${file}: ${n} × ${dim}, ${MB(statSync(file).size)} MB; ${Q} queries, exact truth in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const bytes = await readFile(file);
const server = await serveRanges(bytes);
try {
    for (const nprobe of probes) {
        const store = await RvfStore.openProgressive(server.url, { stream: false, cacheBytes, nprobe });
        const p0 = store.progress();
        let hits = 0, most = 0, ms = 0, firstBytes = 0, firstTrips = 0;
        for (let qi = 0; qi < Q; qi++) {
            const t = performance.now();
            await store.prepare(queries[qi]);
            const got = store.query(queries[qi], K);
            ms += performance.now() - t;
            if (qi === 0) {
                firstBytes = store.progress().bytesFetched;
                firstTrips = store.progress().roundTrips;
            }
            hits += got.filter((h) => truth[qi].has(String(h.id))).length;
            most = Math.max(most, store.progress().bytesHeld);
        }
        const p = store.progress();
        console.log(`nprobe ${nprobe}: first answer after ${firstTrips} round trips, ${MB(firstBytes)} MB ` +
            `(tail + root + directory + map: ${MB(p0.bytesFetched)} MB, ${p0.partitions} partitions); ` +
            `mean ${MB((p.bytesFetched - p0.bytesFetched) / Q)} MB and ${(ms / Q).toFixed(1)} ms per query; ` +
            `recall@10 ${(hits / (Q * K)).toFixed(3)}; held at most ${MB(most)} MB (cache ${MB(cacheBytes)} MB); ` +
            `wasm heap ${MB(memory.buffer.byteLength)} MB (${MB(heapAtStart)} MB at start)`);
        store.close();
    }
} finally {
    await server.close();
}
