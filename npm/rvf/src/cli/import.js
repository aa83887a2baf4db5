// rvf import KIND SRC DEST: a new store DEST holding the rows of another library's file, with
// their ids and metadata. Kinds:
//   hnswlib  an hnswlib index (hnswlib-node writeIndex, agentdb's HNSWLibBackend.save), with
//            agentdb's SRC.mappings.json when present: string ids (labelToId), metadata, metric
//   json     one JSON document of {"id", "vector", "metadata"} records (the upstream CLI's
//            ingest input, or its {"vectors": [...]} dump)
//   agentdb  agentdb's SQLite memory database (episode/skill/note/pattern embeddings, each with
//            the row it embeds as metadata) or its sql.js "rvf" backend file (rvf_vectors):
//            DEST is a directory that receives one store per collection (episodes.rvf, …)
//   rvlite   rvlite's CLI database (.rvlite/db.json) or its "RVF1" JSON envelope
//   claude-flow  @claude-flow/memory's "rvf" backend snapshot ("RVF\0" + JSON entries) or the
//            claude-flow CLI's sql.js .swarm/memory.db (memory_entries)
// The file's first bytes must agree with KIND (a JSON file is not read as an index, or the
// reverse), so a wrong KIND is a clear error rather than rows of garbage.
import fs from 'node:fs';
import path from 'node:path';
import { RvfDatabase } from '../database.js';
import { backendOption, output } from './common.js';
import { readHnswlib, parseHnswlibHeader, HNSWLIB_HEADER_BYTES } from './input/hnswlib.js';
import { readJsonDocument } from './input/json-doc.js';
import { SQLITE_MAGIC, openSqlite, agentdbCollections } from './input/agentdb-sqlite.js';
import { looksLikeRvlite, readRvlite } from './input/rvlite.js';
import { CLAUDE_FLOW_SNAPSHOT_MAGIC, readClaudeFlowSnapshot, readClaudeFlowSqlite } from './input/claude-flow.js';
import { InputError, UsageError } from './errors.js';

export const KINDS = ['hnswlib', 'json', 'agentdb', 'rvlite', 'claude-flow'];

export const spec = {
    usage: 'KIND SRC DEST [options]   (KIND: hnswlib | json | agentdb | rvlite | claude-flow)',
    usageArgs: 'KIND, SRC and DEST',
    summary: 'Create DEST from another library\'s file, keeping ids and metadata:\n' +
        '  hnswlib  an hnswlib index (hnswlib-node, agentdb); SRC.mappings.json (agentdb) gives\n' +
        '           string ids, metadata and the metric; without it pass --metric\n' +
        '  json     an array of {"id", "vector", "metadata"} records, or {"vectors": [...]}\n' +
        '  agentdb  agentdb SQLite (memory db or sql.js rvf_vectors file): DEST is a directory that\n' +
        '           receives one store per collection (episodes.rvf, skills.rvf, notes.rvf,\n' +
        '           patterns.rvf, vectors.rvf); needs the sql.js package\n' +
        '  rvlite   rvlite\'s .rvlite/db.json or its "RVF1" JSON envelope (triples and graph are counted, not kept);\n' +
        '           a Core-profile store (f16) when every row fits it losslessly, else generic: see --profile\n' +
        '  claude-flow  @claude-flow/memory "rvf" snapshot or the CLI\'s .swarm/memory.db (sql.js);\n' +
        '           entries without an embedding are counted and named, not stored\n' +
        'Metadata arrays and objects are stored as their JSON text.',
    min: 3,
    max: 3,
    flags: {
        metric: { type: 'string', help: "hnswlib: the index's space, l2 | ip | cosine (default: the mappings file's)" },
        mappings: { type: 'string', help: 'hnswlib: agentdb id/metadata mappings (default: SRC.mappings.json when it exists)' },
        batch: { type: 'number', min: 1, help: 'rows per commit', default: 1000 },
        profile: { type: 'string', help: "rvlite: 'auto' (default: core when every row fits it losslessly), 'core' (f16 ≤ 384 or i8 ≤ 768 dimensions; lossy) or 'generic' (f32)" },
    },
};

const HNSWLIB_METRICS = { l2: 'l2', ip: 'dotproduct', cosine: 'cosine' };

