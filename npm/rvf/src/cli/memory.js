// rvf memory store|search|list|import: what `claude-flow memory store/search` does (key/value
// memories in namespaces, found again by similarity), on RVF files — one per namespace, written
// by RvfMemoryBackend from @ruvector/rvf-claude-flow-memory, so @claude-flow/memory opens the same
// directory through that backend. That package is loaded when the command runs (it depends on
// this SDK, not the other way round); without it the command says what to install.
import fs from 'node:fs';
import { output } from './common.js';
import { UsageError, InputError, UnavailableError } from './errors.js';

const ACTIONS = ['store', 'search', 'list', 'import'];

/**
 * Every entry of a claude-flow SQLite memory database (.swarm/memory.db, table memory_entries;
 * sql.js, the SDK's optional peer, reads it), those without an embedding included.
 */
async function sqliteEntries(file) {
    const { openSqlite } = await import('./input/agentdb-sqlite.js');
    const db = await openSqlite(file);
    const json = (text, fallback, what, id) => {
        if (text === null || text === undefined || text === '')
            return fallback;
        try {
            return JSON.parse(text);
        } catch (e) {
            throw new InputError(`memory import: ${file}: memory_entries row ${id}: ${what} is not JSON (${e.message})`);
        }
    };
    try {
        const tables = db.exec("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'memory_entries'");
        if (!tables.length)
            throw new InputError(`memory import: ${file} has no memory_entries table: not a claude-flow memory database`);
        const out = [];
        const stmt = db.prepare('SELECT * FROM memory_entries ORDER BY rowid');
        try {
            while (stmt.step()) {
                const r = stmt.getAsObject();
                const e = {
                    id: String(r.id), key: r.key, content: r.content, type: r.type, namespace: r.namespace,
                    tags: json(r.tags, [], 'tags', r.id), metadata: json(r.metadata, {}, 'metadata', r.id),
                    accessLevel: r.access_level, createdAt: r.created_at, updatedAt: r.updated_at,
                    version: r.version, references: json(r.references, [], 'references', r.id),
                    accessCount: r.access_count, lastAccessedAt: r.last_accessed_at,
                };
                if (r.owner_id !== null && r.owner_id !== undefined)
                    e.ownerId = r.owner_id;
                if (r.expires_at)
                    e.expiresAt = r.expires_at;
                const emb = r.embedding;
                if (emb !== null && emb !== undefined && emb !== '')
                    e.embedding = Float32Array.from(typeof emb === 'string' ? json(emb, [], 'embedding', r.id) : new Float32Array(emb.slice().buffer));
                for (const k of Object.keys(e))
                    if (e[k] === null || e[k] === undefined)
                        delete e[k];
                out.push(e);
            }
        } finally {
            stmt.free();
        }
        return out;
    } finally {
        db.close();
    }
}

export const spec = {
    usage: 'store|search|list|import [FILE] [options]',
    usageArgs: 'ACTION [FILE]',
    summary: 'Memories in RVF files (one per namespace under --dir), as `claude-flow memory` keeps them:\n' +
        '  store  --key K --value TEXT [--namespace N] [--tags a,b] [--ttl SECONDS] [--type T]\n' +
        '  search --query TEXT [--namespace N] [--limit 10]     nearest memories (lexical hash embedding)\n' +
        '  list   [--namespace N] [--limit 100]                 newest first\n' +
        '  import FILE [--namespace N]                          @claude-flow/memory\'s "RVF\\0" snapshot, or\n' +
        '                                                       claude-flow\'s .swarm/memory.db (needs sql.js)',
    min: 1,
    max: 2,
    flags: {
        dir: { type: 'string', help: 'memory directory (default .swarm/rvf-memory)' },
        key: { type: 'string', alias: 'k', help: 'store: the key' },
        value: { type: 'string', alias: 'v', help: 'store: the content' },
        namespace: { type: 'string', alias: 'n', help: "namespace (store/import default 'default'; search/list: all)" },
        tags: { type: 'string', help: 'store: comma-separated tags' },
        ttl: { type: 'number', min: 1, help: 'store: expire after this many seconds' },
        type: { type: 'string', help: "store: episodic | semantic | procedural | working | cache (default semantic)" },
        query: { type: 'string', alias: 'q', help: 'search: the text to look for' },
        limit: { type: 'number', min: 1, help: 'search (10) / list (100): how many' },
        dimensions: { type: 'number', min: 8, help: 'embedding size of a new directory (default 128)' },
    },
};

async function adapter() {
    try {
        return await import('@ruvector/rvf-claude-flow-memory');
    } catch (e) {
        if (e.code === 'ERR_MODULE_NOT_FOUND' && /rvf-claude-flow-memory/.test(e.message))
            throw new UnavailableError('memory: needs @ruvector/rvf-claude-flow-memory (npm install @ruvector/rvf-claude-flow-memory)');
        throw e;
    }
}

