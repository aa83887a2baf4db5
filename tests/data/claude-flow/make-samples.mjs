// Writes the claude-flow samples beside this file with the real libraries, once (committed;
// the test suite does not need them):
//   mkdir /tmp/gen && cd /tmp/gen && npm init -y
//   npm install @claude-flow/memory@3.2.2 --ignore-scripts --omit=optional
//   node tests/data/claude-flow/make-samples.mjs /tmp/gen
// snapshot.rvf: @claude-flow/memory's "rvf" backend (RvfBackend) file — "RVF\0" + JSON header
// + length-prefixed JSON entries, not RVF — holding ENTRIES (rows.mjs).
// memory.db: the same entries through its SqlJsBackend (table memory_entries, the schema the
// claude-flow CLI keeps at .swarm/memory.db; the CLI itself only persists with better-sqlite3's
// native build, which needs install scripts).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIM, ENTRIES } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.argv[2];
if (!prefix)
    throw new Error('usage: node make-samples.mjs DIR_WITH_CLAUDE_FLOW_MEMORY (see the comment at the top)');
// Its package "exports" hide package.json: find the package directory on disk instead.
const mem = path.join(prefix, 'node_modules/@claude-flow/memory');
const { createDefaultEntry } = await import(pathToFileURL(path.join(mem, 'dist/types.js')));
const { RvfBackend } = await import(pathToFileURL(path.join(mem, 'dist/rvf-backend.js')));
const file = path.join(here, 'snapshot.rvf');
fs.rmSync(file, { force: true });
const b = new RvfBackend({ databasePath: file, dimensions: DIM, metric: 'cosine' });
await b.initialize();
for (const e of ENTRIES) {
    const entry = createDefaultEntry(e);
    if (e.embedding)
        entry.embedding = Float32Array.from(e.embedding);
    await b.store(entry);
}
await b.shutdown();
console.log(fs.statSync(file).size, 'bytes');

const { SqlJsBackend } = await import(pathToFileURL(path.join(mem, 'dist/sqljs-backend.js')));
const dbFile = path.join(here, 'memory.db');
fs.rmSync(dbFile, { force: true });
const wasmPath = path.join(prefix, 'node_modules/sql.js/dist/sql-wasm.wasm');
const s = new SqlJsBackend({ databasePath: dbFile, wasmPath, autoPersistInterval: 0 });
await s.initialize();
for (const e of ENTRIES) {
    const entry = createDefaultEntry(e);
    if (e.embedding)
        entry.embedding = Float32Array.from(e.embedding);
    await s.store(entry);
}
await s.persist?.();
await s.shutdown();
console.log(fs.statSync(dbFile).size, 'bytes');
