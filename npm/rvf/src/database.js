// RvfDatabase — the SDK's async facade over a backend (native addon or wasm). It converts SDK
// ids and metadata to the runtime's u64 ids and field ids (keys.js), filters (filter.js) and
// errors (RvfError with the runtime's status), and runs one operation at a time per store.
// Every RVF rule (dimension, NaN, k, filter validity, file format) is the runtime's.
import { mapErrorsAsync, rvfError, RvfError, toRvfError } from './errors.js';
import { FieldNames, encodeRow, decodeRow, rowStringId, toU64 } from './keys.js';
import { translateFilter } from './filter.js';
import { backendClass } from './backend/select.js';
import { WasmBackend } from './backend/wasm.js';
import { ProgressiveBackend } from './backend/progressive.js';
import { loadIdMap, sidecarPath } from './idmap.js';
import * as opts from './options.js';
import { ChangeFeed, boundedIds, MAX_EVENT_IDS } from './change-feed.js';

const showId = (id) => (typeof id === 'string' ? JSON.stringify(id) : String(id));
const fromU64 = (b) => (typeof b === 'bigint' && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);

function toVector(v, where) {
    if (v instanceof Float32Array)
        return v;
    if (Array.isArray(v) || ArrayBuffer.isView(v))
        return Float32Array.from(v);
    throw rvfError('InvalidArgument', `${where} must be a Float32Array or an array of numbers`);
}

/** A witness entry as both backends give it, payload as a plain Uint8Array (the addon's may be a Buffer). */
function entryOut(e) {
    return { ...e, payload: e.payload === null ? null : new Uint8Array(e.payload) };
}

export class RvfDatabase {
    #b;
    #fields = new FieldNames();
    #queue = Promise.resolve();
    #burst = null; // { base, all }: the writes submitted one after another since the last other call
    #closed = false;
    #dim;
    #idmap = null; // upstream's `<file>.idmap.json` until the first write moves its ids in (idmap.js)
    #migration = null;
    #feed = new ChangeFeed(); // this handle's commits, for subscribe() (change-feed.js)

