// @ruvector/rvf-wasm — RvfShardedCollection.open(rootUrl): a sharded collection (issue 21,
// docs/format-shard-refs.md) read over plain HTTP: the root file, then every shard through
// RvfStore.openProgressive (HTTP Range requests), all shards loading in parallel. Queries fan
// out to the shards whose summaries can hold a neighbour and merge the exact top-k; a shard that
// is missing, damaged, not the file the root names, or slower than `timeoutMs` is left out and
// named in `failed` with a typed RvfError — a partial answer, never a silently wrong one.
//
// This file moves bytes and schedules requests. The rules — the root's format, whether a
// shard's tail is the file the root committed (current / stale / refused), the lower bounds that
// skip a shard, the (distance, id) merge — are the C++ runtime's (rvf/sharded_view.hpp, bound as
// core.ShardRoot in js/embind/sharded_bindings.cpp), the same functions the native
// ShardedCollection and the Node addon's RvfShardedCollection use.
//
// Loading: open() resolves once every shard has loaded and verified all its bytes (`wait:
// 'loaded'`, the default: answers are the full store's, exact when asked) or once each shard
// can answer from its index hotset (`wait: 'queryable'`: answers improve as the rest arrives).

let deps = null;

/** index.js hands over its helpers (module loader, errors, conversions, openProgressive). */
export function setShardedDeps(d) {
    deps = d;
}

const OPEN_OPTIONS = new Set(['fetch', 'timeoutMs', 'concurrency', 'requestConcurrency', 'wait', 'signal', 'requireAll']);
const QUERY_OPTIONS = new Set(['efSearch', 'exact', 'maxShards', 'requireAll']);

/**
 * A shard's error as an RvfError whose message names the shard, in the runtime's form
 * "RVF error 0xFF08: HttpError (shard 2 (name): HTTP 404 ...)" — as the C++ collection words it.
 */
function named(e, label) {
    const { RvfError, jsError } = deps;
    if (!(e instanceof RvfError))
        return jsError('NetworkError', `${label}: ${e?.message ?? String(e)}`);
    if (e.message.includes(label))
        return e;
    const m = /^(RVF error 0x[0-9A-F]{4}: \w+ \()([\s\S]*)\)$/.exec(e.message);
    return new RvfError(e.code, m ? `${m[1]}${label}: ${m[2]})` : `${label}: ${e.message}`);
}

function positiveInt(v, what, fallback) {
    if (v === undefined)
        return fallback;
    if (!Number.isInteger(v) || v < 1)
        throw deps.jsError('InvalidOptions', `${what} must be a positive integer, got ${String(v)}`);
    return v;
}

/** Run `tasks` (functions returning promises) at most `n` at a time. */
async function limited(tasks, n) {
    let next = 0;
    const worker = async () => {
        while (next < tasks.length)
            await tasks[next++]();
    };
    await Promise.all(Array.from({ length: Math.min(n, tasks.length) }, worker));
}

/**
 * A fetch for one shard: its own AbortSignal (the shard's timeout, the caller's signal), and the
 * loader's tail request widened to the bytes the tail check needs (the loader keeps the last
 * 4,096 of a longer suffix answer), so checking the shard costs no extra request.
 */
function shardFetch(doFetch, signal, tailBytes, seen) {
    return async (url, init) => {
        const range = init?.headers?.Range;
        if (range !== 'bytes=-4096') // only the loader's first request
            return doFetch(url, { ...init, signal });
        const res = await doFetch(url, { ...init, headers: { ...init.headers, Range: `bytes=-${tailBytes}` }, signal });
        if (res.status !== 200 && res.status !== 206)
            return res;
        const body = new Uint8Array(await res.arrayBuffer());
        const m = /^bytes (\d+)-(\d+)\/(\d+)$/.exec((res.headers.get('content-range') ?? '').trim());
        const total = res.status === 200 ? body.length : m ? Number(m[3]) : null;
        if (total !== null)
            seen.tail = { total, bytes: body.subarray(Math.max(0, body.length - Math.min(total, tailBytes))) };
        return { status: res.status, headers: res.headers, arrayBuffer: async () => body.buffer.slice(body.byteOffset, body.byteOffset + body.byteLength) };
    };
}

const finalizer = new FinalizationRegistry((handle) => handle.delete());

/**
 * A sharded collection read over HTTP. Method names and result fields are the Node addon's
 * RvfShardedCollection's (query → {neighbors, partial, failed, stale, shardsQueried,
 * shardsSkipped}); it is read-only.
 */
