// agentdb's SQLite files, read for `rvf import agentdb` through sql.js (an optional peer
// dependency of the SDK: only this importer needs it). Two kinds of file:
//  - agentdb's memory database (schema.sql): each embedding table beside the table it embeds —
//    episode_embeddings → episodes, skill_embeddings → skills, note_embeddings → notes,
//    pattern_embeddings → reasoning_patterns. Embeddings are little-endian f32 BLOBs; the row
//    they embed becomes the metadata (every non-null column; JSON text columns stay text).
//  - agentdb's SqlJsRvfBackend file (an SQLite file, often named .rvf): rvf_meta (dimension,
//    metric) and rvf_vectors (id TEXT, embedding BLOB, metadata JSON text).
// sql.js holds the whole database in memory, so the file is read whole.
import fs from 'node:fs';
import { InputError, UnavailableError } from '../errors.js';

export const SQLITE_MAGIC = 'SQLite format 3\0';

/** [collection, embedding table, its id column, the table it embeds]. */
const MEMORY_TABLES = [
    ['episodes', 'episode_embeddings', 'episode_id', 'episodes'],
    ['skills', 'skill_embeddings', 'skill_id', 'skills'],
    ['notes', 'note_embeddings', 'note_id', 'notes'],
    ['patterns', 'pattern_embeddings', 'pattern_id', 'reasoning_patterns'],
];

async function loadSqlJs() {
    let mod;
    try {
        mod = await import('sql.js');
    } catch {
        throw new UnavailableError('rvf import agentdb reads SQLite through sql.js, which is not installed: ' +
            'run `npm install sql.js` (an optional peer dependency of @ruvector/rvf) and retry');
    }
    return (mod.default ?? mod)();
}

export async function openSqlite(file) {
    const bytes = fs.readFileSync(file);
    if (bytes.subarray(0, 16).toString('latin1') !== SQLITE_MAGIC)
        throw new InputError(`${file} is not an SQLite database (no "SQLite format 3" header)`);
    const SQL = await loadSqlJs();
    try {
        return new SQL.Database(bytes);
    } catch (e) {
        throw new InputError(`${file}: SQLite cannot open it (${e.message})`);
    }
}

const tables = (db) => new Set(db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => r[0]) ?? []);

function vectorOf(blob, where) {
    if (!(blob instanceof Uint8Array) || blob.length === 0 || blob.length % 4 !== 0)
        throw new InputError(`${where}: the embedding is not a BLOB of f32 values (${blob instanceof Uint8Array ? `${blob.length} bytes` : typeof blob})`);
    return new Float32Array(blob.slice().buffer);
}

/**
 * The collections the file holds: [{name, metric, rows()}], rows() yielding
 * {id, vector, metadata} in id order. Empty tables are left out.
 */
export function agentdbCollections(db, file) {
    const have = tables(db);
    const out = [];
    for (const [name, embTable, idCol, parent] of MEMORY_TABLES) {
        if (!have.has(embTable) || (db.exec(`SELECT COUNT(*) FROM ${embTable}`)[0]?.values[0][0] ?? 0) === 0)
            continue;
        const joined = have.has(parent);
        out.push({
            name, metric: 'cosine', // agentdb ranks its embeddings by cosine similarity
            * rows() {
                const stmt = db.prepare(joined
                    ? `SELECT e.${idCol} AS __id, e.embedding AS __embedding, p.* FROM ${embTable} e LEFT JOIN ${parent} p ON p.id = e.${idCol} ORDER BY e.${idCol}`
                    : `SELECT ${idCol} AS __id, embedding AS __embedding FROM ${embTable} ORDER BY ${idCol}`);
                try {
                    while (stmt.step()) {
                        const r = stmt.getAsObject();
                        const metadata = {};
                        for (const [k, v] of Object.entries(r))
                            if (!k.startsWith('__') && k !== 'id' && v !== null && !(v instanceof Uint8Array))
                                metadata[k] = v;
                        yield { id: r.__id, vector: vectorOf(r.__embedding, `${file}: ${embTable} row ${r.__id}`), metadata };
                    }
                } finally {
                    stmt.free();
                }
            },
        });
    }
    if (have.has('rvf_vectors')) {
        const meta = Object.fromEntries(have.has('rvf_meta') ? db.exec('SELECT key, value FROM rvf_meta')[0]?.values ?? [] : []);
        const metric = { cosine: 'cosine', l2: 'l2', euclidean: 'l2', ip: 'dotproduct', dot: 'dotproduct', dotproduct: 'dotproduct' }[meta.metric ?? 'cosine'];
        if (metric === undefined)
            throw new InputError(`${file}: rvf_meta names metric '${meta.metric}', which has no RVF counterpart (l2, cosine, ip)`);
        out.push({
            name: 'vectors', metric, dimension: meta.dimension === undefined ? undefined : Number(meta.dimension),
            * rows() {
                const stmt = db.prepare('SELECT id, embedding, metadata FROM rvf_vectors ORDER BY created_at, id');
                try {
                    while (stmt.step()) {
                        const [id, blob, text] = stmt.get();
                        let metadata;
                        if (text !== null && text !== undefined) {
                            try {
                                metadata = JSON.parse(text);
                            } catch (e) {
                                throw new InputError(`${file}: rvf_vectors row '${id}' has metadata that is not JSON (${e.message})`);
                            }
                        }
                        const e = { id: String(id), vector: vectorOf(blob, `${file}: rvf_vectors row '${id}'`) };
                        if (metadata !== null && typeof metadata === 'object' && !Array.isArray(metadata))
                            e.metadata = metadata;
                        yield e;
                    }
                } finally {
                    stmt.free();
                }
            },
        });
    }
    if (out.length === 0)
        throw new InputError(`${file} holds no agentdb embeddings (none of ${MEMORY_TABLES.map((t) => t[1]).join(', ')}, rvf_vectors has rows)`);
    return out;
}
