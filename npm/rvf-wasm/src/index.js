// @ruvector/rvf-wasm — the RVF C++ runtime compiled by Emscripten (dist/rvf_core.{mjs,wasm}),
// wrapped as an ES module class. This file checks JavaScript types, converts ids, and turns the
// bindings' outcome objects into return values or RvfError; every RVF rule (dimensions, NaN, k,
// filters, file validation) is enforced once, in the C++ runtime (js/embind/ binds it).
//
// Ids: a number (a non-negative safe integer) or a bigint below 2^64; a BigUint64Array works for
// batches. Ids come back as numbers, or as bigints when above Number.MAX_SAFE_INTEGER.
import createRvfCore from '../dist/rvf_core.mjs';
import { RvfStatus } from '../dist/status.js';
import { readWasmFile } from '#wasm-file';
import { openProgressive, ProgressiveRvfStore } from './progressive.js';
import { RvfShardedCollection, setShardedDeps } from './sharded.js';

export { RvfStatus, ProgressiveRvfStore, RvfShardedCollection };

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const wasmUrl = () => new URL('../dist/rvf_core.wasm', import.meta.url);

// --- errors ------------------------------------------------------------------------------------

const statusNames = new Map(Object.entries(RvfStatus).map(([name, code]) => [code, name]));
const hex4 = (code) => code.toString(16).toUpperCase().padStart(4, '0');

/**
 * A failed RVF operation. `code` is the u16 status (RvfStatus), `name` its name from the same
 * list; the message keeps the runtime's form "RVF error 0x0200: DimensionMismatch (…)".
 */
export class RvfError extends Error {
    constructor(code, message) {
        super(message ?? `RVF error 0x${hex4(code)}: ${statusNames.get(code) ?? 'Unknown'}`);
        this.code = code;
        this.name = statusNames.get(code) ?? 'Unknown';
    }
}
Object.defineProperty(RvfError.prototype, 'name', { value: 'RvfError', writable: true, configurable: true });

/** An RvfError raised on the JavaScript side (argument types), in the runtime's message form. */
function jsError(name, detail) {
    const code = RvfStatus[name];
    return new RvfError(code, `RVF error 0x${hex4(code)}: ${name} (${detail})`);
}

/** The value of a binding outcome ({ok, value} | {ok: false, code, message}), or throw. */
function unwrap(outcome) {
    if (!outcome.ok)
        throw new RvfError(outcome.code, outcome.message);
    return outcome.value;
}

// --- module loading ----------------------------------------------------------------------------

let corePromise = null;

async function instantiate(source, imports) {
    if (source.module instanceof WebAssembly.Module)
        return { instance: await WebAssembly.instantiate(source.module, imports), module: source.module };
    if (source.wasmBinary)
        return WebAssembly.instantiate(source.wasmBinary, imports);
    const url = source.url ?? source.wasmUrl ?? wasmUrl();
    const u = url instanceof URL || !/^(file|https?|data|blob):/i.test(url) ? url : new URL(url);
    if (readWasmFile && isNode && (!(u instanceof URL) || u.protocol === 'file:')) // a path or file: URL
        return WebAssembly.instantiate(await readWasmFile(u), imports);
    const r = await fetch(u, { credentials: 'same-origin' });
    if (!r.ok)
        throw new Error(`@ruvector/rvf-wasm: fetching ${url} failed: HTTP ${r.status}`);
    // Streaming compilation needs the application/wasm content type; other servers get the bytes path.
    if (typeof WebAssembly.instantiateStreaming === 'function' && r.headers.get('content-type') === 'application/wasm')
        return WebAssembly.instantiateStreaming(r, imports);
    return WebAssembly.instantiate(await r.arrayBuffer(), imports);
}

const SOURCE_KEYS = new Set(['module', 'wasmBinary', 'url', 'wasmUrl']);

/**
 * Load and instantiate the runtime once (later calls return the same promise). Optional source:
 * { module: WebAssembly.Module } (compiled once, reused), { wasmBinary: BufferSource }, or
 * { url } / { wasmUrl } (the same option; default: dist/rvf_core.wasm next to this package —
 * read from disk in Node, fetched and streamed in browsers; a bundler passes the URL it gave
 * the asset, see README "Bundlers"). Any other key is refused (RvfError InvalidOptions).
 * Every async API calls init() itself: loading the package starts nothing.
 */
