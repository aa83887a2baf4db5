// RvfServerClient — a small client for `rvf serve`'s HTTP API (server/include/rvf/server/
// json_api.hpp and http_server.hpp hold the contract): the JSON routes, the .rvf file with
// Range/ETag, and the Server-Sent Events stream of commits. Uses only fetch, so it runs in
// Node ≥ 20 and in browsers. Errors from the server become RvfServerError with the RVF status
// code and name (the same codes as RvfError in @ruvector/rvf-wasm).
//
// Writes (ingest, upsert, updateMetadata, delete, compact) need the server's token: options.token, else
// $RVF_SERVE_TOKEN (Node), sent as "Authorization: Bearer <token>" on every request. Without
// one, writes fail with RvfServerError httpStatus 401 (unless the server runs --no-auth).
//
// Ids: numbers, bigints or decimal strings go out (bigints as strings, so ids past 2^53 stay
// exact); ids come back as JSON numbers, exact only up to Number.MAX_SAFE_INTEGER.
//
// Argument order is the runtime's everywhere: (ids, vectors, metadata). Every method returns a
// promise; bad arguments reject it rather than throwing synchronously.

export class RvfServerError extends Error {
    /**
     * @param {number} httpStatus
     * @param {{error?: string, code?: number, name?: string}} body
     */
    constructor(httpStatus, body) {
        super(body?.error ?? `HTTP ${httpStatus}`);
        this.name = 'RvfServerError';
        this.httpStatus = httpStatus;
        this.code = body?.code ?? 0;
        this.codeName = body?.name ?? 'Unknown';
    }
}

const idOut = (id) => (typeof id === 'bigint' ? id.toString() : id);
const holdsVectors = (list) => list != null && list.length > 0 && (Array.isArray(list[0]) || ArrayBuffer.isView(list[0]));

// The body of ingest and upsert; (vectors, ids) is the deprecated order, told apart by its first list.
function rowsBody(ids, vectors, metadata) {
    if (holdsVectors(ids) && !holdsVectors(vectors))
        [ids, vectors] = [vectors, ids];
    const body = { vectors: Array.from(vectors, (v) => Array.from(v)), ids: Array.from(ids, idOut) };
    if (metadata !== undefined) body.metadata = metadata;
    return body;
}

export class RvfServerClient {
    /**
     * @param {string} baseUrl e.g. "http://127.0.0.1:8080"
     * @param {{fetch?: typeof fetch, headers?: Record<string, string>, token?: string}} [options]
     *   token: the server's write token (default: $RVF_SERVE_TOKEN where `process` exists)
     */
    constructor(baseUrl, options = {}) {
        this.baseUrl = baseUrl.replace(/\/+$/, '');
        this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
        const token = options.token ?? (typeof process !== 'undefined' ? process.env?.RVF_SERVE_TOKEN : undefined);
        this.headers = { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(options.headers ?? {}) };
    }

