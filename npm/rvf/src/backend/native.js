// The native backend: @ruvector/rvf-node (the C++ runtime as a Node-API addon). Conversions only;
// the addon's *Async methods run on the libuv pool. Errors are mapped to RvfError by the caller.
import { WasmBackend } from './wasm.js';

let addon = null;
let addonProgressive = null;
let addonVerifyFile = null;
let addonSigningKeyId = null;

/** The addon's RvfDatabase class, or throws the reason it cannot be loaded. */
export async function loadNative() {
    if (!addon) {
        const mod = await import('@ruvector/rvf-node');
        const cls = mod.RvfDatabase ?? mod.default?.RvfDatabase;
        if (typeof cls !== 'function')
            throw new Error('@ruvector/rvf-node has no RvfDatabase export');
        addon = cls;
        addonVerifyFile = mod.verifyFile ?? mod.default?.verifyFile;
        addonSigningKeyId = mod.signingKeyId ?? mod.default?.signingKeyId;
        addonProgressive = mod.Progressive ?? mod.default?.Progressive ?? null;
    }
    return addon;
}

/** The addon's Progressive class (the HTTP Range driver's handle), or throws why there is none. */
export async function loadNativeProgressive() {
    await loadNative();
    if (typeof addonProgressive !== 'function')
        throw new Error('@ruvector/rvf-node has no Progressive export (an older addon): rebuild it, or pass backend: \'wasm\'');
    return addonProgressive;
}

function nativeOptions(o) {
    const out = {
        dimensions: o.dimensions,
        metric: o.metric,
        storage: o.storage,
        compression: o.compression,
        profile: o.profile,
        domainProfile: o.domainProfile,
        m: o.m,
        efConstruction: o.efConstruction,
        witness: o.witness,
        index: o.index,
        tiering: o.tiering,
        signing: o.signing,
        partitionOnCompact: o.partitionOnCompact,
    };
    for (const k of Object.keys(out))
        if (out[k] === undefined)
            delete out[k];
    return out;
}

export class NativeBackend {
    kind = 'native';

    /** Every check of a file that may not even open (no lock taken). */
    static async verifyFile(path) {
        await loadNative();
        if (typeof addonVerifyFile !== 'function')
            throw new Error('@ruvector/rvf-node has no verifyFile export (an older addon)');
        return addonVerifyFile(path);
    }
    #db;
    #path;

    constructor(db, path) {
        this.#db = db;
        this.#path = path;
    }

    /** The key id of a signing key {algorithm, key}. */
    static async signingKeyId(signing) {
        await loadNative();
        if (typeof addonSigningKeyId !== 'function')
            throw new Error('@ruvector/rvf-node has no signingKeyId export (an older addon)');
        return addonSigningKeyId(signing.algorithm, signing.key);
    }

    static async create(path, options) {
        const Db = await loadNative();
        return new NativeBackend(await Db.createAsync(path, nativeOptions(options)), path);
    }

    static async open(path, { readOnly = false, epoch, verify } = {}) {
        const Db = await loadNative();
        if (epoch !== undefined) // an earlier epoch is history: always read-only
            return new NativeBackend(Db.openAtEpoch(path, epoch), path);
        // Read-only: the addon's default is the in-place Structural open; verify 'full' asks for
        // the open that hashes every payload first.
        return new NativeBackend(
            await (readOnly ? Db.openReadonlyAsync(path, verify ? { verify } : undefined) : Db.openAsync(path)), path);
    }

    get path() {
        return this.#path;
    }

    ingest(ids, vectors, rows) {
        return this.#db.ingestBatchAsync(ids, vectors, rows ?? undefined);
    }

    async upsert(ids, vectors, rows) {
        return this.#db.upsertBatch(ids, vectors, rows ?? undefined);
    }

    async updateMetadata(ids, rows) {
        return this.#db.updateMetadata(ids, rows);
    }

    async appendWitness(type, payload) {
        return this.#db.appendWitness(type, payload);
    }

    witnessEntries(from, limit) {
        return this.#db.witnessEntries(from, limit);
    }

    count(filterJson) {
        return this.#db.count(filterJson);
    }

    findIds(filterJson, after, limit) {
        return this.#db.findIds(filterJson ?? null, after, limit);
    }

    async refresh() {
        this.#db.refresh();
    }

    query(vector, k, efSearch, filterJson, exact = false, nprobe = 0) {
        const opts = { efSearch, exact, nprobe };
        if (filterJson !== undefined)
            opts.filter = filterJson;
        return this.#db.queryAsync(vector, k, opts);
    }

    queryBatch(vectors, k, efSearch, filterJson) {
        const opts = { efSearch };
        if (filterJson !== undefined)
            opts.filter = filterJson;
        return this.#db.queryBatchAsync(vectors, k, opts);
    }

    async delete(ids) {
        return this.#db.delete(ids);
    }

    async deleteByFilter(filterJson) {
        return this.#db.deleteByFilter(filterJson);
    }

    /** options: {ioBudgetBytes, ioBytesPerSecond}, both checked by database.js; the runtime throttles its own file writes. */
    compact(options = {}) {
        return this.#db.compactAsync(options);
    }

    buildIndex() {
        return this.#db.buildIndexAsync();
    }

    status() {
        const s = this.#db.status();
        return { ...s, dimensions: s.dimension };
    }

    segments() {
        return this.#db.segments();
    }

    fileId() {
        return this.#db.fileId();
    }

    indexStats() {
        return this.#db.indexStats();
    }

    lineage() {
        return { fileId: this.#db.fileId(), parentId: this.#db.parentId(), lineageDepth: this.#db.lineageDepth() };
    }

    async derive(childPath, type) {
        return new NativeBackend(this.#db.derive(childPath, { type }), childPath);
    }

    async freeze() {
        return this.#db.freeze();
    }

    verify() {
        return this.#db.verify();
    }

    requireSignature(keyId) {
        this.#db.requireSignature(keyId);
    }

    setSigningKey(signing) {
        this.#db.setSigningKey(signing);
    }

    metadata(id) {
        return this.#db.metadata(id);
    }

    vector(id) {
        return this.#db.vector(id);
    }

    idsAfter(after, limit) {
        return this.#db.idsAfter(after, limit);
    }

    exportLayoutR() {
        return this.#db.exportLayoutR();
    }

    /** The live state as a fresh Layout S image: the runtime's compaction run on a copy. */
    async exportLayoutS() {
        const fs = (await import('node:fs')).default;
        const copy = await WasmBackend.fromBytes(new Uint8Array(fs.readFileSync(this.#path)), { readOnly: false });
        try {
            return await copy.exportLayoutS();
        } finally {
            copy.close();
        }
    }

    close() {
        if (!this.#db.closed)
            this.#db.close();
    }
}