function sniff(src) {
    const fd = fs.openSync(src, 'r');
    try {
        const size = fs.fstatSync(fd).size;
        const head = Buffer.alloc(Math.min(size, 4096));
        fs.readSync(fd, head, 0, head.length, 0);
        if (head.subarray(0, 16).toString('latin1') === SQLITE_MAGIC)
            return { kind: 'sqlite' }; // agentdb's or claude-flow's: their tables tell
        if (head.length >= 4 && head.subarray(0, 4).equals(CLAUDE_FLOW_SNAPSHOT_MAGIC))
            return { kind: 'claude-flow' };
        const first = head.toString('latin1').trimStart()[0];
        if (first === '[' || first === '{')
            return { kind: looksLikeRvlite(head.toString('utf8')) ? 'rvlite' : 'json' };
        const h = parseHnswlibHeader(head.subarray(0, HNSWLIB_HEADER_BYTES), size);
        return h.error ? { kind: null, why: h.error } : { kind: 'hnswlib' };
    } finally {
        fs.closeSync(fd);
    }
}

function readMappings(file) {
    let m;
    try {
        m = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        throw new InputError(`${file}: not readable as agentdb mappings (${e.message})`);
    }
    if (m === null || typeof m !== 'object' || (m.labelToId !== undefined && typeof m.labelToId !== 'object'))
        throw new InputError(`${file}: expected agentdb mappings {"labelToId", "metadata", "config"}`);
    return { labelToId: m.labelToId ?? {}, metadata: m.metadata ?? {}, config: m.config ?? {} };
}

function idOfLabel(label, mappings, src) {
    const mapped = mappings?.labelToId[label.toString()];
    if (mapped !== undefined)
        return mapped;
    if (label > BigInt(Number.MAX_SAFE_INTEGER))
        throw new InputError(`${src}: label ${label} is above 2^53 and has no id in the mappings`);
    return Number(label);
}

async function* hnswlibEntries(src, mappings, batchSize, counts) {
    for await (const b of readHnswlib(src, { batchSize })) {
        counts.deleted += b.deleted;
        const entries = b.entries.map(({ label, vector }) => {
            const id = idOfLabel(label, mappings, src);
            const meta = mappings?.metadata[String(id)];
            return meta !== undefined && meta !== null ? { id, vector, metadata: meta } : { id, vector };
        });
        yield { dim: b.dim, entries };
    }
}

/** Batches of {id, vector, metadata} rows (in groups of `size`) from a synchronous row iterator. */
function* batchesOf(rows, size) {
    let entries = [];
    for (const r of rows) {
        entries.push(r);
        if (entries.length >= size) {
            yield { dim: entries[0].vector.length, entries };
            entries = [];
        }
    }
    if (entries.length > 0)
        yield { dim: entries[0].vector.length, entries };
}

/**
 * Metadata as RVF holds it: strings, numbers and booleans stay; arrays and objects (which the
 * other libraries allow and RVF's metadata columns do not) become their JSON text; null goes.
 */
export function storableMetadata(meta) {
    if (meta === undefined || meta === null)
        return undefined;
    const out = {};
    for (const [k, v] of Object.entries(meta)) {
        if (v === null || v === undefined)
            continue;
        out[k] = typeof v === 'object' ? JSON.stringify(v) : v;
    }
    return out;
}

/** Write the batches into a new store at `dest`; returns its counts (the store is closed). */
async function writeStore(dest, batches, { metric, dimension, src, opts, profile }) {
    const counts = { dest, imported: 0, rejected: 0, dimensions: 0, metric: '', rejections: [] };
    let db = null;
    try {
        for await (const b of batches) {
            if (dimension !== undefined && b.dim !== dimension)
                throw new InputError(`${src}: a row has ${b.dim} components, the source says ${dimension}`);
            db ??= await RvfDatabase.create(dest, { dimensions: b.dim, metric, backend: backendOption(opts), ...(profile ? { profile } : {}) });
            for (const e of b.entries)
                if (e.vector.length !== db.dimensions)
                    throw new InputError(`${src}: row ${e.id} has ${e.vector.length} components, the first had ${db.dimensions}`);
            if (b.entries.length === 0)
                continue;
            for (const e of b.entries)
                if (e.metadata !== undefined)
                    e.metadata = storableMetadata(e.metadata);
            const r = await db.insertBatch(b.entries);
            counts.imported += r.accepted;
            counts.rejected += r.rejected;
            for (const rj of r.rejections)
                if (counts.rejections.length < 20)
                    counts.rejections.push(rj);
        }
        if (!db)
            throw new InputError(`${src}: no rows to import`);
        const s = await db.status();
        counts.dimensions = s.dimensions;
        counts.metric = s.metric;
        counts.profile = s.profile;
        counts.storage = s.storage;
        return counts;
    } finally {
        await db?.close();
    }
}

