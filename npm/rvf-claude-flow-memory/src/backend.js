// RvfMemoryBackend — @claude-flow/memory's IMemoryBackend over RVF: one .rvf file per namespace
// in `config.directory`, each entry one row (entry-codec.js), each write one commit of the store
// (and so one witness-chain entry). Reads go to the files; the only state kept in memory is
// which namespace holds which entry id (built from the files at initialize()). With `audit` on
// (the default) every write is followed by an audit entry naming it (action, ids) appended to
// the same file's witness chain (SDK appendWitness), read back by auditLog().
import fs from 'node:fs';
import path from 'node:path';
import { RvfDatabase, RvfStatus } from '@ruvector/rvf';
import { checkConfig, METRICS } from './config.js';
import { encodeEntry, decodeEntry, F } from './entry-codec.js';
import { compileQuery, expired } from './query-filter.js';
import { namespaceFileName, namespaceOfFileName } from './namespace-files.js';
import { adapterError } from './errors.js';

// One audit payload names at most this many ids (the runtime takes ≤ 64 KiB per entry); the
// count is always exact.
const AUDIT_MAX_IDS = 256;

const SEARCH_OPTION_KEYS = ['k', 'ef', 'threshold', 'metric', 'filters'];
const TYPES = ['episodic', 'semantic', 'procedural', 'working', 'cache'];

export class RvfMemoryBackend {
    #c;
    #dbs = new Map();     // namespace → RvfDatabase (writable)
    #where = new Map();   // entry id → namespace
    #initialized = false;
    #sweepTimer = null;
    #queryMs = [];
    #searchMs = [];

    /** See config.js for the options; nothing touches the disk before initialize(). */
    constructor(config) {
        this.#c = checkConfig(config);
    }

