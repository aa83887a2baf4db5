// Sharded collections through the Node addon (issue 21; rvf/sharded.hpp): 10 shards × 100,000
// rows answer exactly what one store holding every row answers (ids and distances), 10 × 5,000
// indexed shards reach recall ≥ 0.95 against that exact answer, and a missing shard gives a
// partial answer naming it (or an error with requireAll). Local files; HTTP shards come later.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nativeAvailability } from '@ruvector/rvf';
import { uniformFloats as uniform } from './helpers/mulberry32.mjs';

const native = await nativeAvailability();
const { RvfShardedCollection, RvfDatabase } = native.available ? await import('@ruvector/rvf-node') : {};

const DIM = 8;
let dir;
beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sharded-')); });
afterAll(() => { fs.rmSync(dir, { recursive: true, force: true }); });

/** Rows in batches into both the collection and the single reference store. */
function fill(c, one, n, seed) {
    const batch = 50000;
    for (let at = 0; at < n; at += batch) {
        const m = Math.min(batch, n - at);
        const ids = Array.from({ length: m }, (_, i) => at + i + 1);
        const rows = uniform(m * DIM, seed + at);
        expect(c.ingestBatch(ids, rows).accepted).toBe(m);
        expect(one.ingestBatch(ids, rows).accepted).toBe(m);
    }
}

describe.skipIf(!native.available)('RvfShardedCollection (native addon)', () => {
    it('10 shards × 100,000 rows: exact fan-out answers equal one store\'s, ids and distances', () => {
        const root = path.join(dir, 'big.rvf');
        const c = RvfShardedCollection.create(root, { shards: 10, dimensions: DIM, index: 'off' });
        const one = RvfDatabase.create(path.join(dir, 'one.rvf'), { dimensions: DIM, index: 'off' });
        fill(c, one, 1_000_000, 7);
        c.close();
        const r = RvfShardedCollection.openReadonly(root);
        const st = r.status();
        expect(st.totalVectors).toBe(1_000_000);
        expect(st.shards.map((s) => s.shardId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        for (const s of st.shards) expect(s.liveRows).toBeGreaterThan(95_000); // id hash spreads evenly
        const queries = uniform(10 * DIM, 99);
        for (let q = 0; q < 10; q++) {
            const v = queries.subarray(q * DIM, (q + 1) * DIM);
            const got = r.query(v, 10, { exact: true });
            expect(got.partial).toBe(false);
            expect(got.shardsQueried + got.shardsSkipped).toBe(10);
            expect(got.neighbors).toEqual(one.query(v, 10, { exact: true }));
        }
        r.close();
        one.close();
    }, 600_000);

    it('10 indexed shards: recall@10 ≥ 0.95 against the exact answer; a missing shard is named', () => {
        const root = path.join(dir, 'indexed.rvf');
        const c = RvfShardedCollection.create(root, { shards: 10, dimensions: DIM });
        const one = RvfDatabase.create(path.join(dir, 'one-indexed.rvf'), { dimensions: DIM, index: 'off' });
        fill(c, one, 50_000, 11);
        c.close();
        const r = RvfShardedCollection.openReadonly(root);
        const queries = uniform(20 * DIM, 5);
        let hits = 0;
        for (let q = 0; q < 20; q++) {
            const v = queries.subarray(q * DIM, (q + 1) * DIM);
            const want = new Set(one.query(v, 10, { exact: true }).map((h) => h.id));
            hits += r.query(v, 10, { efSearch: 64 }).neighbors.filter((h) => want.has(h.id)).length;
        }
        expect(hits / 200).toBeGreaterThanOrEqual(0.95);
        r.close();

        const probe = RvfShardedCollection.openReadonly(root);
        const victim = probe.status().shards[3].path;
        probe.close();
        fs.rmSync(victim);
        const damaged = RvfShardedCollection.openReadonly(root);
        const v = queries.subarray(0, DIM);
        const got = damaged.query(v, 10, { exact: true });
        expect(got.partial).toBe(true);
        expect(got.failed.map((f) => [f.shardId, f.error.name])).toEqual([[4, 'ManifestNotFound']]);
        expect(got.failed[0].error.message).toMatch(/shard 4/);
        expect(got.neighbors).toHaveLength(10);
        expect(() => damaged.query(v, 10, { requireAll: true })).toThrow(/ManifestNotFound/);
        damaged.close();
        one.close();
    }, 600_000);
});
