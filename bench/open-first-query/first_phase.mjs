// bench/open-first-query/first_phase.mjs — the "first" phase of the engine runners
// (bench/engines/*.mjs, through runEngine in engines/common.mjs): in a fresh process, open the
// saved index, set the search breadth, answer the first query; then the remaining queries. It
// prints one {"event":"first"} line with the times, /proc snapshots before open, after open,
// after the first query and after the rest, and recall@10 against the exact ground truth.
//
// Job fields it reads: query, truth (.fvecs / .ivecs), file, dim, k, ef (search breadth of every
// query; engines whose breadth is fixed at construction — usearch — take it at open as open_ef),
// max_queries (default 100).
import { readVecs } from '../engines/common.mjs';
import { procDelta, procSnapshot } from './proc_stats.mjs';

const now = () => process.hrtime.bigint();
const ms = (a, b) => Number(b - a) / 1e6;

function recallOne(ids, truth, q, k) {
    const want = truth.data.subarray(q * truth.dim, q * truth.dim + Math.min(k, truth.dim));
    const got = new Set(ids);
    let hit = 0;
    for (const id of want)
        if (got.has(id))
            hit++;
    return hit / want.length;
}

export async function firstPhase(engine, job, emit) {
    const k = job.k ?? 10;
    if (!Number.isInteger(job.ef) || job.ef < k)
        throw new Error(`first phase: ef must be an integer ≥ k (${k}); got ${job.ef}`);
    const queries = readVecs(job.query);
    const truth = readVecs(job.truth, Int32Array);
    const n = Math.min(queries.n, truth.n, job.max_queries ?? 100);
    // Queries are converted before the clock starts: the API's input form is not the open's cost.
    const prepared = Array.from({ length: n }, (_, i) => engine.prepareQuery(queries.row(i)));
    globalThis.gc?.();

    const before = procSnapshot();
    const t0 = now();
    await engine.open(job.file, { ...job, open_ef: job.ef });
    const t1 = now();
    const afterOpen = procSnapshot();
    const t2 = now();
    await engine.setEf(job.ef);
    const first = engine.query(prepared[0], k);
    const t3 = now();
    // Since process start: node's own boot and the library's load, which a user also waits for.
    const sinceStart = performance.now();
    const afterFirst = procSnapshot();
    const firstIds = engine.ids(first);

    let restSum = 0;
    const t4 = now();
    for (let q = 1; q < n; q++)
        restSum += recallOne(engine.ids(engine.query(prepared[q], k)), truth, q, k);
    const t5 = now();
    const afterRest = procSnapshot();

    emit({
        event: 'first',
        ef: job.ef,
        k,
        queries: n,
        open_ms: ms(t0, t1),
        first_query_ms: ms(t2, t3),
        open_first_ms: ms(t0, t1) + ms(t2, t3),
        since_process_start_ms: sinceStart,
        rest_mean_ms: n > 1 ? ms(t4, t5) / (n - 1) : null,
        recall_first: recallOne(firstIds, truth, 0, k),
        recall_rest: n > 1 ? restSum / (n - 1) : null,
        proc: { before, after_open: afterOpen, after_first: afterFirst, after_rest: afterRest },
        io_open: procDelta(before, afterOpen),
        io_first: procDelta(before, afterFirst),
        io_rest: procDelta(afterFirst, afterRest),
    });
}
