// Signed files through the SDK on both backends (docs/signing.md): create/open with
// `signing: {algorithm, key}` sign every commit; verify() names each segment's signer;
// open/openReadonly({requireSignature}) refuse unsigned, foreign-signed and damaged files with
// typed errors naming the segment. Cross-build: a file signed by the native addon verifies in
// wasm and the other way round, for Ed25519 and ML-DSA-65. Deterministic: fixed seeds and rows.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
let dir;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-signing-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

const seed = (fill) => Uint8Array.from({ length: 32 }, (_, i) => (fill * 13 + i) & 0xff);
const rows = (first, n) => Array.from({ length: n }, (_, i) => ({ id: first + i, vector: [first + i, 1, 0, 0] }));

async function expectRvfError(promise, name, pattern) {
    const e = await Promise.resolve(promise).then(() => null, (err) => err);
    expect(e, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([e.name, e.code]).toEqual([name, RvfStatus[name]]);
    if (pattern) expect(e.message).toMatch(pattern);
}

const algorithms = ['ed25519', 'ml-dsa-65'];
const backends = ['native', 'wasm'];

describe.each(algorithms)('%s', (algorithm) => {
    const signing = { algorithm, key: seed(1) };

    it('signingKeyId agrees on both backends, and differs per algorithm and seed', async () => {
        const ids = [];
        for (const b of backends) {
            if (b === 'native' && !native.available) continue;
            ids.push(await RvfDatabase.signingKeyId(signing, b));
        }
        expect(ids[0]).toMatch(/^[0-9a-f]{32}$/);
        expect(new Set(ids).size).toBe(1);
        expect(await RvfDatabase.signingKeyId({ algorithm, key: seed(2) }, 'wasm')).not.toBe(ids[0]);
        const other = algorithm === 'ed25519' ? 'ml-dsa-65' : 'ed25519';
        expect(await RvfDatabase.signingKeyId({ algorithm: other, key: seed(1) }, 'wasm')).not.toBe(ids[0]);
    });

    describe.each([['native', 'wasm'], ['wasm', 'native']])('signed on %s, checked on %s', (writer, reader) => {
        const skip = !native.available;

        it.skipIf(skip)('every segment verifies under the key, across builds; reopening with the key keeps it so', async () => {
            const file = path.join(dir, `${algorithm}-${writer}.rvf`);
            const keyId = await RvfDatabase.signingKeyId(signing, writer);
            const db = await RvfDatabase.create(file, { dimensions: 4, signing, backend: writer });
            await db.insertBatch(rows(1, 5));
            await db.close();

            const ro = await RvfDatabase.openReadonly(file, { backend: reader, requireSignature: keyId });
            const rep = await ro.verify();
            expect(rep.ok).toBe(true);
            expect(rep.signingKeys).toEqual([keyId]);
            expect(rep.signatures.length).toBeGreaterThan(3);
            for (const s of rep.signatures)
                expect(s, `segment ${s.segmentId}`).toMatchObject({ state: 'valid', keyId, algorithm });
            expect((await ro.query([3, 1, 0, 0], 1))[0].id).toBe(3);
            await ro.close();

            // The reader's build appends signed commits with the same key (hex key form here).
            const hex = Buffer.from(signing.key).toString('hex');
            const rw = await RvfDatabase.open(file, { backend: reader, signing: { algorithm, key: hex }, requireSignature: keyId });
            await rw.insertBatch(rows(10, 2));
            await rw.close();
            const back = await RvfDatabase.openReadonly(file, { backend: writer, requireSignature: keyId });
            expect((await back.verify()).signatures.every((s) => s.state === 'valid' && s.keyId === keyId)).toBe(true);
            expect((await back.status()).totalVectors).toBe(7);
            await back.close();
        });

        it.skipIf(skip)('requireSignature refuses a foreign key, an unsigned file and a flipped bit, naming the segment', async () => {
            const file = path.join(dir, `${algorithm}-${writer}-policy.rvf`);
            const db = await RvfDatabase.create(file, { dimensions: 4, signing, backend: writer });
            await db.insertBatch(rows(1, 5));
            await db.close();
            const foreign = await RvfDatabase.signingKeyId({ algorithm, key: seed(9) }, reader);
            await expectRvfError(RvfDatabase.openReadonly(file, { backend: reader, requireSignature: foreign }), 'UnknownSigner',
                /segment 1 \(crypto\) at 0x0 is signed by key [0-9a-f]{32}, not the required key/);

            const plain = path.join(dir, `${algorithm}-${writer}-plain.rvf`);
            const p = await RvfDatabase.create(plain, { dimensions: 4, backend: writer });
            await p.insertBatch(rows(1, 2));
            await p.close();
            const keyId = await RvfDatabase.signingKeyId(signing, reader);
            await expectRvfError(RvfDatabase.open(plain, { backend: reader, requireSignature: keyId }), 'UnsignedManifest', /is not signed/);

            // A flipped bit in a signed VEC payload: verify() marks that segment invalid.
            const v = await RvfDatabase.openReadonly(file, { backend: writer });
            const vec = (await v.verify()).signatures.find((s) => s.segType === 'vec');
            await v.close();
            const bytes = fs.readFileSync(file);
            bytes[vec.offset + 64 + 4] ^= 0x10;
            const damaged = path.join(dir, `${algorithm}-${writer}-damaged.rvf`);
            fs.writeFileSync(damaged, bytes);
            const rep = await RvfDatabase.verifyFile(damaged, { backend: reader });
            expect(rep.ok).toBe(false);
            expect(rep.signatures.find((s) => s.segmentId === vec.segmentId).state).toBe('invalid');
            expect(rep.problems.map((x) => x.message).join('\n')).toMatch(new RegExp(`segment ${vec.segmentId} \\(vec\\)`));
        });
    });
});

describe('signing options are checked', () => {
    it('open(readOnly) with signing, a malformed key id and an unknown key are refused', async () => {
        const file = path.join(dir, 'opts.rvf');
        const db = await RvfDatabase.create(file, { dimensions: 4, backend: 'wasm' });
        await db.close();
        await expectRvfError(RvfDatabase.open(file, { backend: 'wasm', readOnly: true, signing: { algorithm: 'ed25519', key: seed(1) } }),
            'InvalidOptions', /signing needs a writable open/);
        await expectRvfError(RvfDatabase.openReadonly(file, { backend: 'wasm', requireSignature: 'abc' }), 'InvalidOptions',
            /requireSignature must be a key id \(32 hex digits/);
        await expectRvfError(RvfDatabase.openReadonly(file, { backend: 'wasm', signing: { algorithm: 'ed25519', key: seed(1) } }),
            'InvalidOptions', /unknown option 'signing'/);
    });
});
