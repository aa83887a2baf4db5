// bench/engines/common.mjs — the measuring half every JS engine runner shares, so that each
// engine is timed by the same code (and the native runner, bench/native/engine_runner.cpp, does
// the same steps in C++). One JSON job arrives on stdin; one JSON object per line goes to stdout.
//
// An engine is an object:
//   name, api                         — labels for the report
//   version()                         — library version string (may be async)
//   build(base, job) → {threads}      — create an index over base rows, ids 0..n-1 (timed)
//   query(q, k)                       — one search with the current ef (q from prepareQuery)
//   save(file)                        — persist to file (timed separately; may be absent)
//   open(file, job)                   — load the saved index in a fresh process (timed: cold open)
//   setEf(ef)                         — search breadth for the next queries (untimed; may reload)
//   prepareQuery(row) → q             — the query in the form the API takes (untimed)
//   ids(result) → number[]            — result ids, only for recall (untimed)
// Phases: "build" (build, one query, save; peak RSS), "serve" (open, first query, 1 s warm-up,
// ef sweep: recall, wall QPS, latency percentiles, CPU µs per query; peak RSS) and "first" (open +
// first query with memory and I/O around them: bench/open-first-query/first_phase.mjs). A missing library makes the runner print {"event":"unavailable"} and exit 0.
import { readFileSync, statSync } from 'node:fs';

export function emit(obj) {
    process.stdout.write(`${JSON.stringify(obj)}\n`);
}

export function readJob() {
    return JSON.parse(readFileSync(0, 'utf8'));
}

