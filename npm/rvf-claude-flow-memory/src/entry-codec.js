// A MemoryEntry as one RVF row: the entry id is the row's string id, the embedding its vector,
// every other field a metadata value. RVF metadata values are scalars, so list/object fields
// (tags, metadata, references) are stored as JSON text. An entry without an embedding is stored
// with a zero vector and `hasEmbedding: false`; every vector search filters on hasEmbedding, so
// such an entry is found by key, prefix, tag, filters — never by similarity.
// expiresAt 0 means "never expires": a filter cannot test a missing field for absence, so every
// row carries the field and TTL filters are `expiresAt = 0 or expiresAt > now`.
import { adapterError } from './errors.js';

export const F = {
    key: 'key', content: 'content', type: 'type', namespace: 'namespace', tags: 'tags',
    metadata: 'meta', ownerId: 'ownerId', accessLevel: 'accessLevel', createdAt: 'createdAt',
    updatedAt: 'updatedAt', expiresAt: 'expiresAt', version: 'version', references: 'refs',
    accessCount: 'accessCount', lastAccessedAt: 'lastAccessedAt', hasEmbedding: 'hasEmbedding',
};

function num(v, name, entryId) {
    if (v === undefined || v === null)
        return 0;
    if (typeof v !== 'number' || !Number.isFinite(v))
        throw adapterError('InvalidArgument', `entry ${JSON.stringify(entryId)}: ${name} must be a finite number, got ${String(v)}`);
    return v;
}

/** {vector, metadata} of the row for `entry` (namespace already resolved). */
export function encodeEntry(entry, namespace, dimensions) {
    if (entry === null || typeof entry !== 'object')
        throw adapterError('InvalidArgument', 'an entry must be a MemoryEntry object (createDefaultEntry() makes one)');
    const { id } = entry;
    if (typeof id !== 'string' || id.length === 0)
        throw adapterError('InvalidArgument', 'entry.id must be a non-empty string (generateMemoryId() makes one)');
    if (typeof entry.key !== 'string')
        throw adapterError('InvalidArgument', `entry ${JSON.stringify(id)}: key must be a string`);
    let vector;
    const hasEmbedding = entry.embedding !== undefined && entry.embedding !== null;
    if (hasEmbedding) {
        vector = entry.embedding instanceof Float32Array ? entry.embedding : Float32Array.from(entry.embedding);
        if (vector.length !== dimensions)
            throw adapterError('DimensionMismatch', `entry ${JSON.stringify(id)}: embedding has ${vector.length} components, the backend was configured with dimensions ${dimensions}`);
    } else {
        vector = new Float32Array(dimensions);
    }
    const metadata = {
        [F.key]: entry.key,
        [F.content]: String(entry.content ?? ''),
        [F.type]: entry.type ?? 'semantic',
        [F.namespace]: namespace,
        [F.tags]: JSON.stringify(entry.tags ?? []),
        [F.metadata]: JSON.stringify(entry.metadata ?? {}),
        [F.accessLevel]: entry.accessLevel ?? 'private',
        [F.createdAt]: num(entry.createdAt, 'createdAt', id),
        [F.updatedAt]: num(entry.updatedAt, 'updatedAt', id),
        [F.expiresAt]: num(entry.expiresAt, 'expiresAt', id),
        [F.version]: num(entry.version ?? 1, 'version', id),
        [F.references]: JSON.stringify(entry.references ?? []),
        [F.accessCount]: num(entry.accessCount, 'accessCount', id),
        [F.lastAccessedAt]: num(entry.lastAccessedAt, 'lastAccessedAt', id),
        [F.hasEmbedding]: hasEmbedding,
    };
    if (entry.ownerId !== undefined && entry.ownerId !== null)
        metadata[F.ownerId] = String(entry.ownerId);
    return { vector, metadata };
}

/** The MemoryEntry of a row ({id, metadata, vector?}); the embedding only when the row has one. */
export function decodeEntry(id, m, vector) {
    const entry = {
        id,
        key: m[F.key],
        content: m[F.content],
        type: m[F.type],
        namespace: m[F.namespace],
        tags: JSON.parse(m[F.tags] ?? '[]'),
        metadata: JSON.parse(m[F.metadata] ?? '{}'),
        accessLevel: m[F.accessLevel],
        createdAt: m[F.createdAt],
        updatedAt: m[F.updatedAt],
        version: m[F.version],
        references: JSON.parse(m[F.references] ?? '[]'),
        accessCount: m[F.accessCount],
        lastAccessedAt: m[F.lastAccessedAt],
    };
    if (m[F.ownerId] !== undefined)
        entry.ownerId = m[F.ownerId];
    if (m[F.expiresAt])
        entry.expiresAt = m[F.expiresAt];
    if (m[F.hasEmbedding] && vector)
        entry.embedding = vector instanceof Float32Array ? vector : Float32Array.from(vector);
    return entry;
}
