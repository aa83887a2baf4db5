// @ruvector/rvf SDK: one suite run unchanged against both backends (native addon, wasm), plus
// files written by one backend and opened by the other. The native half is skipped, with the
// reason, only when @ruvector/rvf-node cannot be loaded (addon not built).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];
if (!native.available)
    console.warn(`[sdk.shared] native backend skipped: @ruvector/rvf-node not loadable (${native.reason})`);

// Deterministic vectors (xorshift), so a failure reproduces.
function rows(n, dim, seed = 1) {
    let s = seed >>> 0 || 1;
    const out = [];
    for (let i = 0; i < n; i++) {
        const v = new Float32Array(dim);
        for (let j = 0; j < dim; j++) {
            s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
            v[j] = (s % 2000) / 1000 - 1;
        }
        out.push(v);
    }
    return out;
}

const l2 = (a, b) => a.reduce((acc, x, i) => acc + (x - b[i]) ** 2, 0);

async function expectRvfError(promise, name) {
    let err;
    try {
        await promise;
    } catch (e) {
        err = e;
    }
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect(err.name).toBe(name);
    expect(err.code).toBe(RvfStatus[name]);
    return err;
}

describe.each(BACKENDS)('RvfDatabase on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);
    const opts = (extra = {}) => ({ dimensions: 8, metric: 'l2', backend, ...extra });

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-sdk-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('creates, inserts, queries and reports real status', async () => {
        const data = rows(50, 8, 7);
        const db = await RvfDatabase.create(file(), opts());
        expect(db.backend).toBe(backend);
        const r = await db.insertBatch(data.map((v, i) => ({ id: i, vector: v })));
        expect(r).toMatchObject({ accepted: 50, rejected: 0 });
        const q = data[13];
        const hits = await db.query(q, 5);
        expect(hits[0]).toEqual({ id: 13, distance: 0 });
        // Exact order against brute force (50 rows: an exact scan).
        const expected = data.map((v, i) => [i, l2(v, q)]).sort((a, b) => a[1] - b[1]).slice(0, 5).map((x) => x[0]);
        expect(hits.map((h) => h.id)).toEqual(expected);
        const s = await db.status();
        expect(s.totalVectors).toBe(50);
        expect(s.dimensions).toBe(8);
        expect(s.metric).toBe('l2');
        expect(s.epoch).toBeGreaterThan(0);
        expect(s.totalSegments).toBeGreaterThan(0);
        expect(s.fileSizeBytes).toBe(fs.statSync(file()).size);
        expect(s.readOnly).toBe(false);
        expect(s.backend).toBe(backend);
        await db.close();
        await db.close(); // idempotent
        expect(db.isClosed).toBe(true);
        await expectRvfError(db.query(q, 1), 'StoreClosed');
    });

    it.skipIf(skip)('keeps string ids and metadata inside the file across reopen', async () => {
        const [a, b, c] = rows(3, 8, 3);
        let db = await RvfDatabase.create(file(), opts());
        await db.insert('doc-α', a, { genre: 'news', year: 2020, hot: true });
        await db.insert('doc-β', b, { genre: 'blog', year: 2023 });
        await db.insert(42, c);
        await db.close();
        expect(fs.readdirSync(dir).sort()).toEqual(['db.rvf']); // no sidecar, lock released

        db = await RvfDatabase.open(file(), { backend });
        expect((await db.query(a, 1))[0]).toEqual({ id: 'doc-α', distance: 0 });
        expect((await db.query(c, 1))[0]).toEqual({ id: 42, distance: 0 });
        const got = await db.get('doc-β');
        expect(got.id).toBe('doc-β');
        expect(got.metadata).toEqual({ genre: 'blog', year: 2023 });
        expect(Array.from(got.vector)).toEqual(Array.from(b));
        expect((await db.get('doc-α')).metadata).toEqual({ genre: 'news', year: 2020, hot: true });
        expect(await db.get('nope')).toBeNull();
        const withMeta = await db.query(b, 1, { includeMetadata: true });
        expect(withMeta[0]).toMatchObject({ id: 'doc-β', metadata: { genre: 'blog', year: 2023 } });
        // Delete by string id, persisted.
        expect(await db.delete('doc-α')).toMatchObject({ deleted: 1 });
        await db.close();
        db = await RvfDatabase.openReadonly(file(), { backend });
        expect((await db.query(a, 3)).map((h) => h.id).sort()).toEqual([42, 'doc-β'].sort());
        await db.close();
    });

    it.skipIf(skip)('filters on named fields work before and after reopen', async () => {
        const data = rows(40, 8, 11);
        const genres = ['news', 'blog', 'wiki', 'forum'];
        let db = await RvfDatabase.create(file(), opts());
        await db.insertBatch(data.map((v, i) => ({
            id: `item-${i}`, vector: v, metadata: { genre: genres[i % 4], rank: i, even: i % 2 === 0 },
        })));
        const q = data[0];
        const check = async (d) => {
            const ids = async (filter) => (await d.query(q, 40, { filter })).map((h) => h.id).sort();
            const expectIds = (pred) => data.map((_, i) => i).filter(pred).map((i) => `item-${i}`).sort();
            expect(await ids({ op: 'eq', field: 'genre', value: 'wiki' })).toEqual(expectIds((i) => i % 4 === 2));
            expect(await ids({ op: 'ne', field: 'genre', value: 'wiki' })).toEqual(expectIds((i) => i % 4 !== 2));
            expect(await ids({ op: 'lt', field: 'rank', value: 5 })).toEqual(expectIds((i) => i < 5));
            expect(await ids({ op: 'range', field: 'rank', low: 10, high: 13 })).toEqual(expectIds((i) => i >= 10 && i < 13));
            expect(await ids({ op: 'in', field: 'genre', values: ['news', 'forum'] })).toEqual(expectIds((i) => i % 4 === 0 || i % 4 === 3));
            expect(await ids({ op: 'and', exprs: [{ op: 'eq', field: 'even', value: true }, { op: 'ge', field: 'rank', value: 30 }] }))
                .toEqual(expectIds((i) => i % 2 === 0 && i >= 30));
            expect(await ids({ op: 'not', expr: { op: 'eq', field: 'even', value: true } })).toEqual(expectIds((i) => i % 2 === 1));
            expect(await ids({ op: 'eq', field: '_id', value: 'item-7' })).toEqual(['item-7']);
        };
        await check(db);
        await db.close();
        db = await RvfDatabase.open(file(), { backend });
        await check(db);
        await db.close();
    });

    it.skipIf(skip)('compact takes ioBytesPerSecond (same file as unthrottled) and refuses unknown options', async () => {
        const data = rows(300, 8, 9);
        const build = async (name) => {
            const db = await RvfDatabase.create(file(name), opts({ witness: false }));
            await db.insertBatch(data.map((v, i) => ({ id: i, vector: v })));
            await db.delete([...Array(30).keys()].map((i) => i * 10));
            return db;
        };
        const a = await build('a.rvf');
        const b = await build('b.rvf');
        const plain = await a.compact();
        // 32 MB/s: this ~10 KB file is written in well under a second either way.
        const slow = await b.compact({ ioBytesPerSecond: 32_000_000 });
        expect(slow).toMatchObject({ complete: true, bytesWritten: plain.bytesWritten });
        expect(fs.statSync(file('b.rvf')).size).toBe(fs.statSync(file('a.rvf')).size);
        expect(await b.query(data[3], 10)).toEqual(await a.query(data[3], 10));
        await expectRvfError(b.compact({ ioBytesPerSec: 1 }), 'InvalidOptions');
        await expectRvfError(b.compact({ ioBytesPerSecond: -5 }), 'InvalidOptions');
        const stopped = await b.compact({ ioBudgetBytes: 64 });
        expect(stopped.complete).toBe(false);
        await a.close();
        await b.close();
    });

    it.skipIf(skip)('deleteByFilter and compact persist', async () => {
        // Big enough that the deleted third outweighs what a fresh image adds (its manifest, the
        // witness history): commits no longer write a manifest each, so a tiny store may not shrink.
        const data = rows(300, 64, 5);
        let db = await RvfDatabase.create(file(), opts({ dimensions: 64 }));
        await db.insertBatch(data.map((v, i) => ({ id: `k${i}`, vector: v, metadata: { bucket: i % 3 } })));
        const del = await db.deleteByFilter({ op: 'eq', field: 'bucket', value: 1 });
        expect(del.deleted).toBe(100);
        let s = await db.status();
        expect(s.totalVectors).toBe(200);
        expect(s.deadSpaceRatio).toBeGreaterThan(0);
        const before = fs.statSync(file()).size;
        const c = await db.compact();
        expect(c.bytesReclaimed).toBeGreaterThan(0);
        expect(c.epoch).toBeGreaterThan(del.epoch);
        s = await db.status();
        expect(s.deadSpaceRatio).toBe(0);
        expect(s.fileSizeBytes).toBe(fs.statSync(file()).size);
        expect(s.fileSizeBytes).toBeLessThan(before);
        await db.close();
        db = await RvfDatabase.open(file(), { backend });
        expect((await db.status()).totalVectors).toBe(200);
        const hits = await db.query(data[4], 300);
        expect(hits).toHaveLength(200);
        expect(hits.some((h) => h.id === 'k4')).toBe(false); // 4 % 3 === 1: deleted
        const live = data.map((v, i) => [i, l2(v, data[4])]).filter(([i]) => i % 3 !== 1).sort((x, y) => x[1] - y[1]);
        expect(hits[0].id).toBe(`k${live[0][0]}`);
        expect((await db.get('k3')).metadata).toEqual({ bucket: 0 });
        expect((await db.verify()).ok).toBe(true);
        await db.close();
    });

    it.skipIf(skip)('reports typed errors', async () => {
        const db = await RvfDatabase.create(file(), opts());
        const [v] = rows(1, 8, 9);
        await db.insert('a', v);
        await expectRvfError(db.insert('b', new Float32Array(7)), 'DimensionMismatch');
        await expectRvfError(db.query(new Float32Array(9), 3), 'DimensionMismatch');
        const nan = Float32Array.from(v);
        nan[2] = NaN;
        await expectRvfError(db.insert('c', nan), 'InvalidArgument');
        await expectRvfError(db.query(nan, 3), 'InvalidArgument');
        const batch = await db.insertBatch([{ id: 'd', vector: nan }, { id: 'e', vector: v }, { id: 'a', vector: v }]);
        expect(batch).toMatchObject({ accepted: 1, rejected: 2 });
        expect(batch.rejections.map((r) => [r.index, r.id, r.name])).toEqual([[0, 'd', 'InvalidArgument'], [2, 'a', 'InvalidArgument']]);
        await expectRvfError(db.query(v, 3, { filter: { op: 'bogus', field: 'x', value: 1 } }), 'FilterParseError');
        await expectRvfError(db.query(v, 3, { filter: 'not json' }), 'FilterParseError');
        await expectRvfError(db.insert(-1, v), 'InvalidArgument');
        await expectRvfError(db.insert('z', v, { _id: 'x' }), 'InvalidArgument');
        await expectRvfError(RvfDatabase.open(file(), { backend }), 'LockHeld');
        await expectRvfError(RvfDatabase.create(file(), opts()), 'LockHeld'); // the lock is taken first
        await db.close();
        await expectRvfError(RvfDatabase.create(file(), opts()), 'FileExists'); // never over a store
        await expectRvfError(RvfDatabase.open(file('missing.rvf'), { backend }), 'ManifestNotFound');
        await expectRvfError(RvfDatabase.openReadonly(file('missing.rvf'), { backend }), 'ManifestNotFound');
        await expectRvfError(RvfDatabase.create(file('x.rvf'), { backend }), 'InvalidOptions');
        await expectRvfError(RvfDatabase.create(file('y.rvf'), opts({ dimensions: 0 })), 'InvalidManifest');
        await expectRvfError(RvfDatabase.create(file('z.rvf'), opts({ metric: 'manhattan' })), 'MetricUnsupported');
        const ro = await RvfDatabase.openReadonly(file(), { backend });
        await expectRvfError(ro.insert('q', v), 'ReadOnly');
        await expectRvfError(ro.delete('a'), 'ReadOnly');
        await ro.close();
    });

    it.skipIf(skip)('supports every metric the runtime has (hamming included)', async () => {
        for (const metric of ['l2', 'cosine', 'dotproduct', 'hamming']) {
            const p = file(`${metric}.rvf`);
            const db = await RvfDatabase.create(p, { dimensions: 4, metric, backend });
            await db.insertBatch([{ id: 1, vector: [1, 0, 1, 0] }, { id: 2, vector: [1, 1, 1, 1] }]);
            const hits = await db.query([1, 0, 1, 0], 2);
            expect(hits.map((h) => h.id)).toContain(1);
            expect(hits).toHaveLength(2);
            await db.close();
            const again = await RvfDatabase.openReadonly(p, { backend });
            expect((await again.status()).metric).toBe(metric); // as create() takes it (issue 18: never 'ip')
            await again.close();
        }
    });

    it.skipIf(skip)('rejects a second id that hashes onto a held u64', async () => {
        const { idToU64 } = await import('@ruvector/rvf');
        const db = await RvfDatabase.create(file(), opts());
        const [v, w] = rows(2, 8, 21);
        await db.insert('alpha', v);
        const u = idToU64('alpha');
        const r = await db.insertBatch([{ id: u, vector: w }]); // numeric id = alpha's u64
        expect(r.rejected).toBe(1);
        expect(r.rejections[0].message).toMatch(/'alpha' already holds/);
        await db.close();
    });

    it.skipIf(skip)('drops a torn tail when a writer opens the file', async () => {
        let db = await RvfDatabase.create(file(), opts());
        const data = rows(5, 8, 2);
        await db.insertBatch(data.map((v, i) => ({ id: `t${i}`, vector: v })));
        await db.close();
        const good = fs.statSync(file()).size;
        fs.appendFileSync(file(), Buffer.alloc(300, 0xab)); // an interrupted append
        db = await RvfDatabase.open(file(), { backend });
        expect((await db.status()).totalVectors).toBe(5);
        await db.insert('t9', data[0]);
        await db.close();
        db = await RvfDatabase.openReadonly(file(), { backend });
        expect((await db.status()).totalVectors).toBe(6);
        expect((await db.verify()).ok).toBe(true);
        expect(fs.statSync(file()).size).toBeGreaterThan(good);
        await db.close();
    });

    // Issue 14 #2: a complete, damaged newest commit is reported and never truncated.
    it.skipIf(skip)('reports a damaged newest commit, refuses to write over it, verifyFile lists it', async () => {
        let db = await RvfDatabase.create(file(), opts());
        const data = rows(3, 8, 5);
        for (let i = 0; i < 3; i++)
            await db.insert(`d${i}`, data[i]);
        await db.close();
        const good = fs.readFileSync(file());
        const bad = Buffer.from(good);
        bad[bad.length - 200] ^= 0x04; // inside the newest commit's root
        fs.writeFileSync(file(), bad);
        const v = await RvfDatabase.verifyFile(file(), { backend });
        expect(v.ok).toBe(false);
        expect(v.problems.map((p) => p.message).join('\n')).toMatch(/damaged commit/);
        await expectRvfError(RvfDatabase.open(file(), { backend }), 'InvalidChecksum');
        expect(Buffer.compare(fs.readFileSync(file()), bad)).toBe(0); // not one byte cut
        expect((await RvfDatabase.verifyFile(file(), { backend })).ok).toBe(false);
        fs.writeFileSync(file(), good);
        expect((await RvfDatabase.verifyFile(file(), { backend })).ok).toBe(true);
    });

    // Issue 14 #1: a second writer that ignored the lock must not interleave with this one.
    it.skipIf(skip)('stops writing when another process appended to the file', async () => {
        const db = await RvfDatabase.create(file(), opts());
        const [v, w] = rows(2, 8, 11);
        await db.insert('a', v);
        fs.appendFileSync(file(), Buffer.alloc(64, 0xee));
        const before = fs.readFileSync(file());
        await expectRvfError(db.insert('b', w), 'FileChanged');
        expect(Buffer.compare(fs.readFileSync(file()), before)).toBe(0);
        await db.close().catch(() => {});
    });

    // Issue 14 #3: creates are atomic, and what older interrupted creates left is resolved.
    it.skipIf(skip)('create replaces the remains of an interrupted create, never a store', async () => {
        fs.writeFileSync(file(), Buffer.alloc(0));
        await expectRvfError(RvfDatabase.open(file(), { backend }), 'TruncatedSegment');
        const db = await RvfDatabase.create(file(), opts());
        await db.insert('x', rows(1, 8, 3)[0]);
        await db.close();
        await expectRvfError(RvfDatabase.create(file(), opts()), 'FileExists');
        fs.writeFileSync(file('text.rvf'), 'not a store');
        await expectRvfError(RvfDatabase.create(file('text.rvf'), opts()), 'FileExists');
        expect(fs.readdirSync(dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    });
});

describe('cross-backend files', () => {
    const skip = !native.available;
    let dir;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sdk-cross-'));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    for (const [writer, reader] of [['native', 'wasm'], ['wasm', 'native']]) {
        it.skipIf(skip)(`a file written by ${writer} opens in ${reader} with ids, metadata and filters`, async () => {
            const p = path.join(dir, `${writer}.rvf`);
            const data = rows(30, 8, 13);
            const w = await RvfDatabase.create(p, { dimensions: 8, metric: 'cosine', backend: writer });
            await w.insertBatch(data.map((v, i) => ({ id: i % 2 ? `s${i}` : i, vector: v, metadata: { tag: i % 3 === 0 ? 'x' : 'y', n: i } })));
            await w.delete(['s1', 4]);
            const expected = await w.query(data[9], 10, { filter: { op: 'eq', field: 'tag', value: 'x' } });
            await w.close();

            const r = await RvfDatabase.open(p, { backend: reader });
            expect(r.backend).toBe(reader);
            const s = await r.status();
            expect(s.totalVectors).toBe(28);
            expect(s.metric).toBe('cosine');
            const got = await r.query(data[9], 10, { filter: { op: 'eq', field: 'tag', value: 'x' } });
            expect(got.map((h) => h.id)).toEqual(expected.map((h) => h.id));
            got.forEach((h, i) => expect(h.distance).toBeCloseTo(expected[i].distance, 5));
            expect((await r.get('s3')).metadata).toEqual({ tag: 'x', n: 3 });
            expect(await r.get('s1')).toBeNull();
            // The reader writes too, and the writer's backend reads that back.
            await r.insert('late', data[0], { tag: 'z' });
            await r.compact();
            await r.close();
            const back = await RvfDatabase.openReadonly(p, { backend: writer });
            expect((await back.status()).totalVectors).toBe(29);
            expect((await back.query(data[0], 1, { filter: { op: 'eq', field: 'tag', value: 'z' } }))[0].id).toBe('late');
            expect((await back.verify()).ok).toBe(true);
            await back.close();
        });
    }

    it.skipIf(skip)('the writer lock excludes a writer on the other backend', async () => {
        const p = path.join(dir, 'locked.rvf');
        for (const [holder, other] of [['native', 'wasm'], ['wasm', 'native']]) {
            fs.rmSync(p, { force: true });
            const h = await RvfDatabase.create(p, { dimensions: 4, backend: holder });
            await expectRvfError(RvfDatabase.open(p, { backend: other }), 'LockHeld');
            const ro = await RvfDatabase.openReadonly(p, { backend: other }); // readers never lock
            expect((await ro.status()).totalVectors).toBe(0);
            await ro.close();
            await h.close();
            const w = await RvfDatabase.open(p, { backend: other }); // released
            await w.close();
        }
    });

    it('native backend requested but unavailable fails with BackendNotFound', async () => {
        if (native.available)
            return; // nothing to check where the addon loads
        await expectRvfError(RvfDatabase.create(path.join(dir, 'n.rvf'), { dimensions: 4, backend: 'native' }), 'BackendNotFound');
    });
});