export function init(source = {}) {
    if (source === null || typeof source !== 'object')
        return Promise.reject(jsError('InvalidOptions', 'init() takes an options object {url | wasmUrl | wasmBinary | module}'));
    const unknown = Object.keys(source).filter((k) => !SOURCE_KEYS.has(k));
    if (unknown.length)
        return Promise.reject(jsError('InvalidOptions', `init() has no option ${unknown.join(', ')} (url, wasmUrl, wasmBinary, module)`));
    if (!corePromise) {
        let fail;
        const failed = new Promise((_, reject) => { fail = reject; });
        const core = createRvfCore({
            instantiateWasm(imports, receive) {
                instantiate(source, imports).then(({ instance, module }) => receive(instance, module), fail);
                return {};
            },
        });
        corePromise = Promise.race([core, failed]);
        corePromise.catch(() => { corePromise = null; }); // a failed load may be retried
    }
    return corePromise;
}

/** The runtime library version ("0.1.0"). */
export async function version() {
    return (await init()).version();
}

/**
 * The writer-lock record and stale rules of the runtime (spec §11), for a JS writer that keeps a
 * wasm store in a file (the caller does the file-system steps). Resolves to
 * { record(pid, host, nowNs, writerId) → Uint8Array(104),
 *   judge(bytes, nowNs, host, pidAlive) → { kind: 'invalid' | 'stale' | 'held', pid, holder, advice, osLocked },
 *   hasWriter(bytes, writerId) → boolean }; writerId is 16 bytes, nowNs a number.
 */
export async function writerLockRules() {
    const core = await init();
    return {
        record: (pid, host, nowNs, writerId) => core.lockRecord(pid, host, nowNs, writerId),
        judge: (bytes, nowNs, host, pidAlive) => core.judgeLock(bytes, bytes.length, nowNs, host, pidAlive),
        hasWriter: (bytes, writerId) => core.lockHasWriter(bytes, bytes.length, writerId),
    };
}

/**
 * Verify an .rvf image without opening it as a store: every check of RvfStore#verify, plus,
 * when the image does not even load, the reason as one more problem. Resolves to
 * { ok, segmentsChecked, witnessEntriesChecked, manifestsChecked, problems, uncommitted }.
 */
export async function verifyBytes(bytes) {
    if (!(bytes instanceof Uint8Array))
        throw jsError('InvalidArgument', 'verifyBytes() takes a Uint8Array');
    return (await init()).verifyBytes(bytes, bytes.length);
}

/**
 * True when `bytes` are the remains of a create killed before its first commit (empty, zeros,
 * or segments without any manifest, at most 64 KiB): no data, safe for create to replace.
 */
export async function isIncompleteCreate(bytes) {
    if (!(bytes instanceof Uint8Array))
        throw jsError('InvalidArgument', 'isIncompleteCreate() takes a Uint8Array');
    return (await init()).isIncompleteCreate(bytes, bytes.length);
}

// --- argument conversion -----------------------------------------------------------------------

const MAX_U64 = (1n << 64n) - 1n;

function toId(v, where) {
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0)
        return BigInt(v);
    if (typeof v === 'bigint' && v >= 0n && v <= MAX_U64)
        return v;
    throw jsError('InvalidArgument', `${where} must be a non-negative safe integer or a bigint below 2^64, got ${String(v)}`);
}

function toIdArray(ids, what) {
    if (ids instanceof BigUint64Array)
        return ids;
    if (!Array.isArray(ids) && !(ArrayBuffer.isView(ids) && !(ids instanceof DataView)))
        throw jsError('InvalidArgument', `${what} must be an array of ids or a BigUint64Array`);
    const out = new BigUint64Array(ids.length);
    for (let i = 0; i < ids.length; i++)
        out[i] = toId(ids[i], `${what}[${i}]`);
    return out;
}

const fromId = (b) => (b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b);
// u64 ids cross the binding as little-endian u32 word pairs (js/embind/convert.hpp).
const words = (ids) => new Uint32Array(ids.buffer, ids.byteOffset, ids.length * 2);
const fromWords = (w) => new BigUint64Array(w.buffer, w.byteOffset, w.length / 2);

// src/sharded.js (RvfShardedCollection over HTTP) shares these helpers and opens each shard
// with RvfStore.openProgressive (called late: RvfStore is defined below).
setShardedDeps({
    init, RvfError, jsError, unwrap, toFloats, fromWords, fromId, words, token: Symbol('RvfShardedCollection'),
    openProgressive: (url, options) => RvfStore.openProgressive(url, options),
});

// A batch's first argument holds vectors (upstream rvf-node's (vectors, ids, metadata) order) when
// it is a Float32Array or a list whose first item is an array or typed array; ids never are.
function holdsVectors(v) {
    return v instanceof Float32Array || (Array.isArray(v) && v.length > 0 && (Array.isArray(v[0]) || ArrayBuffer.isView(v[0])));
}

