// Sharded collections read over plain HTTP (issue 21): a collection written by the Node addon's
// RvfShardedCollection, served by a real nginx on loopback (Range and ETag are nginx's own), read
// by the wasm build's RvfShardedCollection.open(rootUrl) (npm/rvf-wasm/src/sharded.js):
//   - 10 shards × 100,000 rows: exact fan-out answers equal one store's exact answers (ids and
//     distances) and the addon's local fan-out;
//   - indexed shards: recall@10 ≥ 0.95 against the exact answer;
//   - faults, each a typed partial answer naming the shard, the rest still exact over the rows
//     left: a deleted shard (404 → HttpError), a flipped byte in a segment payload (the
//     runtime's hash check → InvalidChecksum), a shard served at 1 byte/s (Timeout); requireAll
//     throws instead; a shard replaced by another shard's file (InvalidManifest) is left out, and
//     one written after the root is flagged stale and still asked.
// Needs the native addon, the wasm-release build and nginx (scripts/setup.sh installs it): a
// missing nginx fails the suite with that advice, never skips it.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nativeAvailability } from '@ruvector/rvf';
import { RvfShardedCollection as HttpSharded, RvfStatus } from '@ruvector/rvf-wasm';
import { uniformFloats as uniform } from './helpers/mulberry32.mjs';
import { startNginx } from './helpers/nginx.mjs';

const native = await nativeAvailability();
const { RvfShardedCollection, RvfDatabase } = native.available ? await import('@ruvector/rvf-node') : {};

const DIM = 8;
const SHARDS = 10;
const ROWS = 1_000_000;
const QUERIES = 10;
let dir;
let server;
let goodOpenMs = 0; // how long the whole healthy collection took to load here

/** Rows in batches into the collection and (optionally) the single reference store. */
function fill(c, one, n, seed) {
    const batch = 50000;
    for (let at = 0; at < n; at += batch) {
        const m = Math.min(batch, n - at);
        const ids = Array.from({ length: m }, (_, i) => at + i + 1);
        const rows = uniform(m * DIM, seed + at);
        expect(c.ingestBatch(ids, rows).accepted).toBe(m);
        if (one)
            expect(one.ingestBatch(ids, rows).accepted).toBe(m);
    }
}

/** The exact top-k over a set of stores: the merge rule ((distance, id) order). */
function exactOver(stores, v, k) {
    return stores.flatMap((s) => s.query(v, k, { exact: true }))
        .sort((a, b) => a.distance - b.distance || a.id - b.id).slice(0, k);
}

const got8Message = (c) => c.status().shards[7].error.message;

function flipByte(file, at) {
    const fd = fs.openSync(file, 'r+');
    const b = Buffer.alloc(1);
    fs.readSync(fd, b, 0, 1, at);
    b[0] ^= 0x40;
    fs.writeSync(fd, b, 0, 1, at);
    fs.closeSync(fd);
}

/**
 * The same answer from the wasm reader as from the native build: the same ids in the same order,
 * distances equal to float rounding — the wasm (SIMD128) and native (AVX2/scalar) L2 kernels
 * add the 8 squared differences in different orders, so the last bit may differ.
 */
function expectSameAnswer(got, want) {
    expect(got.map((h) => h.id)).toEqual(want.map((h) => h.id));
    for (let i = 0; i < want.length; i++)
        expect(Math.abs(got[i].distance - want[i].distance)).toBeLessThanOrEqual(1e-6 * Math.max(1, want[i].distance));
}

const queries = uniform(QUERIES * DIM, 99);
const query = (q) => queries.subarray(q * DIM, (q + 1) * DIM);