/** TEXMEX .fvecs/.ivecs: per row an int32 dim then dim 4-byte values. */
export function readVecs(path, Type = Float32Array) {
    const buf = readFileSync(path);
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    const dim = dv.getInt32(0, true);
    const rowBytes = 4 + dim * 4;
    if (dim <= 0 || buf.byteLength % rowBytes !== 0)
        throw new Error(`${path}: not a ${Type.name} vecs file`);
    const n = buf.byteLength / rowBytes;
    const data = new Type(n * dim);
    const all = new Type(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
    for (let i = 0; i < n; i++)
        data.set(all.subarray(i * (dim + 1) + 1, (i + 1) * (dim + 1)), i * dim);
    return { n, dim, data, row: (i) => data.subarray(i * dim, (i + 1) * dim) };
}

/** The first `max` rows (all when max is 0 or absent). */
function limitRows(m, max) {
    if (!max || max >= m.n)
        return m;
    const data = m.data.subarray(0, max * m.dim);
    return { n: max, dim: m.dim, data, row: (i) => data.subarray(i * m.dim, (i + 1) * m.dim) };
}

/** Peak resident set (VmHWM) of this process in KiB. */
export function peakRssKib() {
    const m = /VmHWM:\s+(\d+)/.exec(readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : 0;
}

const now = () => process.hrtime.bigint();
const secs = (t0) => Number(now() - t0) / 1e9;

function percentile(sorted, p) {
    return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
}

function recallAtK(results, truth, k) {
    let sum = 0;
    for (let q = 0; q < results.length; q++) {
        const want = truth.data.subarray(q * truth.dim, q * truth.dim + Math.min(k, truth.dim));
        const got = new Set(results[q]);
        let hit = 0;
        for (const id of want)
            if (got.has(id))
                hit++;
        sum += hit / want.length;
    }
    return results.length ? sum / results.length : 0;
}

function fileBytes(file) {
    try {
        return statSync(file).size;
    } catch {
        return null;
    }
}

async function buildPhase(engine, job) {
    const base = readVecs(job.base);
    const k = job.k ?? 10;
    const t0 = now();
    const info = (await engine.build(base, job)) ?? {};
    await engine.setEf(64);
    engine.query(engine.prepareQuery(base.row(0)), k); // the index answers: build is over
    const buildS = secs(t0);
    emit({ event: 'build', seconds: buildS, vectors: base.n, vectors_per_s: base.n / buildS, threads: info.threads ?? 1,
           durable: !!info.durable });
    if (engine.save) {
        const t1 = now();
        await engine.save(job.file);
        emit({ event: 'save', seconds: secs(t1), file_bytes: fileBytes(job.file) });
    }
    emit({ event: 'rss', phase: 'build', peak_rss_kib: peakRssKib() });
}

async function servePhase(engine, job) {
    const queries = limitRows(readVecs(job.query), job.max_queries);
    const truth = limitRows(readVecs(job.truth, Int32Array), job.max_queries);
    const k = job.k ?? 10;
    if (truth.n !== queries.n)
        throw new Error('ground truth and queries differ in count');
    const prepared = Array.from({ length: queries.n }, (_, i) => engine.prepareQuery(queries.row(i)));
    const t0 = now();
    await engine.open(job.file, job);
    const openS = secs(t0);
    await engine.setEf(64);
    const t1 = now();
    engine.query(prepared[0], k);
    emit({ event: 'open', open_seconds: openS, first_query_seconds: secs(t1) });

    // Warm-up before any timing: V8 runs new code (wasm included) in a baseline tier first and
    // optimises it in the background, so the first sweep point would otherwise be measured slow.
    const warm0 = now();
    for (let i = 0; secs(warm0) < (job.warmup_s ?? 1); i = (i + 1) % prepared.length)
        engine.query(prepared[i], k);
    const minTime = job.min_time ?? 0.3, minPasses = job.min_passes ?? 2, maxPasses = job.max_passes ?? 50;
    const stopRecall = job.stop_recall ?? 0.995;
    const lat = new Float64Array(queries.n);
    for (const ef of job.ef_search) {
        await engine.setEf(ef);
        globalThis.gc?.();
        const results = prepared.map((q) => engine.ids(engine.query(q, k))); // warm-up pass, recall
        const recall = recallAtK(results, truth, k);
        let best = Infinity, bestCpu = Infinity, total = 0, passes = 0, bestLat = null;
        while (passes < minPasses || (total < minTime && passes < maxPasses)) {
            const c0 = process.cpuUsage(); // CPU time: immune to other processes taking the core
            const p0 = now();
            for (let i = 0; i < prepared.length; i++) {
                const a = now();
                engine.query(prepared[i], k);
                lat[i] = Number(now() - a) / 1e3;
            }
            const s = secs(p0);
            const c = process.cpuUsage(c0);
            total += s;
            passes++;
            bestCpu = Math.min(bestCpu, (c.user + c.system) / queries.n);
            if (s < best) {
                best = s;
                bestLat = Float64Array.from(lat).sort();
            }
        }
        emit({ event: 'search', ef, k, recall, qps: queries.n / best, p50_us: percentile(bestLat, 0.5),
               p95_us: percentile(bestLat, 0.95), p99_us: percentile(bestLat, 0.99), cpu_us_per_query: bestCpu, passes });
        if (recall >= stopRecall)
            break;
    }
    emit({ event: 'rss', phase: 'serve', peak_rss_kib: peakRssKib() });
}

/** Run one job with the engine `load()` returns (null when its library is not installed). */
export async function runEngine(load) {
    const job = readJob();
    let engine;
    try {
        engine = await load(job);
    } catch (e) {
        emit({ event: 'unavailable', message: String(e?.message ?? e).split('\n')[0] });
        return;
    }
    emit({ event: 'info', engine: engine.name, version: await engine.version(), api: engine.api, node: process.version });
    try {
        if (job.phase === 'build')
            await buildPhase(engine, job);
        else if (job.phase === 'serve')
            await servePhase(engine, job);
        else if (job.phase === 'first') // open + first query in a fresh process: bench/open-first-query/
            await (await import('../open-first-query/first_phase.mjs')).firstPhase(engine, job, emit);
        else
            throw new Error(`unknown phase '${job.phase}'`);
    } catch (e) {
        emit({ event: 'error', message: String(e?.stack ?? e) });
        process.exitCode = 1;
    }
}

/** The version of a package installed in bench/node_modules (read directly: some block it in "exports"). */
export function packageVersion(name) {
    try {
        return JSON.parse(readFileSync(new URL(`../node_modules/${name}/package.json`, import.meta.url), 'utf8')).version;
    } catch {
        return 'unknown';
    }
}