function toFloats(v, what) {
    if (v instanceof Float32Array || Array.isArray(v))
        return v;
    throw jsError('InvalidArgument', `${what} must be a Float32Array (or an array of numbers)`);
}

function filterJson(filter) {
    if (typeof filter === 'string')
        return filter;
    if (filter === null || typeof filter !== 'object')
        throw jsError('InvalidArgument', 'a filter is an object in the filter JSON form (or its JSON text)');
    // bigint literals: as the decimal string the JSON form accepts for u64/i64; in shorthand
    // position wrapped in their type, since a bare string would mean a String literal.
    return JSON.stringify(filter, function replacer(key, value) {
        if (typeof value !== 'bigint')
            return value;
        if (key === 'u64' || key === 'i64')
            return value.toString();
        return { [value < 0n ? 'i64' : 'u64']: value.toString() };
    });
}

function uint(v, what, max, fallback) {
    if (v === undefined)
        return fallback;
    if (Number.isInteger(v) && v >= 0 && v <= max)
        return v;
    throw jsError('InvalidOptions', `${what} must be an integer in 0..${max}, got ${String(v)}`);
}

// Defaults of the C++ TieringPolicy (runtime/include/rvf/store.hpp; core::kHotThreshold/kWarmThreshold).
const TIERING_KEYS = ['enabled', 'coldCodec', 'pqM', 'hotThreshold', 'warmThreshold'];

// create({tiering}) checked and completed for the binding. Strict: the policy is lossy, so a
// misspelt key must not silently fall back to a default.
function tieringOption(t) {
    if (t === undefined)
        return undefined;
    if (t === null || typeof t !== 'object' || Array.isArray(t))
        throw jsError('InvalidOptions', `tiering must be an object {${TIERING_KEYS.join(', ')}}`);
    for (const key of Object.keys(t))
        if (!TIERING_KEYS.includes(key))
            throw jsError('InvalidOptions', `tiering: unknown option '${key}' (${TIERING_KEYS.join(', ')})`);
    if (t.enabled !== undefined && typeof t.enabled !== 'boolean')
        throw jsError('InvalidOptions', 'tiering.enabled must be a boolean');
    if (t.coldCodec !== undefined && t.coldCodec !== 'pq' && t.coldCodec !== 'binary')
        throw jsError('InvalidOptions', `tiering.coldCodec must be 'pq' or 'binary', got ${String(t.coldCodec)}`);
    return {
        enabled: t.enabled ?? true, // giving the object opts in
        coldCodec: t.coldCodec ?? 'pq',
        pqM: uint(t.pqM, 'tiering.pqM', 0xffff, 0), // 0: dimension / 4
        hotThreshold: uint(t.hotThreshold, 'tiering.hotThreshold', 0xffffffff, 128),
        warmThreshold: uint(t.warmThreshold, 'tiering.warmThreshold', 0xffffffff, 16),
    };
}

// create({profile}): the hardware profile kept in the file (0 generic, 1 core, 2 hot, 3 full, or
// those names). Core is held to the spec's tile limits by the runtime (f16 ≤ 384 or i8 ≤ 768
// dimensions, no compression, no tiering, no index); without a storage it picks f16 or i8.
const HARDWARE_PROFILES = ['generic', 'core', 'hot', 'full'];
function hardwareProfile(p) {
    if (p === undefined)
        return 0;
    if (typeof p === 'string' && HARDWARE_PROFILES.includes(p))
        return HARDWARE_PROFILES.indexOf(p);
    if (Number.isInteger(p) && p >= 0 && p <= 3)
        return p;
    throw jsError('InvalidOptions', `profile must be 0..3 or ${HARDWARE_PROFILES.map((x) => `'${x}'`).join(', ')}, got ${String(p)}`);
}

const WITNESS_TYPES = { delegation: 3, audit: 4, attestation: 5 };

const SIGNING_KEYS = ['algorithm', 'key'];

// create({signing}) / setSigningKey's {algorithm, key} checked for the binding (docs/signing.md):
// key is the 32-byte secret seed of either algorithm.
function signingOption(sg) {
    if (sg === undefined || sg === false)
        return undefined;
    if (sg === null || typeof sg !== 'object' || Array.isArray(sg))
        throw jsError('InvalidOptions', `signing must be an object {algorithm: 'ed25519' | 'ml-dsa-65', key: Uint8Array(32)}`);
    for (const key of Object.keys(sg))
        if (!SIGNING_KEYS.includes(key))
            throw jsError('InvalidOptions', `signing: unknown option '${key}' (${SIGNING_KEYS.join(', ')})`);
    if (typeof sg.algorithm !== 'string')
        throw jsError('InvalidOptions', `signing.algorithm must be 'ed25519' or 'ml-dsa-65', got ${String(sg.algorithm)}`);
    if (!(sg.key instanceof Uint8Array))
        throw jsError('InvalidOptions', 'signing.key must be the 32-byte secret seed as a Uint8Array');
    return { algorithm: sg.algorithm, key: sg.key };
}

