// bench/sharded/run.mjs — a sharded collection served by nginx on loopback, read over HTTP by the
// wasm package's RvfShardedCollection (issue 21): what the first answer costs (round trips,
// bytes, time, with `wait: 'queryable'` and with `wait: 'loaded'`), then query latency p50/p99
// with 1, 4 and 16 readers querying at once (one worker thread each, each its own reader) and
// recall@10 of the indexed answer against the exact one.
//
//   node bench/sharded/run.mjs [--shards 10] [--rows 20000] [--dim 32] [--queries 200] [--ef 64]
//                              [--concurrency 1,4,16] [--json FILE]
//
// Needs the Node addon (writes the collection), the wasm-release build (npm/rvf-wasm/dist) and
// nginx (`bash scripts/setup.sh`). Rows are seeded uniform floats (tests/js/helpers/mulberry32.mjs)
// so a run is reproducible; the collection is written once per parameter set into a temp dir.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { uniformFloats } from '../../tests/js/helpers/mulberry32.mjs';

const { RvfShardedCollection: HttpSharded } = await import('@ruvector/rvf-wasm');

function pct(sorted, p) {
    return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** One reader: open over HTTP, then run its share of the queries; reports latencies and recall. */
async function reader({ url, dim, queries, seed, ef, startAt }) {
    const c = await HttpSharded.open(url, { wait: 'loaded', timeoutMs: 600_000 });
    const q = uniformFloats(queries * dim, seed);
    const exact = [];
    for (let i = 0; i < queries; i++) // the reference, before the timed part
        exact.push(new Set(c.query(q.subarray(i * dim, (i + 1) * dim), 10, { exact: true }).neighbors.map((h) => h.id)));
    // Start together: every reader waits for the same wall-clock instant.
    while (Date.now() < startAt)
        await new Promise((r) => setTimeout(r, 5));
    const lat = [];
    let hits = 0;
    for (let i = 0; i < queries; i++) {
        const t = process.hrtime.bigint();
        const r = c.query(q.subarray(i * dim, (i + 1) * dim), 10, { efSearch: ef });
        lat.push(Number(process.hrtime.bigint() - t) / 1e6);
        hits += r.neighbors.filter((h) => exact[i].has(h.id)).length;
    }
    c.close();
    return { lat, recall: hits / (10 * queries) };
}

if (!isMainThread) {
    parentPort.postMessage(await reader(workerData));
} else {
    const args = process.argv.slice(2);
    const opt = (name, fallback) => {
        const i = args.indexOf(`--${name}`);
        return i >= 0 ? args[i + 1] : fallback;
    };
    const shards = Number(opt('shards', 10));
    const rows = Number(opt('rows', 20000));
    const dim = Number(opt('dim', 32));
    const queries = Number(opt('queries', 200));
    const ef = Number(opt('ef', 64));
    const levels = opt('concurrency', '1,4,16').split(',').map(Number);
    const { RvfShardedCollection } = await import('@ruvector/rvf-node');
    const { startNginx } = await import('../../tests/js/helpers/nginx.mjs');

    const dir = path.join(os.tmpdir(), `rvf-bench-sharded-s${shards}-n${rows}-d${dim}`);
    const root = path.join(dir, 'c.rvf');
    if (!fs.existsSync(path.join(dir, 'done'))) {
        fs.rmSync(dir, { recursive: true, force: true });
        fs.mkdirSync(dir, { recursive: true });
        const t = Date.now();
        const c = RvfShardedCollection.create(root, { shards, dimensions: dim });
        const total = shards * rows;
        for (let at = 0; at < total; at += 50000) {
            const m = Math.min(50000, total - at);
            c.ingestBatch(Array.from({ length: m }, (_, i) => at + i + 1), uniformFloats(m * dim, 7 + at));
        }
        c.compact();
        c.close();
        fs.writeFileSync(path.join(dir, 'done'), '');
        console.log(`wrote ${shards} × ${rows} rows (dim ${dim}, indexed) in ${((Date.now() - t) / 1000).toFixed(1)} s: ${dir}`);
    }
    const bytesOnDisk = fs.readdirSync(path.join(dir, 'c.rvf.shards')).reduce((s, f) => s + fs.statSync(path.join(dir, 'c.rvf.shards', f)).size, 0) + fs.statSync(root).size;
    const server = await startNginx({ root: dir });
    const url = `${server.url}/c.rvf`;
    const out = { shards, rows, dim, queries, ef, bytesOnDisk, first: {}, levels: [] };
    try {
        for (const wait of ['queryable', 'loaded']) {
            const t = Date.now();
            const c = await HttpSharded.open(url, { wait });
            const q0 = uniformFloats(dim, 12345);
            c.query(q0, 10, { efSearch: ef });
            const st = c.status();
            out.first[wait] = { ms: Date.now() - t, roundTrips: st.roundTrips, requests: st.requests, bytes: st.bytesFetched };
            c.close();
        }
        for (const n of levels) {
            const startAt = Date.now() + 1000 + 400 * n * Math.max(1, shards * rows / 200000); // after every reader has loaded
            const jobs = Array.from({ length: n }, (_, i) => new Promise((resolve, reject) => {
                const w = new Worker(fileURLToPath(import.meta.url), { workerData: { url, dim, queries, seed: 1000 + i, ef, startAt } });
                w.once('message', resolve);
                w.once('error', reject);
            }));
            const res = await Promise.all(jobs);
            const lat = res.flatMap((r) => r.lat).sort((a, b) => a - b);
            const recall = res.reduce((s, r) => s + r.recall, 0) / res.length;
            out.levels.push({ readers: n, p50: pct(lat, 50), p99: pct(lat, 99), recall });
        }
    } finally {
        await server.stop();
    }
    const mb = (b) => (b / 1048576).toFixed(1);
    console.log(`\n${shards} shards × ${rows.toLocaleString('en')} rows, dim ${dim}, served by nginx on loopback (${mb(bytesOnDisk)} MiB on disk)`);
    for (const [wait, f] of Object.entries(out.first))
        console.log(`first answer (wait '${wait}'): ${f.ms} ms, ${f.roundTrips} round trips, ${f.requests} requests, ${mb(f.bytes)} MiB`);
    console.log('readers  p50 ms  p99 ms  recall@10 (ef ' + ef + ')');
    for (const l of out.levels)
        console.log(`${String(l.readers).padStart(7)}  ${l.p50.toFixed(3).padStart(6)}  ${l.p99.toFixed(3).padStart(6)}  ${l.recall.toFixed(4)}`);
    const json = opt('json');
    if (json)
        fs.writeFileSync(json, JSON.stringify(out, null, 2));
}
