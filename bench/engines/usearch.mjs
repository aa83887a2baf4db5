// bench/engines/usearch.mjs — USearch (unum-cloud, N-API) as one engine of `npm run bench`:
// f32 vectors, metric l2sq, connectivity = M, expansion_add = efConstruction. Its Node API fixes
// expansion_search when the Index is constructed, so each point of the ef sweep constructs a
// new Index with that expansion_search and load()s the saved file again (untimed). add() takes
// the whole batch and uses every core (threads = 0); searches pass threads = 1.
import { createRequire } from 'node:module';
import os from 'node:os';
import { packageVersion, runEngine } from './common.mjs';

const require = createRequire(import.meta.url);

runEngine(async () => {
    const usearch = require('usearch');
    let index = null, config = null, file = null, ef = 0;
    const make = (dim, job, expansion) =>
        new usearch.Index({ dimensions: dim, metric: 'l2sq', quantization: 'f32', connectivity: job.m ?? 16,
                            expansion_add: job.ef_construction ?? 200, expansion_search: expansion, multi: false });
    const attach = (path) => (config.job.usearch_open === 'view' ? index.view(path) : index.load(path));
    return {
        name: 'usearch',
        api: 'Index.add (batch, all cores) / search (threads = 1)',
        version: () => packageVersion('usearch'),
        build(base, job) {
            config = { dim: base.dim, job };
            index = make(base.dim, job, 64);
            ef = 64;
            const batch = job.batch ?? 10000;
            for (let at = 0; at < base.n; at += batch) {
                const n = Math.min(batch, base.n - at);
                const keys = new BigUint64Array(n);
                for (let i = 0; i < n; i++)
                    keys[i] = BigInt(at + i);
                index.add(keys, base.data.subarray(at * base.dim, (at + n) * base.dim), 0);
            }
            return { threads: os.availableParallelism() };
        },
        save(path) {
            index.save(path);
        },
        // job.usearch_open 'view' memory-maps the file instead of reading it (bench/open-first-query);
        // job.open_ef opens at that expansion_search, so a later setEf to it reloads nothing.
        open(path, job) {
            config = { dim: job.dim, job };
            file = path;
            ef = job.open_ef ?? 64;
            index = make(job.dim, job, ef);
            attach(path);
        },
        setEf(want) {
            if (want === ef)
                return;
            index = make(config.dim, config.job, want);
            attach(file);
            ef = want;
        },
        prepareQuery: (row) => Float32Array.from(row),
        query: (q, k) => index.search(q, k, 1),
        ids: (r) => Array.from(r.keys, Number),
    };
});
