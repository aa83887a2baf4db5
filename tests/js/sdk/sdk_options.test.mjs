// @ruvector/rvf SDK options on both backends (issue 18): every entry point refuses an unknown key
// (InvalidOptions naming it and listing the accepted ones) and every value it cannot honour
// (zstd, product quantisation, signing, LZ4 / index 'off' on wasm) instead of ignoring it;
// profile names are stored and come back from status(); status().metric is a metric create()
// takes; upstream's compression 'scalar' is int8 storage.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];

async function expectRvfError(promise, name, pattern) {
    const err = await Promise.resolve(promise).then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
    return err;
}

const collect = async (it) => {
    const out = [];
    for await (const x of it)
        out.push(x);
    return out;
};

describe.each(BACKENDS)('SDK options on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);
    const opts = (extra = {}) => ({ dimensions: 4, backend, ...extra });

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-opts-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('create() refuses an unknown key, naming it and the accepted keys, and creates no file', async () => {
        const e = await expectRvfError(RvfDatabase.create(file(), opts({ metirc: 'cosine' })), 'InvalidOptions', /unknown option 'metirc'/);
        expect(e.message).toMatch(/accepted: dimensions, dimension, metric, storage, compression, profile, signing/);
        expect(fs.existsSync(file())).toBe(false);
        await expectRvfError(RvfDatabase.create(file(), [4]), 'InvalidOptions', /options object/);
        await expectRvfError(RvfDatabase.create(file(), opts({ dimensions: 4, dimension: 8 })), 'InvalidOptions', /differ/);
        await expectRvfError(RvfDatabase.create(file(), opts({ witness: 'yes' })), 'InvalidOptions', /witness must be true or false/);
        await expectRvfError(RvfDatabase.create(file(), opts({ m: -1 })), 'InvalidOptions', /m must be an integer/);
        await expectRvfError(RvfDatabase.create(file(), opts({ storage: 'f64' })), 'InvalidOptions', /storage must be 'f32' \| 'f16' \| 'i8', got 'f64'/);
        await expectRvfError(RvfDatabase.create(file(), opts({ metric: 'manhattan' })), 'MetricUnsupported', /'manhattan'.*dotproduct/);
        await expectRvfError(RvfDatabase.create(file(), opts({ backend: 'gpu' })), 'InvalidOptions', /backend/);
        expect(fs.existsSync(file())).toBe(false);
    });

    it.skipIf(skip)('profile names are stored and round-trip through status() and a reopen', async () => {
        const cases = [['generic', 0], ['rvdna', 1], ['rvtext', 2], ['rvgraph', 3], ['rvvision', 4]];
        for (const [name, id] of cases) {
            for (const profile of [name]) {
                const p = file(`${name}-${typeof profile}.rvf`);
                const db = await RvfDatabase.create(p, opts({ profile }));
                expect(await db.status()).toMatchObject({ domainProfile: name, profileId: id });
                await db.close();
                const again = await RvfDatabase.openReadonly(p, { backend });
                expect(await again.status()).toMatchObject({ domainProfile: name, profileId: id });
                await again.close();
            }
        }
        // A custom id (the spec's 16..239) is kept as such.
        const db = await RvfDatabase.create(file('custom.rvf'), opts({ profile: 16 }));
        expect(await db.status()).toMatchObject({ domainProfile: 'custom:16', profileId: 16 });
        await db.close();
        // No profile: the extension decides (as the runtime does), on both backends.
        const ext = await RvfDatabase.create(file('notes.rvtext'), opts());
        expect(await ext.status()).toMatchObject({ domainProfile: 'rvtext', profileId: 2 });
        await ext.close();
        // A number 0..3 is upstream's hardware profile, not a domain profile: the extension still
        // decides the domain profile, as in upstream (profile: 2 is 'hot', not rvtext).
        for (const hw of [0, 1, 2, 3]) {
            const g = await RvfDatabase.create(file(`hw${hw}.rvf`), opts({ profile: hw }));
            expect(await g.status()).toMatchObject({ domainProfile: 'generic', profileId: 0 });
            await g.close();
            const t = await RvfDatabase.create(file(`hw${hw}.rvgraph`), opts({ profile: hw }));
            expect(await t.status()).toMatchObject({ domainProfile: 'rvgraph', profileId: 3 });
            await t.close();
        }
        for (const bad of ['rvtxt', 4, 5, 15, 240, -1, 1.5, true])
            await expectRvfError(RvfDatabase.create(file('bad.rvf'), opts({ profile: bad })), 'InvalidOptions', /profile must be a domain profile name \(generic, rvdna, rvtext, rvgraph, rvvision\)/);
    });

    it.skipIf(skip)("compression 'scalar' is int8 storage; 'product' and unimplemented signing are refused, never ignored", async () => {
        const db = await RvfDatabase.create(file(), opts({ compression: 'scalar' }));
        expect((await db.status()).storage).toBe('i8');
        await db.insertBatch([{ id: 1, vector: [1, 0, 0, 0] }, { id: 2, vector: [0, 1, 0, 0] }]);
        expect((await db.query([1, 0, 0, 0], 1))[0].id).toBe(1);
        await db.close();
        await expectRvfError(RvfDatabase.create(file('s.rvf'), opts({ compression: 'scalar', storage: 'f16' })), 'InvalidOptions', /'scalar' is int8 storage, but storage is 'f16'/);
        await expectRvfError(RvfDatabase.create(file('p.rvf'), opts({ compression: 'product' })), 'InvalidOptions', /compression 'product'.*use compression 'scalar'/);
        await expectRvfError(RvfDatabase.create(file('b.rvf'), opts({ compression: 'brotli' })), 'InvalidOptions', /compression must be 'none' \| 'lz4' \| 'zstd' \| 'scalar' \| 'product', got 'brotli'/);
        const key = new Uint8Array(32).fill(7);
        await expectRvfError(RvfDatabase.create(file('sig.rvf'), opts({ signing: true })), 'InvalidOptions', /signing must be \{algorithm/);
        await expectRvfError(RvfDatabase.create(file('sig.rvf'), opts({ signing: { algorithm: 'slh-dsa-128s', key } })), 'InvalidOptions',
            /signing.algorithm must be 'ed25519' \| 'ml-dsa-65', got 'slh-dsa-128s'/);
        await expectRvfError(RvfDatabase.create(file('sig.rvf'), opts({ signing: { algorithm: 'ed25519', key: key.subarray(1) } })), 'InvalidOptions',
            /signing.key must be the 32-byte secret seed/);
        for (const name of ['p.rvf', 'b.rvf', 'sig.rvf', 's.rvf'])
            expect(fs.existsSync(file(name)), name).toBe(false);
        // signing: false asks for what every file is: accepted.
        const plain = await RvfDatabase.create(file('plain.rvf'), opts({ signing: false }));
        await plain.close();
    });

    it.skipIf(skip)(`LZ4 and ZSTD work on this backend; index 'off' ${backend === 'native' ? 'works' : 'is refused'}`, async () => {
        const lz4 = RvfDatabase.create(file('lz4.rvf'), opts({ compression: 'lz4' }));
        const zstd = RvfDatabase.create(file('zstd.rvf'), opts({ compression: 'zstd' }));
        const noIndex = RvfDatabase.create(file('flat.rvf'), opts({ index: 'off' }));
        if (backend === 'wasm') {
            await expectRvfError(noIndex, 'InvalidOptions', /index 'off' needs the native backend/);
            for (const db of [await lz4, await zstd]) {
                await db.insertBatch([{ id: 1, vector: [1, 2, 3, 4] }]);
                expect((await db.query([1, 2, 3, 4], 1))[0]).toEqual({ id: 1, distance: 0 });
                await db.close();
            }
            return;
        }
        for (const db of [await lz4, await zstd, await noIndex]) {
            await db.insertBatch([{ id: 1, vector: [1, 2, 3, 4] }]);
            expect((await db.query([1, 2, 3, 4], 1))[0]).toEqual({ id: 1, distance: 0 });
            await db.close();
        }
        await expectRvfError(RvfDatabase.create(file('x.rvf'), opts({ index: 'none' })), 'InvalidOptions', /index must be 'auto' \| 'off'/);
    });

    it.skipIf(skip)('status().metric is a metric create() takes; ip and upstream spellings stay accepted', async () => {
        for (const [given, reported] of [['l2', 'l2'], ['cosine', 'cosine'], ['dotproduct', 'dotproduct'], ['hamming', 'hamming'],
            ['ip', 'dotproduct'], ['inner_product', 'dotproduct'], ['InnerProduct', 'dotproduct'], ['L2', 'l2'], ['Cosine', 'cosine']]) {
            const db = await RvfDatabase.create(file(`${given}.rvf`), opts({ metric: given }));
            const s = await db.status();
            expect(s.metric, given).toBe(reported);
            await db.close();
            // The reported metric and profile create an equal store.
            const copy = await RvfDatabase.create(file(`${given}-copy.rvf`), { dimensions: s.dimensions, metric: s.metric, storage: s.storage, profile: s.domainProfile, backend });
            expect(await copy.status()).toMatchObject({ metric: reported, storage: s.storage, domainProfile: s.domainProfile });
            await copy.close();
        }
    });

    it.skipIf(skip)('every entry point that takes options refuses unknown keys; those that take none refuse any', async () => {
        const db = await RvfDatabase.create(file(), opts());
        await db.insertBatch([{ id: 1, vector: [1, 0, 0, 0], metadata: { tag: 'a' } }]);
        await db.close();
        await expectRvfError(RvfDatabase.open(file(), { backend, lock: false }), 'InvalidOptions', /open\(\): unknown option 'lock' \(accepted: backend, readOnly, epoch, signing, requireSignature\)/);
        await expectRvfError(RvfDatabase.open(file(), { backend, readOnly: 'yes' }), 'InvalidOptions', /readOnly must be true or false/);
        await expectRvfError(RvfDatabase.openReadonly(file(), { backend, readOnly: true }), 'InvalidOptions', /openReadonly\(\): unknown option 'readOnly' \(accepted: backend, epoch, verify, requireSignature\)/);
        await expectRvfError(RvfDatabase.verifyFile(file(), { backend, deep: true }), 'InvalidOptions', /verifyFile\(\): unknown option 'deep'/);
        await expectRvfError(RvfDatabase.openProgressive(file(), { rangeSize: 4096 }), 'InvalidOptions', /openProgressive\(\): unknown option 'rangeSize' \(accepted: backend, fetch, concurrency, onProgress, signal, nprobe, stream, cacheBytes\)/);
        const bytes = new Uint8Array(fs.readFileSync(file()));
        await expectRvfError(RvfDatabase.fromBytes(bytes, { readonly: true }), 'InvalidOptions', /fromBytes\(\): unknown option 'readonly' \(accepted: readOnly\)/);

        const rw = await RvfDatabase.open(file(), { backend });
        const q = [1, 0, 0, 0];
        await expectRvfError(rw.query(q, 1, { topK: 3 }), 'InvalidOptions', /query\(\): unknown option 'topK' \(accepted: efSearch, filter, includeMetadata, nprobe\)/);
        await expectRvfError(rw.query(q, 1, { timeoutMs: 5 }), 'InvalidOptions', /unknown option 'timeoutMs'/);
        await expectRvfError(rw.query(q, 1, { efSearch: -1 }), 'InvalidOptions', /efSearch must be an integer/);
        await expectRvfError(rw.query(q, 1, { includeMetadata: 1 }), 'InvalidOptions', /includeMetadata must be true or false/);
        await expectRvfError(rw.queryBatch([q], 1, { k: 2 }), 'InvalidOptions', /queryBatch\(\): unknown option 'k'/);
        await expectRvfError(collect(rw.rows({ withVector: false })), 'InvalidOptions', /rows\(\): unknown option 'withVector' \(accepted: withVectors, withMetadata, batch\)/);
        await expectRvfError(rw.find(null, { offset: 1 }), 'InvalidOptions', /find\(\): unknown option 'offset'/);
        await expectRvfError(rw.compact({ budget: 1 }), 'InvalidOptions', /compact\(\): unknown option 'budget' \(accepted: ioBudgetBytes, ioBytesPerSecond\)/);
        await expectRvfError(rw.insert(2, [0, 1, 0, 0], null, { upsert: true }), 'InvalidOptions', /insert\(\) takes no options, got 'upsert'/);
        await expectRvfError(rw.insertBatch([{ id: 2, vector: [0, 1, 0, 0] }], { sync: false }), 'InvalidOptions', /insertBatch\(\) takes no options, got 'sync'/);
        await expectRvfError(rw.upsert(2, [0, 1, 0, 0], null, { x: 1 }), 'InvalidOptions', /upsert\(\) takes no options/);
        await expectRvfError(rw.upsertBatch([], { x: 1 }), 'InvalidOptions', /upsertBatch\(\) takes no options/);
        await expectRvfError(rw.delete(1, { hard: true }), 'InvalidOptions', /delete\(\) takes no options, got 'hard'/);
        await expectRvfError(rw.verify({ deep: true }), 'InvalidOptions', /verify\(\) takes no options, got 'deep'/);
        // The refused calls changed nothing; the accepted forms still work.
        expect(await rw.count()).toBe(1);
        expect(await rw.query(q, 1, { efSearch: 10, filter: null, includeMetadata: true })).toEqual([{ id: 1, distance: 0, metadata: { tag: 'a' } }]);
        expect(await rw.insertBatch([{ id: 2, vector: [0, 1, 0, 0] }], {})).toMatchObject({ accepted: 1 });
        expect((await rw.verify()).ok).toBe(true);
        await rw.close();
        const fromBytes = await RvfDatabase.fromBytes(bytes, { readOnly: true });
        expect(await fromBytes.count()).toBe(1);
        await fromBytes.close();
    });
});

