// RvfMemoryBackend's configuration, checked strictly: an unknown key or a value this adapter
// cannot honour is refused with InvalidOptions naming it, never accepted and ignored.
import { adapterError } from './errors.js';

// @claude-flow/memory's distance metric names → the runtime's metrics. 'manhattan' has no RVF
// metric, so it is refused rather than silently answered with another distance.
export const METRICS = { cosine: 'cosine', euclidean: 'l2', dot: 'dotproduct' };

const KEYS = ['directory', 'dimensions', 'metric', 'defaultNamespace', 'backend', 'embeddingGenerator',
    'sweepIntervalMs', 'efSearch', 'audit'];

/**
 * { directory (required: one .rvf file per namespace lives there), dimensions (1536, the
 * @claude-flow/memory default), metric 'cosine'|'euclidean'|'dot' ('cosine'), defaultNamespace
 * ('default'), backend 'auto'|'native'|'wasm' ('auto'), embeddingGenerator (async text →
 * Float32Array, for semantic queries given `content` only), sweepIntervalMs (0: no timer; else
 * expired entries are deleted that often), efSearch (100), audit (true: every write also appends
 * an audit entry naming the action to the namespace file's witness chain; false: the chain holds
 * the commits only) }.
 */
export function checkConfig(config) {
    if (config === null || typeof config !== 'object' || Array.isArray(config))
        throw adapterError('InvalidOptions', 'new RvfMemoryBackend(config) takes an object such as {directory: "./memory", dimensions: 384}');
    for (const k of Object.keys(config)) {
        if (!KEYS.includes(k))
            throw adapterError('InvalidOptions', `unknown option '${k}'; accepted: ${KEYS.join(', ')}`);
    }
    const c = { ...config };
    if (typeof c.directory !== 'string' || c.directory.length === 0)
        throw adapterError('InvalidOptions', 'option directory is required: the folder that holds one .rvf file per namespace');
    const dimensions = c.dimensions ?? 1536;
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 65535)
        throw adapterError('InvalidOptions', `option dimensions must be an integer 1..65535, got ${String(c.dimensions)}`);
    const metric = c.metric ?? 'cosine';
    if (!Object.hasOwn(METRICS, metric))
        throw adapterError('InvalidOptions', `option metric '${String(metric)}' is not supported; use ${Object.keys(METRICS).join(', ')} (RVF has no manhattan distance)`);
    const defaultNamespace = c.defaultNamespace ?? 'default';
    if (typeof defaultNamespace !== 'string' || defaultNamespace.length === 0)
        throw adapterError('InvalidOptions', 'option defaultNamespace must be a non-empty string');
    const backend = c.backend ?? 'auto';
    if (!['auto', 'native', 'wasm'].includes(backend))
        throw adapterError('InvalidOptions', `option backend must be 'auto', 'native' or 'wasm', got ${String(backend)}`);
    if (c.embeddingGenerator !== undefined && typeof c.embeddingGenerator !== 'function')
        throw adapterError('InvalidOptions', 'option embeddingGenerator must be a function (text) => Float32Array');
    const sweepIntervalMs = c.sweepIntervalMs ?? 0;
    if (!Number.isFinite(sweepIntervalMs) || sweepIntervalMs < 0)
        throw adapterError('InvalidOptions', 'option sweepIntervalMs must be a number ≥ 0 (0: no sweep timer; call sweepExpired() yourself)');
    const efSearch = c.efSearch ?? 100;
    if (!Number.isInteger(efSearch) || efSearch < 1)
        throw adapterError('InvalidOptions', 'option efSearch must be a positive integer');
    const audit = c.audit ?? true;
    if (typeof audit !== 'boolean')
        throw adapterError('InvalidOptions', 'option audit must be true or false');
    return { directory: c.directory, dimensions, metric, defaultNamespace, backend,
        embeddingGenerator: c.embeddingGenerator, sweepIntervalMs, efSearch, audit };
}
