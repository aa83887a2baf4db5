// bench/engines/hnswlib-node.mjs — hnswlib-node (nmslib/hnswlib via N-API) as one engine of
// `npm run bench`. Its API takes plain arrays (addPoint/searchKnn reject typed arrays), so rows
// are converted inside the timed build and queries once, untimed. addPoint is one call per
// vector on one thread: the library has no batch or multi-threaded insert in Node.
import { createRequire } from 'node:module';
import { packageVersion, runEngine } from './common.mjs';

const require = createRequire(import.meta.url);

runEngine(async () => {
    const { HierarchicalNSW } = require('hnswlib-node');
    let index = null;
    return {
        name: 'hnswlib-node',
        api: 'HierarchicalNSW addPoint/searchKnn (plain arrays)',
        version: () => packageVersion('hnswlib-node'),
        build(base, job) {
            index = new HierarchicalNSW('l2', base.dim);
            index.initIndex(base.n, job.m ?? 16, job.ef_construction ?? 200, 100);
            for (let i = 0; i < base.n; i++)
                index.addPoint(Array.from(base.row(i)), i);
            return { threads: 1 };
        },
        save(file) {
            index.writeIndexSync(file);
        },
        open(file, job) {
            index = new HierarchicalNSW('l2', job.dim);
            index.readIndexSync(file);
        },
        setEf(ef) {
            index.setEf(ef);
        },
        prepareQuery: (row) => Array.from(row),
        query: (q, k) => index.searchKnn(q, k),
        ids: (r) => r.neighbors,
    };
});