function need(opts, name, action) {
    if (opts[name] === undefined || opts[name] === '')
        throw new UsageError(`memory ${action}: --${name} is required (rvf memory --help)`);
    return opts[name];
}

export async function run([action, file], opts, io) {
    if (!ACTIONS.includes(action))
        throw new UsageError(`memory: unknown action '${action}'; use ${ACTIONS.join(', ')}`);
    if ((action === 'import') !== (file !== undefined))
        throw new UsageError(action === 'import' ? 'memory import: give the snapshot FILE' : `memory ${action}: takes no FILE`);
    const m = await adapter();
    const dir = opts.dir ?? '.swarm/rvf-memory';
    const dimensions = opts.dimensions ?? 128;
    const embed = m.hashEmbedder(dimensions);
    const backend = new m.RvfMemoryBackend({ directory: dir, dimensions, embeddingGenerator: embed,
        ...(opts.backend ? { backend: opts.backend } : {}) });
    await backend.initialize();
    try {
        return await ({ store, search, list, import: importFile })[action](backend, embed, opts, io, { m, dir, file });
    } finally {
        await backend.shutdown();
    }
}

function newEntry(fields) {
    const now = Date.now();
    return { type: 'semantic', namespace: 'default', tags: [], metadata: {}, accessLevel: 'private', createdAt: now,
        updatedAt: now, version: 1, references: [], accessCount: 0, lastAccessedAt: now, ...fields };
}

async function store(b, embed, opts, io) {
    const key = need(opts, 'key', 'store');
    const content = need(opts, 'value', 'store');
    const namespace = opts.namespace ?? 'default';
    const old = await b.getByKey(namespace, key);
    const entry = newEntry({
        id: old?.id ?? `mem_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 10)}`,
        key, content, namespace, embedding: embed(content),
        tags: opts.tags ? opts.tags.split(',').map((t) => t.trim()).filter(Boolean) : [],
        ...(opts.type ? { type: opts.type } : {}),
        ...(opts.ttl ? { expiresAt: Date.now() + opts.ttl * 1000 } : {}),
        ...(old ? { createdAt: old.createdAt, version: old.version + 1 } : {}),
    });
    await b.store(entry);
    output(io, opts, { id: entry.id, key, namespace, file: b.fileOf(namespace), replaced: !!old },
        () => `${old ? 'updated' : 'stored'} ${namespace}/${key} (${entry.id}) in ${b.fileOf(namespace)}`);
    return 0;
}

async function search(b, embed, opts, io) {
    const q = need(opts, 'query', 'search');
    const hits = await b.search(embed(q), { k: opts.limit ?? 10, ...(opts.namespace ? { filters: { namespace: opts.namespace } } : {}) });
    const rows = hits.map((h) => ({ key: h.entry.key, namespace: h.entry.namespace, score: h.score, content: h.entry.content, id: h.entry.id }));
    output(io, opts, rows, () => (rows.length ? rows.map((r) => `${r.score.toFixed(3)}  ${r.namespace}/${r.key}: ${r.content}`).join('\n') : 'no memories found'));
    return 0;
}

async function list(b, embed, opts, io) {
    const entries = await b.query({ type: 'hybrid', limit: opts.limit ?? 100, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
    const rows = entries.map((e) => ({ key: e.key, namespace: e.namespace, content: e.content, tags: e.tags, id: e.id, createdAt: e.createdAt }));
    output(io, opts, rows, () => (rows.length ? rows.map((r) => `${r.namespace}/${r.key}: ${r.content}`).join('\n') : 'no memories'));
    return 0;
}

async function importFile(b, embed, opts, io, { m, file }) {
    let bytes;
    try {
        bytes = new Uint8Array(fs.readFileSync(file));
    } catch (e) {
        throw new InputError(`memory import: cannot read ${file}: ${e.message}`);
    }
    let entries;
    if (m.isClaudeFlowSnapshot(bytes))
        entries = m.readClaudeFlowSnapshot(bytes, file).entries;
    else if (new TextDecoder().decode(bytes.subarray(0, 16)) === 'SQLite format 3\0')
        entries = await sqliteEntries(file);
    else
        throw new InputError(`memory import: ${file} is neither a @claude-flow/memory "RVF\\0" snapshot nor a claude-flow SQLite database (.swarm/memory.db)`);
    const dims = b.config.dimensions;
    const rows = entries.map((e) => {
        const out = newEntry({ ...e, ...(opts.namespace ? { namespace: opts.namespace } : {}) });
        // Embeddings of another size (e.g. a 1536-d model) cannot share this directory's index:
        // re-embed the content with this directory's embedder instead.
        if (!out.embedding || out.embedding.length !== dims)
            out.embedding = embed(out.content ?? '');
        return out;
    });
    await b.bulkInsert(rows);
    const namespaces = [...new Set(rows.map((r) => r.namespace))].sort();
    output(io, opts, { file, imported: rows.length, namespaces }, () => `imported ${rows.length} memories from ${file} into ${namespaces.join(', ') || '(none)'}`);
    return 0;
}
