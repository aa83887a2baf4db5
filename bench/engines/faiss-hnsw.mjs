// bench/engines/faiss-hnsw.mjs — faiss IndexHNSWFlat through faiss-node as one engine of
// `npm run bench`: index_factory "HNSW<M>", efConstruction and efSearch set in the serialised
// index (faiss-lib.mjs). add() uses OpenMP over all cores; the serve phase runs with
// OMP_NUM_THREADS=1 (bench/run.mjs sets it), and a single-query search is single-threaded anyway.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import { addRows, hnswParams, loadFaiss, withHnswParams } from './faiss-lib.mjs';
import { packageVersion, runEngine } from './common.mjs';

runEngine(async () => {
    const faiss = loadFaiss();
    let index = null, bytes = null, ef = 0, efConstruction = 0;
    return {
        name: 'faiss-hnsw',
        api: 'Index.fromFactory("HNSW16") add/search (plain arrays)',
        version: () => `faiss-node ${packageVersion('faiss-node')}`,
        build(base, job) {
            efConstruction = job.ef_construction ?? 200;
            const empty = faiss.Index.fromFactory(base.dim, `HNSW${job.m ?? 16}`, faiss.MetricType.METRIC_L2);
            index = faiss.Index.fromBuffer(withHnswParams(empty.toBuffer(), { efConstruction }));
            addRows(index, base, job.batch ?? 10000);
            return { threads: Number(process.env.OMP_NUM_THREADS) || os.availableParallelism() };
        },
        save(file) {
            index.write(file);
            if (hnswParams(readFileSync(file)).efConstruction !== efConstruction) // the patch held
                throw new Error('faiss index lost its efConstruction');
        },
        open(file) {
            index = faiss.Index.read(file);
            bytes = null;
        },
        setEf(want) {
            if (want === ef)
                return;
            bytes ??= index.toBuffer();
            index = faiss.Index.fromBuffer(withHnswParams(bytes, { efSearch: want }));
            ef = want;
        },
        prepareQuery: (row) => Array.from(row),
        query: (q, k) => index.search(q, k),
        ids: (r) => r.labels,
    };
});
