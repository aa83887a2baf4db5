// bench/engines/faiss-flat.mjs — faiss IndexFlatL2 (exact search) through faiss-node: the
// brute-force reference. It has no ef: the sweep measures the one operating point (recall 1).
import { addRows, loadFaiss } from './faiss-lib.mjs';
import { packageVersion, runEngine } from './common.mjs';

runEngine(async () => {
    const faiss = loadFaiss();
    let index = null;
    return {
        name: 'faiss-flat',
        api: 'IndexFlatL2 add/search (plain arrays, exact)',
        exact: true,
        version: () => `faiss-node ${packageVersion('faiss-node')}`,
        build(base, job) {
            index = new faiss.IndexFlatL2(base.dim);
            addRows(index, base, job.batch ?? 10000);
            return { threads: 1 };
        },
        save(file) {
            index.write(file);
        },
        open(file) {
            index = faiss.IndexFlatL2.read(file);
        },
        setEf() {},
        prepareQuery: (row) => Array.from(row),
        query: (q, k) => index.search(q, k),
        ids: (r) => r.labels,
    };
});