/**
 * The key id (32 hex digits: the first 16 bytes of SHAKE-256 of the public key) of `algorithm`'s
 * ('ed25519' | 'ml-dsa-65') key with this 32-byte seed: what requireSignature and verify() name.
 */
export async function signingKeyId(algorithm, key) {
    const sg = signingOption({ algorithm, key });
    return unwrap((await init()).signingKeyId(sg.algorithm, sg.key, sg.key.length));
}

const constructToken = Symbol('RvfStore');

// Frees the C++ store when a wrapper is garbage-collected without close().
const finalizer = new FinalizationRegistry((handle) => handle.delete());

// --- the store ---------------------------------------------------------------------------------

/**
 * An RVF vector store held in wasm memory. Every mutation is one commit appended to the
 * in-memory image; toBytes() is that image (a .rvf file, Layout S), fromBytes() opens any
 * .rvf image (Layout S, or upstream's Layout R, rewritten as S on the first write).
 */
/**
 * query()'s nprobe: 0 (default) searches the index; n > 0 scores exactly the rows of the n
 * partitions nearest the query (a file compacted with partitionOnCompact; UnsupportedLayout
 * otherwise — docs/format-partition-map.md).
 */
function nprobeOption(v) {
    if (v === undefined)
        return 0;
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff)
        throw jsError('InvalidArgument', `nprobe must be a non-negative integer, got ${String(v)}`);
    return v;
}

/**
 * RvfStore.openProgressive's loader with another handle class: `handle` = { Progressive (a
 * constructor with core.Progressive's methods, e.g. @ruvector/rvf-node's), throws (true when its
 * methods throw errors instead of returning outcome objects), adoptError (a thrown error →
 * RvfError) }. Without `handle`, the wasm module's own class (what RvfStore.openProgressive uses).
 */
export function openProgressiveWith(url, options = {}, handle = {}) {
    const deps = { init, RvfError, jsError, unwrap, toFloats, filterJson, fromWords, fromId, nprobeOption };
    if (handle.Progressive !== undefined) {
        if (typeof handle.Progressive !== 'function')
            return Promise.reject(jsError('InvalidArgument', 'openProgressiveWith(): handle.Progressive must be a constructor'));
        deps.Progressive = handle.Progressive;
    }
    if (handle.throws)
        deps.unwrap = (v) => v;
    if (handle.adoptError)
        deps.adoptError = handle.adoptError;
    return openProgressive(url, options, deps);
}

export class RvfStore {
    #h;

    /** Use RvfStore.create or RvfStore.fromBytes. */
    constructor(handle, token) {
        if (token !== constructToken)
            throw new TypeError('use RvfStore.create() or RvfStore.fromBytes()');
        this.#h = handle;
        finalizer.register(this, handle, this);
    }

