// @ruvector/rvf SDK on both backends: upsert / upsertBatch (insert-or-replace in one commit),
// updateMetadata (a metadata-only commit), count(filter?), find(filter) (a query by metadata
// alone, in id order) and refresh() of a read-only handle.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, idToU64, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];

const vec = (id, version) => Float32Array.of(id, version, id % 7, 1);

async function expectRvfError(promise, name, pattern) {
    const err = await promise.then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
}

describe.each(BACKENDS)('everyday operations on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-ops-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('upsert replaces live entries in one commit and inserts new ones', async () => {
        let db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await db.insertBatch([
            { id: 1, vector: vec(1, 0), metadata: { genre: 'news' } },
            { id: 'doc', vector: vec(2, 0), metadata: { genre: 'blog' } },
        ]);
        const before = (await db.status()).epoch;
        const r = await db.upsertBatch([
            { id: 1, vector: vec(1, 1) },                           // replaced, metadata dropped
            { id: 'doc', vector: vec(2, 1), metadata: { genre: 'news' } }, // replaced, new metadata
            { id: 3, vector: vec(3, 1), metadata: { genre: 'news' } },     // new
        ]);
        expect([r.accepted, r.rejected, r.epoch]).toEqual([3, 0, before + 1]);
        expect(await db.upsert(1, vec(1, 2), { genre: 'sport' })).toEqual({ accepted: 1, epoch: before + 2 });
        await expectRvfError(db.upsert(4, [0, NaN, 0, 0]), 'InvalidArgument', /NaN/);
        await expectRvfError(db.insert(3, vec(3, 9)), 'InvalidArgument', /already exists/);
        // A numeric id equal to the u64 a string id maps to never replaces that string id's row.
        await expectRvfError(db.upsert(idToU64('doc'), vec(9, 9)), 'InvalidArgument', /'doc' holds/);

        const check = async (d) => {
            expect(await d.count()).toBe(3);
            expect(await d.get(1)).toEqual({ id: 1, vector: vec(1, 2), metadata: { genre: 'sport' } });
            expect(await d.get('doc')).toEqual({ id: 'doc', vector: vec(2, 1), metadata: { genre: 'news' } });
            expect((await d.query(vec(2, 1), 1))[0]).toEqual({ id: 'doc', distance: 0 });
        };
        await check(db);
        await db.close();
        db = await RvfDatabase.openReadonly(file(), { backend });
        await check(db);
        await db.close();
    });

    it.skipIf(skip)('updateMetadata replaces a record without rewriting the vector', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await db.insertBatch([
            { id: 1, vector: vec(1, 0), metadata: { genre: 'news', year: 2020 } },
            { id: 's', vector: vec(2, 0), metadata: { genre: 'blog' } },
        ]);
        const size = (await db.status()).fileSizeBytes;
        await db.updateMetadata(1, { genre: 'sport' });
        await db.updateMetadata('s', null);
        expect((await db.status()).fileSizeBytes - size).toBeLessThan(8192);
        expect(await db.get(1)).toEqual({ id: 1, vector: vec(1, 0), metadata: { genre: 'sport' } });
        expect(await db.get('s')).toEqual({ id: 's', vector: vec(2, 0), metadata: {} });
        expect(await db.count({ op: 'eq', field: 'genre', value: 'sport' })).toBe(1);
        await expectRvfError(db.updateMetadata(99, { genre: 'x' }), 'KeyNotFound', /insert it first/);
        await db.close();
        const ro = await RvfDatabase.openReadonly(file(), { backend });
        expect(await ro.get(1)).toEqual({ id: 1, vector: vec(1, 0), metadata: { genre: 'sport' } });
        await expectRvfError(ro.updateMetadata(1, { genre: 'x' }), 'ReadOnly');
        await ro.close();
    });

    it.skipIf(skip)('count(filter) and find(filter) answer by metadata alone, in id order', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        const entries = [];
        for (let id = 60; id >= 1; id--)
            entries.push({ id, vector: vec(id, 0), metadata: id % 3 === 0 ? { kind: id % 2 === 0 ? 'even' : 'odd' } : undefined });
        await db.insertBatch(entries);
        const even = { op: 'eq', field: 'kind', value: 'even' };
        expect(await db.count()).toBe(60);
        expect(await db.count(even)).toBe(10);
        expect(await db.count({ op: 'eq', field: 'missing', value: 1 })).toBe(0);
        const found = await db.find(even);
        expect(found.map((r) => r.id)).toEqual([6, 12, 18, 24, 30, 36, 42, 48, 54, 60]);
        expect(found[0]).toEqual({ id: 6, metadata: { kind: 'even' } });
        const page = await db.find(even, { limit: 3, after: 12, withVectors: true, withMetadata: false });
        expect(page).toEqual([{ id: 18, vector: vec(18, 0) }, { id: 24, vector: vec(24, 0) }, { id: 30, vector: vec(30, 0) }]);
        expect(await db.find({ op: 'eq', field: 'missing', value: 1 })).toEqual([]);
        await expectRvfError(db.find(even, { topK: 3 }), 'InvalidOptions', /topK/);
        await db.close();
    });

    it.skipIf(skip)('refresh() lets a read-only handle see later commits; writable handles refuse it', async () => {
        const w = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await w.insert(1, vec(1, 0));
        const r = await RvfDatabase.openReadonly(file(), { backend });
        expect(await r.count()).toBe(1);
        await w.insert(2, vec(2, 0), { genre: 'news' });
        await w.upsert(1, vec(1, 1));
        expect(await r.count()).toBe(1);
        await r.refresh();
        expect(await r.count()).toBe(2);
        expect(await r.get(1)).toEqual({ id: 1, vector: vec(1, 1), metadata: {} });
        expect(await r.get(2)).toEqual({ id: 2, vector: vec(2, 0), metadata: { genre: 'news' } });
        await expectRvfError(w.refresh(), 'InvalidArgument', /read-only/);
        await w.close();
        await r.close();
    });
});
