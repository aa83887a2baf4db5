// @ruvector/rvf SDK on both backends: rows() (every row in id order, a page at a time), ids()
// built on it, filters on a field no row has (no match, not an error) and k = 0 (an empty answer).
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';
import { fnv1a64 } from '../../../npm/rvf/src/keys.js';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];
const utf8 = new TextEncoder();
const u64Of = (id) => (typeof id === 'string' ? fnv1a64(utf8.encode(id)) : BigInt(id));

// Deterministic vectors (xorshift), so a failure reproduces.
function rows(n, dim, seed = 1) {
    let s = seed >>> 0 || 1;
    return Array.from({ length: n }, () => Float32Array.from({ length: dim }, () => {
        s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
        return (s % 2000) / 1000 - 1;
    }));
}

async function expectRvfError(promise, name, pattern) {
    const err = await promise.then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
}

async function collect(iterable) {
    const out = [];
    for await (const r of iterable)
        out.push(r);
    return out;
}

describe.each(BACKENDS)('rows() and friends on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-rows-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('yields every live row in ascending u64 id order with vectors and metadata, across reopen', async () => {
        const data = rows(300, 4, 3);
        // Mixed ids: numbers in a scrambled order, strings (ordered by the u64 they hash to), a bigint above 2^53.
        const ids = data.map((_, i) => (i % 3 === 0 ? `doc-${i}` : (i * 7919) % 100003));
        ids[1] = 2n ** 63n + 1n;
        let db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await db.insertBatch(data.map((vector, i) => ({ id: ids[i], vector, metadata: { n: i, tag: i % 2 ? 'odd' : 'even' } })));
        await db.delete([ids[0], ids[2]]);
        const live = ids.map((id, i) => ({ id, i })).filter(({ i }) => i !== 0 && i !== 2)
            .sort((a, b) => (u64Of(a.id) < u64Of(b.id) ? -1 : 1));
        const check = async (d) => {
            for (const batch of [1, 7, undefined]) {
                const got = await collect(d.rows(batch === undefined ? undefined : { batch }));
                expect(got.map((r) => r.id)).toEqual(live.map((x) => x.id));
                for (const [k, r] of got.entries()) {
                    expect(r.vector).toEqual(data[live[k].i]);
                    expect(r.metadata).toEqual({ n: live[k].i, tag: live[k].i % 2 ? 'odd' : 'even' });
                }
            }
            const bare = await collect(d.rows({ withVectors: false, withMetadata: false, batch: 50 }));
            expect(bare[0]).toEqual({ id: live[0].id });
            expect(bare.map((r) => r.id)).toEqual(live.map((x) => x.id));
            expect(Object.keys((await collect(d.rows({ withVectors: false })))[0])).toEqual(['id', 'metadata']);
            expect(await d.ids()).toEqual(live.map((x) => x.id));
        };
        await check(db);
        await db.close();
        db = await RvfDatabase.openReadonly(file(), { backend });
        await check(db);
        await db.close();
    });

    it.skipIf(skip)('pages see rows committed between them above the cursor; bad options are typed errors', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 2, backend });
        await db.insertBatch([10, 20, 30, 40].map((id) => ({ id, vector: [id, 0] })));
        const seen = [];
        for await (const r of db.rows({ batch: 2 })) {
            seen.push(r.id);
            if (r.id === 20) { // between pages: 5 is behind the cursor, 35 ahead, 30 goes away
                await db.insertBatch([{ id: 5, vector: [5, 0] }, { id: 35, vector: [35, 0] }]);
                await db.delete(30);
            }
        }
        expect(seen).toEqual([10, 20, 35, 40]);
        const empty = await RvfDatabase.create(file('empty.rvf'), { dimensions: 2, backend });
        expect(await collect(empty.rows())).toEqual([]);
        await empty.close();
        await expectRvfError(collect(db.rows({ batchSize: 10 })), 'InvalidOptions', /unknown option 'batchSize'/);
        await expectRvfError(collect(db.rows({ batch: 0 })), 'InvalidOptions', /batch/);
        await expectRvfError(collect(db.rows({ withVectors: 'yes' })), 'InvalidOptions', /withVectors/);
        await expectRvfError(collect(db.rows(5)), 'InvalidOptions');
        await db.close();
        await expectRvfError(collect(db.rows()), 'StoreClosed');
    });

    it.skipIf(skip)('a filter on a field no row has matches nothing; k = 0 answers []', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 2, backend });
        await db.insertBatch([1, 2, 3].map((id) => ({ id, vector: [id, 1], metadata: { kind: 'a' } })));
        // The periodic "delete what is older than X" job, once nothing carries the field.
        const old = { op: 'lt', field: 'createdAt', value: 1700000000 };
        expect(await db.deleteByFilter(old)).toMatchObject({ deleted: 0 });
        expect(await db.query([0, 0], 3, { filter: old })).toEqual([]);
        expect(await db.query([0, 0], 3, { filter: { op: 'eq', field: 'never', value: 'x' } })).toEqual([]);
        // ne on a missing field holds (spec §5.1), as for a field some rows lack.
        expect((await db.query([0, 0], 3, { filter: { op: 'ne', field: 'never', value: 'x' } })).map((h) => h.id)).toEqual([1, 2, 3]);
        expect(await db.query([0, 0], 0)).toEqual([]);
        expect(await db.query([0, 0], 0, { filter: { op: 'eq', field: 'kind', value: 'a' } })).toEqual([]);
        expect(await db.queryBatch([[0, 0], [1, 1]], 0)).toEqual([[], []]);
        expect((await db.status()).totalVectors).toBe(3);
        // An error about a filter leaf names its field as written, not the hashed field id.
        await expectRvfError(db.query([0, 0], 3, { filter: { op: 'eq', field: 'createdAt', value: {} } }),
            'InvalidArgument', /\$\.value of field "createdAt": unsupported value/);
        await db.close();
    });
});