    async #json(method, route, body) {
        const res = await this.fetch(this.baseUrl + route, {
            method,
            // Every POST says JSON (compact too, bodiless): the server refuses writes that do not.
            headers: { ...this.headers, ...(method === 'POST' ? { 'content-type': 'application/json' } : {}) },
            body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        let parsed;
        try {
            parsed = text ? JSON.parse(text) : {};
        } catch {
            parsed = { error: text };
        }
        if (!res.ok) throw new RvfServerError(res.status, parsed);
        return parsed;
    }

    /** @returns {Promise<{status: string}>} */
    health() {
        return this.#json('GET', '/v1/health');
    }

    status() {
        return this.#json('GET', '/v1/status');
    }

    /**
     * @param {(number|bigint|string)[]} ids
     * @param {ArrayLike<number>[]} vectors one array (or Float32Array) per vector
     * @param {Array<Record<string, unknown>|null>|Array<{field_id: number, value: unknown}>} [metadata]
     * The earlier order (vectors, ids, metadata) is still accepted (recognised by the first
     * argument holding vectors) as a deprecated alias.
     */
    async ingest(ids, vectors, metadata) {
        return this.#json('POST', '/v1/ingest', rowsBody(ids, vectors, metadata));
    }

    /** ingest, but a live id is replaced (vector and metadata) in the same commit instead of rejected. */
    async upsert(ids, vectors, metadata) {
        return this.#json('POST', '/v1/upsert', rowsBody(ids, vectors, metadata));
    }

    /**
     * Replace the metadata of live ids (null or {} clears it); ids that are not live are rejected.
     * @param {(number|bigint|string)[]} ids
     * @param {Array<Record<string, unknown>|null>} metadata one row per id
     */
    async updateMetadata(ids, metadata) {
        return this.#json('POST', '/v1/update_metadata', { ids: Array.from(ids, idOut), metadata: Array.from(metadata) });
    }

    /**
     * @param {ArrayLike<number>} vector
     * @param {number} k
     * @param {{efSearch?: number, filter?: object, exact?: boolean}} [options]
     */
    async query(vector, k, options = {}) {
        const body = { vector: Array.from(vector), k };
        for (const key of Object.keys(options))
            if (!['efSearch', 'filter', 'exact'].includes(key))
                throw new RvfServerError(0, { error: `query(): unknown option '${key}' (efSearch, filter, exact)`, name: 'InvalidOptions' });
        if (options.efSearch !== undefined) body.ef_search = options.efSearch;
        if (options.filter !== undefined) body.filter = options.filter;
        if (options.exact !== undefined) body.exact = options.exact;
        return this.#json('POST', '/v1/query', body);
    }

    /** Live rows, or the live rows a filter matches: {count}. @param {object|null} [filter] */
    async count(filter) {
        return this.#json('POST', '/v1/count', filter == null ? {} : { filter });
    }

    /**
     * A filter-only query, one page: {ids ascending, next_after (null on the last page)}. Without a
     * filter it pages over every live row.
     * @param {object|null} filter
     * @param {{after?: number|bigint|string, limit?: number}} [options] limit 1..100000 (1000)
     */
    async find(filter, options = {}) {
        const body = {};
        if (filter != null) body.filter = filter;
        if (options.after != null) body.after = idOut(options.after);
        if (options.limit !== undefined) body.limit = options.limit;
        return this.#json('POST', '/v1/find', body);
    }

    /** @param {(number|bigint|string)[]} ids */
    async delete(ids) {
        return this.#json('POST', '/v1/delete', { ids: Array.from(ids, idOut) });
    }

    /** @param {object} filter filter JSON (see rvf/filter.hpp) */
    async deleteByFilter(filter) {
        return this.#json('POST', '/v1/delete', { filter });
    }

    /**
     * Append an action of the caller's own to the witness chain (one commit; needs the token):
     * appendWitness(witnessType?, payload) with witnessType 3 | 4 | 5 or 'delegation' | 'audit' |
     * 'attestation' (default 'audit') and payload a Uint8Array or a string (UTF-8), ≤ 64 KiB.
     * Resolves to the entry as witnessEntries lists it (snake_case, hashes and payload in hex).
     */
    async appendWitness(...args) {
        const kinds = { delegation: 3, audit: 4, attestation: 5 };
        let [type, payload] = args;
        if (args.length < 2 && typeof type !== 'number' && !Object.hasOwn(kinds, type)) {
            payload = type;
            type = 'audit';
        }
        const witnessType = typeof type === 'string' ? kinds[type] : type;
        const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload ?? new Uint8Array(0);
        if (witnessType === undefined || !(bytes instanceof Uint8Array))
            throw new RvfServerError(0, { error: 'appendWitness(witnessType?, payload): witnessType 3, 4 or 5 (or its name), payload a Uint8Array or a string', name: 'InvalidArgument' });
        const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
        return (await this.#json('POST', '/v1/append_witness', { witness_type: witnessType, payload: hex })).entry;
    }

    /** Witness chain entries oldest first: {from = 0, limit = 1000 (≤ 100000)} → [entry]. */
    async witnessEntries(options = {}) {
        const body = {};
        for (const key of Object.keys(options))
            if (key === 'from' || key === 'limit') body[key] = options[key];
            else throw new RvfServerError(0, { error: `witnessEntries(): unknown option '${key}' (from, limit)`, name: 'InvalidOptions' });
        return (await this.#json('POST', '/v1/witness_entries', body)).entries;
    }

    /** @param {{ioBudgetBytes?: number, ioBytesPerSecond?: number}} [options] */
    async compact(options = {}) {
        const body = {};
        for (const [key, wire] of [['ioBudgetBytes', 'io_budget_bytes'], ['ioBytesPerSecond', 'io_bytes_per_second']])
            if (options[key] !== undefined) body[wire] = options[key];
        for (const key of Object.keys(options))
            if (key !== 'ioBudgetBytes' && key !== 'ioBytesPerSecond')
                throw new RvfServerError(0, { error: `compact(): unknown option '${key}' (ioBudgetBytes, ioBytesPerSecond)`, name: 'InvalidOptions' });
        return this.#json('POST', '/v1/compact', body);
    }

    // The runtime's names (README "One API"), camelCase as on every JS surface; the methods
    // above keep the HTTP route names. Replies are the HTTP JSON (snake_case fields).

    /** = ingest(ids, vectors, metadata) (POST /v1/ingest). */
    async ingestBatch(ids, vectors, metadata) {
        return this.ingest(ids, vectors, metadata);
    }

    /** = upsert(ids, vectors, metadata) (POST /v1/upsert). */
    async upsertBatch(ids, vectors, metadata) {
        return this.upsert(ids, vectors, metadata);
    }

    /** One page of find (POST /v1/find) as the runtime's findIds: the ids only, ascending. */
    async findIds(filter, after, limit) {
        return (await this.find(filter, { after, limit })).ids;
    }

    /** Every live row's ids, one page: findIds(null, after, limit). */
    async idsAfter(after, limit) {
        return this.findIds(null, after, limit);
    }

    /** = delete(ids) (POST /v1/delete). */
    async remove(ids) {
        return this.delete(ids);
    }

    /** = deleteByFilter(filter) (POST /v1/delete with a filter). */
    async removeByFilter(filter) {
        return this.deleteByFilter(filter);
    }

    /**
     * The committed .rvf file, or a byte range of it.
     * @param {{range?: [number, number] | {suffix: number}, ifRange?: string, ifNoneMatch?: string, head?: boolean}} [options]
     * @returns {Promise<{status: number, etag: string|null, contentRange: string|null, size: number|null, bytes: Uint8Array}>}
     */
    async fetchFile(options = {}) {
        const headers = { ...this.headers };
        const r = options.range;
        if (r) headers.range = Array.isArray(r) ? `bytes=${r[0]}-${r[1]}` : `bytes=-${r.suffix}`;
        if (options.ifRange) headers['if-range'] = options.ifRange;
        if (options.ifNoneMatch) headers['if-none-match'] = options.ifNoneMatch;
        const res = await this.fetch(this.baseUrl + '/v1/file', { method: options.head ? 'HEAD' : 'GET', headers });
        if (res.status >= 400 && res.status !== 416) {
            let body = {};
            try {
                body = await res.json();
            } catch {}
            throw new RvfServerError(res.status, body);
        }
        const bytes = new Uint8Array(await res.arrayBuffer());
        const cr = res.headers.get('content-range');
        const total = cr ? Number(cr.split('/')[1]) : res.status === 200 ? Number(res.headers.get('content-length')) : null;
        return { status: res.status, etag: res.headers.get('etag'), contentRange: cr, size: Number.isNaN(total) ? null : total, bytes };
    }

    /**
     * Server-Sent Events of every commit: yields {type: 'subscribed', data: {epoch, total_vectors}} first,
     * then {type: 'update', data: {epoch, event, affected_count, new_total, ids, ids_truncated}} per commit
     * (ids: the rows written or named for deletion, at most 4,096), and a final
     * {type: 'overflow', data: {dropped, last_epoch}} if this client fell too far behind. Ends when the
     * server shuts down or `signal` aborts.
     * @param {{minEpoch?: number, events?: ('ingest'|'delete'|'compaction')[], signal?: AbortSignal}} [options]
     */
    async *subscribe(options = {}) {
        const q = new URLSearchParams();
        if (options.minEpoch !== undefined) q.set('min_epoch', String(options.minEpoch));
        if (options.events) q.set('events', options.events.join(','));
        const url = this.baseUrl + '/v1/subscribe' + (q.size ? `?${q}` : '');
        const res = await this.fetch(url, { headers: { ...this.headers, accept: 'text/event-stream' }, signal: options.signal });
        if (!res.ok) {
            let body = {};
            try {
                body = await res.json();
            } catch {}
            throw new RvfServerError(res.status, body);
        }
        const decoder = new TextDecoder();
        let buf = '';
        const reader = res.body.getReader();
        try {
            for (;;) {
                const { value, done } = await reader.read();
                if (done) return;
                buf += decoder.decode(value, { stream: true });
                let at;
                while ((at = buf.indexOf('\n\n')) >= 0) {
                    const block = buf.slice(0, at);
                    buf = buf.slice(at + 2);
                    let type = 'message';
                    let data = '';
                    for (const line of block.split('\n')) {
                        if (line.startsWith('event: ')) type = line.slice(7);
                        else if (line.startsWith('data: ')) data += line.slice(6);
                    }
                    if (data) yield { type, data: JSON.parse(data) };
                }
            }
        } finally {
            reader.releaseLock();
            res.body.cancel().catch(() => {});
        }
    }
}