    static async #open(start) {
        const core = await init();
        const handle = new core.Store();
        let outcome;
        try {
            outcome = start(handle);
        } catch (e) {
            handle.delete();
            throw e;
        }
        if (!outcome.ok) {
            handle.delete();
            throw new RvfError(outcome.code, outcome.message);
        }
        return new RvfStore(handle, constructToken);
    }

    /**
     * A new empty store. options: { dimensions (1..65535, required; `dimension` also accepted),
     * metric: 'l2' (default) | 'cosine' | 'ip' | 'dotproduct' | 'hamming', storage: 'f32'
     * (default) | 'f16' | 'i8', compression: 'none' (default) | 'lz4' | 'zstd' (VEC segments),
     * m: 16, efConstruction: 200, witness: true, domainProfile: the domain profile id stored in the
     * file (0 generic .. 4 rvvision, custom 16..239; default 0), tiering: { enabled (true),
     * coldCodec 'pq' | 'binary', pqM, hotThreshold, warmThreshold } — lossy temperature tiers that
     * compact() assigns (omitted: no tiering), partitionOnCompact: false — compact() also writes
     * the partition map (docs/format-partition-map.md) so openProgressive readers fetch only the
     * partitions near a query (store.prepare(vector)); needs an index and ≥ 4096 rows }.
     */
    static create(options) {
        if (options === null || typeof options !== 'object')
            return Promise.reject(jsError('InvalidOptions', 'create() takes an options object {dimensions, metric, ...}'));
        let dims, m, efc, dp, tiering, hw, signing;
        try {
            dims = uint(options.dimensions ?? options.dimension, 'dimensions', 0xffff, undefined);
            if (dims === undefined)
                throw jsError('InvalidOptions', 'dimensions is required');
            m = uint(options.m, 'm', 0xffff, 16);
            efc = uint(options.efConstruction, 'efConstruction', 0xffff, 200);
            dp = uint(options.domainProfile, 'domainProfile', 0xef, -1);
            if (dp > 4 && dp < 0x10)
                throw jsError('InvalidOptions', `domainProfile must be 0..4 or a custom id 16..239, got ${dp}`);
            for (const key of ['metric', 'storage', 'compression'])
                if (options[key] !== undefined && typeof options[key] !== 'string')
                    throw jsError('InvalidOptions', `${key} must be a string`);
            tiering = tieringOption(options.tiering);
            hw = hardwareProfile(options.profile);
            signing = signingOption(options.signing);
            if (options.partitionOnCompact !== undefined && typeof options.partitionOnCompact !== 'boolean')
                throw jsError('InvalidOptions', `partitionOnCompact must be a boolean, got ${String(options.partitionOnCompact)}`);
        } catch (e) {
            return Promise.reject(e);
        }
        const metric = options.metric ?? 'l2';
        const storage = options.storage ?? ''; // '': f32, or the Core storage the dimensions allow
        const witness = options.witness ?? true;
        const compression = options.compression ?? 'none';
        return RvfStore.#open((h) => h.create(dims, metric, storage, m, efc, !!witness, compression, dp, tiering, hw, signing,
            options.partitionOnCompact === true));
    }

    /** Open a store from the bytes of a .rvf file (copied; the array may be reused afterwards). */
    static fromBytes(bytes) {
        if (!(bytes instanceof Uint8Array))
            return Promise.reject(jsError('InvalidArgument', 'fromBytes() takes a Uint8Array'));
        return RvfStore.#open((h) => h.fromBytes(bytes, bytes.length));
    }

    /**
     * A read-only store over the bytes of a .rvf file; options: { epoch } — an earlier committed
     * epoch the image still holds (RvfError ManifestNotFound when compacted away or never written).
     */
    static fromBytesReadonly(bytes, options = {}) {
        if (!(bytes instanceof Uint8Array))
            return Promise.reject(jsError('InvalidArgument', 'fromBytesReadonly() takes a Uint8Array'));
        const epoch = options?.epoch;
        if (epoch !== undefined && !(Number.isInteger(epoch) && epoch >= 0 && epoch <= 0xffffffff))
            return Promise.reject(jsError('InvalidOptions', `epoch must be a committed epoch number (u32), got ${String(epoch)}`));
        return RvfStore.#open((h) => h.fromBytesReadonly(bytes, bytes.length, epoch ?? -1));
    }

    /**
     * Open an .rvf file over HTTP Range requests (src/progressive.js): resolves once queries
     * can be answered (the Level-0 root, the directory and the index hotset are in), then keeps
     * loading. options: { fetch (default globalThis.fetch), onProgress(progress), signal
     * (AbortSignal), concurrency (parallel requests, default 6) }. The result has query()
     * with this class's signature, progress() and loaded() (full quality).
     */
    static openProgressive(url, options = {}) {
        return openProgressiveWith(url, options);
    }

    #handle() {
        if (!this.#h)
            throw jsError('StoreClosed', 'the store is closed');
        return this.#h;
    }

    /** The whole store as .rvf file bytes (a copy). */
    toBytes() {
        return unwrap(this.#handle().toBytes());
    }

    /**
     * Bytes [offset, offset + length) of the image (a copy): after a commit, the bytes past what a
     * caller already holds, without copying the whole image. RvfError InvalidArgument past the end.
     */
    bytesRange(offset, length) {
        if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0)
            throw jsError('InvalidArgument', 'bytesRange: offset and length must be non-negative safe integers');
        return unwrap(this.#handle().bytesRange(offset, length));
    }

    /**
     * File offsets of the checkpoints (full manifests) written at or after `offset`, in file order.
     * A caller that copies the image to its own file makes the bytes before each one durable
     * before writing it, as the runtime does. RvfError InvalidArgument when more than the store
     * remembers (64) were written since.
     */
    checkpointsSince(offset) {
        if (!Number.isSafeInteger(offset) || offset < 0)
            throw jsError('InvalidArgument', 'checkpointsSince: offset must be a non-negative safe integer');
        return unwrap(this.#handle().checkpointsSince(offset));
    }

    /**
     * Write a checkpoint (a full manifest) when commits were made since the last one. Commits in
     * between end with a small COMMIT record; readers that only look for the latest manifest (older
     * tools, upstream's runtime) see every commit once a checkpoint follows them. close() does this.
     */
    checkpoint() {
        unwrap(this.#handle().checkpoint());
    }

    /** The live vectors as a Layout R file for upstream's runtime (no metadata, no witness chain). */
    exportLayoutR() {
        return unwrap(this.#handle().exportLayoutR());
    }

    /**
     * Add vectors: ids (n ids), vectors (Float32Array of n × dimensions, row-major), metadata
     * (optional: n entries, each null or {fieldId: value}). Vectors with a NaN/infinite component
     * or an id already present are rejected one by one (listed in `rejections`), the rest are
     * committed. Wrong total length → RvfError DimensionMismatch.
     */
    ingestBatch(ids, vectors, metadata) {
        // Upstream rvf-node's order (vectors, ids, metadata), told apart by its first argument
        // holding vectors: the same rule on every surface (README "One API").
        if (holdsVectors(ids))
            [ids, vectors] = [vectors, ids];
        const h = this.#handle();
        const idArr = toIdArray(ids, 'ids');
        const rows = toFloats(vectors, 'vectors');
        if (metadata !== undefined && metadata !== null) {
            if (!Array.isArray(metadata))
                throw jsError('InvalidArgument', 'metadata must be an array with one entry per id');
            if (metadata.length !== idArr.length)
                throw jsError('InvalidArgument', `metadata has ${metadata.length} entries for ${idArr.length} ids`);
        }
        const r = unwrap(h.ingest(words(idArr), idArr.length, rows, rows.length, metadata ?? undefined));
        r.rejections = r.rejections.map((x) => ({ ...x, id: fromId(x.id) }));
        return r;
    }

    /**
     * ingestBatch's arguments, insert-or-replace: an id already live is replaced (vector and
     * metadata) in the same commit instead of being rejected. {accepted, rejected, epoch, rejections}.
     */
    upsertBatch(ids, vectors, metadata) {
        const h = this.#handle();
        const idArr = toIdArray(ids, 'ids');
        const rows = toFloats(vectors, 'vectors');
        if (metadata !== undefined && metadata !== null) {
            if (!Array.isArray(metadata))
                throw jsError('InvalidArgument', 'metadata must be an array with one entry per id');
            if (metadata.length !== idArr.length)
                throw jsError('InvalidArgument', `metadata has ${metadata.length} entries for ${idArr.length} ids`);
        }
        const r = unwrap(h.upsert(words(idArr), idArr.length, rows, rows.length, metadata ?? undefined));
        r.rejections = r.rejections.map((x) => ({ ...x, id: fromId(x.id) }));
        return r;
    }

    /**
     * Replace the metadata of live ids (one commit, no vectors rewritten): metadata has one entry
     * per id, each {fieldId: value} or null (clears it). Ids that are not live are rejected
     * (KeyNotFound in `rejections`). {accepted, rejected, epoch, rejections}.
     */
    updateMetadata(ids, metadata) {
        const h = this.#handle();
        const idArr = toIdArray(ids, 'ids');
        if (!Array.isArray(metadata) || metadata.length !== idArr.length)
            throw jsError('InvalidArgument', `updateMetadata(ids, metadata): metadata must be an array with one entry per id (${idArr.length})`);
        const r = unwrap(h.updateMetadata(words(idArr), idArr.length, metadata.map((m) => m ?? {})));
        r.rejections = r.rejections.map((x) => ({ ...x, id: fromId(x.id) }));
        return r;
    }

    /** Live vectors, or (filter given) those the filter matches; a field no row has matches none. */
    count(filter) {
        const h = this.#handle();
        return unwrap(h.count(filter === undefined || filter === null ? '' : filterJson(filter)));
    }

    /**
     * Up to `limit` live ids the filter matches (null: every row), ascending, all greater than
     * `after` (null: from the smallest): a query by metadata alone, paged like idsAfter.
     */
    findIds(filter, after, limit) {
        const h = this.#handle();
        if (!Number.isSafeInteger(limit) || limit < 0)
            throw jsError('InvalidArgument', `findIds(filter, after, limit): limit must be a non-negative integer (ids per page), got ${String(limit)}`);
        const cursor = after === null || after === undefined ? new Uint32Array(0)
            : words(BigUint64Array.of(toId(after, 'findIds(filter, after, limit): after')));
        const f = filter === undefined || filter === null ? '' : filterJson(filter);
        const ids = fromWords(unwrap(h.findIds(f, cursor, limit)));
        const out = new Array(ids.length);
        for (let i = 0; i < ids.length; i++)
            out[i] = fromId(ids[i]);
        return out;
    }

    /**
     * The k nearest live vectors, nearest first: [{id, distance}]. options: { efSearch (default
     * 100), filter (filter JSON object or text, see README) }.
     */
    query(vector, k, options = {}) {
        const h = this.#handle();
        const q = toFloats(vector, 'vector');
        if (!Number.isInteger(k) || k < 0)
            throw jsError('InvalidArgument', `k must be a non-negative integer, got ${String(k)}`);
        const ef = options.efSearch === undefined ? 100 : options.efSearch;
        if (!Number.isInteger(ef) || ef < 0 || ef > 0xffffffff)
            throw jsError('InvalidArgument', `efSearch must be a non-negative integer, got ${String(ef)}`);
        const filter = options.filter === undefined || options.filter === null ? '' : filterJson(options.filter);
        const nprobe = nprobeOption(options.nprobe);
        const hits = unwrap(h.query(q, q.length, Math.min(k, 0xffffffff), ef, filter, nprobe));
        const ids = fromWords(hits.ids), distances = hits.distances;
        const out = new Array(ids.length);
        for (let i = 0; i < ids.length; i++)
            out[i] = { id: fromId(ids[i]), distance: distances[i] };
        return out;
    }

    /** Delete ids (unknown or already deleted ids are ignored): {deleted, epoch}. */
    remove(ids) {
        const h = this.#handle();
        const idArr = toIdArray(ids, 'ids');
        return unwrap(h.remove(words(idArr), idArr.length));
    }

    /** Delete every live vector the filter matches: {deleted, epoch}. */
    removeByFilter(filter) {
        const h = this.#handle();
        return unwrap(h.removeByFilter(filterJson(filter)));
    }

    /** Upstream's name for remove(ids). */
    delete(ids) {
        return this.remove(ids);
    }

    /** Upstream's name for removeByFilter(filter). */
    deleteByFilter(filter) {
        return this.removeByFilter(filter);
    }

    /**
     * Rewrite the live data as a fresh image: {segmentsCompacted, bytesReclaimed, epoch, complete,
     * bytesWritten}. options.ioBudgetBytes (0 = unlimited): a rewrite needing more does nothing
     * (complete false). options.ioBytesPerSecond (0 = unthrottled): the rewrite writes at most
     * about that many bytes per second (it waits between segments; this store is in memory, so
     * the wait blocks the calling thread).
     */
    compact(options = {}) {
        const h = this.#handle();
        for (const key of Object.keys(options ?? {}))
            if (key !== 'ioBudgetBytes' && key !== 'ioBytesPerSecond')
                throw jsError('InvalidOptions', `compact(): unknown option '${key}' (ioBudgetBytes, ioBytesPerSecond)`);
        const budget = options?.ioBudgetBytes ?? 0;
        if (!Number.isSafeInteger(budget) || budget < 0)
            throw jsError('InvalidArgument', 'ioBudgetBytes must be a non-negative safe integer');
        const rate = options?.ioBytesPerSecond ?? 0;
        if (!Number.isSafeInteger(rate) || rate < 0)
            throw jsError('InvalidArgument', 'ioBytesPerSecond must be a non-negative safe integer (bytes per second; 0 = unthrottled)');
        return unwrap(h.compact(budget, rate));
    }

    /**
     * Append an action of the caller's own to the witness chain (one commit): witnessType 3
     * (delegation), 4 (audit) or 5 (attestation) (or those names), payload a Uint8Array or a
     * string (UTF-8), at most 65536 bytes (RvfError SegmentTooLarge beyond). Returns the entry
     * as witnessEntries() lists it.
     */
    appendWitness(witnessType, payload) {
        const h = this.#handle();
        const t = typeof witnessType === 'string' ? WITNESS_TYPES[witnessType] : witnessType;
        if (!Number.isInteger(t) || t < 0 || t > 255)
            throw jsError('InvalidArgument', `appendWitness: witnessType must be 3 (delegation), 4 (audit) or 5 (attestation), got ${String(witnessType)}`);
        const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload ?? new Uint8Array(0);
        if (!(bytes instanceof Uint8Array))
            throw jsError('InvalidArgument', 'appendWitness: payload must be a Uint8Array or a string');
        return unwrap(h.appendWitness(t, bytes, bytes.length));
    }

    /**
     * Witness chain entries oldest first, from position `from` (default 0), at most `limit`
     * (default all): {index, witnessType, timestampNs (bigint), prevHash, hash, actionHash (hex),
     * payload (Uint8Array; null for the store's own commit entries)}.
     */
    witnessEntries(from = 0, limit = Number.MAX_SAFE_INTEGER) {
        if (!Number.isSafeInteger(from) || from < 0 || !Number.isSafeInteger(limit) || limit < 0)
            throw jsError('InvalidArgument', 'witnessEntries(from, limit): both must be non-negative safe integers');
        return unwrap(this.#handle().witnessEntries(from, limit));
    }

    /**
     * derive() into memory: the image of a child naming this store as its parent (a compacted copy
     * of the live rows). childName seeds the child's file id; type: a DerivationType name.
     */
    deriveImage(childName, type = 'clone') {
        if (typeof childName !== 'string' || typeof type !== 'string')
            throw jsError('InvalidArgument', 'deriveImage(childName, type): both are strings');
        return unwrap(this.#handle().deriveImage(childName, type));
    }

    /** Commit the frozen marker: this store turns read-only and no writable open accepts the image again. */
    freeze() {
        unwrap(this.#handle().freeze());
    }

    /** The FileIdentity: {fileId, parentId, parentHash (hex), lineageDepth, frozen}. */
    lineage() {
        return unwrap(this.#handle().lineage());
    }

    /** Counts, sizes and configuration (see index.d.ts RvfStatusInfo). */
    status() {
        return unwrap(this.#handle().status());
    }

    /** The latest manifest's segment directory plus the manifest itself. */
    segments() {
        return unwrap(this.#handle().segments());
    }

    /**
     * Re-check every hash, the manifest chain, the witness chain and every segment signature:
     * {ok, problems, ..., signatures: [{segmentId, offset, segType, state: 'valid' | 'unsigned' |
     * 'invalid', keyId?, algorithm?, what?}], signingKeys: [keyId]}.
     */
    verify() {
        return unwrap(this.#handle().verify());
    }

    /** Sign this store's later commits: {algorithm: 'ed25519' | 'ml-dsa-65', key: 32-byte seed}. */
    setSigningKey(signing) {
        const sg = signingOption(signing);
        if (sg === undefined)
            throw jsError('InvalidOptions', 'setSigningKey() takes {algorithm, key}');
        unwrap(this.#handle().setSigningKey(sg.algorithm, sg.key, sg.key.length));
    }

    /**
     * Throws RvfError UnknownSigner / InvalidSignature / UnsignedManifest (naming the first
     * offending segment) unless every committed segment and manifest is signed by `keyId`.
     */
    requireSignature(keyId) {
        if (typeof keyId !== 'string')
            throw jsError('InvalidOptions', 'requireSignature takes a key id (32 hex digits, as signingKeyId() returns)');
        unwrap(this.#handle().requireSignature(keyId));
    }

    /** A live id's metadata as {fieldId: {type: value}} (u64/i64 as bigint), or null. */
    metadata(id) {
        const h = this.#handle();
        return unwrap(h.metadata(words(BigUint64Array.of(toId(id, 'id')))));
    }

    /** A live id's stored vector (dequantised for f16/i8), or null. */
    vector(id) {
        const h = this.#handle();
        return unwrap(h.vector(words(BigUint64Array.of(toId(id, 'id')))));
    }

    /**
     * Up to `limit` live ids greater than `after` (null: from the smallest), in ascending id
     * order. Page through every row by passing each page's last id as the next `after`; an
     * empty page is the end. Ids as numbers, or bigints above Number.MAX_SAFE_INTEGER.
     */
    idsAfter(after, limit) {
        const h = this.#handle();
        if (!Number.isSafeInteger(limit) || limit < 0)
            throw jsError('InvalidArgument', `idsAfter(after, limit): limit must be a non-negative integer (ids per page), got ${String(limit)}`);
        const cursor = after === null || after === undefined ? new Uint32Array(0)
            : words(BigUint64Array.of(toId(after, 'idsAfter(after, limit): after')));
        const ids = fromWords(unwrap(h.idsAfter(cursor, limit)));
        const out = new Array(ids.length);
        for (let i = 0; i < ids.length; i++)
            out[i] = fromId(ids[i]);
        return out;
    }

    /** True after close()/free(). */
    get closed() {
        return !this.#h;
    }

    /**
     * Flush (writes the metadata indexes if they changed) and release the wasm memory. Idempotent;
     * every other method then throws RvfError StoreClosed. Take toBytes() before closing.
     */
    close() {
        const h = this.#h;
        if (!h)
            return;
        this.#h = null;
        finalizer.unregister(this);
        try {
            unwrap(h.close());
        } finally {
            h.delete();
        }
    }

    /** Same as close(). */
    free() {
        this.close();
    }
}

