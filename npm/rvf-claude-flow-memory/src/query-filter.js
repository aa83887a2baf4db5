// A MemoryQuery as an RVF filter (evaluated by the runtime) plus the checks RVF filters cannot
// express, applied to the decoded entries afterwards: tags (stored as one JSON text, so "has all
// these tags" is tested here) and `metadata` (the entry's free-form record, also JSON).
// Time ranges are inclusive, as in @claude-flow/memory's SQLite backend; expired entries are left
// out unless includeExpired.
import { F } from './entry-codec.js';
import { adapterError } from './errors.js';

const QUERY_TYPES = ['semantic', 'exact', 'prefix', 'tag', 'hybrid'];
const eq = (field, value) => ({ op: 'eq', field, value });

/** Filter leaving out entries expired at `now` (expiresAt 0 = never). */
export function notExpired(now) {
    return { op: 'or', exprs: [eq(F.expiresAt, 0), { op: 'gt', field: F.expiresAt, value: now }] };
}

/** Filter of the entries expired at `now`. */
export function expired(now) {
    return { op: 'and', exprs: [{ op: 'gt', field: F.expiresAt, value: 0 }, { op: 'le', field: F.expiresAt, value: now }] };
}

/**
 * {filter (an SDK filter or undefined), post (entry → boolean)} for a MemoryQuery (or a search's
 * `filters`). `vectorOnly`: only rows with an embedding (similarity searches).
 */
export function compileQuery(q, { now, vectorOnly }) {
    if (q.type !== undefined && !QUERY_TYPES.includes(q.type))
        throw adapterError('InvalidArgument', `query type '${q.type}' is not one of ${QUERY_TYPES.join(', ')}`);
    const all = [];
    if (q.key !== undefined)
        all.push(eq(F.key, q.key));
    if (q.keyPrefix)
        // Strings compare by UTF-8 bytes; U+10FFFF sorts after every continuation of the prefix.
        all.push({ op: 'range', field: F.key, low: q.keyPrefix, high: `${q.keyPrefix}\u{10FFFF}` });
    if (q.memoryType)
        all.push(eq(F.type, q.memoryType));
    if (q.accessLevel)
        all.push(eq(F.accessLevel, q.accessLevel));
    if (q.ownerId)
        all.push(eq(F.ownerId, q.ownerId));
    if (q.createdAfter)
        all.push({ op: 'ge', field: F.createdAt, value: q.createdAfter });
    if (q.createdBefore)
        all.push({ op: 'le', field: F.createdAt, value: q.createdBefore });
    if (q.updatedAfter)
        all.push({ op: 'ge', field: F.updatedAt, value: q.updatedAfter });
    if (q.updatedBefore)
        all.push({ op: 'le', field: F.updatedAt, value: q.updatedBefore });
    if (!q.includeExpired)
        all.push(notExpired(now));
    if (vectorOnly)
        all.push(eq(F.hasEmbedding, true));
    const filter = all.length === 0 ? undefined : all.length === 1 ? all[0] : { op: 'and', exprs: all };

    const tags = q.tags ?? [];
    const meta = q.metadata ? Object.entries(q.metadata) : [];
    const prefix = q.keyPrefix;
    const post = (e) => (!prefix || e.key.startsWith(prefix))
        && tags.every((t) => e.tags.includes(t))
        && meta.every(([k, v]) => JSON.stringify(e.metadata[k]) === JSON.stringify(v));
    return { filter, post, hasPost: tags.length > 0 || meta.length > 0 };
}
