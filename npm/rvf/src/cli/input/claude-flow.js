// claude-flow's memory files, read for `rvf import claude-flow`:
//  - the "rvf" backend snapshot of @claude-flow/memory (a JSON snapshot, not RVF): "RVF\0",
//    u32 LE header length, a JSON header {version, dimensions, metric, entryCount, …}, then
//    entryCount × (u32 LE length, one MemoryEntry as JSON with its embedding as an array);
//  - the claude-flow CLI's sql.js database (.swarm/memory.db): table memory_entries, one row per
//    entry, the embedding as JSON text of numbers.
// Each entry becomes a row: its id, its embedding, and its fields (key, content, namespace,
// type, tags, timestamps, …) as metadata. Entries without an embedding have no vector to store:
// they are counted and named in the report, never dropped silently.
import fs from 'node:fs';
import { InputError } from '../errors.js';
import { openSqlite } from './agentdb-sqlite.js';

export const CLAUDE_FLOW_SNAPSHOT_MAGIC = Buffer.from([0x52, 0x56, 0x46, 0x00]);
const MAX_HEADER_BYTES = 10 * 1024 * 1024;

const METRICS = { cosine: 'cosine', euclidean: 'l2', l2: 'l2', dot: 'dotproduct', dotproduct: 'dotproduct', ip: 'dotproduct' };

function metricOf(name, file) {
    const m = METRICS[name ?? 'cosine'];
    if (m === undefined)
        throw new InputError(`${file}: metric '${name}' has no RVF counterpart (cosine, euclidean, dot)`);
    return m;
}

/** The entry's fields as metadata: everything but the id and the embedding. */
function entryRow(e, embedding, where) {
    const metadata = {};
    for (const [k, v] of Object.entries(e))
        if (k !== 'id' && k !== 'embedding' && v !== null && v !== undefined)
            metadata[k] = v;
    if (!Array.isArray(embedding) || embedding.length === 0 || embedding.some((x) => typeof x !== 'number'))
        throw new InputError(`${where}: the embedding is not an array of numbers`);
    return { id: String(e.id), vector: Float32Array.from(embedding), metadata };
}

/** {dimension, metric, rows, withoutEmbedding: [ids]} of a snapshot file. */
export function readClaudeFlowSnapshot(file) {
    const raw = fs.readFileSync(file);
    if (raw.length < 8 || !raw.subarray(0, 4).equals(CLAUDE_FLOW_SNAPSHOT_MAGIC))
        throw new InputError(`${file}: not a claude-flow memory snapshot (no "RVF\\0" magic)`);
    const headerLen = raw.readUInt32LE(4);
    if (headerLen > MAX_HEADER_BYTES || 8 + headerLen > raw.length)
        throw new InputError(`${file}: header length ${headerLen} runs past the file (${raw.length} bytes): truncated or damaged`);
    let header;
    try {
        header = JSON.parse(raw.subarray(8, 8 + headerLen).toString('utf8'));
    } catch (e) {
        throw new InputError(`${file}: the header is not JSON (${e.message})`);
    }
    if (typeof header?.entryCount !== 'number' || !Number.isInteger(header.entryCount) || header.entryCount < 0)
        throw new InputError(`${file}: the header has no entryCount`);
    const rows = [], withoutEmbedding = [];
    let off = 8 + headerLen;
    for (let i = 0; i < header.entryCount; i++) {
        if (off + 4 > raw.length)
            throw new InputError(`${file}: ends before entry ${i} of ${header.entryCount}: truncated`);
        const len = raw.readUInt32LE(off);
        off += 4;
        if (off + len > raw.length)
            throw new InputError(`${file}: entry ${i} (${len} bytes) runs past the end: truncated`);
        let e;
        try {
            e = JSON.parse(raw.subarray(off, off + len).toString('utf8'));
        } catch (err) {
            throw new InputError(`${file}: entry ${i} is not JSON (${err.message})`);
        }
        off += len;
        if (e?.id === undefined)
            throw new InputError(`${file}: entry ${i} has no id`);
        if (e.embedding === undefined || e.embedding === null)
            withoutEmbedding.push(String(e.id));
        else
            rows.push(entryRow(e, e.embedding, `${file}: entry ${i} (${e.id})`));
    }
    return { dimension: header.dimensions, metric: metricOf(header.metric, file), rows, withoutEmbedding };
}

/** The same from the CLI's sql.js database (table memory_entries). */
export async function readClaudeFlowSqlite(file) {
    const db = await openSqlite(file);
    try {
        const have = new Set(db.exec("SELECT name FROM sqlite_master WHERE type = 'table'")[0]?.values.map((r) => r[0]) ?? []);
        if (!have.has('memory_entries'))
            throw new InputError(`${file}: no memory_entries table: not a claude-flow memory database`);
        const rows = [], withoutEmbedding = [];
        const stmt = db.prepare('SELECT * FROM memory_entries ORDER BY rowid');
        try {
            while (stmt.step()) {
                const r = stmt.getAsObject();
                const { embedding, ...fields } = r;
                if (embedding === null || embedding === undefined || embedding === '') {
                    withoutEmbedding.push(String(r.id));
                    continue;
                }
                let vec;
                try {
                    vec = typeof embedding === 'string' ? JSON.parse(embedding) : Array.from(new Float32Array(embedding.slice().buffer));
                } catch (e) {
                    throw new InputError(`${file}: memory_entries row ${r.id}: the embedding is not JSON (${e.message})`);
                }
                rows.push(entryRow(fields, vec, `${file}: memory_entries row ${r.id}`));
            }
        } finally {
            stmt.free();
        }
        return { dimension: undefined, metric: 'cosine', rows, withoutEmbedding };
    } finally {
        db.close();
    }
}