    /** Use RvfDatabase.create / open / openReadonly / openProgressive / fromBytes. */
    constructor(backend, token) {
        if (token !== RvfDatabase.#token)
            throw new TypeError('use RvfDatabase.create() or RvfDatabase.open()');
        this.#b = backend;
        this.#dim = backend.status().dimensions;
    }

    static #token = Symbol('RvfDatabase');

    /**
     * A new store at `path`. options (options.js checks them): { dimensions (required), metric
     * 'l2'|'cosine'|'dotproduct'|'hamming', storage 'f32'|'f16'|'i8', compression 'none'|'lz4'|
     * 'zstd' (both backends)|'scalar' (= storage 'i8'), profile (domain profile name, stored;
     * default from the extension; 0..3 upstream's hardware profile), m 16, efConstruction 200,
     * witness true, index 'auto'|'off' (native), backend 'auto'|'native'|'wasm', signing
     * {algorithm: 'ed25519' | 'ml-dsa-65', key: the 32-byte seed}: every commit signed
     * (docs/signing.md), partitionOnCompact false: compact() also writes the partition map
     * (docs/format-partition-map.md), so openProgressive readers fetch only the partitions near
     * each query }. 'product' is refused.
     */
    static async create(path, options, backend) {
        return mapErrorsAsync(async () => {
            if (typeof path !== 'string' || path.length === 0)
                throw rvfError('InvalidArgument', 'create(path, options): path must be a non-empty string');
            const o = opts.createOptions(path, options, backend);
            const B = await backendClass(o.backend);
            opts.checkCreateForBackend(o, B === WasmBackend ? 'wasm' : 'native');
            return new RvfDatabase(await B.create(path, o), RvfDatabase.#token);
        });
    }

    /**
     * Verify a file without opening it as a store (no lock): every check of verify(), and when
     * the file does not even open (a damaged commit, a broken segment), the reason as one more
     * problem. Resolves to the same report as verify(); throws only for a missing or unreadable
     * file or a bad argument. options: { backend }.
     */
    static async verifyFile(path, options) {
        return mapErrorsAsync(async () => {
            if (typeof path !== 'string' || path.length === 0)
                throw rvfError('InvalidArgument', 'verifyFile(path): path must be a non-empty string');
            const o = opts.openOptions(options, 'verifyFile()');
            const B = await backendClass(o.backend);
            return B.verifyFile(path);
        });
    }

    /**
     * The key id (32 hex digits) of a signing key {algorithm: 'ed25519' | 'ml-dsa-65', key (the
     * 32-byte seed)}: what verify() names as a segment's signer and open({requireSignature}) takes.
     */
    static async signingKeyId(signing, backend) {
        return mapErrorsAsync(async () => {
            const sg = opts.signingOption(signing, 'signingKeyId()');
            if (!sg)
                throw rvfError('InvalidOptions', 'signingKeyId() takes {algorithm, key}');
            const B = await backendClass(backend ?? 'auto');
            return B.signingKeyId(sg);
        });
    }

    /** Open for reading and writing (takes the writer lock `<path>.lock`). */
    static async open(path, options) {
        return RvfDatabase.#open(path, options, false, 'open()');
    }

    /**
     * Open without the lock; writes fail with ReadOnly. options: { backend, verify }. verify
     * 'structural' (native default) opens in O(1): rows and the HNSW graph are read where they
     * lie in the file mapping, and only the file's structure is checked (verify() hashes
     * everything on demand); 'full' hashes every payload first. The wasm backend reads the whole
     * file and checks it fully whatever verify says.
     */
    static async openReadonly(path, options) {
        return RvfDatabase.#open(path, options, true, 'openReadonly()');
    }

    static async #open(path, options, readOnly, what) {
        return mapErrorsAsync(async () => {
            if (typeof path !== 'string' || path.length === 0)
                throw rvfError('InvalidArgument', 'open(path): path must be a non-empty string');
            const o = opts.openOptions(options, what);
            const sg = opts.signingOpenOptions(options, what);
            const B = await backendClass(o.backend);
            const b = await B.open(path, { readOnly: o.readOnly || readOnly || o.epoch !== undefined, epoch: o.epoch, verify: o.verify });
            const db = new RvfDatabase(b, RvfDatabase.#token);
            try {
                // The policy first: a refused file is closed before anything reads it.
                if (sg.requireSignature)
                    await b.requireSignature(sg.requireSignature);
                if (sg.signing)
                    await b.setSigningKey(sg.signing);
                db.#idmap = await loadIdMap(path, b);
            } catch (e) {
                b.close();
                throw e;
            }
            return db;
        });
    }

    /**
     * A read-only store from a URL, loaded over HTTP Range requests (@ruvector/rvf-wasm's driver)
     * on the chosen backend ('native' when the addon loads, else 'wasm'): resolves as soon as
     * queries can be answered (the tail, the directory and the index hotset are in) and keeps
     * loading. Until loaded() resolves, query() is unfiltered only (a filter: NotReady) and rows
     * carry no metadata yet (ids are the u64s); reads of the whole store (count, rows, verify,
     * ...) are NotReady. Once loaded it answers as openReadonly of the same file. Writes: ReadOnly.
     * A local path or file: URL (Node) opens in place read-only. options: { backend, fetch,
     * concurrency (6), onProgress(progress), signal, nprobe (4: a partitioned file's partitions
     * fetched before each query until loaded, docs/format-partition-map.md), stream (true; false:
     * a query-only reader that fetches only the partitions queries need and never loads the
     * whole file — loaded() then rejects with NotReady), cacheBytes (with stream false: decoded
     * partition rows kept at most; the least recently used are fetched again when needed) }.
     */
    static async openProgressive(url, options) {
        return mapErrorsAsync(async () => {
            const o = opts.progressiveOptions(options);
            const local = localPath(url);
            if (local !== null)
                return RvfDatabase.#open(local, { backend: o.backend }, true, 'openReadonly()');
            const B = await backendClass(o.backend);
            const b = await ProgressiveBackend.open(url, o.driver, B === WasmBackend ? 'wasm' : 'native');
            return new RvfDatabase(b, RvfDatabase.#token);
        });
    }

    /**
     * openProgressive(url)'s loading: {bytesFetched, roundTrips, requests, fileSize, phase,
     * layers, queryable, complete, wholeFile, bytesByPhase} as rvf-wasm's ProgressiveRvfStore
     * gives it (its last value once loaded); null for a store not loaded over HTTP.
     */
    progress() {
        if (this.#closed)
            throw rvfError('StoreClosed', 'the store is closed');
        return typeof this.#b.progress === 'function' ? this.#b.progress() : null;
    }

    /**
     * Resolves to this database once every byte of an openProgressive(url) store is in and
     * verified (full quality; rejects with the loading error); at once for any other store.
     */
    async loaded() {
        if (typeof this.#b.loaded === 'function')
            await this.#b.loaded();
        return this;
    }

    /** A store over the bytes of a .rvf file, in memory (wasm backend; writable unless readOnly). */
    static async fromBytes(bytes, options) {
        return mapErrorsAsync(async () => {
            if (!(bytes instanceof Uint8Array))
                throw rvfError('InvalidArgument', 'fromBytes() takes a Uint8Array');
            const o = opts.fromBytesOptions(options);
            return new RvfDatabase(await WasmBackend.fromBytes(bytes, { readOnly: o.readOnly }), RvfDatabase.#token);
        });
    }

    /** Which backend runs this store: 'native' or 'wasm'. */
    get backend() {
        return this.#b.kind;
    }

    /** True after close(). */
    get isClosed() {
        return this.#closed;
    }

    /** Vector dimension of the store. */
    get dimensions() {
        return this.#dim;
    }

    /**
     * Order operations on this store; map errors to RvfError. Each operation starts after every
     * one submitted before it has finished — except that consecutive writes (#runWrite) start
     * together: the runtime orders them itself, and writes in flight at once share an fsync
     * (group commit). Anything submitted after a write waits for it.
     */
    #run(fn) {
        this.#burst = null;
        const next = this.#queue.then(() => {
            if (this.#closed)
                throw rvfError('StoreClosed', 'the store is closed');
            return fn(this.#b);
        });
        this.#queue = next.catch(() => {});
        return next.catch((e) => {
            throw toRvfError(e);
        });
    }

    /** A write: starts with the writes submitted right before it (see #run). */
    #runWrite(fn) {
        if (!this.#burst)
            this.#burst = { base: this.#queue, all: [] };
        const burst = this.#burst;
        const next = burst.base.then(async () => {
            if (this.#closed)
                throw rvfError('StoreClosed', 'the store is closed');
            await this.#importUpstreamIds();
            return fn(this.#b);
        });
        burst.all.push(next.catch(() => {}));
        this.#queue = Promise.all(burst.all);
        return next.catch((e) => {
            throw toRvfError(e);
        });
    }

    /**
     * Before the first write of a store upstream's SDK wrote with string ids: move those ids into
     * the file and back the sidecar up (idmap.js). Writes in flight together share one run; a
     * failed run is retried by the next write. Read-only handles skip it (their write then
     * fails with ReadOnly).
     */
    async #importUpstreamIds() {
        if (!this.#idmap || this.#b.status().readOnly)
            return null;
        this.#migration ??= this.#idmap.migrate(this.#b).then((r) => {
            this.#idmap = null;
            return r;
        }, (e) => {
            this.#migration = null;
            throw e;
        });
        return this.#migration;
    }

    /** The u64 of an SDK id (a label of upstream's sidecar until the ids are moved in). */
    #u64(b, id, where) {
        return this.#idmap ? this.#idmap.u64(b, id, where) : toU64(id, where);
    }

    /** The SDK id of a row: its "_id", else upstream's sidecar name for the u64, else the number. */
    #outId(stringId, u) {
        return stringId ?? this.#idmap?.idOf(u) ?? fromU64(u);
    }

    /**
     * Move the string ids of a store upstream's SDK wrote (`<file>.idmap.json`) into the file now
     * instead of at the first write (`rvf import-upstream`): {moved, backup} — backup is where the
     * sidecar went — or {moved: 0, backup: null} when there is nothing (left) to move.
     */
    async importUpstream() {
        return this.#runWrite(async (b) => {
            if (b.status().readOnly)
                throw rvfError('ReadOnly', 'importUpstream() writes the store; open it with open(), not openReadonly()');
            const done = await this.#migration; // this handle's move, reported once
            this.#migration = null;
            return done ?? { moved: 0, backup: null };
        });
    }

    /** Add one vector; a rejection (NaN, duplicate id, wrong dimension) is thrown as RvfError. */
    async insert(id, vector, metadata, options) {
        opts.noOptions(options, 'insert()');
        const r = await this.insertBatch([{ id, vector, metadata }]);
        if (r.rejected > 0) {
            const rj = r.rejections[0];
            throw new RvfError(rj.code, rj.message);
        }
        return { accepted: r.accepted, epoch: r.epoch };
    }

    /**
     * Add entries [{id, vector, metadata?}] in one commit. Entries with a NaN/infinite component
     * or an id already present are rejected one by one ({index, id, code, name, message}); the
     * rest are committed. Returns {accepted, rejected, epoch, rejections}.
     */
    async insertBatch(entries, options) {
        opts.noOptions(options, 'insertBatch()');
        return this.#writeBatch(entries, false);
    }

    /** Insert-or-replace one entry (one commit): a rejection (NaN, wrong dimension) is thrown. */
    async upsert(id, vector, metadata, options) {
        opts.noOptions(options, 'upsert()');
        const r = await this.upsertBatch([{ id, vector, metadata }]);
        if (r.rejected > 0) {
            const rj = r.rejections[0];
            throw new RvfError(rj.code, rj.message);
        }
        return { accepted: r.accepted, epoch: r.epoch };
    }

    /**
     * insertBatch, except that an id already live is replaced (vector and metadata; a replaced
     * row without `metadata` has none afterwards) in the same commit instead of being rejected.
     */
    async upsertBatch(entries, options) {
        opts.noOptions(options, 'upsertBatch()');
        return this.#writeBatch(entries, true);
    }

    #writeBatch(entries, replace) {
        const what = replace ? 'upsertBatch()' : 'insertBatch()';
        if (!Array.isArray(entries))
            throw rvfError('InvalidArgument', `${what} takes an array of {id, vector, metadata?}`);
        return this.#runWrite(async (b) => {
            const n = entries.length;
            const dim = this.#dim;
            const ids = new BigUint64Array(n);
            const flat = new Float32Array(n * dim);
            const rows = new Array(n);
            let anyRow = false;
            for (let i = 0; i < n; i++) {
                const e = entries[i];
                if (e === null || typeof e !== 'object')
                    throw rvfError('InvalidArgument', `entries[${i}] must be {id, vector, metadata?}`);
                ids[i] = toU64(e.id, `entries[${i}].id`);
                const v = toVector(e.vector, `entries[${i}].vector`);
                if (v.length !== dim)
                    throw rvfError('DimensionMismatch', `entries[${i}].vector has ${v.length} components, the store has dimension ${dim}`);
                flat.set(v, i * dim);
                rows[i] = encodeRow(this.#fields, e.metadata, typeof e.id === 'string' ? e.id : undefined, `entries[${i}]`);
                anyRow ||= rows[i] !== null;
            }
            if (n === 0)
                return { accepted: 0, rejected: 0, epoch: b.status().currentEpoch, rejections: [] };
            if (replace) {
                // A string id replaces only its own row, never another id's that maps to the same u64.
                for (let i = 0; i < n; i++) {
                    const sid = typeof entries[i].id === 'string' ? entries[i].id : undefined;
                    const held = b.metadata(ids[i]);
                    if ((held || b.vector(ids[i])) && (held ? rowStringId(held) : undefined) !== sid) {
                        const other = held && rowStringId(held) !== undefined ? `'${rowStringId(held)}'` : `numeric id ${ids[i]}`;
                        throw rvfError('InvalidArgument', `${what}: entries[${i}].id ${showId(entries[i].id)} maps to u64 ${ids[i]}, which ${other} holds; delete it first`);
                    }
                }
            }
            const r = await (replace ? b.upsert(ids, flat, anyRow ? rows : null) : b.ingest(ids, flat, anyRow ? rows : null));
            const rejections = (r.rejections ?? []).map((rj) => {
                const e = entries[rj.index];
                const out = { index: rj.index, id: e.id, code: rj.code, name: rj.name, message: rj.message };
                if (typeof e.id === 'string' || rj.code === 0xff04) {
                    // A taken u64: the same id again (duplicate) or another id hashing to it.
                    const held = b.metadata(ids[rj.index]);
                    const heldId = held ? rowStringId(held) : undefined;
                    if ((held || b.vector(ids[rj.index])) && heldId !== (typeof e.id === 'string' ? e.id : undefined)) {
                        const other = heldId !== undefined ? `'${heldId}'` : `numeric id ${ids[rj.index]}`;
                        const x = rvfError('InvalidArgument', `id ${showId(e.id)} maps to u64 ${ids[rj.index]}, which ${other} already holds`);
                        Object.assign(out, { code: x.code, name: x.name, message: x.message });
                    } else if (typeof e.id === 'string') {
                        out.message = out.message.replace(`id ${ids[rj.index]} `, `id ${showId(e.id)} `);
                    }
                }
                return out;
            });
            if (r.accepted > 0 && this.#feed.listening) {
                const rejected = new Set(rejections.map((x) => x.index));
                this.#publish(b, r.epoch, 'ingest', r.accepted, entries.filter((_, i) => !rejected.has(i)).map((e) => e.id));
            }
            return { accepted: r.accepted, rejected: r.rejected, epoch: r.epoch, rejections };
        });
    }

    /** Tell this handle's subscribers about a commit (ids as the caller gave them). */
    #publish(b, epoch, event, affected, ids) {
        this.#feed.publish({ epoch, event, affected_count: affected, new_total: b.status().totalVectors, ...boundedIds(ids) });
    }

    /**
     * This handle's commits as they happen, for agents sharing it in one process — the events
     * RvfServerClient.subscribe() yields for a served file: {type: 'subscribed', data: {epoch,
     * total_vectors}}, then {type: 'update', data: {epoch, event, affected_count, new_total, ids,
     * ids_truncated}} per commit (ids as written: the accepted ids, the ids a delete named, the
     * rows a filter matched; at most 4,096), then {type: 'overflow', data: {dropped, last_epoch}}
     * if the subscriber fell more than `capacity` events behind. Ends at close() or when
     * options.signal aborts. options: {minEpoch, events: ('ingest'|'delete'|'compaction')[],
     * signal, capacity (1024)}.
     */
    subscribe(options) {
        if (this.#closed)
            throw rvfError('StoreClosed', 'the store is closed');
        const s = this.#b.status();
        return this.#feed.subscribe({ epoch: s.currentEpoch, total_vectors: s.totalVectors }, options ?? {});
    }

    /** Upstream's name for insertBatch. */
    ingestBatch(entries) {
        return this.insertBatch(entries);
    }

    /**
     * The k nearest live vectors, nearest first: [{id, distance}] (id as inserted: string, or a
     * number / bigint). options: { efSearch (100), filter, includeMetadata (false), nprobe (0: the
     * index; n: score exactly the rows of the n partitions nearest the query — a file compacted
     * with partitionOnCompact, docs/format-partition-map.md; the cold path: a few MB read) }.
     */
    async query(vector, k, options) {
        if (k !== null && typeof k === 'object' && !Array.isArray(k) && options === undefined) {
            // query(vector, {k, ...options}): the options-object form later upstream SDKs take.
            const { k: n, ...rest } = k;
            if (n === undefined)
                throw rvfError('InvalidOptions', 'query(vector, options): options.k (how many results) is required in this form');
            return this.query(vector, n, rest);
        }
        const o = opts.queryOptions(options, 'query()');
        return this.#run(async (b) => {
            const q = toVector(vector, 'vector');
            if (!Number.isInteger(k) || k < 0)
                throw rvfError('InvalidArgument', `k must be a non-negative integer, got ${String(k)}`);
            const filter = o.filter === undefined ? undefined : translateFilter(o.filter, this.#fields);
            const hits = o.nprobe ? await b.query(q, k, o.efSearch, filter, false, o.nprobe) : await b.query(q, k, o.efSearch, filter);
            return hits.map((h) => this.#hit(b, h, o.includeMetadata));
        });
    }

    /** Many queries at once (native: one thread-pool task): an array of result lists. */
    async queryBatch(vectors, k, options) {
        const o = opts.queryOptions(options, 'queryBatch()');
        return this.#run(async (b) => {
            const list = vectors.map((v, i) => toVector(v, `vectors[${i}]`));
            const ef = o.efSearch;
            const filter = o.filter === undefined ? undefined : translateFilter(o.filter, this.#fields);
            const all = b.queryBatch && !o.nprobe ? await b.queryBatch(list, k, ef, filter)
                : await Promise.all(list.map((q) => (o.nprobe ? b.query(q, k, ef, filter, false, o.nprobe) : b.query(q, k, ef, filter))));
            return all.map((hits) => hits.map((h) => this.#hit(b, h, o.includeMetadata)));
        });
    }

    #hit(b, h, withMeta) {
        const row = b.metadata(h.id);
        const { stringId, metadata } = withMeta ? decodeRow(this.#fields, row) : { stringId: rowStringId(row) };
        const out = { id: this.#outId(stringId, h.id), distance: h.distance };
        if (withMeta)
            out.metadata = metadata;
        return out;
    }

    /**
     * Every live id (as query results give them), in ascending u64 id order (a string id sorts
     * by the u64 it maps to). Pages through the store (rows()), so no size cap; for large
     * stores iterate rows() instead of holding every id.
     */
    async ids() {
        const out = [];
        for await (const r of this.rows({ withVectors: false, withMetadata: false, batch: 10000 }))
            out.push(r.id);
        return out;
    }

    /**
     * Every live row in ascending u64 id order, a page of `batch` rows at a time:
     * `for await (const {id, vector, metadata} of db.rows())`. options: { withVectors (true),
     * withMetadata (true), batch (1000, rows fetched per step) }. Memory stays one page however
     * large the store. Other operations may run between pages: rows committed meanwhile appear
     * when their ids are above the last row yielded; deleted ones are skipped.
     */
    async *rows(options) {
        const { withVectors, withMetadata, batch } = opts.rowsOptions(options);
        let after = null;
        for (;;) {
            const page = await this.#run(async (b) => {
                const ids = b.idsAfter(after, batch);
                return ids.map((u) => {
                    const row = b.metadata(u);
                    const out = {};
                    if (withMetadata) {
                        const { stringId, metadata } = decodeRow(this.#fields, row);
                        out.id = this.#outId(stringId, u);
                        if (withVectors)
                            out.vector = b.vector(u);
                        out.metadata = metadata;
                    } else {
                        out.id = this.#outId(rowStringId(row), u);
                        if (withVectors)
                            out.vector = b.vector(u);
                    }
                    return { u, out };
                });
            });
            if (page.length === 0)
                return;
            after = page[page.length - 1].u;
            for (const { out } of page)
                yield out;
        }
    }

    /** One live entry: {id, vector, metadata} or null. */
    async get(id) {
        return this.#run(async (b) => {
            const u = this.#u64(b, id);
            const v = b.vector(u);
            if (!v)
                return null;
            const { stringId, metadata } = decodeRow(this.#fields, b.metadata(u));
            const rowId = this.#outId(stringId, u);
            if (typeof id === 'string' && rowId !== id)
                return null; // the u64 belongs to another id
            return { id: rowId, vector: v, metadata };
        });
    }

    /**
     * Replace one live entry's metadata (one commit; the vector is not rewritten): `metadata` is
     * the whole new record (null or {} clears it). An id that is not live → RvfError KeyNotFound.
     * Returns {epoch}.
     */
    async updateMetadata(id, metadata) {
        return this.#runWrite(async (b) => {
            const u = toU64(id);
            const sid = typeof id === 'string' ? id : undefined;
            const held = b.metadata(u);
            if (!b.vector(u) || (held ? rowStringId(held) : undefined) !== sid)
                throw rvfError('KeyNotFound', `updateMetadata(): id ${showId(id)} is not in the store; insert it first`);
            const row = encodeRow(this.#fields, metadata, sid, 'updateMetadata()');
            const r = await b.updateMetadata(BigUint64Array.of(u), [row]);
            if (r.rejected > 0)
                throw new RvfError(r.rejections[0].code, r.rejections[0].message);
            if (this.#feed.listening)
                this.#publish(b, r.epoch, 'ingest', 1, [id]);
            return { epoch: r.epoch };
        });
    }

    /** Live entries, or (filter given) those the filter matches; a field no row has matches none. */
    async count(filter) {
        return this.#run(async (b) => b.count(filter === undefined || filter === null ? undefined : translateFilter(filter, this.#fields)));
    }

    /**
     * A query by metadata alone: the live entries the filter matches, in ascending u64 id order
     * (as rows() yields them): [{id, metadata}] (plus `vector` with withVectors). options:
     * { limit (every match), after (an id: start above it, for paging), withVectors (false),
     * withMetadata (true) }.
     */
    async find(filter, options) {
        const o = opts.findOptions(options);
        const { limit, withVectors, withMetadata } = o;
        return this.#run(async (b) => {
            const f = filter === undefined || filter === null ? undefined : translateFilter(filter, this.#fields);
            const after = o.after === undefined || o.after === null ? null : this.#u64(b, o.after, 'find(): after');
            return b.findIds(f, after, limit).map((u) => {
                const row = b.metadata(u);
                const { stringId, metadata } = decodeRow(this.#fields, row);
                const out = { id: this.#outId(stringId, u) };
                if (withVectors)
                    out.vector = b.vector(u);
                if (withMetadata)
                    out.metadata = metadata;
                return out;
            });
        });
    }

    /**
     * A store opened with openReadonly(): re-read the file and see the commits other handles made
     * since it was opened (or last refreshed). A writable store already sees its own: InvalidArgument.
     */
    async refresh() {
        return this.#run(async (b) => {
            await b.refresh();
        });
    }

    /** Delete ids (one id or an array; unknown ids are ignored): {deleted, epoch}. */
    async delete(ids, options) {
        opts.noOptions(options, 'delete()');
        const list = Array.isArray(ids) ? ids : [ids];
        return this.#runWrite(async (b) => {
            const u = new BigUint64Array(list.length);
            for (let i = 0; i < list.length; i++)
                u[i] = toU64(list[i], `ids[${i}]`);
            const before = this.#feed.listening ? b.status().currentEpoch : 0;
            const r = await b.delete(u);
            if (this.#feed.listening && r.epoch !== before)
                this.#publish(b, r.epoch, 'delete', r.deleted, list);
            return r;
        });
    }

    /** Delete every live vector the filter matches: {deleted, epoch}. */
    async deleteByFilter(filter) {
        return this.#runWrite(async (b) => {
            const f = translateFilter(filter, this.#fields);
            if (!this.#feed.listening)
                return b.deleteByFilter(f);
            // The rows the filter names, read before they go, as the writer's ids.
            const named = b.findIds(f, null, MAX_EVENT_IDS + 1).map((u) => {
                const row = b.metadata(u);
                return this.#outId(row ? rowStringId(row) : undefined, u);
            });
            const before = b.status().currentEpoch;
            const r = await b.deleteByFilter(f);
            if (r.epoch !== before)
                this.#publish(b, r.epoch, 'delete', r.deleted, named);
            return r;
        });
    }

    /**
     * Rewrite the live data into a fresh file: {segmentsCompacted, bytesReclaimed, epoch,
     * complete, bytesWritten}. options.ioBudgetBytes (0 = unlimited): a rewrite that would write
     * more stops and changes nothing (complete false). options.ioBytesPerSecond (0 = unthrottled):
     * the rewrite writes the file at most about that fast.
     */
    async compact(options) {
        const o = opts.compactOptions(options);
        return this.#run(async (b) => {
            await this.#importUpstreamIds();
            const before = b.status().currentEpoch;
            const r = await b.compact(o);
            if (this.#feed.listening && r.epoch !== before)
                this.#publish(b, r.epoch, 'compaction', r.segmentsCompacted, []);
            return {
                segmentsCompacted: r.segmentsCompacted,
                bytesReclaimed: r.bytesReclaimed,
                epoch: r.epoch,
                complete: r.complete,
                bytesWritten: r.bytesWritten,
            };
        });
    }

    /** Counts, sizes and configuration (upstream's field names plus ours). */
    async status() {
        return this.#run(async (b) => {
            const s = b.status();
            const profileId = s.profileId ?? opts.profileIdOf(s.domainProfile);
            return {
                totalVectors: s.totalVectors,
                deletedVectors: s.deletedVectors,
                totalSegments: s.totalSegments,
                fileSize: s.fileSize,
                currentEpoch: s.currentEpoch,
                fileSizeBytes: s.fileSize, // upstream SDK 0.2.3's name for fileSize
                epoch: s.currentEpoch,     // upstream SDK 0.2.3's name for currentEpoch
                profileId,
                compactionState: s.compactionState ?? 'idle',
                deadSpaceRatio: s.deadSpaceRatio,
                deadBytes: s.deadBytes,
                merges: s.merges,
                autoCompactions: s.autoCompactions,
                syncs: s.syncs,
                readOnly: s.readOnly,
                dimension: s.dimensions,
                dimensions: s.dimensions, // the SDK's earlier name for dimension
                metric: opts.metricName(s.metric),
                storage: s.storage,
                domainProfile: s.domainProfile,
                profile: s.profile, // the hardware profile kept in the file: 'generic' | 'core' | 'hot' | 'full'
                layout: s.layout,
                tiering: s.tiering,
                tiers: s.tiers, // { hot, warm, cold: { rows, bytes } }
                warnings: s.warnings ?? [],
                backend: b.kind,
                path: b.path,
            };
        });
    }

    /** The vector dimension (upstream's method form). */
    dimension() {
        return this.#dim;
    }

    // Upstream SDK calls that agentdb's RvfBackend makes (identity, lineage, index, witness).
    // The sync ones (metric, indexStats, verifyWitness) answer from the store as it is at the
    // call, like upstream's: agentdb calls them without awaiting and treats a promise as missing.

    /** A handle usable for a sync read: StoreClosed after close(). */
    #now() {
        if (this.#closed)
            throw rvfError('StoreClosed', 'the store is closed; open it again to read it');
        return this.#b;
    }

    /** The file's identity (manifest root), 32 lower-case hex characters. */
    async fileId() {
        return this.#run(async (b) => b.fileId());
    }

    /** The parent file's identity (32 hex characters): zeros for a root file, the parent's fileId for a derive() child. */
    async parentId() {
        return this.#run(async (b) => b.lineage().parentId);
    }

    /** Lineage depth: 0 for a root file, the parent's + 1 for a derive() child. */
    async lineageDepth() {
        return this.#run(async (b) => b.lineage().lineageDepth);
    }

    /**
     * A child file at childPath: a compacted copy of the live rows whose identity names this store
     * (parentId = fileId(), lineageDepth + 1) with a lineage witness entry; returned open for
     * writing. options: { type } — a DerivationType name ('clone' default, 'filter', 'merge',
     * 'quantize', 'reindex', 'transform', 'snapshot', 'user-defined'). String-id maps are copied.
     */
    async derive(childPath, options) {
        return this.#run(async (b) => {
            if (typeof childPath !== 'string' || childPath.length === 0)
                throw rvfError('InvalidArgument', 'derive(childPath): childPath must be a non-empty string');
            const o = opts.deriveOptions(options);
            const child = await b.derive(childPath, o.type);
            const db = new RvfDatabase(child, RvfDatabase.#token);
            try {
                if (this.#idmap && b.path) { // string ids: the child answers with the same ones
                    const fs = (await import('node:fs')).default;
                    fs.copyFileSync(sidecarPath(b.path), sidecarPath(childPath), fs.constants.COPYFILE_EXCL);
                }
                db.#idmap = await loadIdMap(childPath, child);
            } catch (e) {
                child.close();
                throw e;
            }
            return db;
        });
    }

    /**
     * Commit a frozen marker: this handle turns read-only and every later writable open of the
     * file (either backend, any build) fails with SnapshotFrozen. Read-only opens and derive()
     * still work. Returns the epoch of the freezing commit.
     */
    async freeze() {
        return this.#run(async (b) => b.freeze());
    }

    /** The metric as status().metric spells it ('l2', 'cosine', 'dotproduct', 'hamming'). */
    metric() {
        return opts.metricName(this.#now().status().metric);
    }

    /**
     * The HNSW index now: {indexedVectors (rows in the graph; 0: queries scan exactly), layers
     * (3 when an index is persisted, else 0), m, efConstruction, needsRebuild (deadSpaceRatio > 0.3)}.
     */
    indexStats() {
        return this.#now().indexStats();
    }

    /**
     * Re-verify the file (segment hashes, manifest chain, witness chain) now: {valid, entries
     * (witness entries checked), error? (the first problem)}. verify() gives the whole report.
     */
    verifyWitness() {
        const r = this.#now().verify();
        const out = { valid: r.ok, entries: r.witnessEntriesChecked };
        if (r.problems.length > 0)
            out.error = r.problems[0].message;
        return out;
    }

    /**
     * The audit trail: append an action of your own to the file's witness chain, in one durable
     * commit that verify() checks with the chain. appendWitness(payload) is an 'audit' entry;
     * appendWitness(type, payload) takes 'audit' (4), 'delegation' (3) or 'attestation' (5).
     * payload: a string (UTF-8) or Uint8Array of at most 65536 bytes (SegmentTooLarge beyond).
     * Resolves to the entry as witnessEntries() lists it.
     */
    async appendWitness(...args) {
        const { type, payload } = opts.witnessArgs(args);
        return this.#run(async (b) => entryOut(await b.appendWitness(type, payload)));
    }

    /**
     * Witness chain entries, oldest first: {index, witnessType, timestampNs (bigint), prevHash,
     * hash, actionHash (hex; each entry's prevHash is the previous one's hash), payload
     * (Uint8Array for appended entries, null for the store's own commits)}. options: {from (0),
     * limit (all)}.
     */
    async witnessEntries(options) {
        const { from, limit } = opts.witnessEntriesOptions(options);
        return this.#run(async (b) => b.witnessEntries(from, limit).map(entryOut));
    }

    /** The latest manifest's segment directory: [{id, segType, offset, payloadLength}]. */
    async segments() {
        return this.#run(async (b) => b.segments());
    }

    /** Re-check every hash, the manifest chain and the witness chain: {ok, problems, ...}. */
    async verify(options) {
        opts.noOptions(options, 'verify()');
        return this.#run(async (b) => b.verify());
    }

    /** The live vectors as a Layout R file for upstream's runtime (no metadata, no witness). */
    async exportLayoutR() {
        return this.#run(async (b) => b.exportLayoutR());
    }

    /** The live state as a fresh Layout S image (what compact() would write). */
    async exportLayoutS() {
        return this.#run(async (b) => b.exportLayoutS());
    }

    /** Flush and release (idempotent). Every other method then throws RvfError StoreClosed. */
    async close() {
        if (this.#closed)
            return this.#queue;
        this.#burst = null;
        const done = this.#queue.then(() => {
            this.#closed = true;
            this.#feed.close();
            this.#b.close();
        });
        this.#queue = done.catch(() => {});
        return done.catch((e) => {
            throw toRvfError(e);
        });
    }
}

/** The file a path or file: URL names (Node only), else null (a URL to fetch). */
function localPath(url) {
    const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
    if (!isNode)
        return null;
    if (url instanceof URL)
        return url.protocol === 'file:' ? decodeURIComponent(url.pathname) : null;
    if (typeof url !== 'string')
        return null;
    if (url.startsWith('file:'))
        return decodeURIComponent(new URL(url).pathname);
    return /^[a-z][a-z0-9+.-]*:/i.test(url) ? null : url;
}
