// rvf bench: ingest rate, open time, query latency percentiles, QPS and recall@k per backend, on
// a dataset (default: the bundled SIFT10K, tests/data/siftsmall, or from an npm install a generated
// set of the same shape: sample-data.js) or on an existing FILE.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase } from '../database.js';
import { nativeAvailability } from '../backend/select.js';
import { openInput, readAllRows } from './input/index.js';
import { createProgress } from './progress.js';
import { percentile, toJson } from './common.js';
import { recallAtK } from './query.js';
import { UsageError, InputError } from './errors.js';
import { datasetFiles as filesIn, defaultDataset } from './sample-data.js';

export const spec = {
    usage: '[FILE] [--dataset DIR | --base F --queries F --groundtruth F] [options]',
    summary: 'Benchmark each backend: ingest (unless FILE is given), open, queries (p50/p95/p99, QPS),\nrecall@k against the ground truth. Default dataset: the bundled SIFT10K (from an npm install:\na generated 10K x 128 set with exact ground truth, cached in --dir or a temp dir).',
    max: 1,
    flags: {
        dataset: { type: 'string', help: 'directory with *_base.fvecs, *_query.fvecs, *_groundtruth.ivecs' },
        base: { type: 'string', help: 'vectors to ingest' },
        queries: { type: 'string', alias: 'q', help: 'query vectors' },
        groundtruth: { type: 'string', help: '.ivecs true neighbours (row i: ids for query i)' },
        k: { type: 'number', alias: 'k', min: 1, default: 10, help: 'neighbours per query' },
        'ef-search': { type: 'number', min: 1, default: 100, help: 'HNSW beam width' },
        metric: { type: 'string', default: 'l2', help: 'metric of the stores built' },
        limit: { type: 'number', min: 1, help: 'use only the first N base vectors' },
        dir: { type: 'string', help: 'where to build stores (default: a temp dir, removed after)' },
    },
};

function datasetFiles(opts, workDir) {
    const dir = opts.dataset ?? (opts.base ? null : defaultDataset(path.join(workDir(), 'dataset')).dir);
    const found = dir ? filesIn(dir) : {};
    return {
        base: opts.base ?? found.base,
        queries: opts.queries ?? found.queries,
        groundtruth: opts.groundtruth ?? found.groundtruth,
    };
}

async function backendsFor(choice) {
    const native = await nativeAvailability();
    if (choice === 'native' && !native.available)
        throw new UsageError(`--backend native: the addon is not available (${native.reason})`);
    if (choice === 'native' || choice === 'wasm')
        return { list: [choice], note: null };
    return { list: native.available ? ['native', 'wasm'] : ['wasm'], note: native.available ? null : `native backend skipped: ${native.reason}` };
}

/** Build a store from `base` with the given backend: {seconds, vectors}. */
export async function buildStore(file, baseFile, backend, opts, showProgress) {
    const input = openInput(baseFile);
    const progress = createProgress({ label: `ingest [${backend}]`, total: input.size, enabled: showProgress });
    let db = null, n = 0;
    const t0 = performance.now();
    for await (const b of input.batches({ batchSize: 1000, progress: (c) => progress.update(c, n) })) {
        db ??= await RvfDatabase.create(file, { dimensions: b.dim, metric: opts.metric ?? 'l2', backend });
        let rows = b.rows ?? b.entries.map((e) => e.vector);
        if (opts.limit !== undefined)
            rows = rows.slice(0, Math.max(0, opts.limit - n));
        const r = await db.insertBatch(rows.map((vector, i) => ({ id: n + i, vector })));
        n += r.accepted;
        if (opts.limit !== undefined && n >= opts.limit)
            break;
    }
    progress.update(input.size, n);
    progress.finish();
    if (!db)
        throw new InputError(`${baseFile} holds no vectors`);
    await db.close();
    return { seconds: (performance.now() - t0) / 1000, vectors: n };
}

