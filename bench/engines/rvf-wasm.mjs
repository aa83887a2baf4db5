// bench/engines/rvf-wasm.mjs — this project's @ruvector/rvf-wasm (the C++ RvfStore under
// Emscripten, npm/rvf-wasm) in Node as one engine of `npm run bench`. The store lives in wasm
// memory (no file system): ingestBatch commits to the in-memory image, save = compact() then
// toBytes() to the file, open reads the file and calls RvfStore.fromBytes. compact() is there
// because toBytes() alone carries no INDEX_SEG layers (a file store writes them at close(); the
// image has no close-and-keep and the JS API has no buildIndex), so without it the reopened
// image rebuilds its HNSW on the first query (≈ 4 s for SIFT10K here). Single-threaded build
// (the default Emscripten build has no threads).
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { runEngine } from './common.mjs';

runEngine(async (job) => {
    // job.rvf_wasm_pkg: the package staged by bench/setup.mjs with a fresh build of the sources.
    const entry = job.rvf_wasm_pkg ? pathToFileURL(path.join(job.rvf_wasm_pkg, 'src/index.js')).href
                                   : new URL('../../npm/rvf-wasm/src/index.js', import.meta.url).href;
    const mod = await import(entry);
    await mod.init();
    const { RvfStore } = mod;
    let store = null, ef = 64;
    return {
        name: 'rvf-wasm',
        api: 'RvfStore (Emscripten, in-memory image) ingestBatch/query',
        version: async () => `${await mod.version()} (wasm)`,
        async build(base, job) {
            store = await RvfStore.create({ dimensions: base.dim, metric: 'l2', m: job.m ?? 16,
                                            efConstruction: job.ef_construction ?? 200 });
            const batch = job.batch ?? 10000;
            for (let at = 0; at < base.n; at += batch) {
                const n = Math.min(batch, base.n - at);
                const ids = Array.from({ length: n }, (_, i) => at + i);
                const r = store.ingestBatch(ids, base.data.subarray(at * base.dim, (at + n) * base.dim));
                if (r.rejected)
                    throw new Error(`rejected ${r.rejected} vectors`);
            }
            return { threads: 1 };
        },
        save(file) {
            store.compact(); // persists the HNSW layers into the image (see above)
            writeFileSync(file, store.toBytes());
        },
        async open(file) {
            store = await RvfStore.fromBytes(readFileSync(file));
        },
        setEf(want) {
            ef = want;
        },
        prepareQuery: (row) => Float32Array.from(row),
        query: (q, k) => store.query(q, k, { efSearch: ef }),
        ids: (r) => r.map((x) => Number(x.id)),
    };
});