describe('SDK id and field mapping', () => {
    it('hashes string ids with FNV-1a 64 and names into the named field range', async () => {
        const { idToU64, fieldId, ID_FIELD } = await import('@ruvector/rvf');
        expect(idToU64('a')).toBe(0xaf63dc4c8601ec8cn); // FNV-1a 64 test vector
        expect(idToU64(17)).toBe(17n);
        expect(fieldId('7')).toBe(7);
        expect(fieldId('_id')).toBe(ID_FIELD);
        const f = fieldId('genre');
        expect(f).toBeGreaterThanOrEqual(0x8000);
        expect(f).toBeLessThan(0xfff0);
        expect(fieldId('genre')).toBe(f);
    });

    it('the wasm backend writes lz4 and zstd stores; unknown codecs are InvalidOptions', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sdk-lz4-'));
        try {
            for (const compression of ['lz4', 'zstd']) {
                const p = path.join(dir, `${compression}.rvf`);
                const db = await RvfDatabase.create(p, { dimensions: 4, compression, backend: 'wasm' });
                await db.insert('one', [1, 2, 3, 4]);
                await db.close();
                const ro = await RvfDatabase.openReadonly(p, { backend: 'wasm' });
                expect((await ro.query([1, 2, 3, 4], 1))[0].id).toBe('one');
                await ro.close();
            }
            await expectRvfError(RvfDatabase.create(path.join(dir, 'c.rvf'), { dimensions: 4, compression: 'brotli', backend: 'wasm' }), 'InvalidOptions');
            expect(fs.existsSync(path.join(dir, 'c.rvf.lock'))).toBe(false);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it('opens a file through openProgressive (file URL) read-only', async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sdk-prog-'));
        try {
            const p = path.join(dir, 'p.rvf');
            const db = await RvfDatabase.create(p, { dimensions: 4, backend: 'wasm' });
            await db.insert('one', [1, 2, 3, 4], { k: 'v' });
            await db.close();
            const ro = await RvfDatabase.openProgressive(new URL(`file://${p}`));
            expect((await ro.query([1, 2, 3, 4], 1))[0].id).toBe('one');
            await expectRvfError(ro.insert('two', [1, 1, 1, 1]), 'ReadOnly');
            await ro.close();
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