export class RvfShardedCollection {
    #core;
    #root;
    #info;
    #shards; // [{record, store, error, stale, label}]
    #stats;

    constructor(core, root, info, shards, stats, token) {
        if (token !== deps?.token)
            throw new TypeError('use RvfShardedCollection.open(rootUrl, options)');
        this.#core = core;
        this.#root = root;
        this.#info = info;
        this.#shards = shards;
        this.#stats = stats;
        finalizer.register(this, root, this);
    }

    /**
     * Open the sharded root at `rootUrl` (http(s) URL; relative shard names resolve against it).
     * options: { fetch (default globalThis.fetch), timeoutMs (per shard, from its first request
     * to the wait point; default 30000), concurrency (shards loading at once, default 16),
     * requestConcurrency (parallel Range requests per shard, default 4), wait: 'loaded'
     * (default) | 'queryable', signal (AbortSignal for the whole open), requireAll (throw the
     * first shard's error instead of opening with it failed) }.
     */
    static async open(rootUrl, options = {}) {
        const { init, jsError, unwrap } = deps;
        if (typeof rootUrl !== 'string' && !(rootUrl instanceof URL))
            throw jsError('InvalidArgument', 'RvfShardedCollection.open() takes the root\'s URL (string or URL)');
        if (options === null || typeof options !== 'object')
            throw jsError('InvalidOptions', 'options must be an object');
        const unknown = Object.keys(options).filter((k) => !OPEN_OPTIONS.has(k));
        if (unknown.length)
            throw jsError('InvalidOptions', `RvfShardedCollection.open() has no option ${unknown.join(', ')} (${[...OPEN_OPTIONS].join(', ')})`);
        const doFetch = options.fetch ?? globalThis.fetch;
        if (typeof doFetch !== 'function')
            throw jsError('InvalidOptions', 'no fetch function: pass options.fetch');
        const timeoutMs = positiveInt(options.timeoutMs, 'timeoutMs', 30000);
        const concurrency = positiveInt(options.concurrency, 'concurrency', 16);
        const requestConcurrency = positiveInt(options.requestConcurrency, 'requestConcurrency', 4);
        const wait = options.wait ?? 'loaded';
        if (wait !== 'loaded' && wait !== 'queryable')
            throw jsError('InvalidOptions', `wait must be 'loaded' or 'queryable', got ${String(wait)}`);
        const url = String(rootUrl);
        const core = await init();

        // The root: one GET (it is small and rewritten whole at every commit).
        const stats = { rootBytes: 0, shardBytes: 0, requests: 1, roundTrips: 1, openMs: 0 };
        const t0 = Date.now();
        let bytes;
        {
            const ctl = new AbortController();
            const timer = setTimeout(() => ctl.abort(), timeoutMs);
            const abortOuter = () => ctl.abort();
            options.signal?.addEventListener('abort', abortOuter);
            try {
                let res;
                try {
                    res = await doFetch(url, { signal: ctl.signal });
                } catch (e) {
                    throw ctl.signal.aborted && !options.signal?.aborted
                        ? jsError('Timeout', `the sharded root did not answer within ${timeoutMs} ms (${url})`)
                        : jsError('NetworkError', `fetching the sharded root failed: ${e?.message ?? e} (${url})`);
                }
                if (res.status !== 200)
                    throw jsError('HttpError', `HTTP ${res.status} for the sharded root (${url})`);
                try {
                    bytes = new Uint8Array(await res.arrayBuffer());
                } catch (e) {
                    throw ctl.signal.aborted && !options.signal?.aborted
                        ? jsError('Timeout', `the sharded root did not arrive within ${timeoutMs} ms (${url})`)
                        : jsError('NetworkError', `reading the sharded root failed: ${e?.message ?? e} (${url})`);
                }
            } finally {
                clearTimeout(timer);
                options.signal?.removeEventListener('abort', abortOuter);
            }
        }
        stats.rootBytes = bytes.length;
        const root = new core.ShardRoot();
        let info;
        try {
            unwrap(root.open(bytes, bytes.length, url));
            info = unwrap(root.info());
        } catch (e) {
            root.delete();
            throw e;
        }
        const tailBytes = core.shardTailBytes();

        const shards = info.shards.map((record, i) => ({
            index: i, record, store: null, error: null, stale: false,
            label: `shard ${record.shardId} (${record.name})`,
        }));
        // requireAll: the first failure stops every other shard's loading at once.
        const failFast = new AbortController();
        let firstError = null;
        const openOne = async (s) => {
            if (failFast.signal.aborted)
                return;
            const ctl = new AbortController();
            let timedOut = false;
            const abortOuter = () => ctl.abort();
            options.signal?.addEventListener('abort', abortOuter);
            failFast.signal.addEventListener('abort', abortOuter);
            let timer;
            const timeout = new Promise((_, reject) => {
                timer = setTimeout(() => {
                    timedOut = true;
                    ctl.abort();
                    reject(jsError('Timeout', `${s.label}: no complete answer within ${timeoutMs} ms from ${s.record.location}; ` +
                        'the shard is left out (raise timeoutMs, or check the server)'));
                }, timeoutMs);
            });
            const seen = {};
            let store = null;
            const work = (async () => {
                store = await deps.openProgressive(s.record.location, {
                    fetch: shardFetch(doFetch, ctl.signal, tailBytes, seen), concurrency: requestConcurrency,
                });
                if (!seen.tail)
                    throw jsError('NotReady', `${s.label}: the shard's tail was not seen; cannot check it against the root`);
                const state = unwrap(root.checkTail(s.index, seen.tail.total, seen.tail.bytes, seen.tail.bytes.length, s.label));
                s.stale = state === 'stale';
                if (wait === 'loaded')
                    await store.loaded();
                else // a shard that fails after it became queryable is reported by query()
                    s.loading = store.loaded().then(() => {}, (e) => { s.error = named(e, s.label); });
            })();
            try {
                await Promise.race([work, timeout]);
                s.store = store;
                const p = store.progress();
                stats.shardBytes += p.bytesFetched;
                stats.requests += p.requests;
                // Shards load side by side: the open's round trips are the root's plus the most
                // any one shard needed.
                stats.roundTrips = Math.max(stats.roundTrips, 1 + p.roundTrips);
            } catch (e) {
                s.error = timedOut ? await timeout.catch((t) => t) : named(e, s.label);
                // The abort ends the loading; a store it still hands back is closed, never used.
                store?.close();
                work.then(() => store?.close(), () => store?.close());
            } finally {
                clearTimeout(timer);
                options.signal?.removeEventListener('abort', abortOuter);
                failFast.signal.removeEventListener('abort', abortOuter);
            }
            if (s.error && options.requireAll && !failFast.signal.aborted) {
                firstError = s.error;
                failFast.abort();
            }
        };
        await limited(shards.map((s) => () => openOne(s)), concurrency);
        stats.openMs = Date.now() - t0;
        if (firstError) {
            for (const s of shards)
                s.store?.close();
            root.delete();
            throw firstError;
        }
        return new RvfShardedCollection(core, root, info, shards, stats, deps.token);
    }

