// Temperature tiers from JavaScript (issue 18): create({tiering}) reaches the runtime's
// TieringPolicy on both SDK backends, and status() reports `tiering` and rows/bytes per tier.
// The data are three well-separated seeded clusters, one per 1024-row block (the sketch's unit),
// ingested block by block, so a query near a cluster's centre reads only that block. With
// hotThreshold 20 / warmThreshold 5 (as tests/cpp/store_tiers_test.cpp), 30 reads make block 0
// hot, 10 make block 1 warm, and the unread block 2 goes cold at compact().
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];
const DIM = 16;
const BLOCK = 1024; // rows per sketch block (runtime)
const BLOCKS = 3;

function mulberry32(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

// Centres 50..100 per dimension; rows and queries are centre + small uniform noise, so every
// nearest neighbour of a query near centre b lies in block b.
const rand = mulberry32(18);
const centres = Array.from({ length: BLOCKS }, () => Array.from({ length: DIM }, () => 50 + 50 * rand()));
const near = (b, r) => centres[b].map((c) => c + 4 * (r() - 0.5));
const entries = [];
for (let b = 0; b < BLOCKS; ++b)
    for (let i = 0; i < BLOCK; ++i)
        entries.push({ id: b * BLOCK + i, vector: near(b, rand) });

async function expectRvfError(promise, name, pattern) {
    const err = await Promise.resolve(promise).then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    expect(err.message).toMatch(pattern);
}

async function readBlock(db, b, n, seed) {
    const r = mulberry32(seed);
    for (let i = 0; i < n; ++i) {
        const hits = await db.query(near(b, r), 5);
        expect(hits.map((h) => Math.floor(h.id / BLOCK))).toEqual([b, b, b, b, b]);
    }
}

const tierRows = (s) => [s.tiers.hot.rows, s.tiers.warm.rows, s.tiers.cold.rows];

describe.each(BACKENDS)('SDK tiering on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-tiers-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    const codecs = [
        ['binary', { coldCodec: 'binary' }, 2],   // ceil(16 / 8) bytes per cold row
        ['pq (pqM 4)', { coldCodec: 'pq', pqM: 4 }, 4], // pqM bytes per cold row
    ];
    it.skipIf(skip).each(codecs)('cold codec %s: compact() puts read blocks hot/warm and the unread one cold; reopen keeps it',
        async (_name, codec, coldBytesPerRow) => {
            const db = await RvfDatabase.create(file(), {
                dimensions: DIM, backend, tiering: { ...codec, hotThreshold: 20, warmThreshold: 5 },
            });
            await db.ingestBatch(entries);
            const before = await db.status();
            expect(before.tiering).toBe(true);
            expect(tierRows(before)).toEqual([BLOCKS * BLOCK, 0, 0]); // rows are hot until a compaction
            await readBlock(db, 0, 30, 1);
            await readBlock(db, 1, 10, 2);
            await db.compact();
            const s = await db.status();
            expect(tierRows(s)).toEqual([BLOCK, BLOCK, BLOCK]);
            expect(tierRows(s).reduce((a, b) => a + b)).toBe(s.totalVectors);
            expect(s.tiers.hot.bytes).toBe(BLOCK * DIM * 4);  // f32 rows
            expect(s.tiers.warm.bytes).toBe(BLOCK * DIM);     // u8 scalar codes
            expect(s.tiers.cold.bytes).toBe(BLOCK * coldBytesPerRow);
            // Hot rows are exact; cold ones keep only codes (lossy by design).
            expect((await db.get(5)).vector).toEqual(Float32Array.from(entries[5].vector, Math.fround));
            await db.close();

            const again = await RvfDatabase.open(file(), { backend });
            const r = await again.status();
            expect(r.tiering).toBe(true);
            expect(r.tiers).toEqual(s.tiers);
            await again.close();
        });

    it.skipIf(skip)('a store without tiering reports tiering false and every row hot, also after compact()', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: DIM, backend });
        await db.ingestBatch(entries.slice(0, 2 * BLOCK));
        await readBlock(db, 0, 30, 3);
        await db.compact();
        const s = await db.status();
        expect(s.tiering).toBe(false);
        expect(s.tiers).toEqual({ hot: { rows: 2 * BLOCK, bytes: 2 * BLOCK * DIM * 4 }, warm: { rows: 0, bytes: 0 }, cold: { rows: 0, bytes: 0 } });
        await db.close();
    });

    it.skipIf(skip)('bad tiering keys and values are refused with InvalidOptions naming the key, and no file is made', async () => {
        const create = (tiering) => RvfDatabase.create(file(), { dimensions: DIM, backend, tiering });
        await expectRvfError(create({ coldcodec: 'pq' }), 'InvalidOptions', /tiering: unknown option 'coldcodec' \(accepted: enabled, coldCodec, pqM, hotThreshold, warmThreshold\)/);
        await expectRvfError(create({ coldCodec: 'zstd' }), 'InvalidOptions', /coldCodec must be 'pq' \| 'binary', got 'zstd'/);
        await expectRvfError(create({ pqM: -1 }), 'InvalidOptions', /pqM must be an integer/);
        await expectRvfError(create({ hotThreshold: 1.5 }), 'InvalidOptions', /hotThreshold must be an integer/);
        await expectRvfError(create({ warmThreshold: '5' }), 'InvalidOptions', /warmThreshold must be an integer/);
        await expectRvfError(create({ enabled: 'yes' }), 'InvalidOptions', /enabled must be true or false/);
        await expectRvfError(create(true), 'InvalidOptions', /tiering must be an object/);
        expect(fs.existsSync(file())).toBe(false);
    });

    it.skipIf(skip)('tiering {enabled: false} is a store without tiering', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: DIM, backend, tiering: { enabled: false } });
        expect((await db.status()).tiering).toBe(false);
        await db.close();
    });
});

