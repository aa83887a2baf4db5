// rvf demo [DIR]: the SIFT10K walk-through, every step through this CLI (from an npm install,
// where SIFT10K is not shipped, on a generated set of the same shape in DIR/dataset: sample-data.js):
// ingest the base vectors (progress bar), inspect, query with recall@10 and latency
// percentiles on the native and the wasm backend, reopen and query again, verify.
import fs from 'node:fs';
import path from 'node:path';
import { measureQueries, benchTable } from './bench.js';
import { datasetFiles, defaultDataset } from './sample-data.js';
import { readAllRows } from './input/index.js';
import { nativeAvailability } from '../backend/select.js';
import { RvfDatabase } from '../database.js';
import * as ingest from './ingest.js';
import * as inspect from './inspect.js';
import * as verify from './verify.js';
import { UsageError } from './errors.js';

export const spec = {
    usage: '[DIR] [--dataset DIR]',
    summary: 'End-to-end demo on SIFT10K (from an npm install: a generated 10K x 128 set with exact ground truth):\nbuild a store with the CLI, query it on both backends (recall@10, p50/p95/p99), reopen it, verify it.\nDIR defaults to ./rvf-demo.',
    max: 1,
    flags: {
        dataset: { type: 'string', help: 'directory with *_base.fvecs, *_query.fvecs and *_groundtruth.ivecs' },
        k: { type: 'number', alias: 'k', min: 1, default: 10, help: 'neighbours per query' },
        'ef-search': { type: 'number', min: 1, default: 100, help: 'HNSW beam width' },
    },
};

export async function run([dir = 'rvf-demo'], opts, io) {
    fs.mkdirSync(dir, { recursive: true });
    const data = opts.dataset ? { dir: opts.dataset, name: opts.dataset } : defaultDataset(path.join(dir, 'dataset'));
    const found = datasetFiles(data.dir);
    const files = { 'base.fvecs': found.base, 'query.fvecs': found.queries, 'groundtruth.ivecs': found.groundtruth };
    for (const [n, f] of Object.entries(files))
        if (!f)
            throw new UsageError(`demo: no *_${n} in ${data.dir} (pass --dataset DIR)`);
    const file = (n) => files[n];
    io.stdout.write(`dataset: ${data.name} (${data.dir})\n`);
    const store = path.join(dir, 'sift10k.rvf');
    fs.rmSync(store, { force: true });
    const native = await nativeAvailability();
    const builder = native.available ? 'native' : 'wasm';
    const say = (s) => io.stdout.write(`\n== ${s}\n`);

    say(`rvf ingest ${store} ${file('base.fvecs')} --backend ${builder}`);
    await ingest.run([store, file('base.fvecs')], { backend: builder, batch: 1000, idStart: 0, metric: 'l2', progress: opts.progress }, io);

    say(`rvf inspect ${store}`);
    await inspect.run([store], { backend: builder }, { ...io, stdout: summaryOnly(io.stdout) });

    const queries = await readAllRows(file('query.fvecs'));
    const truth = await readAllRows(file('groundtruth.ivecs'), 'ivecs');
    const backends = native.available ? ['native', 'wasm'] : ['wasm'];
    say(`rvf query ${store} --queries ${file('query.fvecs')} --groundtruth ${file('groundtruth.ivecs')} -k ${opts.k}  (${backends.join(' and ')})`);
    if (!native.available)
        io.stdout.write(`native backend not available (${native.reason}): wasm only\n`);
    const rows = [];
    for (const b of backends)
        rows.push(await measureQueries(store, b, queries, truth, { k: opts.k, efSearch: opts.efSearch }, opts.progress));
    io.stdout.write(`${benchTable(rows)}\n`);

    say(`reopen ${store} and query vector 0 of ${path.basename(file('query.fvecs'))}`);
    for (const b of backends) {
        const t0 = performance.now();
        const db = await RvfDatabase.open(store, { backend: b });
        const hits = await db.query(queries[0], opts.k);
        const ms = performance.now() - t0;
        await db.close();
        io.stdout.write(`${b.padEnd(6)} open + first query ${ms.toFixed(1)} ms: ${hits.map((h) => h.id).join(' ')}\n`);
    }
    io.stdout.write(`truth:  ${Array.from(truth[0].slice(0, opts.k)).join(' ')}\n`);

    say(`rvf verify ${store}`);
    return verify.run([store], { backend: builder }, io);
}

/** A stdout wrapper that keeps inspect's summary lines and drops its segment table. */
function summaryOnly(out) {
    return { write: (s) => out.write(`${s.split('\n').filter((l) => !/^\s+\d+\s+\S+\s+\d+\s+\d+$/.test(l) && !/^\s+id\s+type/.test(l)).join('\n').replace(/\n{2,}/g, '\n')}`) };
}