// The bindings' own option the SDK's `profile` maps to (additive to both; absent = as before).
describe('domainProfile of the bindings', () => {
    it('@ruvector/rvf-wasm RvfStore.create stores it and refuses ids outside 0..4 / 16..239', async () => {
        const { RvfStore } = await import('@ruvector/rvf-wasm');
        const s = await RvfStore.create({ dimensions: 2, domainProfile: 3 });
        expect(s.status().domainProfile).toBe('rvgraph');
        s.close();
        const plain = await RvfStore.create({ dimensions: 2 });
        expect(plain.status().domainProfile).toBe('generic');
        plain.close();
        for (const bad of [5, 15, 240, -1, 'rvtext'])
            await expectRvfError(RvfStore.create({ dimensions: 2, domainProfile: bad }), 'InvalidOptions', /domainProfile/);
    });

    it.skipIf(!native.available)('@ruvector/rvf-node RvfDatabase.create stores it and refuses ids outside 0..4 / 16..239', async () => {
        const { RvfDatabase: Addon } = await import('@ruvector/rvf-node');
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-opts-addon-'));
        try {
            const db = Addon.create(path.join(dir, 'a.rvf'), { dimension: 2, domainProfile: 4 });
            expect(db.status()).toMatchObject({ domainProfile: 'rvvision', profileId: 4 });
            db.close();
            const ext = Addon.create(path.join(dir, 'b.rvdna'), { dimension: 2 });
            expect(ext.status().domainProfile).toBe('rvdna'); // absent: from the extension, as before
            ext.close();
            for (const bad of [5, 15, 240, -1])
                expect(() => Addon.create(path.join(dir, `bad${bad}.rvf`), { dimension: 2, domainProfile: bad }), String(bad)).toThrow(/domainProfile/);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