// The packages under the SDK check the option themselves (they are used directly too).
describe('tiering on the addon and the wasm package directly', () => {
    it.skipIf(!native.available)('@ruvector/rvf-node: strict keys, status fields', async () => {
        const { RvfDatabase: Db } = await import('@ruvector/rvf-node');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-tiers-addon-'));
        try {
            const p = path.join(dir, 'a.rvf');
            expect(() => Db.create(p, { dimension: 4, tiering: { hot: 1 } })).toThrow(/tiering: unknown option 'hot'/);
            expect(() => Db.create(p, { dimension: 4, tiering: { coldCodec: 'zip' } })).toThrow(/tiering.coldCodec must be 'pq' or 'binary'/);
            const db = Db.create(p, { dimension: 4, tiering: { coldCodec: 'binary' } });
            const s = db.status();
            expect(s.tiering).toBe(true);
            expect(s.tiers).toEqual({ hot: { rows: 0, bytes: 0 }, warm: { rows: 0, bytes: 0 }, cold: { rows: 0, bytes: 0 } });
            db.close();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('@ruvector/rvf-wasm: strict keys, status fields', async () => {
        const { RvfStore } = await import('@ruvector/rvf-wasm');
        await expect(RvfStore.create({ dimensions: 4, tiering: { pqm: 2 } })).rejects.toThrow(/tiering: unknown option 'pqm'/);
        await expect(RvfStore.create({ dimensions: 4, tiering: { coldCodec: 1 } })).rejects.toThrow(/tiering.coldCodec must be 'pq' or 'binary'/);
        const store = await RvfStore.create({ dimensions: 4, tiering: { coldCodec: 'pq', pqM: 2 } });
        const s = store.status();
        expect(s.tiering).toBe(true);
        expect(s.tiers).toEqual({ hot: { rows: 0, bytes: 0 }, warm: { rows: 0, bytes: 0 }, cold: { rows: 0, bytes: 0 } });
        store.close();
    });
});
