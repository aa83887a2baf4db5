// scripts/portable-smoke.mjs ADDON — loads a built rvf_node.node and runs one store through it:
// create, ingest with metadata, exact top-k against brute force, filtered query, async query,
// delete, close, reopen and query again. Used on the portable builds (scripts/check-portable.sh),
// including the aarch64 one under qemu, where the full Vitest suite is too slow to run.
// Prints one line per check and "N passed, N failed"; exit status 1 on any failure.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

const addon = path.resolve(process.argv[2] ?? '');
const { RvfDatabase } = createRequire(import.meta.url)(addon);
const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-portable-'));
const file = path.join(dir, 'smoke.rvf');
const dim = 16, count = 300;

/** mulberry32: the same floats on every machine. */
function randoms(n, seed) {
    let a = seed >>> 0;
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = Math.imul(a ^ (a >>> 15), a | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    }
    return out;
}
const rows = randoms(count * dim, 7);
const ids = Array.from({ length: count }, (_, i) => i + 1);
const q = randoms(dim, 99);
const exact = (keep) => ids.filter(keep).map((id) => {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (rows[(id - 1) * dim + j] - q[j]) ** 2;
    return { id, s };
}).sort((a, b) => a.s - b.s || a.id - b.id).map((h) => h.id);

let passed = 0, failed = 0;
async function check(name, fn) {
    try {
        await fn();
        passed++;
        console.log(`ok   ${name}`);
    } catch (e) {
        failed++;
        console.log(`FAIL ${name}: ${e.message}`);
    }
}

const t0 = Date.now();
let db;
await check('create + ingestBatch with metadata', () => {
    db = RvfDatabase.create(file, { dimension: dim });
    const r = db.ingestBatch(rows, ids, ids.map((id) => ({ 0: id % 2 ? 'odd' : 'even' })));
    assert.equal(r.accepted, count);
});
await check('query: exact top-10 (brute force)', () => {
    assert.deepEqual(db.query(q, 10).map((h) => h.id), exact(() => true).slice(0, 10));
});
await check('query with a metadata filter', () => {
    const hits = db.query(q, 5, { filter: { op: 'eq', field: 0, value: 'even' } });
    assert.deepEqual(hits.map((h) => h.id), exact((id) => id % 2 === 0).slice(0, 5));
});
await check('queryAsync on the libuv pool', async () => {
    assert.deepEqual((await db.queryAsync(q, 3)).map((h) => h.id), exact(() => true).slice(0, 3));
});
await check('delete + close + reopen', () => {
    const first = exact(() => true)[0];
    assert.equal(db.delete([first]).deleted, 1);
    db.close();
    db = RvfDatabase.open(file);
    assert.equal(db.status().totalVectors, count - 1);
    assert.deepEqual(db.query(q, 5).map((h) => h.id), exact((id) => id !== first).slice(0, 5));
    db.close();
});
rmSync(dir, { recursive: true, force: true });
console.log(`smoke: ${addon} (${process.arch}, node ${process.version}) in ${Date.now() - t0} ms`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
