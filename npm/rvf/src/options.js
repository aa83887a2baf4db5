// Option checking for every RvfDatabase entry point, in one place: an unknown key, a value of the
// wrong type, or a value this build cannot honour is refused with RvfError InvalidOptions (an
// unknown metric: MetricUnsupported, the runtime's code) naming the key — never accepted and
// ignored. database.js calls these and passes the normalised objects to the backends.
import { rvfError } from './errors.js';

/** Domain profiles by name, with the ids the file stores and status().profileId reports (spec). */
export const PROFILE_IDS = Object.freeze({ generic: 0, rvdna: 1, rvtext: 2, rvgraph: 3, rvvision: 4 });
const PROFILE_BY_EXTENSION = { '.rvf': 0, '.rvdna': 1, '.rvtext': 2, '.rvgraph': 3, '.rvvis': 4 };
const CUSTOM_PROFILES = [0x10, 0xef]; // the spec's custom domain profile ids

/** Input spellings of each metric (upstream's and the runtime's); status() reports the first form. */
const METRICS = {
    l2: 'l2', L2: 'l2',
    cosine: 'cosine', Cosine: 'cosine',
    dotproduct: 'dotproduct', ip: 'dotproduct', inner_product: 'dotproduct', InnerProduct: 'dotproduct',
    hamming: 'hamming',
};

const KEYS = {
    'create()': ['dimensions', 'dimension', 'metric', 'storage', 'compression', 'profile', 'signing', 'm',
        'efConstruction', 'witness', 'index', 'tiering', 'partitionOnCompact', 'backend'],
    'open()': ['backend', 'readOnly', 'epoch'],
    'openReadonly()': ['backend', 'epoch', 'verify'],
    'derive()': ['type'],
    'verifyFile()': ['backend'],
    'openProgressive()': ['backend', 'fetch', 'concurrency', 'onProgress', 'signal', 'nprobe', 'stream', 'cacheBytes'],
    'fromBytes()': ['readOnly'],
    'query()': ['efSearch', 'filter', 'includeMetadata', 'nprobe'],
    'queryBatch()': ['efSearch', 'filter', 'includeMetadata', 'nprobe'],
    'rows()': ['withVectors', 'withMetadata', 'batch'],
    'find()': ['limit', 'after', 'withVectors', 'withMetadata'],
    'compact()': ['ioBudgetBytes', 'ioBytesPerSecond'],
    'witnessEntries()': ['from', 'limit'],
};

const show = (v) => (typeof v === 'string' ? `'${v}'` : typeof v === 'bigint' ? `${v}n` : String(v));

/**
 * `options` of the entry point `what` ('query()'...) as a plain object ({} when undefined),
 * after refusing a non-object or a key the entry point does not have. A string is the backend
 * where the entry point takes one (open('db.rvf', 'wasm')).
 */
export function checkKeys(options, what) {
    if (options === undefined || options === null)
        return {};
    if (typeof options === 'string' && KEYS[what].includes('backend'))
        return { backend: options };
    if (typeof options !== 'object' || Array.isArray(options))
        throw rvfError('InvalidOptions', `${what} takes an options object, got ${Array.isArray(options) ? 'an array' : show(options)}`);
    const accepted = KEYS[what];
    for (const key of Object.keys(options))
        if (!accepted.includes(key))
            throw rvfError('InvalidOptions', accepted.length === 0
                ? `${what} takes no options, got '${key}'`
                : `${what}: unknown option '${key}' (accepted: ${accepted.join(', ')})`);
    return options;
}

/** For an entry point that takes no options: undefined, null or {} only. */
export function noOptions(options, what) {
    if (options === undefined || options === null)
        return;
    if (typeof options !== 'object' || Array.isArray(options) || Object.keys(options).length > 0)
        throw rvfError('InvalidOptions', `${what} takes no options, got ${typeof options === 'object' && !Array.isArray(options) ? `'${Object.keys(options)[0]}'` : show(options)}`);
}

function boolOption(o, key, what) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean')
        throw rvfError('InvalidOptions', `${what}: ${key} must be true or false, got ${show(o[key])}`);
    return o[key];
}

function uintOption(o, key, what, max, why) {
    const v = o[key];
    if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0 && v <= max))
        throw rvfError('InvalidOptions', `${what}: ${key} must be an integer in 0..${max}${why ? ` (${why})` : ''}, got ${show(v)}`);
    return v;
}