/**
 * The hardware profile of an rvlite import. rvlite is the embedded ("lite") database, so its rows
 * go to a Core-profile store — the spec's tile limits — when they fit it *losslessly*: at most
 * 384 dimensions and every component exactly an f16 (Core has no f32). Otherwise a generic f32
 * store, so an import never changes a vector silently. --profile core asks for Core anyway
 * (f16 ≤ 384, else i8 ≤ 768: rows are rounded), --profile generic for f32.
 */
function rvliteProfile(r, flag) {
    if (flag !== undefined && !['auto', 'core', 'generic'].includes(flag))
        throw new UsageError(`import rvlite: --profile must be auto, core or generic, got '${flag}'`);
    if (flag === 'core' || flag === 'generic')
        return flag;
    const dim = r.dimension ?? r.rows[0]?.vector.length ?? 0;
    const exact = (x) => f16ToF32(f32ToF16(x)) === x; // x is an f32 (a Float32Array element)
    return dim > 0 && dim <= 384 && r.rows.every((row) => row.vector.every(exact)) ? 'core' : 'generic';
}

// IEEE half precision, round to nearest even: only to tell whether a value is exactly an f16.
function f32ToF16(x) {
    const b = new DataView(new ArrayBuffer(4));
    b.setFloat32(0, x);
    const u = b.getUint32(0);
    const sign = (u >>> 16) & 0x8000, exp = (u >>> 23) & 0xff, mant = u & 0x7fffff;
    if (exp === 0xff)
        return sign | 0x7c00 | (mant ? 0x200 : 0);
    const e = exp - 127 + 15;
    if (e >= 0x1f)
        return sign | 0x7c00;
    if (e <= 0) {
        if (e < -10)
            return sign;
        const m = mant | 0x800000, shift = 14 - e;
        let h = m >>> shift;
        const rem = m & ((1 << shift) - 1), half = 1 << (shift - 1);
        if (rem > half || (rem === half && (h & 1)))
            h++;
        return sign | h;
    }
    let h = (e << 10) | (mant >>> 13);
    const rem = mant & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && (h & 1)))
        h++;
    return sign | h;
}

