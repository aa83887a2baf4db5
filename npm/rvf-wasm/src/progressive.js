// @ruvector/rvf-wasm — RvfStore.openProgressive(url): an .rvf file loaded over HTTP Range
// requests, answering queries long before the last byte arrives. This file only moves bytes:
// which ranges to fetch, every hash check and the phases (tail → directory → hotset → stream →
// complete) live in the C++ runtime (rvf/progressive.hpp, bound as core.Progressive).
//
// HTTP: the first request is `Range: bytes=-4096` (its Content-Range gives the file size), then
// each phase's ranges are fetched in parallel (at most `concurrency` at a time); one phase's
// batch is one round trip. A server that ignores Range (200 + the whole body) still works. Every
// 206 must carry the Content-Range asked for, the same total size and the same ETag as the
// first response (the tail request excepted: an absolute answer to it is used for its size, see
// get()). Failures are RvfError: HttpError (404, 5xx, ...), RangeNotSatisfiable (416 or
// a range other than the one asked for), FileChanged (ETag or size differ between responses),
// NetworkError (fetch rejected, aborted), and the runtime's own (InvalidChecksum, ...).
//
// The handle is either backend's: this module's wasm core.Progressive (outcome objects, freed
// with delete()) or the native addon's Progressive (@ruvector/rvf-node: the same methods and
// result shapes, errors thrown). The SDK's RvfDatabase.openProgressive passes the addon's class
// through index.js's openProgressiveWith, so there is one copy of the HTTP logic.

const TAIL_BYTES = 4096;
/** Partitions prepare() fetches per query on a partitioned file (docs/format-partition-map.md):
 * at 100 K × 128 four gave recall@10 0.986 from ~1.1 MB (bench/README.md). */
const DEFAULT_NPROBE = 4;

function parseContentRange(h) {
    const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((h ?? '').trim());
    return m ? { start: Number(m[1]), end: Number(m[2]) + 1, total: Number(m[3]) } : null;
}

/**
 * The loader behind RvfStore.openProgressive. `deps` carries index.js's helpers (the module
 * loader, error constructors and argument conversions) so both files share one definition;
 * optionally `Progressive` (the handle constructor; default: the wasm module's) and `adoptError`
 * (a thrown handle error → RvfError, for handles that throw rather than return outcomes).
 */