function oneOf(o, key, what, values) {
    const v = o[key];
    if (v !== undefined && !values.includes(v))
        throw rvfError('InvalidOptions', `${what}: ${key} must be ${values.map(show).join(' | ')}, got ${show(v)}`);
    return v;
}

/** The backend's name is checked by backend/select.js (which also takes upstream's 'node'). */
function backendOption(o) {
    return o.backend;
}

/** The domain profile id a path's extension implies (as the runtime derives it), or undefined. */
function profileFromPath(path) {
    const m = /\.[a-z]+$/i.exec(path);
    return m ? PROFILE_BY_EXTENSION[m[0].toLowerCase()] : undefined;
}

// profile: a domain profile name (the seed's RvfOptions), a hardware profile name ('core', 'hot',
// 'full'), upstream's number 0..3 (the *hardware* profile: 0 generic, 1 core, 2 hot, 3 full), or a
// custom domain profile id 16..239. The hardware profile is kept in the file and reported by
// status().profile; the runtime holds 'core' to the spec's tile limits (f16 ≤ 384 or i8 ≤ 768
// dimensions, no compression, no tiering, no index), picking f16/i8 when storage is not given.
// With a hardware profile the domain profile comes from the extension, as upstream's does.
export const HARDWARE_PROFILES = Object.freeze(['generic', 'core', 'hot', 'full']);

function profileOption(p, path) {
    if (typeof p === 'string' && Object.hasOwn(PROFILE_IDS, p))
        return { domainProfile: PROFILE_IDS[p], profile: undefined };
    if (typeof p === 'string' && HARDWARE_PROFILES.includes(p))
        return { domainProfile: profileFromPath(path), profile: HARDWARE_PROFILES.indexOf(p) };
    if (Number.isInteger(p) && p >= 0 && p <= 3)
        return { domainProfile: profileFromPath(path), profile: p };
    if (Number.isInteger(p) && p >= CUSTOM_PROFILES[0] && p <= CUSTOM_PROFILES[1])
        return { domainProfile: p, profile: undefined };
    throw rvfError('InvalidOptions', `create(): profile must be a domain profile name (${Object.keys(PROFILE_IDS).join(', ')}), ` +
        `a hardware profile ('core', 'hot', 'full' or upstream's 0..3), or a custom domain profile id ${CUSTOM_PROFILES[0]}..${CUSTOM_PROFILES[1]}, got ${show(p)}`);
}

const TIERING_KEYS = ['enabled', 'coldCodec', 'pqM', 'hotThreshold', 'warmThreshold'];

/**
 * create({tiering}): the runtime's TieringPolicy (lossy temperature tiers that compact() assigns),
 * checked strictly — a misspelt key must not fall back to a default — and normalised to the keys
 * given, with enabled true (giving the object opts in). undefined: no tiering.
 */
function tieringOption(t, what) {
    if (t === undefined)
        return undefined;
    if (t === null || typeof t !== 'object' || Array.isArray(t))
        throw rvfError('InvalidOptions', `${what}: tiering must be an object {${TIERING_KEYS.join(', ')}}, got ${show(t)}`);
    for (const key of Object.keys(t))
        if (!TIERING_KEYS.includes(key))
            throw rvfError('InvalidOptions', `${what}: tiering: unknown option '${key}' (accepted: ${TIERING_KEYS.join(', ')})`);
    const w = `${what} tiering`;
    const out = {
        enabled: boolOption(t, 'enabled', w) ?? true,
        coldCodec: oneOf(t, 'coldCodec', w, ['pq', 'binary']),
        pqM: uintOption(t, 'pqM', w, 0xffff, '0 = dimensions / 4'),
        hotThreshold: uintOption(t, 'hotThreshold', w, 0xffffffff),
        warmThreshold: uintOption(t, 'warmThreshold', w, 0xffffffff),
    };
    for (const k of Object.keys(out))
        if (out[k] === undefined)
            delete out[k];
    return out;
}

/**
 * create()'s options for `path`, normalised for the backends: { dimensions, metric, storage,
 * compression, domainProfile, m, efConstruction, witness, index, tiering, backend }. `compression:
 * 'scalar'` (upstream's name for int8 quantisation) becomes storage 'i8'.
 */
