// The upstream SDK calls agentdb's RvfBackend makes on @ruvector/rvf, on our SDK (api/surface.json
// sdk_only): fileId / parentId / lineageDepth (async, upstream SDK 0.2.3), metric / indexStats /
// verifyWitness (sync: agentdb calls them without awaiting and treats a promise as "unsupported"),
// and query(vector, {k}). Values are the file's own: the identity stays across reopen and
// compaction, a damaged file fails verifyWitness, a closed store refuses with StoreClosed.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sdk-upstream-calls-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));
let n = 0;
const fresh = () => path.join(work, `s${n++}.rvf`);

async function filled(backend, metric = 'cosine') {
    const file = fresh();
    const db = await RvfDatabase.create(file, { dimensions: 4, metric }, backend);
    await db.insertBatch([
        { id: 'a', vector: [1, 0, 0, 0], metadata: { tag: 'x' } },
        { id: 'b', vector: [0, 1, 0, 0], metadata: { tag: 'y' } },
        { id: 'c', vector: [0, 0, 1, 0] },
    ]);
    return { file, db };
}

describe.skipIf(!native.available)('native backend', () => {
    it('fileId is the file\'s 32-hex identity, the same after reopen and after compaction; root lineage', async () => {
        const { file, db } = await filled('native');
        const id = await db.fileId();
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        expect(id).not.toBe('0'.repeat(32));
        expect(await db.parentId()).toBe('0'.repeat(32));
        expect(await db.lineageDepth()).toBe(0);
        await db.delete(['c']);
        await db.compact();
        expect(await db.fileId()).toBe(id);
        await db.close();
        const again = await RvfDatabase.openReadonly(file, 'native');
        expect(await again.fileId()).toBe(id);
        await again.close();
        const other = await filled('native');
        expect(await other.db.fileId()).not.toBe(id);
        await other.db.close();
    });

    it('metric, indexStats and verifyWitness answer synchronously', async () => {
        const { db } = await filled('native', 'ip');
        expect(db.metric()).toBe('dotproduct'); // status().metric's spelling
        expect(db.metric()).toBe((await db.status()).metric);
        expect(db.indexStats()).toEqual({ indexedVectors: 0, layers: 0, m: 16, efConstruction: 200, needsRebuild: false });
        const w = db.verifyWitness();
        expect(w).not.toBeInstanceOf(Promise);
        expect(w).toEqual({ valid: true, entries: (await db.verify()).witnessEntriesChecked });
        expect(w.entries).toBeGreaterThan(0);
        await db.close();
    });

    it('indexStats reports the HNSW parameters given at create', async () => {
        const db = await RvfDatabase.create(fresh(), { dimensions: 4, m: 8, efConstruction: 64 }, 'native');
        expect(db.indexStats()).toMatchObject({ m: 8, efConstruction: 64 });
        await db.close();
    });

    it('verifyWitness names the problem in a damaged file', async () => {
        const { file, db } = await filled('native');
        await db.close();
        const segs = await (async () => { const r = await RvfDatabase.openReadonly(file, 'native'); const s = await r.segments(); await r.close(); return s; })();
        const vec = segs.find((s) => s.payloadLength > 0);
        const bytes = fs.readFileSync(file);
        bytes[vec.offset + 64] ^= 0xff; // one payload byte after the 64-byte header
        fs.writeFileSync(file, bytes);
        const ro = await RvfDatabase.openReadonly(file, 'native').catch(() => null);
        if (ro) {
            const w = ro.verifyWitness();
            expect(w.valid).toBe(false);
            expect(w.error).toMatch(/RVF error 0x/);
            await ro.close();
        } else {
            expect((await RvfDatabase.verifyFile(file)).ok).toBe(false);
        }
    });

    it('query(vector, {k, ...options}) is query(vector, k, options); k is required there', async () => {
        const { db } = await filled('native');
        expect(await db.query([1, 0, 0, 0], { k: 2, includeMetadata: true })).toEqual(await db.query([1, 0, 0, 0], 2, { includeMetadata: true }));
        expect(await db.query([0, 1, 0, 0], { k: 3, filter: { op: 'eq', field: 'tag', value: 'x' } })).toEqual([{ id: 'a', distance: 1 }]);
        await expect(db.query([1, 0, 0, 0], { efSearch: 10 })).rejects.toThrow(/InvalidOptions.*options\.k/);
        await expect(db.query([1, 0, 0, 0], { k: 1, topK: 1 })).rejects.toThrow(/unknown option 'topK'/);
        await db.close();
    });

    it('a closed store refuses every one with StoreClosed', async () => {
        const { db } = await filled('native');
        await db.close();
        for (const f of ['metric', 'indexStats', 'verifyWitness'])
            expect(() => db[f](), f).toThrow(/StoreClosed/);
        for (const f of ['fileId', 'parentId', 'lineageDepth'])
            await expect(db[f](), f).rejects.toThrow(/StoreClosed/);
    });
});

describe('wasm backend', () => {
    it('the same answers as native for the same file', async () => {
        const { file, db } = await filled('wasm');
        expect(db.metric()).toBe('cosine');
        expect(await db.parentId()).toBe('0'.repeat(32));
        expect(await db.lineageDepth()).toBe(0);
        expect(db.verifyWitness()).toMatchObject({ valid: true });
        const id = await db.fileId();
        expect(id).toMatch(/^[0-9a-f]{32}$/);
        const stats = db.indexStats();
        await db.close();
        if (native.available) {
            const nat = await RvfDatabase.openReadonly(file, 'native');
            expect(await nat.fileId()).toBe(id);
            expect(nat.indexStats()).toEqual(stats);
            await nat.close();
        }
    });
});
