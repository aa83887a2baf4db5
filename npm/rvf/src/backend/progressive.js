// The SDK's progressive backend: a read-only store loaded over HTTP Range requests by
// @ruvector/rvf-wasm's one driver (openProgressiveWith: every Content-Range / ETag / size / 416
// check lives there), over the chosen backend's handle — the native addon's Progressive or the
// wasm module's. Until the last byte arrives, queries go to the progressive handle (unfiltered
// only: the runtime answers a filter with NotReady) and rows have no metadata yet; once loaded,
// the complete store (native: the handle's finish(), no copy; wasm: fromBytesReadonly of the
// image) answers everything exactly as openReadonly of the same file does. Writes: ReadOnly.
import { RvfStore, openProgressiveWith } from '@ruvector/rvf-wasm';
import { rvfError, toRvfError } from '../errors.js';
import { WasmBackend } from './wasm.js';

/** Methods that change the store: refused whatever the loading state. */
const WRITES = ['ingest', 'upsert', 'updateMetadata', 'appendWitness', 'delete', 'deleteByFilter', 'compact',
    'buildIndex', 'derive', 'freeze', 'setSigningKey'];
/** Methods that read the whole store: the complete one answers them (NotReady before). */
const READS = ['witnessEntries', 'count', 'findIds', 'segments', 'fileId', 'indexStats', 'lineage', 'verify',
    'requireSignature', 'vector', 'idsAfter', 'toBytes', 'exportLayoutR'];

export class ProgressiveBackend {
    kind;
    #prog;          // the driver's ProgressiveRvfStore until the complete store replaces it
    #full = null;   // the complete store's backend (NativeBackend / WasmBackend)
    #lastProgress = null; // progress() as it was when loading finished
    #loaded;
    #dims;
    #closed = false;

    /**
     * Open `url` (options: fetch, concurrency, onProgress, signal — the driver checks them) on
     * `kind` 'native' or 'wasm'; resolves once the store answers queries.
     */
    static async open(url, options, kind) {
        let handle = {};
        let NativeBackend = null;
        if (kind === 'native') {
            const native = await import('./native.js');
            NativeBackend = native.NativeBackend;
            handle = { Progressive: await native.loadNativeProgressive(), throws: true, adoptError: toRvfError };
        }
        const prog = await openProgressiveWith(url, options, handle);
        return new ProgressiveBackend(kind, prog, NativeBackend);
    }

    constructor(kind, prog, NativeBackend) {
        this.kind = kind;
        this.#prog = prog;
        this.#dims = prog.dimensions;
        this.#loaded = prog.loaded().then(async () => {
            if (this.#closed)
                return;
            this.#lastProgress = prog.progress();
            const full = kind === 'native'
                ? new NativeBackend(prog.finish(), null) // the runtime's complete store, moved out
                : new WasmBackend(await RvfStore.fromBytesReadonly(prog.toBytes()), { readOnly: true });
            prog.close(); // frees the wasm handle's image (finish() already closed the native one)
            if (this.#closed) {
                full.close();
                return;
            }
            this.#full = full;
        });
        this.#loaded.catch(() => {}); // reported through loaded()
    }

    /** Resolves once the complete store answers (full quality); rejects with the loading error. */
    loaded() {
        return this.#loaded.then(() => {
            if (this.#closed)
                throw rvfError('StoreClosed', 'the store was closed while loading');
        }, (e) => {
            throw toRvfError(e);
        });
    }

    /** The driver's progress (bytesFetched, roundTrips, phase, ...); its last value once loaded. */
    progress() {
        if (this.#closed)
            throw rvfError('StoreClosed', 'the store is closed');
        return this.#full ? this.#lastProgress : this.#prog.progress();
    }

    get path() {
        return null;
    }

    status() {
        if (this.#full)
            return { ...this.#full.status(), readOnly: true };
        // Before completion only the manifest's dimension is known for sure.
        const p = this.#prog.progress();
        return { dimensions: this.#dims, readOnly: true, fileSize: p.fileSize, currentEpoch: 0, loading: true };
    }

    query(vector, k, efSearch, filterJson, exact = false, nprobe = 0) {
        if (this.#full)
            return this.#full.query(vector, k, efSearch, filterJson, exact, nprobe);
        // The runtime answers a filter before completion with NotReady (rvf/progressive.hpp); the
        // SDK says so first, since its field names are read from metadata that has not arrived.
        if (filterJson !== undefined)
            throw rvfError('NotReady', 'filters need the metadata segments, which arrive last: await db.loaded() first, or query without a filter');
        // A partitioned file holds no rows until asked: fetch the partitions nearest to this
        // query first (one round trip; prepare() resolves at once for other files).
        return this.#prog.prepare(vector, nprobe ? { nprobe } : {}).then(() => this.#full
            ? this.#full.query(vector, k, efSearch, filterJson, exact, nprobe)
            : this.#prog.query(vector, k, { efSearch, nprobe }));
    }

    async queryBatch(vectors, k, efSearch, filterJson) {
        if (this.#full?.queryBatch)
            return this.#full.queryBatch(vectors, k, efSearch, filterJson);
        return Promise.all(vectors.map((q) => this.query(q, k, efSearch, filterJson)));
    }

    /** A row's metadata; null before completion (metadata segments arrive last). */
    metadata(id) {
        return this.#full ? this.#full.metadata(id) : null;
    }

    /** Native: the addon rebuilds the image from the store's file, which a URL store has not. */
    async exportLayoutS() {
        const full = this.completeStore();
        if (this.kind === 'native')
            throw rvfError('InvalidArgument', "exportLayoutS() of a store opened from a URL needs backend 'wasm' (the native one rebuilds from a local file)");
        return full.exportLayoutS();
    }

    refresh() {
        throw rvfError('InvalidArgument', 'refresh() reads a local file again; a store opened from a URL does not change: open the URL again');
    }

    /** The complete store's backend, or NotReady while loading (reads of the whole store wait for it). */
    completeStore() {
        if (this.#closed)
            throw rvfError('StoreClosed', 'the store is closed');
        if (!this.#full)
            throw rvfError('NotReady', 'the file is still loading: await db.loaded() first');
        return this.#full;
    }

    close() {
        if (this.#closed)
            return;
        this.#closed = true;
        this.#prog.close();
        this.#full?.close();
        this.#full = null;
    }
}

for (const name of WRITES) {
    ProgressiveBackend.prototype[name] = function refuseWrite() {
        throw rvfError('ReadOnly', `${name}() writes the store; a store opened with openProgressive(url) is read-only (download the file and open() it to write)`);
    };
}
for (const name of READS) {
    ProgressiveBackend.prototype[name] = function completeStoreRead(...args) {
        const full = this.completeStore();
        if (typeof full[name] !== 'function')
            throw rvfError('InvalidArgument', `${name}() is not available on the ${this.kind} backend`);
        return full[name](...args);
    };
}