export function createOptions(path, options, backendArg) {
    const what = 'create()';
    const o = checkKeys(options, what);
    if (o.dimensions !== undefined && o.dimension !== undefined && o.dimensions !== o.dimension)
        throw rvfError('InvalidOptions', `${what}: dimensions (${show(o.dimensions)}) and dimension (${show(o.dimension)}) differ; give one`);
    const dimensions = o.dimensions ?? o.dimension;
    if (dimensions === undefined)
        throw rvfError('InvalidOptions', `${what}: dimensions is required (e.g. { dimensions: 384 })`);
    if (o.metric !== undefined && typeof o.metric !== 'string')
        throw rvfError('InvalidOptions', `${what}: metric must be a string, got ${show(o.metric)}`);
    if (o.metric !== undefined && !Object.hasOwn(METRICS, o.metric))
        throw rvfError('MetricUnsupported', `${what}: unknown metric ${show(o.metric)} (l2, cosine, dotproduct, hamming; 'ip' = dotproduct)`);
    let storage = oneOf(o, 'storage', what, ['f32', 'f16', 'i8']);
    let compression = oneOf(o, 'compression', what, ['none', 'lz4', 'zstd', 'scalar', 'product']);
    if (compression === 'scalar') {
        if (storage !== undefined && storage !== 'i8')
            throw rvfError('InvalidOptions', `${what}: compression 'scalar' is int8 storage, but storage is ${show(storage)}; give one of them`);
        storage = 'i8';
        compression = 'none';
    }
    if (compression === 'product')
        throw rvfError('InvalidOptions', `${what}: compression 'product' (product quantisation) is not supported by this runtime; ` +
            `use compression 'scalar' (int8) or storage 'f16'`);
    const backend = backendArg ?? backendOption(o);
    const prof = o.profile === undefined ? { domainProfile: profileFromPath(path), profile: undefined } : profileOption(o.profile, path);
    return {
        dimensions,
        metric: o.metric === undefined ? undefined : METRICS[o.metric],
        storage,
        compression,
        domainProfile: prof.domainProfile,
        profile: prof.profile,
        m: uintOption(o, 'm', what, 0xffff),
        efConstruction: uintOption(o, 'efConstruction', what, 0xffff),
        witness: boolOption(o, 'witness', what),
        index: oneOf(o, 'index', what, ['auto', 'off']),
        tiering: tieringOption(o.tiering, what),
        signing: signingOption(o.signing, what),
        partitionOnCompact: boolOption(o, 'partitionOnCompact', what),
        backend,
    };
}

/**
 * The create() options a backend ('native' | 'wasm') cannot honour, refused before it starts:
 * index 'off' on wasm. (Both backends read and write LZ4 and ZSTD.)
 */
export function checkCreateForBackend(o, kind) {
    if (kind === 'wasm' && o.index === 'off')
        throw rvfError('InvalidOptions', `create(): index 'off' needs the native backend (the wasm build always indexes); leave index out or use backend 'native'`);
}

const WITNESS_TYPES = Object.freeze({ delegation: 3, audit: 4, attestation: 5 });

/**
 * appendWitness(type?, payload)'s arguments: { type (3 delegation, 4 audit — the default — or 5
 * attestation, or those names), payload (Uint8Array; a string as its UTF-8 bytes) }.
 */
export function witnessArgs(args) {
    let [type, payload] = args;
    if (args.length < 2 && (typeof type !== 'number' && !(typeof type === 'string' && Object.hasOwn(WITNESS_TYPES, type)))) {
        payload = type;
        type = 'audit';
    }
    const t = typeof type === 'string' ? WITNESS_TYPES[type] : type;
    if (!Number.isInteger(t) || !Object.values(WITNESS_TYPES).includes(t))
        throw rvfError('InvalidArgument', `appendWitness(type, payload): type must be 'audit' (4), 'delegation' (3) or 'attestation' (5), got ${show(type)}`);
    const bytes = typeof payload === 'string' ? new TextEncoder().encode(payload) : payload === undefined ? new Uint8Array(0) : payload;
    if (!(bytes instanceof Uint8Array))
        throw rvfError('InvalidArgument', `appendWitness(type, payload): payload must be a Uint8Array or a string, got ${show(payload)}`);
    return { type: t, payload: bytes };
}

/** witnessEntries({from, limit}): from 0, limit all by default. */
export function witnessEntriesOptions(options) {
    const what = 'witnessEntries()';
    const o = checkKeys(options, what);
    return {
        from: uintOption(o, 'from', what, Number.MAX_SAFE_INTEGER) ?? 0,
        limit: uintOption(o, 'limit', what, Number.MAX_SAFE_INTEGER) ?? Number.MAX_SAFE_INTEGER,
    };
}

/**
 * open() / openReadonly() / verifyFile(): { backend, readOnly, verify }. verify (openReadonly
 * only): 'structural' (the default on the native backend: the file is used where it lies and
 * checked structurally, O(1) in its size) or 'full' (every payload hashed before the open
 * returns); undefined = the backend's default. verify() checks everything on demand either way.
 */
