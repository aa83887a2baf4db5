// rvf query FILE --vector '[..]' | --queries Q.fvecs [-k 10] [--filter JSON] [--groundtruth GT.ivecs]
import { openDb, output, parseVector, parseFilter, percentile, toJson } from './common.js';
import { readAllRows } from './input/index.js';
import { createProgress } from './progress.js';
import { UsageError, InputError } from './errors.js';

export const spec = {
    usage: "FILE (--vector '[x1, x2, ...]' | --queries FILE) [options]",
    usageArgs: 'FILE',
    summary: 'k nearest neighbours of one vector (--vector) or of every vector in a file (--queries).\n--json prints [{"id":..,"distance":..}] (one list per query with --queries).',
    min: 1,
    max: 1,
    flags: {
        vector: { type: 'string', help: 'query vector: JSON array or comma-separated numbers' },
        queries: { type: 'string', alias: 'q', help: 'file of query vectors (.fvecs .bvecs .npy .jsonl .csv)' },
        k: { type: 'number', alias: 'k', min: 1, help: 'neighbours per query', default: 10 },
        'ef-search': { type: 'number', min: 1, help: 'HNSW beam width', default: 100 },
        filter: { type: 'string', help: 'metadata filter JSON (or @file.json)' },
        metadata: { type: 'boolean', help: 'include each hit\'s metadata' },
        groundtruth: { type: 'string', help: '.ivecs of true neighbours: report recall@k' },
        format: { type: 'string', help: 'format of --queries when its extension does not tell' },
    },
};

/** recall@k of result lists against ground-truth rows (ids as numbers). */
export function recallAtK(results, truth, k) {
    let hit = 0;
    results.forEach((hits, i) => {
        const want = new Set(Array.from(truth[i].slice(0, k)));
        for (const h of hits.slice(0, k))
            if (want.has(typeof h.id === 'number' ? h.id : Number(h.id)))
                hit++;
    });
    return hit / (results.length * k);
}

export async function run([file], opts, io) {
    if ((opts.vector === undefined) === (opts.queries === undefined))
        throw new UsageError('query: give exactly one of --vector and --queries');
    const filter = parseFilter(opts.filter);
    const qopts = { efSearch: opts.efSearch, filter, includeMetadata: !!opts.metadata };
    const db = await openDb(file, opts, { readOnly: true });
    try {
        if (opts.vector !== undefined) {
            const hits = await db.query(parseVector(opts.vector), opts.k, qopts);
            output(io, opts, hits, () => hits.map((h, i) => `${String(i + 1).padStart(3)}. id ${String(h.id)}  distance ${h.distance}${h.metadata ? `  ${toJson(h.metadata)}` : ''}`).join('\n') || '(no results)');
            return 0;
        }
        const queries = await readAllRows(opts.queries, opts.format);
        if (queries.length === 0)
            throw new InputError(`${opts.queries} holds no vectors`);
        const truth = opts.groundtruth ? await readAllRows(opts.groundtruth, 'ivecs') : null;
        if (truth && truth.length < queries.length)
            throw new InputError(`${opts.groundtruth} has ${truth.length} rows for ${queries.length} queries`);
        const progress = createProgress({ label: 'query', total: queries.length, unit: 'q', enabled: opts.progress ?? (!opts.json && undefined) });
        const results = [], ms = [];
        for (const q of queries) {
            const t = performance.now();
            results.push(await db.query(q, opts.k, qopts));
            ms.push(performance.now() - t);
            progress.update(results.length, results.length);
        }
        progress.finish();
        const sorted = [...ms].sort((a, b) => a - b);
        const lat = { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), mean: ms.reduce((a, b) => a + b, 0) / ms.length };
        const recall = truth ? recallAtK(results, truth, opts.k) : undefined;
        if (opts.json) {
            io.stdout.write(`${toJson(truth ? { k: opts.k, queries: queries.length, recallAtK: recall, latencyMs: lat, backend: db.backend, results } : results)}\n`);
            return 0;
        }
        const show = results.slice(0, 5).map((hits, i) => `query ${i}: ${hits.map((h) => `${String(h.id)} (${+h.distance.toPrecision(6)})`).join(', ')}`);
        if (results.length > 5)
            show.push(`... ${results.length - 5} more queries`);
        show.push(`${queries.length} queries, k=${opts.k}: latency p50 ${lat.p50.toFixed(3)} ms, p95 ${lat.p95.toFixed(3)} ms, p99 ${lat.p99.toFixed(3)} ms [${db.backend}]`);
        if (truth)
            show.push(`recall@${opts.k}: ${recall.toFixed(4)}`);
        io.stdout.write(`${show.join('\n')}\n`);
        return 0;
    } finally {
        await db.close();
    }
}