export async function openProgressive(url, options, deps) {
    const { init, RvfError, jsError, unwrap, adoptError } = deps;
    if (typeof url !== 'string' && !(url instanceof URL))
        throw jsError('InvalidArgument', 'openProgressive() takes a URL (string or URL)');
    const opts = options ?? {};
    const doFetch = opts.fetch ?? globalThis.fetch;
    if (typeof doFetch !== 'function')
        throw jsError('InvalidOptions', 'no fetch function: pass options.fetch');
    if (opts.onProgress !== undefined && typeof opts.onProgress !== 'function')
        throw jsError('InvalidOptions', 'onProgress must be a function');
    const concurrency = opts.concurrency ?? 6;
    if (!Number.isInteger(concurrency) || concurrency < 1)
        throw jsError('InvalidOptions', 'concurrency must be a positive integer');
    const stream = opts.stream ?? true;
    if (typeof stream !== 'boolean')
        throw jsError('InvalidOptions', `stream must be a boolean, got ${String(opts.stream)}`);
    const cacheBytes = opts.cacheBytes ?? 0;
    if (!Number.isSafeInteger(cacheBytes) || cacheBytes < 0)
        throw jsError('InvalidOptions', `cacheBytes must be a non-negative integer, got ${String(opts.cacheBytes)}`);
    if (cacheBytes > 0 && stream)
        throw jsError('InvalidOptions', 'cacheBytes bounds a query-only reader: pass stream: false with it');
    const nprobe = opts.nprobe ?? DEFAULT_NPROBE;
    if (!Number.isInteger(nprobe) || nprobe < 1 || nprobe > 0xffff)
        throw jsError('InvalidOptions', `nprobe must be an integer 1..65535 (partitions fetched per query), got ${String(opts.nprobe)}`);
    const signal = opts.signal;
    const Progressive = deps.Progressive ?? (await init()).Progressive;

    const stats = { bytesFetched: 0, roundTrips: 0, requests: 0 };
    let etag = null;
    let fileSize = null;
    let handle = null;
    let failure = null;

    const httpError = (name, detail) => jsError(name, `${detail} (${String(url)})`);

    /** One GET; resolves to { start, bytes } of the file. `range`: {offset, length} or null (tail). */
    async function get(range) {
        if (signal?.aborted)
            throw httpError('NetworkError', 'aborted');
        const header = range ? `bytes=${range.offset}-${range.offset + range.length - 1}` : `bytes=-${TAIL_BYTES}`;
        stats.requests++;
        let res;
        try {
            res = await doFetch(url, { headers: { Range: header }, signal });
        } catch (e) {
            throw httpError('NetworkError', `fetch failed: ${e?.message ?? e}`);
        }
        if (res.status === 416)
            throw httpError('RangeNotSatisfiable', `HTTP 416 for ${header}`);
        if (res.status !== 200 && res.status !== 206)
            throw httpError('HttpError', `HTTP ${res.status} for ${header}`);
        let bytes;
        try {
            bytes = new Uint8Array(await res.arrayBuffer());
        } catch (e) {
            throw httpError('NetworkError', `reading the body failed: ${e?.message ?? e}`);
        }
        stats.bytesFetched += bytes.length;
        const tag = res.headers.get('etag');
        if (tag !== null) {
            if (etag === null && fileSize === null)
                etag = tag;
            else if (etag !== null && tag !== etag)
                throw httpError('FileChanged', `ETag changed from ${etag} to ${tag}`);
        }
        if (res.status === 200) { // Range ignored: the whole file
            if (fileSize !== null && bytes.length !== fileSize)
                throw httpError('FileChanged', `size changed from ${fileSize} to ${bytes.length} bytes`);
            return { start: 0, bytes, total: bytes.length };
        }
        const cr = parseContentRange(res.headers.get('content-range'));
        if (!cr || cr.end - cr.start !== bytes.length)
            throw httpError('RangeNotSatisfiable', `206 without a matching Content-Range for ${header}`);
        if (fileSize !== null && cr.total !== fileSize)
            throw httpError('FileChanged', `size changed from ${fileSize} to ${cr.total} bytes`);
        if (cr.end > cr.total)
            throw httpError('RangeNotSatisfiable', `Content-Range bytes ${cr.start}-${cr.end - 1} lies past the size ${cr.total}`);
        const wantStart = range ? range.offset : Math.max(0, cr.total - TAIL_BYTES);
        const wantEnd = range ? range.offset + range.length : cr.total;
        if (!range && (cr.start !== wantStart || cr.end !== wantEnd)) {
            // Some servers answer the suffix range with an absolute one (bytes 0-4095/size for
            // bytes=-4096). Its size is still the file's: keep the tail if the answer covers
            // it, else report no bytes and let the caller ask for the tail by offset.
            if (cr.start <= wantStart && cr.end === wantEnd)
                return { start: wantStart, bytes: bytes.subarray(wantStart - cr.start), total: cr.total };
            return { start: wantStart, bytes: null, total: cr.total };
        }
        if (cr.start !== wantStart || cr.end !== wantEnd)
            throw httpError('RangeNotSatisfiable', `asked ${header}, got bytes ${cr.start}-${cr.end - 1}`);
        return { start: cr.start, bytes, total: cr.total };
    }

    const state = () => unwrap(handle.state());
    function progress() {
        const s = handle ? state() : null;
        return {
            bytesFetched: stats.bytesFetched,
            roundTrips: stats.roundTrips,
            requests: stats.requests,
            fileSize: fileSize ?? 0,
            phase: s ? s.phase : 'tail',
            layers: s ? s.layers : [],
            queryable: s ? s.queryable : false,
            complete: s ? s.complete : false,
            wholeFile: s ? s.wholeFile : false,
            partitioned: s ? s.partitioned : false,
            bytesHeld: s ? s.bytesHeld : 0,
            partitions: s ? s.partitions : 0,
            bytesByPhase: s ? s.bytesByPhase : { tail: 0, directory: 0, hotset: 0, stream: 0 },
        };
    }
    const report = () => {
        if (opts.onProgress)
            opts.onProgress(progress());
    };
    const supply = ({ start, bytes }) => {
        unwrap(handle.supply(start, bytes, bytes.length));
        report();
    };

    /** Fetch one batch of ranges, `concurrency` at a time, supplying each as it lands. */
    async function wave(ranges) {
        stats.roundTrips++;
        let next = 0;
        const worker = async () => {
            while (next < ranges.length && !failure) {
                const got = await get(ranges[next++]);
                if (store.closed)
                    throw jsError('StoreClosed', 'the store was closed while loading');
                supply(got); // a 200 (Range ignored) supplies the whole file at once
            }
        };
        await Promise.all(Array.from({ length: Math.min(concurrency, ranges.length) }, worker));
    }

    // Round trip 1: the tail, which also tells the file size.
    handle = new Progressive();
    try {
        let first = await get(null);
        fileSize = first.total;
        unwrap(handle.begin(fileSize, stream, cacheBytes));
        stats.roundTrips++;
        if (!first.bytes) { // the suffix request got another part of the file: ask by offset
            first = await get({ offset: first.start, length: fileSize - first.start });
            stats.roundTrips++;
        }
        supply(first);
    } catch (e) {
        handle.delete();
        throw e;
    }

    let resolveLoaded, rejectLoaded;
    const loadedPromise = new Promise((res, rej) => { resolveLoaded = res; rejectLoaded = rej; });
    loadedPromise.catch(() => {}); // reported through loaded(); never an unhandled rejection

    let firstReady;
    const ready = new Promise((res, rej) => { firstReady = { res, rej }; });
    /**
     * Partitioned files: fetch (one round trip, in parallel) the partitions nearest to `q` that
     * have not arrived; a no-op for other files and once complete. Resolves to the bytes fetched.
     */
    let partitioned = null; // known once queryable (the map is the hotset); never changes after
    async function prepare(q, probes) {
        partitioned ??= state().partitioned;
        if (!partitioned)
            return 0;
        const ranges = unwrap(handle.wantedFor(q, q.length, probes)); // [] once complete
        if (ranges.length === 0)
            return 0;
        if (failure)
            throw failure;
        const before = stats.bytesFetched;
        await wave(ranges);
        if (failure)
            throw failure;
        return stats.bytesFetched - before;
    }

    const store = new ProgressiveRvfStore(handle, { progress, loaded: () => loadedPromise, prepare, nprobe, deps });

    (async () => {
        try {
            while (true) {
                if (store.closed)
                    throw jsError('StoreClosed', 'the store was closed while loading');
                if (state().queryable)
                    firstReady.res();
                const ranges = unwrap(handle.wanted());
                if (ranges.length === 0)
                    break;
                await wave(ranges);
            }
            const s = state();
            if (!s.complete && !stream) {
                // Query-only: nothing more is fetched until a query asks (prepare()); loaded()
                // says so (the store itself keeps working, so this is not a loading failure).
                firstReady.res();
                rejectLoaded(jsError('NotReady', 'opened with stream: false: the whole file is never loaded; each query ' +
                    'fetches the partitions it needs (prepare(vector)); open without stream: false to load it all'));
                return;
            }
            if (!s.complete)
                throw jsError('NotReady', 'loading stopped before the whole file arrived');
            report();
            firstReady.res();
            resolveLoaded(store);
        } catch (e) {
            // Fetch failures are already RvfErrors; anything else came from the wasm module itself
            // (an abort when its heap cannot grow, e.g. a file too large for 32-bit memory).
            const adopted = adoptError ? adoptError(e) : e;
            failure = e instanceof RvfError ? e
                : adopted instanceof RvfError ? adopted
                : e instanceof WebAssembly.RuntimeError || /abort|memory/i.test(String(e?.message ?? e))
                    ? jsError('OutOfMemory', `the wasm runtime stopped while loading: ${e?.message ?? e}`)
                    : httpError('NetworkError', e?.message ?? String(e));
            firstReady.rej(failure);
            rejectLoaded(failure);
        }
    })();

    try {
        await ready;
    } catch (e) {
        store.close();
        throw e;
    }
    return store;
}

