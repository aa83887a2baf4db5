// @ruvector/rvf SDK lineage and time travel on both backends (issue 20): derive() writes a child
// naming its parent, freeze() is honoured by every later writable open (either backend), and
// open/openReadonly({epoch}) answer from an earlier committed epoch until compaction drops it.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];

const vec = (id) => Float32Array.of(id, id % 3, 1, 0.5);

async function expectRvfError(promise, name, pattern) {
    const err = await promise.then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
}

describe.each(BACKENDS)('lineage and epochs on the %s backend', (backend) => {
    const skip = !native.available; // the other backend opens each file too: both are needed
    const other = backend === 'native' ? 'wasm' : 'native';
    let dir;
    const file = (name) => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-lineage-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('derive writes a child naming its parent, two levels deep', async () => {
        const parent = await RvfDatabase.create(file('p.rvf'), { dimensions: 4, backend });
        await parent.insertBatch([1, 2, 3].map((id) => ({ id, vector: vec(id) })));
        expect(await parent.parentId()).toBe('0'.repeat(32));
        expect(await parent.lineageDepth()).toBe(0);

        const child = await parent.derive(file('c.rvf'), { type: 'filter' });
        expect(child.backend).toBe(backend);
        expect(await child.parentId()).toBe(await parent.fileId());
        expect(await child.fileId()).not.toBe(await parent.fileId());
        expect(await child.lineageDepth()).toBe(1);
        expect((await child.status()).totalVectors).toBe(3);
        await child.insertBatch([{ id: 4, vector: vec(4) }]);
        const grand = await child.derive(file('g.rvf'));
        expect(await grand.lineageDepth()).toBe(2);
        expect(await grand.parentId()).toBe(await child.fileId());
        expect((await grand.status()).totalVectors).toBe(4);
        const gid = await grand.fileId();
        for (const db of [grand, child, parent])
            await db.close();

        // The other backend reads the same identity.
        const again = await RvfDatabase.openReadonly(file('g.rvf'), { backend: other });
        expect(await again.fileId()).toBe(gid);
        expect(await again.lineageDepth()).toBe(2);
        await again.close();

        await expectRvfError(RvfDatabase.open(file('p.rvf'), { backend }).then((p) => p.derive(file('c.rvf'))), 'FileExists');
        const p2 = await RvfDatabase.openReadonly(file('p.rvf'), { backend });
        // The names are the runtime's (derivation_names.hpp): each backend refuses an unknown one
        // itself, listing them, before anything is written.
        await expectRvfError(p2.derive(file('x.rvf'), { type: 'fork' }), 'InvalidOptions',
            /unknown type 'fork' \(clone, filter, merge, quantize, reindex, transform, snapshot, user-defined\)/);
        expect(fs.existsSync(file('x.rvf'))).toBe(false);
        await expectRvfError(p2.derive(file('x.rvf'), { type: 5 }), 'InvalidOptions', /must be a DerivationType name/);
        const snap = await p2.derive(file('s.rvf'), { type: 'snapshot' });
        expect(await snap.lineageDepth()).toBe(1);
        await snap.close();
        await p2.close();
    });

    it.skipIf(skip)('freeze is honoured by every later writable open, on both backends', async () => {
        const db = await RvfDatabase.create(file('f.rvf'), { dimensions: 4, backend });
        await db.insertBatch([1, 2].map((id) => ({ id, vector: vec(id) })));
        await db.freeze();
        await expectRvfError(db.insertBatch([{ id: 3, vector: vec(3) }]), 'ReadOnly');
        expect((await db.status()).totalVectors).toBe(2);
        await db.close();
        for (const b of [backend, other]) {
            await expectRvfError(RvfDatabase.open(file('f.rvf'), { backend: b }), 'SnapshotFrozen', /freeze\(\)/);
            const ro = await RvfDatabase.openReadonly(file('f.rvf'), { backend: b });
            expect((await ro.status()).totalVectors).toBe(2);
            // A frozen parent derives a writable child.
            const child = await ro.derive(file(`child-${b}.rvf`));
            await child.insertBatch([{ id: 9, vector: vec(9) }]);
            expect((await child.status()).totalVectors).toBe(3);
            await child.close();
            await ro.close();
        }
    });

    it.skipIf(skip)('open({epoch}) answers from each earlier epoch until compaction', async () => {
        const db = await RvfDatabase.create(file('e.rvf'), { dimensions: 4, backend });
        const epochs = [];
        for (const first of [1, 3, 5]) {
            await db.insertBatch([first, first + 1].map((id) => ({ id, vector: vec(id) })));
            epochs.push((await db.status()).epoch);
        }
        await db.close();
        for (const b of [backend, other]) {
            for (let i = 0; i < epochs.length; i++) {
                const at = await RvfDatabase.openReadonly(file('e.rvf'), { backend: b, epoch: epochs[i] });
                expect((await at.status()).totalVectors).toBe(2 * (i + 1));
                expect((await at.status()).epoch).toBe(epochs[i]);
                await at.close();
            }
            const viaOpen = await RvfDatabase.open(file('e.rvf'), { backend: b, epoch: epochs[0] });
            await expectRvfError(viaOpen.insertBatch([{ id: 99, vector: vec(99) }]), 'ReadOnly');
            await viaOpen.close();
        }
        await expectRvfError(RvfDatabase.openReadonly(file('e.rvf'), { backend, epoch: 9999 }), 'ManifestNotFound', /inspect --epochs/);
        await expectRvfError(RvfDatabase.openReadonly(file('e.rvf'), { backend, epoch: -1 }), 'InvalidOptions');
        const w = await RvfDatabase.open(file('e.rvf'), { backend });
        await w.compact();
        await w.close();
        await expectRvfError(RvfDatabase.openReadonly(file('e.rvf'), { backend, epoch: epochs[1] }), 'ManifestNotFound', /ompaction/);
    });
});
