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