    /** The checked configuration (a copy). */
    get config() {
        return { ...this.#c };
    }

    /** Path of the .rvf file that holds `namespace`. */
    fileOf(namespace) {
        return path.join(this.#c.directory, namespaceFileName(namespace));
    }

    async initialize() {
        if (this.#initialized)
            return;
        fs.mkdirSync(this.#c.directory, { recursive: true });
        for (const name of fs.readdirSync(this.#c.directory).sort()) {
            const ns = namespaceOfFileName(name);
            if (ns === null)
                continue;
            const db = await RvfDatabase.open(path.join(this.#c.directory, name), { backend: this.#c.backend });
            if (db.dimensions !== this.#c.dimensions) {
                await db.close();
                await this.#closeAll();
                throw adapterError('DimensionMismatch', `${name} holds ${db.dimensions}-d vectors, the backend was configured with dimensions ${this.#c.dimensions}; configure ${db.dimensions} or use another directory`);
            }
            this.#dbs.set(ns, db);
            for (const id of await db.ids()) {
                const other = this.#where.get(id);
                this.#where.set(id, other === undefined ? ns : await this.#keepNewer(id, other, ns));
            }
        }
        if (this.#c.sweepIntervalMs > 0) {
            this.#sweepTimer = setInterval(() => {
                this.sweepExpired().catch(() => {}); // the next sweep retries; nothing is lost
            }, this.#c.sweepIntervalMs);
            this.#sweepTimer.unref?.();
        }
        this.#initialized = true;
    }

    /**
     * An id found in two namespace files: a move (store under another namespace) is two commits,
     * the new file first, and a crash between them leaves both. Keep the newer (updatedAt, then
     * version), delete the other, and return the namespace kept.
     */
    async #keepNewer(id, a, b) {
        const [ea, eb] = [await this.#entryOf(this.#dbs.get(a), id), await this.#entryOf(this.#dbs.get(b), id)];
        const bNewer = eb.updatedAt > ea.updatedAt || (eb.updatedAt === ea.updatedAt && eb.version >= ea.version);
        const loser = bNewer ? a : b;
        await this.#dbs.get(loser).delete([id]);
        await this.#audit(loser, 'dedupe', [id]);
        return bNewer ? b : a;
    }

    async shutdown() {
        if (!this.#initialized)
            return;
        if (this.#sweepTimer)
            clearInterval(this.#sweepTimer);
        this.#sweepTimer = null;
        await this.#closeAll();
        this.#initialized = false;
    }

    async #closeAll() {
        const dbs = [...this.#dbs.values()];
        this.#dbs.clear();
        this.#where.clear();
        await Promise.all(dbs.map((db) => db.close()));
    }

    #ready() {
        if (!this.#initialized)
            throw adapterError('StoreClosed', 'call initialize() first (and not after shutdown())');
    }

    #ns(namespace) {
        if (namespace === undefined || namespace === null || namespace === '')
            return this.#c.defaultNamespace;
        if (typeof namespace !== 'string')
            throw adapterError('InvalidArgument', `a namespace is a string, got ${typeof namespace}`);
        return namespace;
    }

    async #dbFor(ns) {
        let db = this.#dbs.get(ns);
        if (!db) {
            const metric = METRICS[this.#c.metric];
            db = await RvfDatabase.create(this.fileOf(ns), { dimensions: this.#c.dimensions, metric, backend: this.#c.backend });
            this.#dbs.set(ns, db);
        }
        return db;
    }

    async #entryOf(db, id) {
        const row = await db.get(id);
        return row ? decodeEntry(row.id, row.metadata, row.vector) : null;
    }

    // ===== writes =====

    /** Insert or replace `entry` (by id) in its namespace: one commit. */
    async store(entry) {
        await this.bulkInsert([entry]);
    }

    /**
     * Insert or replace entries: one commit per namespace they fall in. An id stored before in
     * another namespace is deleted there (an id names one entry).
     */
    async bulkInsert(entries) {
        this.#ready();
        if (!Array.isArray(entries))
            throw adapterError('InvalidArgument', 'bulkInsert() takes an array of MemoryEntry');
        const byNs = new Map();
        for (const e of entries) {
            const ns = this.#ns(e?.namespace);
            const { vector, metadata } = encodeEntry(e, ns, this.#c.dimensions);
            if (!byNs.has(ns))
                byNs.set(ns, new Map());
            byNs.get(ns).set(e.id, { id: e.id, vector, metadata }); // a later duplicate id wins
        }
        for (const [ns, rows] of byNs) {
            const moved = new Map(); // old namespace → ids leaving it
            for (const id of rows.keys()) {
                const old = this.#where.get(id);
                if (old !== undefined && old !== ns) {
                    if (!moved.has(old))
                        moved.set(old, []);
                    moved.get(old).push(id);
                }
            }
            const db = await this.#dbFor(ns);
            const r = await db.upsertBatch([...rows.values()]);
            if (r.rejected > 0) {
                const rj = r.rejections[0];
                throw adapterError(Object.hasOwn(RvfStatus, rj.name) ? rj.name : 'InvalidArgument',
                    `${r.rejected} of ${rows.size} entries were not stored; first: id ${JSON.stringify(rj.id)}: ${rj.message}`);
            }
            await this.#audit(ns, 'store', [...rows.keys()]);
            for (const [old, ids] of moved) {
                await this.#dbs.get(old).delete(ids);
                await this.#audit(old, 'move-out', ids, { to: ns });
            }
            for (const id of rows.keys())
                this.#where.set(id, ns);
        }
    }

    /**
     * Apply `update` to entry `id` and bump version and updatedAt: one commit holding only the
     * new metadata (the vector is not rewritten). null when there is no such entry.
     */
    async update(id, update) {
        this.#ready();
        const ns = this.#where.get(id);
        if (ns === undefined)
            return null;
        const db = this.#dbs.get(ns);
        const cur = await this.#entryOf(db, id);
        if (!cur)
            return null;
        const allowed = ['content', 'tags', 'metadata', 'accessLevel', 'expiresAt', 'references'];
        for (const k of Object.keys(update ?? {})) {
            if (!allowed.includes(k))
                throw adapterError('InvalidArgument', `update(): field '${k}' cannot be updated (MemoryEntryUpdate has ${allowed.join(', ')}); store() the whole entry to change it`);
        }
        const next = { ...cur, ...update, updatedAt: Math.max(Date.now(), cur.updatedAt), version: cur.version + 1 };
        const { metadata } = encodeEntry(next, ns, this.#c.dimensions);
        await db.updateMetadata(id, metadata);
        await this.#audit(ns, 'update', [id], { version: next.version });
        return next;
    }

    /** Delete entry `id`: true when it existed. */
    async delete(id) {
        return (await this.bulkDelete([id])) === 1;
    }

    /** Delete entries by id (one commit per namespace touched): how many existed. */
    async bulkDelete(ids) {
        this.#ready();
        const byNs = new Map();
        for (const id of new Set(ids)) {
            const ns = this.#where.get(id);
            if (ns === undefined)
                continue;
            if (!byNs.has(ns))
                byNs.set(ns, []);
            byNs.get(ns).push(id);
        }
        let deleted = 0;
        for (const [ns, list] of byNs) {
            const r = await this.#dbs.get(ns).delete(list);
            await this.#audit(ns, 'delete', list);
            deleted += r.deleted;
            for (const id of list)
                this.#where.delete(id);
        }
        return deleted;
    }

    /** Delete every entry of `namespace` (one commit; the file and its witness chain stay): how many. */
    async clearNamespace(namespace) {
        this.#ready();
        const ns = this.#ns(namespace);
        const db = this.#dbs.get(ns);
        if (!db)
            return 0;
        const ids = await db.ids();
        if (ids.length === 0)
            return 0;
        const r = await db.delete(ids);
        await this.#audit(ns, 'clear', ids);
        for (const id of ids)
            this.#where.delete(id);
        return r.deleted;
    }

    /**
     * TTL: delete every entry whose expiresAt ≤ now, by filter (one commit per namespace that
     * has any). Returns how many were deleted. Runs every `sweepIntervalMs` when configured.
     */
    async sweepExpired(now = Date.now()) {
        this.#ready();
        let deleted = 0;
        for (const [ns, db] of this.#dbs) {
            const gone = await db.find(expired(now), { withMetadata: false });
            if (gone.length === 0)
                continue;
            const r = await db.delete(gone.map((g) => g.id));
            await this.#audit(ns, 'sweep', gone.map((g) => g.id));
            deleted += r.deleted;
            for (const g of gone)
                this.#where.delete(g.id);
        }
        return deleted;
    }

    // ===== reads =====

    /** Entry `id` as stored (expired entries too, until swept), or null. */
    async get(id) {
        this.#ready();
        const ns = this.#where.get(id);
        return ns === undefined ? null : this.#entryOf(this.#dbs.get(ns), id);
    }

    /** The entry with `key` in `namespace` (an RVF filter on the key field), or null. */
    async getByKey(namespace, key) {
        this.#ready();
        const db = this.#dbs.get(this.#ns(namespace));
        if (!db)
            return null;
        const hits = await db.find({ op: 'eq', field: F.key, value: key }, { withVectors: true });
        if (hits.length === 0)
            return null;
        const entries = hits.map((h) => decodeEntry(h.id, h.metadata, h.vector));
        return entries.reduce((a, b) => (b.updatedAt > a.updatedAt ? b : a)); // newest if stored twice
    }

    #targets(namespace) {
        if (namespace)
            return this.#dbs.has(namespace) ? [this.#dbs.get(namespace)] : [];
        return [...this.#dbs.values()];
    }

    /**
     * MemoryQuery: filters (key, keyPrefix, memoryType, accessLevel, ownerId, time ranges, TTL)
     * run as RVF filters, tags and metadata on the decoded entries. 'semantic' (and 'hybrid' given
     * an embedding or content) ranks by similarity; the others list newest first (createdAt
     * descending, as @claude-flow/memory's SQLite backend does). offset/limit apply last.
     */
    async query(q) {
        this.#ready();
        const start = performance.now();
        if (q === null || typeof q !== 'object')
            throw adapterError('InvalidArgument', 'query() takes a MemoryQuery such as {type: "exact", key: "k", limit: 10}');
        const limit = q.limit ?? 100;
        const offset = q.offset ?? 0;
        const wantsVector = q.type === 'semantic' || (q.type === 'hybrid' && (q.embedding || q.content));
        let out;
        if (wantsVector) {
            const embedding = await this.#embeddingOf(q);
            const hits = await this.#similar(embedding, offset + limit, q, q.threshold, this.#c.efSearch);
            out = hits.slice(offset, offset + limit).map((h) => h.entry);
        } else {
            const { filter, post } = compileQuery(q, { now: Date.now(), vectorOnly: false });
            const all = [];
            for (const db of this.#targets(q.namespace)) {
                for (const h of await db.find(filter, { withVectors: true }))
                    all.push(decodeEntry(h.id, h.metadata, h.vector));
            }
            out = all.filter(post)
                .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
                .slice(offset, offset + limit);
        }
        record(this.#queryMs, start);
        return out;
    }

    async #embeddingOf(q) {
        if (q.embedding)
            return q.embedding;
        if (q.content !== undefined && this.#c.embeddingGenerator)
            return this.#c.embeddingGenerator(q.content);
        throw adapterError('InvalidArgument', `a '${q.type}' query needs an embedding, or content plus the embeddingGenerator option`);
    }

    /** Nearest entries across the target namespaces, best first: [{entry, score, distance}]. */
    async #similar(embedding, k, filters, threshold, ef) {
        if (k <= 0)
            return [];
        const { filter, post, hasPost } = compileQuery(filters ?? {}, { now: Date.now(), vectorOnly: true });
        const scored = [];
        for (const db of this.#targets(filters?.namespace)) {
            // Tags/metadata are checked after the search, so it must see every candidate then.
            const n = hasPost ? await db.count(filter) : k;
            if (n === 0)
                continue;
            for (const h of await db.query(embedding, n, { filter, efSearch: Math.max(ef, n) })) {
                const { score, distance } = scoreOf(this.#c.metric, h.distance);
                if (threshold !== undefined && score < threshold)
                    continue;
                const entry = await this.#entryOf(db, h.id);
                if (entry && post(entry))
                    scored.push({ entry, score, distance });
            }
        }
        scored.sort((a, b) => b.score - a.score || (a.entry.id < b.entry.id ? -1 : 1));
        return scored.slice(0, k);
    }

    /**
     * Similarity search: the k nearest entries that have an embedding, [{entry, score, distance}]
     * best first. score: cosine similarity ('cosine'), 1 / (1 + euclidean distance)
     * ('euclidean'), dot product ('dot'). options.filters is a MemoryQuery's filters.
     */
    async search(embedding, options) {
        this.#ready();
        const start = performance.now();
        const o = options ?? {};
        for (const key of Object.keys(o)) {
            if (!SEARCH_OPTION_KEYS.includes(key))
                throw adapterError('InvalidOptions', `search(): unknown option '${key}'; accepted: ${SEARCH_OPTION_KEYS.join(', ')}`);
        }
        if (o.metric !== undefined && o.metric !== this.#c.metric)
            throw adapterError('InvalidOptions', `search(): metric '${o.metric}' differs from the store's '${this.#c.metric}' (an RVF file has one metric, fixed at creation); configure the backend with metric '${o.metric}'`);
        if (!Number.isInteger(o.k) || o.k < 0)
            throw adapterError('InvalidArgument', `search(): k must be a non-negative integer, got ${String(o.k)}`);
        const out = await this.#similar(embedding, o.k, o.filters, o.threshold, o.ef ?? this.#c.efSearch);
        record(this.#searchMs, start);
        return out;
    }

    /** Entries of `namespace` (or of all), expired ones included until swept. */
    async count(namespace) {
        this.#ready();
        if (namespace) {
            const db = this.#dbs.get(namespace);
            return db ? db.count() : 0;
        }
        let n = 0;
        for (const db of this.#dbs.values())
            n += await db.count();
        return n;
    }

    /** Namespaces holding at least one entry. */
    async listNamespaces() {
        this.#ready();
        const out = [];
        for (const [ns, db] of this.#dbs) {
            if (await db.count() > 0)
                out.push(ns);
        }
        return out;
    }

    async getStats() {
        this.#ready();
        const entriesByNamespace = {};
        const entriesByType = Object.fromEntries(TYPES.map((t) => [t, 0]));
        let totalEntries = 0, memoryUsage = 0, vectors = 0;
        for (const [ns, db] of this.#dbs) {
            const n = await db.count();
            if (n > 0)
                entriesByNamespace[ns] = n;
            totalEntries += n;
            for (const t of TYPES)
                entriesByType[t] += await db.count({ op: 'eq', field: F.type, value: t });
            vectors += await db.count({ op: 'eq', field: F.hasEmbedding, value: true });
            memoryUsage += (await db.status()).fileSize;
        }
        const avgSearchTime = avg(this.#searchMs);
        return {
            totalEntries,
            entriesByNamespace,
            entriesByType,
            memoryUsage, // bytes of the .rvf files
            hnswStats: { vectorCount: vectors, memoryUsage: vectors * this.#c.dimensions * 4, avgSearchTime, buildTime: 0 },
            avgQueryTime: avg(this.#queryMs),
            avgSearchTime,
        };
    }

    /**
     * storage: every namespace file re-verified (segment hashes, manifest chain, witness chain);
     * a problem makes it unhealthy and is listed in `issues`.
     */
    async healthCheck() {
        const issues = [], recommendations = [];
        const start = performance.now();
        let storage = 'healthy';
        if (!this.#initialized) {
            storage = 'unhealthy';
            issues.push('Backend not initialized: call initialize()');
        } else {
            for (const [ns, db] of this.#dbs) {
                const v = await db.verify();
                if (!v.ok) {
                    storage = 'unhealthy';
                    issues.push(`namespace ${JSON.stringify(ns)} (${this.fileOf(ns)}): ${v.problems.map((p) => p.message ?? String(p)).join('; ')}`);
                }
                if ((await db.status()).deadSpaceRatio > 0.5)
                    recommendations.push(`namespace ${JSON.stringify(ns)}: over half the file is deleted rows; it compacts itself, or call compact()`);
            }
        }
        const latency = performance.now() - start;
        return {
            status: storage,
            components: {
                storage: { status: storage, latency },
                index: { status: this.#initialized ? 'healthy' : 'unhealthy', latency: 0, message: 'RVF HNSW index per namespace file' },
                cache: { status: 'healthy', latency: 0, message: 'no cache: reads go to the store' },
            },
            timestamp: Date.now(),
            issues,
            recommendations,
        };
    }

    /**
     * The audit trail. Every store/update/delete/clear/sweep is one commit, and each commit chains
     * a witness entry; with `audit` on, each is followed by an audit entry naming the action.
     * Per namespace: {namespace, file, ok, witnessEntries, auditEntries, epoch, problems} from
     * re-verifying the file (segment hashes, manifest chain, every witness link, each audit
     * payload against the entry that vouches for it).
     */
    async verifyAudit() {
        this.#ready();
        const out = [];
        for (const [ns, db] of this.#dbs) {
            const v = await db.verify();
            const s = await db.status();
            const auditEntries = (await db.witnessEntries()).filter((e) => e.payload !== null).length;
            out.push({ namespace: ns, file: this.fileOf(ns), ok: v.ok, witnessEntries: v.witnessEntriesChecked, auditEntries, epoch: s.currentEpoch, problems: v.problems });
        }
        return out;
    }

    /**
     * Record an action of the caller's own (e.g. {action: 'read', key: 'k', agent: 'a1'}) in the
     * audit trail of `namespace`'s file: one durable commit. The record is stored as JSON (at
     * most 64 KiB). Returns the audit log entry as auditLog() lists it.
     */
    async recordAction(namespace, record) {
        this.#ready();
        if (record === null || typeof record !== 'object' || Array.isArray(record))
            throw adapterError('InvalidArgument', 'recordAction(namespace, record): record is an object such as {action: "read", key: "k"}');
        const ns = this.#ns(namespace);
        const db = await this.#dbFor(ns);
        return auditOut(await db.appendWitness('audit', JSON.stringify({ ...record, at: record.at ?? Date.now() })));
    }

    /**
     * The audit entries of `namespace`'s file, oldest first: {index (position in the witness
     * chain), timestamp (ms), hash, prevHash, record ({action, ids, count, at, ...})}. options:
     * {from (chain position, 0), limit (all)}. Empty for a namespace with no file.
     */
    async auditLog(namespace, options) {
        this.#ready();
        const db = this.#dbs.get(this.#ns(namespace));
        if (!db)
            return [];
        return (await db.witnessEntries(options)).filter((e) => e.payload !== null).map(auditOut);
    }

    /** The audit entry following a write to `ns` (audit on): what was done and to which ids. */
    async #audit(ns, action, ids, extra = {}) {
        if (!this.#c.audit)
            return;
        const db = this.#dbs.get(ns);
        if (!db)
            return;
        const named = ids.slice(0, AUDIT_MAX_IDS);
        await db.appendWitness('audit', JSON.stringify({ action, count: ids.length, ids: named, idsTruncated: named.length < ids.length, ...extra, at: Date.now() }));
    }
}

function auditOut(e) {
    let record;
    try {
        record = JSON.parse(new TextDecoder().decode(e.payload));
    } catch {
        record = { raw: e.payload }; // appended by another writer: not this adapter's JSON
    }
    return { index: e.index, timestamp: Number(e.timestampNs / 1000000n), hash: e.hash, prevHash: e.prevHash, record };
}

function scoreOf(metric, d) {
    if (metric === 'cosine')
        return { score: 1 - d, distance: d };
    if (metric === 'euclidean') {
        const e = Math.sqrt(Math.max(0, d)); // the runtime's l2 is squared
        return { score: 1 / (1 + e), distance: e };
    }
    return { score: -d, distance: d }; // dotproduct distance is −dot
}

function record(list, start) {
    list.push(performance.now() - start);
    if (list.length > 100)
        list.shift();
}

function avg(list) {
    return list.length ? list.reduce((a, b) => a + b, 0) / list.length : 0;
}