export function openOptions(options, what) {
    const o = checkKeys(options, what);
    return {
        backend: backendOption(o),
        readOnly: boolOption(o, 'readOnly', what) ?? false,
        // time travel: an earlier committed epoch, opened read-only (docs/lineage-and-time-travel.md)
        epoch: uintOption(o, 'epoch', what, 0xffffffff, 'a committed epoch; `rvf inspect FILE --epochs` lists them'),
        verify: oneOf(o, 'verify', what, ['full', 'structural']),
    };
}

/**
 * derive(): { type } (a DerivationType name, default 'clone'). Which names exist is the
 * runtime's rule (rvf/core/format/enums.hpp): an unknown one comes back from either backend as
 * InvalidOptions listing them.
 */
export function deriveOptions(options) {
    const o = checkKeys(options, 'derive()');
    const type = o.type ?? 'clone';
    if (typeof type !== 'string')
        throw rvfError('InvalidOptions', `derive(): type must be a DerivationType name (a string, e.g. 'clone'), got ${show(type)}`);
    return { type };
}

/** fromBytes(): { readOnly }. */
/**
 * openProgressive(): { backend, fetch (a fetch function; default globalThis.fetch), concurrency
 * (parallel range requests, 1..64, default 6), onProgress(progress), signal (an AbortSignal) };
 * only the given keys are passed on to the HTTP driver (@ruvector/rvf-wasm's progressive.js).
 */
export function progressiveOptions(options) {
    const what = 'openProgressive()';
    const o = checkKeys(options, what);
    for (const key of ['fetch', 'onProgress'])
        if (o[key] !== undefined && typeof o[key] !== 'function')
            throw rvfError('InvalidOptions', `${what}: ${key} must be a function, got ${show(o[key])}`);
    const concurrency = uintOption(o, 'concurrency', what, 64, 'parallel range requests');
    if (concurrency === 0)
        throw rvfError('InvalidOptions', `${what}: concurrency must be at least 1, got 0`);
    if (o.signal !== undefined && (o.signal === null || typeof o.signal !== 'object' || typeof o.signal.aborted !== 'boolean'))
        throw rvfError('InvalidOptions', `${what}: signal must be an AbortSignal`);
    const nprobe = uintOption(o, 'nprobe', what, 0xffff, 'partitions fetched per query');
    if (nprobe === 0)
        throw rvfError('InvalidOptions', `${what}: nprobe must be at least 1, got 0`);
    // stream and cacheBytes: checked by the driver (@ruvector/rvf-wasm's progressive.js), before any request.
    const driver = {};
    for (const key of ['fetch', 'concurrency', 'onProgress', 'signal', 'nprobe', 'stream', 'cacheBytes'])
        if (o[key] !== undefined)
            driver[key] = o[key];
    return { backend: backendOption(o), driver };
}

export function fromBytesOptions(options) {
    const o = checkKeys(options, 'fromBytes()');
    return { readOnly: boolOption(o, 'readOnly', 'fromBytes()') ?? false };
}

/** query() / queryBatch(): { efSearch, filter, includeMetadata } (filter as given). */
export function queryOptions(options, what) {
    const o = checkKeys(options, what);
    return {
        efSearch: uintOption(o, 'efSearch', what, 0xffffffff, 'HNSW beam width') ?? 100,
        nprobe: uintOption(o, 'nprobe', what, 0xffffffff, 'partitions scored exactly instead of the index') ?? 0,
        filter: o.filter ?? undefined,
        includeMetadata: boolOption(o, 'includeMetadata', what) ?? false,
    };
}

/** rows(): { withVectors, withMetadata, batch }. */
export function rowsOptions(options) {
    const what = 'rows()';
    const o = checkKeys(options, what);
    const batch = o.batch ?? 1000;
    if (!Number.isSafeInteger(batch) || batch < 1)
        throw rvfError('InvalidOptions', `${what}: batch must be a positive integer (rows per page), got ${show(batch)}`);
    return { withVectors: boolOption(o, 'withVectors', what) ?? true, withMetadata: boolOption(o, 'withMetadata', what) ?? true, batch };
}

