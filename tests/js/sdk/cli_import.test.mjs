// `rvf import KIND SRC DEST` on files the real libraries wrote (tests/data/hnswlib and
// tests/data/agentdb, made by hnswlib-node 3.0.0 and agentdb 3.3.0): every live row arrives with its id, vector and metadata,
// deleted rows are skipped and counted, and a wrong kind, a truncated index, a missing space or
// an existing DEST is refused with the exit code and a message saying what to do.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';
import initSqlJs from 'sql.js';
import { row, L2, AGENTDB } from '../../data/hnswlib/rows.mjs';
import { EPISODES, SKILLS, PATTERNS, VECTORS } from '../../data/agentdb/rows.mjs';
import { ROWS as RVLITE_ROWS, TRIPLES } from '../../data/rvlite/rows.mjs';
import { ENTRIES as CF_ENTRIES } from '../../data/claude-flow/rows.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');
const samples = path.join(root, 'tests/data/hnswlib');
const agentdbSamples = path.join(root, 'tests/data/agentdb');
const rvliteSamples = path.join(root, 'tests/data/rvlite');
const cfSamples = path.join(root, 'tests/data/claude-flow');
const native = await nativeAvailability();

let dir;
const p = (n) => path.join(dir, n);
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cli-import-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

function rvf(backend, args) {
    const r = spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8', cwd: dir, env: { ...process.env, RVF_BACKEND: backend }, timeout: 120000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

const exported = (backend, file) => rvf(backend, ['export', file]).out.trim().split('\n').map((l) => JSON.parse(l));
const normalised = (v) => {
    const n = Math.hypot(...v);
    return Array.from(v, (x) => x / n);
};

describe.each(['native', 'wasm'])('rvf import on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;

    it.skipIf(skip)('imports an hnswlib-node l2 index: labels as ids, deleted rows skipped', () => {
        const dest = p(`${backend}-l2.rvf`);
        const r = rvf(backend, ['import', 'hnswlib', path.join(samples, L2.file), dest, '--metric', 'l2', '--batch', '16', '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        const report = JSON.parse(r.out);
        expect(report).toMatchObject({ kind: 'hnswlib', imported: L2.count - L2.deleted.length, deleted: L2.deleted.length, rejected: 0, dimensions: 8, metric: 'l2' });
        const rows = exported(backend, dest);
        const live = [...Array(L2.count).keys()].filter((i) => !L2.deleted.includes(i));
        expect(rows.map((x) => x.id)).toEqual(live.map(L2.label));
        for (const [k, i] of live.entries())
            expect(Float32Array.from(rows[k].vector)).toEqual(row(L2.seed, i));
        // The imported store answers: a row's own vector finds it first.
        const q = rvf(backend, ['query', dest, '--vector', JSON.stringify(Array.from(row(L2.seed, 25))), '-k', '3', '--json']);
        expect(q.code).toBe(0);
        expect(JSON.parse(q.out)[0].id).toBe(L2.label(25));
    });

    it.skipIf(skip)("imports agentdb's index with its mappings: string ids, metadata, cosine", () => {
        const dest = p(`${backend}-agentdb.rvf`);
        const r = rvf(backend, ['import', 'hnswlib', path.join(samples, AGENTDB.file), dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out)).toMatchObject({ imported: AGENTDB.count, deleted: 0, metric: 'cosine' });
        const byId = new Map(exported(backend, dest).map((x) => [x.id, x]));
        expect(byId.size).toBe(AGENTDB.count);
        for (let i = 0; i < AGENTDB.count; i++) {
            const got = byId.get(AGENTDB.id(i));
            expect(got.metadata).toEqual(AGENTDB.metadata(i));
            normalised(row(AGENTDB.seed, i)).forEach((x, d) => expect(got.vector[d]).toBeCloseTo(x, 5));
        }
    });

    it.skipIf(skip)('refuses a wrong kind, a truncated index, a missing space and an existing DEST', () => {
        const l2 = path.join(samples, L2.file);
        fs.writeFileSync(p('recs.json'), JSON.stringify([{ id: 1, vector: [1, 2] }]));
        let r = rvf(backend, ['import', 'hnswlib', p('recs.json'), p(`${backend}-x.rvf`), '--metric', 'l2']);
        expect(r.code).toBe(3);
        expect(r.err).toMatch(/looks like json: rvf import json/);
        r = rvf(backend, ['import', 'json', l2, p(`${backend}-x.rvf`)]);
        expect(r.code).toBe(3);
        fs.writeFileSync(p('cut.bin'), fs.readFileSync(l2).subarray(0, 96 + 10 * 100));
        r = rvf(backend, ['import', 'hnswlib', p('cut.bin'), p(`${backend}-x.rvf`), '--metric', 'l2']);
        expect(r.code).toBe(3);
        expect(r.err).toMatch(/truncated/);
        r = rvf(backend, ['import', 'hnswlib', l2, p(`${backend}-x.rvf`)]);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/pass --metric l2\|ip\|cosine/);
        expect(fs.existsSync(p(`${backend}-x.rvf`))).toBe(false);
        fs.writeFileSync(p(`${backend}-there.rvf`), '');
        r = rvf(backend, ['import', 'hnswlib', l2, p(`${backend}-there.rvf`), '--metric', 'l2']);
        expect(r.code).toBe(2);
        expect(r.err).toMatch(/exists/);
    });

    it.skipIf(skip)('imports the upstream CLI JSON records', () => {
        const recs = Array.from({ length: 12 }, (_, i) => ({ id: i, vector: Array.from(row(9, i)), metadata: { i } }));
        fs.writeFileSync(p(`${backend}-up.json`), JSON.stringify(recs));
        const r = rvf(backend, ['import', 'json', p(`${backend}-up.json`), p(`${backend}-up.rvf`), '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out).imported).toBe(12);
        expect(exported(backend, p(`${backend}-up.rvf`))[7].metadata).toEqual({ i: 7 });
    });

    it.skipIf(skip)("imports agentdb's SQLite memory: one store per collection, rows as metadata", async () => {
        const dest = p(`${backend}-agentdb-mem`);
        const src = path.join(agentdbSamples, 'memory.db');
        const r = rvf(backend, ['import', 'agentdb', src, dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        const report = JSON.parse(r.out);
        expect(report.stores.map((s) => [s.collection, s.imported, s.metric])).toEqual([
            ['episodes', EPISODES.length, 'cosine'], ['skills', SKILLS.length, 'cosine'], ['patterns', PATTERNS.length, 'cosine']]);
        // The embeddings as SQLite holds them, read independently of the importer.
        const SQL = await initSqlJs();
        const sdb = new SQL.Database(fs.readFileSync(src));
        const blobs = new Map(sdb.exec('SELECT episode_id, embedding FROM episode_embeddings')[0].values
            .map(([id, b]) => [id, Array.from(new Float32Array(b.slice().buffer))]));
        sdb.close();
        const episodes = exported(backend, path.join(dest, 'episodes.rvf'));
        expect(episodes.map((e) => e.metadata.task)).toEqual(EPISODES.map((e) => e.task));
        for (const e of episodes)
            expect(Float32Array.from(e.vector)).toEqual(Float32Array.from(blobs.get(e.id)));
        expect(episodes[3].metadata).toMatchObject({ session_id: 's1', reward: 0.75, success: 0, tokens_used: 103, tags: '["t","n3"]' });
        expect(exported(backend, path.join(dest, 'skills.rvf')).map((s) => s.metadata.name)).toEqual(SKILLS.map((s) => s.name));
        expect(exported(backend, path.join(dest, 'patterns.rvf')).map((s) => s.metadata.approach)).toEqual(PATTERNS.map((s) => s.approach));
    });

    it.skipIf(skip)("imports agentdb's sql.js rvf backend file: string ids, JSON metadata, exact vectors", () => {
        const dest = p(`${backend}-agentdb-vec`);
        const r = rvf(backend, ['import', 'agentdb', path.join(agentdbSamples, 'vectors.rvf'), dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        const byId = new Map(exported(backend, path.join(dest, 'vectors.rvf')).map((x) => [x.id, x]));
        expect(byId.size).toBe(VECTORS.rows.length);
        for (const v of VECTORS.rows) {
            expect(byId.get(v.id).metadata).toEqual(v.metadata);
            expect(Float32Array.from(byId.get(v.id).vector)).toEqual(Float32Array.from(v.vector));
        }
        const again = rvf(backend, ['import', 'agentdb', path.join(agentdbSamples, 'vectors.rvf'), dest]);
        expect(again.code).toBe(2); // DEST now holds stores: never merged into silently
        const notDb = rvf(backend, ['import', 'agentdb', path.join(samples, L2.file), p(`${backend}-nodb`)]);
        expect(notDb.code).toBe(3);
        expect(notDb.err).toMatch(/looks like hnswlib/);
    });

    it.skipIf(skip).each(['db.json', 'data.rvf'])("imports rvlite's %s: ids, vectors, metadata; triples counted", (name) => {
        const dest = p(`${backend}-rvlite-${name}.rvf`);
        const r = rvf(backend, ['import', 'rvlite', path.join(rvliteSamples, name), dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out)).toMatchObject({ imported: RVLITE_ROWS.length, metric: 'cosine', dimensions: 4, skipped: { triples: TRIPLES } });
        const got = exported(backend, dest);
        const key = (v) => JSON.stringify(Array.from(Float32Array.from(v)));
        const byVector = new Map(got.map((x) => [key(x.vector), x]));
        for (const want of RVLITE_ROWS) {
            const g = byVector.get(key(want.vector));
            expect(g).toBeDefined();
            if (want.id)
                expect(g.id).toBe(want.id);
            // Arrays become their JSON text: RVF metadata holds scalars.
            const meta = Object.fromEntries(Object.entries(want.metadata ?? {}).map(([k, v]) => [k, Array.isArray(v) ? JSON.stringify(v) : v]));
            expect(g.metadata).toEqual(meta);
        }
    });

    it.skipIf(skip).each(['snapshot.rvf', 'memory.db'])("imports claude-flow's %s: entries with embeddings, the rest named", (name) => {
        const dest = p(`${backend}-cf-${name}.rvf`);
        const r = rvf(backend, ['import', 'claude-flow', path.join(cfSamples, name), dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        const withVec = CF_ENTRIES.filter((e) => e.embedding);
        const report = JSON.parse(r.out);
        expect(report).toMatchObject({ imported: withVec.length, withoutEmbedding: CF_ENTRIES.length - withVec.length, metric: 'cosine', dimensions: 8 });
        expect(report.withoutEmbeddingIds).toHaveLength(1);
        const byKey = new Map(exported(backend, dest).map((x) => [x.metadata.key, x]));
        expect([...byKey.keys()].sort()).toEqual(withVec.map((e) => e.key).sort());
        for (const e of withVec) {
            const g = byKey.get(e.key);
            expect(g.id).toMatch(/^mem_/); // claude-flow's own ids are kept
            expect(g.metadata).toMatchObject({ content: e.content, namespace: e.namespace, type: e.type, tags: JSON.stringify(e.tags), version: 1 });
            expect(JSON.parse(g.metadata.metadata)).toEqual(e.metadata);
            expect(Float32Array.from(g.vector)).toEqual(Float32Array.from(e.embedding));
        }
    });

    it.skipIf(skip)('refuses a truncated claude-flow snapshot, naming where it ends', () => {
        const whole = fs.readFileSync(path.join(cfSamples, 'snapshot.rvf'));
        fs.writeFileSync(p(`${backend}-cut.snap`), whole.subarray(0, whole.length - 40));
        const r = rvf(backend, ['import', 'claude-flow', p(`${backend}-cut.snap`), p(`${backend}-cut.rvf`)]);
        expect(r.code).toBe(3);
        expect(r.err).toMatch(/entry 5 .* runs past the end: truncated/);
    });
});