describe.skipIf(!native.available)('RvfShardedCollection over HTTP (wasm reader, nginx)', () => {
    let one; // every row in one store: the answer the collection must equal
    let shardPaths;
    let staleShard; // faulty/ shard 10, written after the root
    const LATE_ID = 5_000_000;
    const LATE_ROW = new Float32Array(DIM).fill(0.99);

    beforeAll(async () => {
        if (!native.available)
            return;
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sharded-http-'));
        for (const d of ['good', 'faulty', 'indexed'])
            fs.mkdirSync(path.join(dir, d));
        const c = RvfShardedCollection.create(path.join(dir, 'good/c.rvf'), { shards: SHARDS, dimensions: DIM, index: 'off' });
        one = RvfDatabase.create(path.join(dir, 'one.rvf'), { dimensions: DIM, index: 'off' });
        fill(c, one, ROWS, 7);
        c.close();
        const probe = RvfShardedCollection.openReadonly(path.join(dir, 'good/c.rvf'));
        shardPaths = probe.status().shards.map((s) => s.path);
        probe.close();

        // The faulty copy: shard 2 deleted, shard 5 with a flipped byte in the middle of its
        // rows (a VEC segment's payload), shard 7 served at 1 byte/s, shard 8 replaced by
        // shard 9's file, and shard 10 given one more row after the root was committed.
        fs.cpSync(path.join(dir, 'good'), path.join(dir, 'faulty'), { recursive: true });
        const faulty = (p) => path.join(dir, 'faulty', path.relative(path.join(dir, 'good'), p));
        fs.rmSync(faulty(shardPaths[1]));
        flipByte(faulty(shardPaths[4]), Math.floor(fs.statSync(shardPaths[4]).size / 2));
        fs.copyFileSync(shardPaths[8], faulty(shardPaths[7]));
        staleShard = faulty(shardPaths[9]);
        const s10 = RvfDatabase.open(staleShard);
        expect(s10.ingestBatch([LATE_ID], LATE_ROW).accepted).toBe(1);
        s10.close();

        const ic = RvfShardedCollection.create(path.join(dir, 'indexed/c.rvf'), { shards: SHARDS, dimensions: DIM });
        fill(ic, null, 50_000, 11);
        ic.close();

        server = await startNginx({ root: dir, stall: [`faulty/${path.relative(path.join(dir, 'good'), shardPaths[6])}`] });
    }, 600_000);

    afterAll(async () => {
        one?.close();
        await server?.stop();
        if (dir)
            fs.rmSync(dir, { recursive: true, force: true });
    });

    it('10 shards × 100,000 rows: exact answers over HTTP equal one store\'s and the addon\'s local fan-out', async () => {
        const c = await HttpSharded.open(`${server.url}/good/c.rvf`, { timeoutMs: 120_000 });
        const st = c.status();
        goodOpenMs = st.openMs;
        expect(st.totalVectors).toBe(ROWS);
        expect(st.shards.map((s) => [s.shardId, s.state])).toEqual(Array.from({ length: SHARDS }, (_, i) => [i + 1, 'current']));
        expect(st.shards[0].location).toBe(`${server.url}/good/c.rvf.shards/0001.rvf`);
        const local = RvfShardedCollection.openReadonly(path.join(dir, 'good/c.rvf'));
        for (let q = 0; q < QUERIES; q++) {
            const got = c.query(query(q), 10, { exact: true });
            expect(got.partial).toBe(false);
            expect(got.failed).toEqual([]);
            expect(got.shardsQueried + got.shardsSkipped).toBe(SHARDS);
            expectSameAnswer(got.neighbors, one.query(query(q), 10, { exact: true }));
            expectSameAnswer(got.neighbors, local.query(query(q), 10, { exact: true }).neighbors);
        }
        // maxShards asks only the nearest few (approximate, never partial).
        const few = c.query(query(0), 10, { exact: true, maxShards: 3 });
        expect(few.shardsQueried).toBeLessThanOrEqual(3);
        expect(few.partial).toBe(false);
        expect(few.neighbors).toHaveLength(10);
        // What the caller got wrong is refused with a typed error naming it.
        expect(() => c.query(query(0), 10, { nprobe: 4 })).toThrow(/InvalidOptions.*nprobe/);
        expect(() => c.query(new Float32Array(3), 10)).toThrow(/DimensionMismatch/);
        local.close();
        c.close();
        expect(() => c.query(query(0), 10)).toThrow(/StoreClosed/);
    }, 300_000);

    it('indexed shards over HTTP: recall@10 ≥ 0.95 against the exact answer', async () => {
        const c = await HttpSharded.open(`${server.url}/indexed/c.rvf`, { timeoutMs: 120_000 });
        let hits = 0;
        for (let q = 0; q < QUERIES; q++) {
            const want = new Set(c.query(query(q), 10, { exact: true }).neighbors.map((h) => h.id));
            hits += c.query(query(q), 10, { efSearch: 64 }).neighbors.filter((h) => want.has(h.id)).length;
        }
        expect(hits / (10 * QUERIES)).toBeGreaterThanOrEqual(0.95);

        // wait: 'queryable' answers as soon as every shard's hotset is in; after loaded() the
        // answers are the fully loaded collection's.
        const early = await HttpSharded.open(`${server.url}/indexed/c.rvf`, { wait: 'queryable', timeoutMs: 120_000 });
        const first = early.query(query(0), 10, { efSearch: 64 });
        expect(first.partial).toBe(false);
        expect(first.neighbors).toHaveLength(10);
        expect(await early.loaded()).toBe(early);
        for (let q = 0; q < QUERIES; q++)
            expect(early.query(query(q), 10, { exact: true })).toEqual(c.query(query(q), 10, { exact: true }));
        early.close();
        c.close();
    }, 300_000);

    it('missing, corrupted, stalled and replaced shards: typed partial answers naming each, the rest exact; a stale shard still asked', async () => {
        const url = `${server.url}/faulty/c.rvf`;
        // Two shards load at a time, each given as long as all ten took together when healthy
        // (at least 5 s): a margin of about 5× for a healthy shard, while the stalled one
        // (4 KiB at 1 byte/s) cannot finish.
        const timeoutMs = Math.max(5000, goodOpenMs);
        const c = await HttpSharded.open(url, { timeoutMs, concurrency: 2 });
        const failed = c.status().shards.filter((s) => s.state === 'failed').map((s) => [s.shardId, s.error.name]);
        expect(failed).toEqual([[2, 'HttpError'], [5, 'InvalidChecksum'], [7, 'Timeout'], [8, 'InvalidManifest']]);
        expect(c.status().shards[9].state).toBe('stale');
        // The shards left: stores opened straight from their files (shard 10 with its late row).
        const rest = shardPaths.map((p, i) => (i === 9 ? staleShard : p)).filter((_, i) => ![1, 4, 6, 7].includes(i))
            .map((p) => RvfDatabase.openReadonly(p));
        for (let q = 0; q < QUERIES; q++) {
            const got = c.query(query(q), 10, { exact: true });
            expect(got.partial).toBe(true);
            expect(got.stale).toEqual([10]);
            expect(got.failed.map((f) => [f.shardId, f.error.name, f.error.code])).toEqual([
                [2, 'HttpError', RvfStatus.HttpError], [5, 'InvalidChecksum', RvfStatus.InvalidChecksum], [7, 'Timeout', RvfStatus.Timeout],
                [8, 'InvalidManifest', RvfStatus.InvalidManifest]]);
            for (const f of got.failed) {
                expect(f.error.message).toContain(`shard ${f.shardId} (${f.shard})`);
                expect(f.shard).toBe(`c.rvf.shards/000${f.shardId}.rvf`);
            }
            expectSameAnswer(got.neighbors, exactOver(rest, query(q), 10));
        }
        expect(got8Message(c)).toMatch(/shard 8 .*not the shard the root lists/);
        // The late row is found: a stale shard is always asked, never skipped by its summary.
        const late = c.query(LATE_ROW, 1, { exact: true });
        expect(late.neighbors).toEqual([{ id: LATE_ID, distance: 0 }]);
        expect(() => c.query(query(0), 10, { requireAll: true })).toThrow(/HttpError.*shard 2/);
        for (const s of rest)
            s.close();
        c.close();
        // requireAll: the first failure (shard 2's 404) ends the open, the other loads aborted.
        await expect(HttpSharded.open(url, { timeoutMs, concurrency: 2, requireAll: true })).rejects.toThrow(/HttpError.*shard 2/);
        await expect(HttpSharded.open(`${server.url}/faulty/none.rvf`)).rejects.toThrow(/HttpError.*404/);
    }, 300_000);
});