/** find(): { limit, after, withVectors, withMetadata } (after as given). */
export function findOptions(options) {
    const what = 'find()';
    const o = checkKeys(options, what);
    const limit = o.limit ?? Number.MAX_SAFE_INTEGER;
    if (!Number.isSafeInteger(limit) || limit < 0)
        throw rvfError('InvalidOptions', `${what}: limit must be a non-negative integer, got ${show(o.limit)}`);
    return {
        limit,
        after: o.after ?? null,
        withVectors: boolOption(o, 'withVectors', what) ?? false,
        withMetadata: boolOption(o, 'withMetadata', what) ?? true,
    };
}

/** compact(): { ioBudgetBytes, ioBytesPerSecond }, 0 = unlimited / unthrottled. */
export function compactOptions(options) {
    const what = 'compact()';
    const o = checkKeys(options, what);
    const out = {};
    for (const key of ['ioBudgetBytes', 'ioBytesPerSecond']) {
        const v = o[key] ?? 0;
        if (!Number.isSafeInteger(v) || v < 0)
            throw rvfError('InvalidOptions', `${what}: ${key} must be a non-negative safe integer (0 = ${key === 'ioBudgetBytes' ? 'unlimited' : 'unthrottled'}), got ${show(o[key])}`);
        out[key] = v;
    }
    return out;
}

/** The id of a domain profile name status() reports ('rvtext', 'custom:16'). */
export function profileIdOf(name) {
    if (Object.hasOwn(PROFILE_IDS, name))
        return PROFILE_IDS[name];
    const m = /^custom:(\d+)$/.exec(name ?? '');
    return m ? Number(m[1]) : 0;
}

/** The metric as create() takes it: status() reports 'dotproduct' where the runtime says 'ip'. */
export function metricName(runtimeName) {
    return METRICS[runtimeName] ?? runtimeName;
}

// --- signing (docs/signing.md) -------------------------------------------------------------------
// create({signing}), open({signing, requireSignature}), openReadonly({requireSignature}). A key is
// {algorithm: 'ed25519' | 'ml-dsa-65', key}: key is the 32-byte secret seed, as a Uint8Array or as
// the 64 hex digits `rvf keygen` writes. requireSignature is a key id (32 hex digits).
KEYS['open()'].push('signing', 'requireSignature');
KEYS['openReadonly()'].push('requireSignature');
const SIGNING_ALGORITHMS = ['ed25519', 'ml-dsa-65'];

/** {algorithm, key: Uint8Array(32)} of a signing option, undefined when absent or false. */
export function signingOption(sg, what) {
    if (sg === undefined || sg === false)
        return undefined;
    if (sg === null || typeof sg !== 'object' || Array.isArray(sg))
        throw rvfError('InvalidOptions', `${what}: signing must be {algorithm: 'ed25519' | 'ml-dsa-65', key}, got ${show(sg)}`);
    for (const k of Object.keys(sg))
        if (k !== 'algorithm' && k !== 'key')
            throw rvfError('InvalidOptions', `${what}: signing: unknown option '${k}' (accepted: algorithm, key)`);
    if (!SIGNING_ALGORITHMS.includes(sg.algorithm))
        throw rvfError('InvalidOptions', `${what}: signing.algorithm must be ${SIGNING_ALGORITHMS.map(show).join(' | ')}, got ${show(sg.algorithm)}`);
    let key = sg.key;
    if (typeof key === 'string' && /^[0-9a-fA-F]{64}$/.test(key))
        key = Uint8Array.from(key.match(/../g), (h) => parseInt(h, 16));
    if (!(key instanceof Uint8Array) || key.length !== 32)
        throw rvfError('InvalidOptions', `${what}: signing.key must be the 32-byte secret seed (a Uint8Array of 32 bytes, or 64 hex digits as \`rvf keygen\` writes)`);
    return { algorithm: sg.algorithm, key: Uint8Array.from(key) };
}

/** open() / openReadonly(): { signing, requireSignature } from options already passed through checkKeys. */
export function signingOpenOptions(options, what) {
    if (options === undefined || options === null || typeof options !== 'object')
        return { signing: undefined, requireSignature: undefined };
    const requireSignature = options.requireSignature;
    if (requireSignature !== undefined && (typeof requireSignature !== 'string' || !/^[0-9a-fA-F]{32}$/.test(requireSignature)))
        throw rvfError('InvalidOptions', `${what}: requireSignature must be a key id (32 hex digits, as RvfDatabase.signingKeyId() returns), got ${show(requireSignature)}`);
    const signing = signingOption(options.signing, what);
    if (signing && options.readOnly === true)
        throw rvfError('InvalidOptions', `${what}: signing needs a writable open; leave readOnly out or drop signing`);
    return { signing, requireSignature: requireSignature?.toLowerCase() };
}