    #live() {
        if (!this.#root)
            throw deps.jsError('StoreClosed', 'the sharded collection is closed');
        return this.#root;
    }

    /**
     * The k nearest over every shard that can hold one: {neighbors: [{id, distance}] (nearest
     * first, ties by id), partial, failed: [{shardId, shard, error: RvfError}], stale: [shardId],
     * shardsQueried, shardsSkipped}. options: { efSearch (each shard's, default 100), exact
     * (each shard scans exactly: with L2 over f32 rows the merged answer is the exact top-k),
     * maxShards (ask only the n shards whose summaries are nearest: approximate), requireAll
     * (throw the first failed shard's error instead of a partial answer) }.
     */
    query(vector, k, options = {}) {
        const { jsError, unwrap, toFloats, fromWords, fromId, words } = deps;
        const root = this.#live();
        if (options === null || typeof options !== 'object')
            throw jsError('InvalidOptions', 'query options must be an object');
        const unknown = Object.keys(options).filter((key) => !QUERY_OPTIONS.has(key));
        if (unknown.length)
            throw jsError('InvalidOptions', `query() has no option ${unknown.join(', ')} (${[...QUERY_OPTIONS].join(', ')})`);
        const q = toFloats(vector, 'vector');
        if (!Number.isInteger(k) || k < 0)
            throw jsError('InvalidArgument', `k must be a non-negative integer, got ${String(k)}`);
        const maxShards = options.maxShards ?? 0;
        if (!Number.isInteger(maxShards) || maxShards < 0)
            throw jsError('InvalidOptions', `maxShards must be a non-negative integer, got ${String(maxShards)}`);
        // ef at least the live row count makes a shard's search an exact scan (RvfStore::query).
        const ef = options.exact ? 0xffffffff : options.efSearch ?? 100;
        const bounds = unwrap(root.lowerBounds(q, q.length)); // also checks the dimension

        const out = { neighbors: [], partial: false, failed: [], stale: [], shardsQueried: 0, shardsSkipped: 0 };
        const order = [];
        for (const s of this.#shards) {
            if (s.error)
                out.failed.push({ shardId: s.record.shardId, shard: s.record.name, error: s.error });
            else
                order.push({ s, lb: bounds[s.index], skippable: !s.stale && s.record.centroids > 0 });
            if (s.stale)
                out.stale.push(s.record.shardId);
        }
        order.sort((a, b) => a.lb - b.lb || a.s.index - b.s.index);
        let ask = order;
        if (maxShards > 0 && order.length > maxShards) {
            // Stale shards are always asked; the rest fill the remaining places nearest first.
            const keep = order.filter((c) => !c.skippable);
            let room = Math.max(0, maxShards - keep.length);
            for (const c of order)
                if (c.skippable && room > 0) {
                    keep.push(c);
                    room--;
                }
            out.shardsSkipped = order.length - keep.length;
            ask = keep.sort((a, b) => a.lb - b.lb || a.s.index - b.s.index);
        }

        const exactBounds = this.#info.boundsExact;
        let ids = new BigUint64Array(0);
        let dist = new Float32Array(0);
        for (const c of ask) {
            if (exactBounds && c.skippable && k > 0 && ids.length === k && this.#core.shardBoundExceeds(c.lb, dist[k - 1])) {
                out.shardsSkipped++;
                continue;
            }
            out.shardsQueried++;
            let hits;
            try {
                hits = c.s.store.query(q, k, { efSearch: ef });
            } catch (e) {
                const error = named(e, c.s.label);
                out.failed.push({ shardId: c.s.record.shardId, shard: c.s.record.name, error });
                continue;
            }
            // Merge in the runtime: the same (distance, id) order as ShardedCollection.
            const n = ids.length + hits.length;
            const allIds = new BigUint64Array(n);
            const allDist = new Float32Array(n);
            allIds.set(ids);
            allDist.set(dist);
            for (let i = 0; i < hits.length; i++) {
                allIds[ids.length + i] = BigInt(hits[i].id);
                allDist[ids.length + i] = hits[i].distance;
            }
            const merged = unwrap(this.#core.shardMergeTopK(words(allIds), allDist, n, k));
            ids = new BigUint64Array(fromWords(merged.ids));
            dist = merged.distances;
        }
        if (options.requireAll && out.failed.length) {
            out.failed.sort((a, b) => a.shardId - b.shardId);
            throw out.failed[0].error;
        }
        out.failed.sort((a, b) => a.shardId - b.shardId);
        out.partial = out.failed.length > 0;
        out.neighbors = Array.from(ids, (id, i) => ({ id: fromId(id), distance: dist[i] }));
        return out;
    }

    /**
     * {dimension, metric, storage, routing, epoch, totalVectors, readOnly: true, shards:
     * [{shardId, name, location, fileSize, liveRows, centroids, state: 'current' | 'stale' |
     * 'failed', error?}], bytesFetched, requests, roundTrips, openMs} as of open()
     */
    status() {
        this.#live();
        const { shards, ...rest } = this.#info;
        return {
            ...rest,
            readOnly: true,
            shards: this.#shards.map((s) => ({
                ...s.record,
                state: s.error ? 'failed' : s.stale ? 'stale' : 'current',
                ...(s.error ? { error: s.error } : {}),
            })),
            bytesFetched: this.#stats.rootBytes + this.#stats.shardBytes,
            requests: this.#stats.requests,
            roundTrips: this.#stats.roundTrips,
            openMs: this.#stats.openMs,
        };
    }

    /**
     * Resolves (to this collection) once every shard that opened has every byte in and verified,
     * or has failed (then listed in `failed`): with `wait: 'queryable'`, the point from which
     * answers are the full stores'. Immediate with `wait: 'loaded'`.
     */
    async loaded() {
        this.#live();
        await Promise.all(this.#shards.map((s) => s.loading));
        return this;
    }

    get closed() {
        return !this.#root;
    }

    /** Release every shard's wasm memory. Idempotent. */
    close() {
        const root = this.#root;
        if (!root)
            return;
        this.#root = null;
        finalizer.unregister(this);
        for (const s of this.#shards)
            s.store?.close();
        root.delete();
    }
}
