// browser-tests/pages/progressive.mjs — drives RvfStore.openProgressive(url, {onProgress}) in the
// page and returns what happened as JSON for the runner to check: progress() when the first
// answer was possible, the answers then, the progress events (bytes per phase), progress() and
// the answers once loaded() resolved, and any error with the stage it surfaced at. Assertions
// live in the runner, which knows the file and Node's answers.
import { jsonSafe } from './store_scenario.mjs';

function describeError(rvf, e, stage) {
    return { stage, isRvfError: e instanceof rvf.RvfError, code: e?.code ?? null, name: e?.name ?? null,
             expectedCode: rvf.RvfStatus?.[e?.name] ?? null, message: String(e?.message ?? e).slice(0, 300) };
}

/**
 * Open `url` progressively and query it at the first answer and at full quality.
 * args: {url, queries: number[][], k, efSearch, filter (optional), wrongDim (optional: also query
 * with one component too few)}. Returns {openProgressive, first, final, events, error}.
 */
export async function progressiveCase(rvf, args) {
    const { url, k, efSearch, filter } = args;
    const queries = args.queries.map((q) => Float32Array.from(q));
    const out = { openProgressive: typeof rvf.RvfStore.openProgressive, events: [], first: null, final: null, error: null };
    if (typeof rvf.RvfStore.openProgressive !== 'function') {
        out.error = { stage: 'missing', isRvfError: false, code: null, name: null, expectedCode: null,
                      message: 'RvfStore.openProgressive is not a function: npm/rvf-wasm/src/progressive.js has not landed (or is not wired into src/index.js)' };
        return out;
    }
    const t0 = performance.now();
    let p;
    try {
        p = await rvf.RvfStore.openProgressive(url, { onProgress: (e) => out.events.push({ ms: +(performance.now() - t0).toFixed(1), ...jsonSafe(e ?? {}) }) });
    } catch (e) {
        out.error = describeError(rvf, e, 'open');
        return out;
    }
    try {
        const progress = jsonSafe(p.progress());
        const ms = +(performance.now() - t0).toFixed(1);
        const results = queries.map((q) => p.query(q, k, { efSearch }));
        // query() may attach non-enumerable stats (which layers answered, exact or not).
        out.first = { progress, ms, results: jsonSafe(results), stats: jsonSafe(results.map((r) => r.stats ?? null)) };
        if (args.wrongDim) {
            try {
                p.query(queries[0].subarray(1), k, { efSearch });
                out.first.wrongDim = { threw: false };
            } catch (e) {
                out.first.wrongDim = describeError(rvf, e, 'query');
            }
        }
    } catch (e) {
        out.error = describeError(rvf, e, 'first-query');
        return out;
    }
    try {
        await p.loaded();
    } catch (e) {
        out.error = describeError(rvf, e, 'loaded');
        return out;
    }
    try {
        const progress = jsonSafe(p.progress());
        const ms = +(performance.now() - t0).toFixed(1);
        const results = queries.map((q) => p.query(q, k, { efSearch }));
        const filtered = filter ? queries.map((q) => p.query(q, k, { efSearch, filter })) : null;
        out.final = { progress, ms, results: jsonSafe(results), filtered: jsonSafe(filtered) };
    } catch (e) {
        out.error = describeError(rvf, e, 'final-query');
    }
    if (typeof p.close === 'function')
        p.close();
    return out;
}

/**
 * A partitioned file (docs/format-partition-map.md): openProgressive, then per query
 * prepare(vector) (one round trip: the query's nearest partitions) and query(); then a
 * query-only reader ({stream: false, cacheBytes}) answering the same queries. args: {url,
 * queries, k, cacheBytes}. Returns {open, prepared: [{bytes, roundTrips}], results, queryOnly:
 * {results, mostHeld, bytesFetched, complete, loaded (the error loaded() gave)}, error}.
 */
export async function partitionedCase(rvf, args) {
    const { url, k, cacheBytes } = args;
    const queries = args.queries.map((q) => Float32Array.from(q));
    const out = { open: null, prepared: [], results: [], queryOnly: null, error: null };
    let stage = 'open';
    try {
        // Streaming reader: prepare() runs beside the stream (answers then come from the
        // partitions held; once complete, from the whole store — the same rows either way).
        const p = await rvf.RvfStore.openProgressive(url);
        out.open = jsonSafe(p.progress());
        stage = 'prepare';
        for (const q of queries) {
            const before = p.progress();
            const bytes = await p.prepare(q);
            out.prepared.push({ bytes, roundTrips: p.progress().roundTrips - before.roundTrips, complete: p.progress().complete });
        }
        p.close();
        stage = 'query-only';
        const o = await rvf.RvfStore.openProgressive(url, { stream: false, cacheBytes });
        const base = o.progress().bytesHeld;
        const results = [];
        let mostHeld = 0;
        for (const q of queries) {
            await o.prepare(q);
            results.push(o.query(q, k));
            mostHeld = Math.max(mostHeld, o.progress().bytesHeld - base);
        }
        let loaded = null;
        await o.loaded().catch((e) => { loaded = describeError(rvf, e, 'loaded'); });
        out.queryOnly = { results: jsonSafe(results), mostHeld, bytesFetched: o.progress().bytesFetched, complete: o.progress().complete, loaded };
        o.close();
    } catch (e) {
        out.error = describeError(rvf, e, stage);
    }
    return out;
}

/**
 * A query-only reader over `url` (bench/browser_progressive_heap.mjs): per query prepare() then
 * query(). args: {url, queries, k, nprobe, cacheBytes}. Returns {first: {bytes, roundTrips},
 * ids (per query), bytesFetched, mostHeld, ms (mean per query), heap (the wasm memory's bytes,
 * when the page captured it as window.__rvfMemory), error}.
 */
export async function queryOnlyRun(rvf, args) {
    const { url, k, nprobe, cacheBytes } = args;
    const out = { first: null, ids: [], bytesFetched: 0, mostHeld: 0, ms: 0, heap: null, error: null };
    try {
        const o = await rvf.RvfStore.openProgressive(url, { stream: false, cacheBytes, nprobe });
        let ms = 0;
        for (const [i, v] of args.queries.entries()) {
            const q = Float32Array.from(v);
            const t = performance.now();
            await o.prepare(q);
            const hits = o.query(q, k);
            ms += performance.now() - t;
            if (i === 0)
                out.first = { bytes: o.progress().bytesFetched, roundTrips: o.progress().roundTrips };
            out.ids.push(hits.map((h) => String(h.id)));
            out.mostHeld = Math.max(out.mostHeld, o.progress().bytesHeld);
        }
        out.ms = ms / args.queries.length;
        out.bytesFetched = o.progress().bytesFetched;
        o.close();
    } catch (e) {
        out.error = describeError(rvf, e, 'query-only');
    }
    out.heap = globalThis.__rvfMemory ? globalThis.__rvfMemory.buffer.byteLength : null;
    return out;
}