const finalizer = new FinalizationRegistry((handle) => handle.delete());

/**
 * A store being loaded progressively. query() has RvfStore.query's signature; each result
 * array carries a non-enumerable `stats` ({layers: ['A', ...], exact, distanceEvals}) saying
 * which index layers answered. Before completion filters are refused (RvfError NotReady).
 */
export class ProgressiveRvfStore {
    #h;
    #progress;
    #loaded;
    #prepare;
    #nprobe;
    #deps;

    constructor(handle, { progress, loaded, prepare, nprobe, deps }) {
        this.#h = handle;
        this.#progress = progress;
        this.#loaded = loaded;
        this.#prepare = prepare;
        this.#nprobe = nprobe;
        this.#deps = deps;
        finalizer.register(this, handle, this);
    }

    #handle() {
        if (!this.#h)
            throw this.#deps.jsError('StoreClosed', 'the store is closed');
        return this.#h;
    }

    /** The k nearest: [{id, distance}], nearest first; `.stats` tells which layers answered. */
    query(vector, k, options = {}) {
        const { jsError, unwrap, toFloats, filterJson, fromWords, fromId } = this.#deps;
        const h = this.#handle();
        const q = toFloats(vector, 'vector');
        if (!Number.isInteger(k) || k < 0)
            throw jsError('InvalidArgument', `k must be a non-negative integer, got ${String(k)}`);
        const ef = options.efSearch === undefined ? 100 : options.efSearch;
        if (!Number.isInteger(ef) || ef < 0 || ef > 0xffffffff)
            throw jsError('InvalidArgument', `efSearch must be a non-negative integer, got ${String(ef)}`);
        const filter = options.filter === undefined || options.filter === null ? '' : filterJson(options.filter);
        const r = unwrap(h.query(q, q.length, Math.min(k, 0xffffffff), ef, filter, this.#deps.nprobeOption(options.nprobe)));
        const ids = fromWords(r.ids);
        const out = new Array(ids.length);
        for (let i = 0; i < ids.length; i++)
            out[i] = { id: fromId(ids[i]), distance: r.distances[i] };
        Object.defineProperty(out, 'stats', {
            value: { layers: r.layers, exact: r.exact, distanceEvals: r.distanceEvals },
            enumerable: false,
        });
        return out;
    }

    /**
     * Get ready to answer `vector` well before the whole file has arrived. A partitioned file
     * (written by compact() of a store created with partitionOnCompact) holds no rows until
     * asked: this fetches, in one round trip, the `nprobe` partitions (default: openProgressive's
     * nprobe, 4) whose centroids are nearest to `vector`, so the next query(vector, ...) scores
     * them exactly. Other files, and a complete store: resolves at once. Resolves to the number
     * of bytes fetched. Errors: RvfError DimensionMismatch, InvalidArgument (NaN), the
     * loader's HTTP errors.
     */
    async prepare(vector, options = {}) {
        const { jsError, toFloats } = this.#deps;
        this.#handle();
        const q = toFloats(vector, 'vector');
        for (const key of Object.keys(options ?? {}))
            if (key !== 'nprobe')
                throw jsError('InvalidOptions', `prepare(): unknown option '${key}' (nprobe)`);
        const n = options?.nprobe ?? this.#nprobe;
        if (!Number.isInteger(n) || n < 1 || n > 0xffff)
            throw jsError('InvalidOptions', `nprobe must be an integer 1..65535, got ${String(n)}`);
        return this.#prepare(q, n);
    }

    /** {bytesFetched, roundTrips, requests, fileSize, phase, layers, queryable, complete, wholeFile, partitioned, partitions, bytesByPhase} */
    progress() {
        this.#handle();
        return this.#progress();
    }

    /** The vector dimension (0 until the manifest has arrived; known once openProgressive resolves). */
    get dimensions() {
        return this.#deps.unwrap(this.#handle().state()).dimensions;
    }

    /** Resolves (to this store) once every byte is in and verified: full quality. */
    loaded() {
        return this.#loaded();
    }

    /** The whole file (a Uint8Array) once loaded — e.g. for RvfStore.fromBytes. */
    toBytes() {
        return this.#deps.unwrap(this.#handle().toBytes());
    }

    /**
     * Hand over the complete store the handle makes (the native addon's Progressive: an
     * RvfDatabase of @ruvector/rvf-node) and close this one. NotReady before loaded();
     * InvalidArgument for a handle without finish() (the wasm one: use toBytes()).
     */
    finish() {
        const h = this.#handle();
        if (typeof h.finish !== 'function')
            throw this.#deps.jsError('InvalidArgument', 'finish() needs the native handle; on wasm take toBytes() once loaded');
        const full = this.#deps.unwrap(h.finish());
        this.close();
        return full;
    }

    get closed() {
        return !this.#h;
    }

    /** Release the wasm memory; loading stops at its next step. Idempotent. */
    close() {
        const h = this.#h;
        if (!h)
            return;
        this.#h = null;
        finalizer.unregister(this);
        h.close();
        h.delete();
    }
}