/** Open `file` read-only on `backend`, run the queries: timings and recall. */
export async function measureQueries(file, backend, queries, truth, opts, showProgress) {
    const t0 = performance.now();
    const db = await RvfDatabase.openReadonly(file, { backend });
    const openMs = performance.now() - t0;
    try {
        const qo = { efSearch: opts.efSearch ?? 100 };
        const t1 = performance.now();
        await db.query(queries[0], opts.k, qo);
        const firstQueryMs = performance.now() - t1;
        const progress = createProgress({ label: `query [${backend}]`, total: queries.length, unit: 'q', enabled: showProgress });
        const results = [], ms = [];
        const tAll = performance.now();
        for (const q of queries) {
            const t = performance.now();
            results.push(await db.query(q, opts.k, qo));
            ms.push(performance.now() - t);
            progress.update(results.length, results.length);
        }
        const total = performance.now() - tAll;
        progress.finish();
        const sorted = [...ms].sort((a, b) => a - b);
        return {
            backend, openMs, firstQueryMs, queries: queries.length, k: opts.k, efSearch: qo.efSearch,
            p50Ms: percentile(sorted, 50), p95Ms: percentile(sorted, 95), p99Ms: percentile(sorted, 99),
            qps: queries.length / (total / 1000),
            recallAtK: truth ? recallAtK(results, truth, opts.k) : null,
            fileSizeBytes: (await db.status()).fileSizeBytes,
        };
    } finally {
        await db.close();
    }
}

export function benchTable(rows) {
    const f = (x, d = 3) => (x === null || x === undefined ? '-' : Number(x).toFixed(d));
    const head = 'backend  ingest vec/s  open ms  1st q ms  p50 ms  p95 ms  p99 ms      QPS  recall@k';
    return [head, ...rows.map((r) => [
        r.backend.padEnd(7), String(r.ingestVectorsPerSecond ? Math.round(r.ingestVectorsPerSecond) : '-').padStart(12),
        f(r.openMs, 1).padStart(8), f(r.firstQueryMs, 2).padStart(9), f(r.p50Ms).padStart(7), f(r.p95Ms).padStart(7),
        f(r.p99Ms).padStart(7), String(Math.round(r.qps)).padStart(8), f(r.recallAtK, 4).padStart(9),
    ].join(' '))].join('\n');
}

export async function run([file], opts, io) {
    // The build directory, created on first use (a generated dataset is written there too).
    let workDir = opts.dir ?? null;
    const getWorkDir = () => (workDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-bench-')));
    try {
        return await benchIn(file, opts, io, getWorkDir);
    } finally {
        if (workDir && !opts.dir)
            fs.rmSync(workDir, { recursive: true, force: true });
    }
}

async function benchIn(file, opts, io, getWorkDir) {
    const files = datasetFiles(opts, getWorkDir);
    if (!file && !files.base)
        throw new UsageError('bench: give FILE, --dataset DIR or --base FILE (the bundled SIFT10K was not found)');
    if (!files.queries)
        throw new UsageError('bench: no query vectors (--queries FILE or a dataset with *_query.fvecs)');
    const queries = await readAllRows(files.queries);
    const truth = files.groundtruth ? await readAllRows(files.groundtruth, 'ivecs') : null;
    if (opts.limit !== undefined && truth && !file)
        io.stderr.write('bench: --limit: recall is measured against the ground truth of the full base set, so it is lower\n');
    const { list, note } = await backendsFor(opts.backend ?? 'auto');
    if (note)
        io.stderr.write(`bench: ${note}\n`);
    const showProgress = opts.progress ?? (opts.json ? false : undefined);
    const rows = [];
    for (const backend of list) {
        let target = file, build = null;
        if (!file) {
            target = path.join(getWorkDir(), `bench-${backend}.rvf`);
            fs.rmSync(target, { force: true });
            build = await buildStore(target, files.base, backend, opts, showProgress);
        }
        const m = await measureQueries(target, backend, queries, truth, opts, showProgress);
        rows.push({ ...m, vectors: build?.vectors, ingestSeconds: build?.seconds, ingestVectorsPerSecond: build ? build.vectors / build.seconds : null });
    }
    if (opts.json)
        io.stdout.write(`${toJson({ dataset: files, results: rows })}\n`);
    else
        io.stdout.write(`${benchTable(rows)}\n`);
    return 0;
}
