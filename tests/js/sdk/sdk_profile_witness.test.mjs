// Issue 19 on both SDK backends: create({profile: 'core'}) is kept in the file and reported by
// status().profile after a reopen, the Core limits are refused with the limit named; the audit
// trail — appendWitness(type?, payload) commits an action durably, witnessEntries({from, limit})
// reads the chain back with payloads and hash links, verify() checks appended entries and
// reports a flipped bit in one.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const BACKENDS = ['native', 'wasm'];
const text = (u8) => (u8 === null ? null : new TextDecoder().decode(u8));

async function expectRvfError(promise, name, pattern) {
    const err = await Promise.resolve(promise).then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
    return err;
}

describe.each(BACKENDS)('Core profile and audit trail on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    const file = (name = 'db.rvf') => path.join(dir, name);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-core-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)("profile 'core' is kept in the file, reported after a reopen, and answers by exact scan", async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 8, profile: 'core', backend });
        expect(await db.status()).toMatchObject({ profile: 'core', storage: 'f16', domainProfile: 'generic' });
        const rows = Array.from({ length: 40 }, (_, i) => ({ id: i + 1, vector: Array.from({ length: 8 }, (_, j) => (j === 0 ? i / 8 : ((i * 7 + j * 3) % 11) / 4 - 1)) }));
        expect((await db.insertBatch(rows)).accepted).toBe(40);
        expect((await db.query(rows[12].vector, 1))[0].id).toBe(13);
        await db.close();
        for (const open of [(p) => RvfDatabase.open(p, { backend }), (p) => RvfDatabase.openReadonly(p, { backend })]) {
            const again = await open(file());
            expect(await again.status()).toMatchObject({ profile: 'core', storage: 'f16', totalVectors: 40 });
            await again.close();
        }
        // i8 up to 768 dimensions; upstream's number 1 means the same profile.
        const wide = await RvfDatabase.create(file('wide.rvf'), { dimensions: 768, profile: 1, backend });
        expect(await wide.status()).toMatchObject({ profile: 'core', storage: 'i8' });
        await wide.close();
        const plain = await RvfDatabase.create(file('plain.rvf'), { dimensions: 8, backend });
        expect((await plain.status()).profile).toBe('generic');
        await plain.close();
        const hot = await RvfDatabase.create(file('hot.rvf'), { dimensions: 8, profile: 'hot', backend });
        expect((await hot.status()).profile).toBe('hot');
        await hot.close();
    });

    it.skipIf(skip)('the Core limits are refused at create, naming the limit', async () => {
        const core = (extra) => RvfDatabase.create(file(`bad-${Object.values(extra).join('-')}.rvf`), { profile: 'core', backend, ...extra });
        await expectRvfError(core({ dimensions: 8, storage: 'f32' }), 'InvalidOptions', /Core profile has no f32 storage/);
        await expectRvfError(core({ dimensions: 385, storage: 'f16' }), 'InvalidOptions', /f16 rows of at most 384 dimensions/);
        await expectRvfError(core({ dimensions: 769 }), 'InvalidOptions', /i8 rows of at most 768 dimensions/);
        await expectRvfError(core({ dimensions: 8, compression: 'lz4' }), 'InvalidOptions', /no VEC compression/);
        await expectRvfError(core({ dimensions: 8, tiering: { coldCodec: 'binary' } }), 'InvalidOptions', /no PQ or temperature tiering/);
        await expectRvfError(RvfDatabase.create(file('h.rvf'), { dimensions: 1025, profile: 'hot', backend }), 'InvalidOptions', /Hot profile allows at most 1024/);
        expect(fs.readdirSync(dir).filter((n) => n.endsWith('.rvf'))).toEqual([]);
    });

    it.skipIf(skip)('appendWitness commits an action durably; witnessEntries reads it back with its links', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await db.insertBatch([{ id: 'a', vector: [1, 0, 0, 0] }]);
        const a = await db.appendWitness('store key=a');
        expect(a).toMatchObject({ witnessType: 4 });
        expect(text(a.payload)).toBe('store key=a');
        expect(typeof a.timestampNs).toBe('bigint');
        const b = await db.appendWitness('delegation', Uint8Array.of(0, 1, 2, 255));
        expect(b.witnessType).toBe(3);
        expect(b.prevHash).toBe(a.hash);
        await db.close();
        const r = await RvfDatabase.openReadonly(file(), { backend });
        const all = await r.witnessEntries();
        expect(all.length).toBeGreaterThanOrEqual(4); // create, ingest, two appended (+ close's checkpoint, none)
        for (let i = 1; i < all.length; i++)
            expect(all[i].prevHash, `link ${i}`).toBe(all[i - 1].hash);
        const appended = all.filter((e) => e.payload !== null);
        expect(appended.map((e) => e.witnessType)).toEqual([4, 3]);
        expect(text(appended[0].payload)).toBe('store key=a');
        expect(Array.from(appended[1].payload)).toEqual([0, 1, 2, 255]);
        expect(all.filter((e) => e.payload === null).every((e) => e.witnessType === 1 || e.witnessType === 2)).toBe(true);
        const page = await r.witnessEntries({ from: appended[0].index, limit: 1 });
        expect(page).toHaveLength(1);
        expect(page[0].hash).toBe(appended[0].hash);
        expect(await r.witnessEntries({ from: all.length })).toEqual([]);
        expect((await r.verify()).ok).toBe(true);
        await expectRvfError(r.appendWitness('x'), 'ReadOnly');
        await r.close();
    });

    it.skipIf(skip)('refusals: payload over 64 KiB, a type that is not the caller\'s, bad options', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await expectRvfError(db.appendWitness(new Uint8Array(65537)), 'SegmentTooLarge', /limit is 65536/);
        expect((await db.appendWitness(new Uint8Array(65536))).payload.length).toBe(65536);
        await expectRvfError(db.appendWitness(2, 'x'), 'InvalidArgument', /'audit' \(4\)/);
        await expectRvfError(db.appendWitness({ not: 'bytes' }), 'InvalidArgument', /payload must be a Uint8Array or a string/);
        await expectRvfError(db.witnessEntries({ after: 1 }), 'InvalidOptions', /unknown option 'after' \(accepted: from, limit\)/);
        await db.close();
        const off = await RvfDatabase.create(file('off.rvf'), { dimensions: 4, witness: false, backend });
        await expectRvfError(off.appendWitness('x'), 'InvalidOptions', /witness = false/);
        await off.close();
    });

    it.skipIf(skip)('verify() reports a flipped bit in an appended payload', async () => {
        const db = await RvfDatabase.create(file(), { dimensions: 4, backend });
        await db.appendWitness('delete key=beta');
        await db.close();
        const bytes = fs.readFileSync(file());
        const at = bytes.indexOf(Buffer.from('delete key=beta'));
        expect(at).toBeGreaterThan(0);
        const bad = Buffer.from(bytes);
        bad[at + 3] ^= 0x10;
        fs.writeFileSync(file('bad.rvf'), bad);
        const v = await RvfDatabase.verifyFile(file('bad.rvf'), { backend });
        expect(v.ok).toBe(false);
        expect(v.problems.length).toBeGreaterThan(0);
        expect((await RvfDatabase.verifyFile(file(), { backend })).ok).toBe(true);
    });
});