function f16ToF32(h) {
    const sign = h & 0x8000 ? -1 : 1, exp = (h >>> 10) & 0x1f, mant = h & 0x3ff;
    if (exp === 0)
        return sign * mant * 2 ** -24;
    if (exp === 0x1f)
        return mant ? NaN : sign * Infinity;
    return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

const describe = (c) => `${c.dest}: ${c.imported} rows, dimension ${c.dimensions}, metric ${c.metric}` +
    `${c.profile && c.profile !== 'generic' ? `, profile ${c.profile} (${c.storage})` : ''}` +
    `${c.rejected ? `; ${c.rejected} rejected: ${c.rejections.map((x) => `${x.id}: ${x.message}`).join('; ')}` : ''}`;

async function importAgentdb(src, dest, opts) {
    if (opts.metric !== undefined || opts.mappings !== undefined)
        throw new UsageError('import agentdb: --metric and --mappings are for hnswlib; agentdb files say their own metric');
    const sqlite = await openSqlite(src);
    try {
        const collections = agentdbCollections(sqlite, src);
        fs.mkdirSync(dest, { recursive: true });
        const stores = [];
        for (const c of collections) {
            const file = path.join(dest, `${c.name}.rvf`);
            stores.push({ collection: c.name, ...await writeStore(file, batchesOf(c.rows(), opts.batch), { metric: c.metric, dimension: c.dimension, src, opts }) });
        }
        return stores;
    } finally {
        sqlite.close();
    }
}

export async function run([kind, src, dest], opts, io) {
    if (!KINDS.includes(kind))
        throw new UsageError(`import: KIND must be one of ${KINDS.join(', ')}, got '${kind}'`);
    if (opts.profile !== undefined && kind !== 'rvlite')
        throw new UsageError('import: --profile is for rvlite (a Core-profile store); for other kinds create the store with the profile and ingest');
    if (!fs.existsSync(src) || !fs.statSync(src).isFile())
        throw new InputError(`${src}: no such file`);
    if (fs.existsSync(dest) && !(kind === 'agentdb' && fs.statSync(dest).isDirectory() && fs.readdirSync(dest).length === 0))
        throw new UsageError(`import: ${dest} exists; import writes a new ${kind === 'agentdb' ? 'directory of stores' : 'store'}: ` +
            'pass a new path (or ingest into the existing store)');
    const seen = sniff(src);
    const sqliteKind = seen.kind === 'sqlite' && (kind === 'agentdb' || kind === 'claude-flow');
    if (seen.kind !== kind && !sqliteKind)
        throw new InputError(`${src} is not ${{ json: 'a JSON document of records', hnswlib: 'an hnswlib index', agentdb: 'an SQLite database',
            rvlite: 'an rvlite database', 'claude-flow': 'a claude-flow memory snapshot or database' }[kind]}` +
            (seen.kind ? ` (it looks like ${seen.kind}: rvf import ${seen.kind} ${src} ${dest})` : ` (${seen.why})`));
    let stores;
    let mappingsFile = null, deleted = 0, skipped, withoutEmbedding;
    if (kind === 'agentdb') {
        stores = await importAgentdb(src, dest, opts);
    } else if (kind === 'claude-flow') {
        if (opts.metric !== undefined || opts.mappings !== undefined)
            throw new UsageError('import claude-flow: --metric and --mappings are for hnswlib; claude-flow files say their own metric');
        const r = seen.kind === 'sqlite' ? await readClaudeFlowSqlite(src) : readClaudeFlowSnapshot(src);
        withoutEmbedding = r.withoutEmbedding;
        stores = [await writeStore(dest, batchesOf(r.rows, opts.batch), { metric: r.metric, dimension: r.dimension, src, opts })];
    } else if (kind === 'rvlite') {
        if (opts.metric !== undefined || opts.mappings !== undefined)
            throw new UsageError('import rvlite: --metric and --mappings are for hnswlib; rvlite files say their own metric');
        const r = readRvlite(src);
        skipped = r.skipped;
        const profile = rvliteProfile(r, opts.profile);
        stores = [await writeStore(dest, batchesOf(r.rows, opts.batch), { metric: r.metric, dimension: r.dimension, src, opts, profile })];
    } else if (kind === 'hnswlib') {
        mappingsFile = opts.mappings ?? (fs.existsSync(`${src}.mappings.json`) ? `${src}.mappings.json` : null);
        const mappings = mappingsFile ? readMappings(mappingsFile) : null;
        const space = opts.metric ?? mappings?.config.metric;
        if (space === undefined)
            throw new UsageError(`import: ${src} does not record its space and no mappings file gives it: pass --metric l2|ip|cosine ` +
                '(the space the index was created with)');
        if (!Object.hasOwn(HNSWLIB_METRICS, space))
            throw new UsageError(`import: --metric must be l2, ip or cosine (hnswlib's spaces), got '${space}'`);
        const counts = { deleted: 0 };
        stores = [await writeStore(dest, hnswlibEntries(src, mappings, opts.batch, counts), { metric: HNSWLIB_METRICS[space], src, opts })];
        deleted = counts.deleted;
    } else {
        if (opts.metric !== undefined || opts.mappings !== undefined)
            throw new UsageError('import json: --metric and --mappings are for hnswlib; a JSON import is l2 (convert or create first for another metric)');
        stores = [await writeStore(dest, readJsonDocument(fs.createReadStream(src), { batchSize: opts.batch }), { metric: 'l2', src, opts })];
    }
    const imported = stores.reduce((a, s) => a + s.imported, 0), rejected = stores.reduce((a, s) => a + s.rejected, 0);
    const report = kind === 'agentdb'
        ? { kind, source: src, dest, imported, rejected, stores }
        : { kind, source: src, dest, mappings: mappingsFile, ...stores[0], imported, rejected, deleted,
            ...(skipped ? { skipped } : {}), ...(withoutEmbedding ? { withoutEmbedding: withoutEmbedding.length, withoutEmbeddingIds: withoutEmbedding.slice(0, 100) } : {}) };
    output(io, opts, report, () => `imported ${imported} rows from ${kind} ${src}` +
        `${mappingsFile ? ` (ids and metadata from ${mappingsFile})` : ''}` +
        `${deleted ? `; ${deleted} rows marked deleted in the source were skipped` : ''}` +
        `${skipped && (skipped.triples || skipped.graphNodes || skipped.graphEdges) ? `; not imported (no vectors): ${skipped.triples} triples, ` +
            `${skipped.graphNodes} graph nodes, ${skipped.graphEdges} graph edges` : ''}` +
        `${withoutEmbedding?.length ? `; ${withoutEmbedding.length} entries have no embedding and were not imported ` +
            `(${withoutEmbedding.slice(0, 10).join(', ')}${withoutEmbedding.length > 10 ? ', …' : ''}): embed them and ingest` : ''}\n` +
        stores.map((s) => `  ${s.collection ? `${s.collection}: ` : ''}${describe(s)}`).join('\n'));
    return rejected > 0 && imported === 0 ? 1 : 0;
}
