// openReadonly(path, { verify }) (issue 17): on the native backend the default is the in-place
// Structural open (rows and the HNSW graph used where they lie in the file mapping, only the
// structure checked); verify: 'full' hashes every payload before the open returns. The
// difference shows on a file with one damaged row: the Structural open answers and verify()
// reports the damage, while the Full open does not take it as it is. Both backends refuse an
// unknown verify value and a verify key on entry points that do not take it.
import { describe, it, expect, beforeEach, afterEach } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
const DIM = 8;
const N = 1500; // above the auto-index threshold: the file carries HNSW layers A/B/C and F
const MARK = 12345.5; // every value of row MARK_ID: a byte pattern to find in the file
const MARK_ID = 700;

async function expectRvfError(promise, name, pattern) {
    const err = await Promise.resolve(promise).then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
    return err;
}

/** Seeded rows (mulberry32), row MARK_ID all MARK. */
function rows() {
    let a = 17;
    const rnd = () => {
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    };
    const out = [];
    for (let id = 1; id <= N; id++)
        out.push({ id, vector: Array.from({ length: DIM }, () => (id === MARK_ID ? MARK : rnd())) });
    return out;
}

async function makeCompacted(file, backend) {
    const db = await RvfDatabase.create(file, { dimensions: DIM, backend });
    await db.insertBatch(rows());
    await db.compact(); // row-major VEC blocks and a fresh index: what the in-place open uses
    await db.close();
}

describe('openReadonly verify option (native backend)', () => {
    let dir;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-openverify-'));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(!native.available)('structural (the default) and full answer alike on an intact file', async () => {
        const file = path.join(dir, 'a.rvf');
        await makeCompacted(file, 'native');
        const queries = rows().slice(0, 20).map((r) => r.vector.map((x) => x + 0.01));
        const answers = {};
        for (const verify of [undefined, 'structural', 'full']) {
            const db = await RvfDatabase.openReadonly(file, verify ? { backend: 'native', verify } : { backend: 'native' });
            expect(await db.count()).toBe(N);
            answers[verify ?? 'default'] = [];
            for (const q of queries)
                answers[verify ?? 'default'].push(await db.query(q, 10, { efSearch: 32 }));
            expect((await db.verify()).ok).toBe(true);
            await expectRvfError(db.insert(N + 1, new Array(DIM).fill(0)), 'ReadOnly');
            await db.close();
        }
        expect(answers.default[0][0].id).toBe(1);
        expect(answers.structural).toEqual(answers.default);
        expect(answers.full).toEqual(answers.default);
    });

    it.skipIf(!native.available)('the default open checks structure only: a damaged row opens, verify() reports it; full does not take it', async () => {
        const file = path.join(dir, 'b.rvf');
        await makeCompacted(file, 'native');
        const bytes = fs.readFileSync(file);
        const pattern = Buffer.alloc(4 * DIM);
        for (let i = 0; i < DIM; i++)
            pattern.writeFloatLE(MARK, 4 * i);
        const at = bytes.indexOf(pattern);
        expect(at).toBeGreaterThan(0); // the row lies as it is in a row-major block
        bytes[at + 1] ^= 0x01; // one value of row MARK_ID changes a little
        fs.writeFileSync(file, bytes);

        const db = await RvfDatabase.openReadonly(file, { backend: 'native' });
        expect(await db.count()).toBe(N);
        const report = await db.verify();
        expect(report.ok).toBe(false);
        expect(report.problems.length).toBeGreaterThan(0);
        await db.close();

        // Full: every payload is hashed before the open returns; the damaged segment is not used
        // as it is (the open refuses the file, or falls back to an earlier intact state).
        const full = await RvfDatabase.openReadonly(file, { backend: 'native', verify: 'full' }).then((d) => d, (e) => e);
        if (full instanceof RvfDatabase) {
            const row = await full.get(MARK_ID);
            expect(row === null || row.vector.every((x) => x === MARK)).toBe(true);
            await full.close();
        } else {
            expect(full).toBeInstanceOf(RvfError);
        }
    });
});

describe.each(['native', 'wasm'])('openReadonly verify refusals on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;
    let dir;
    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), `rvf-openverify-${backend}-`));
    });
    afterEach(() => {
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it.skipIf(skip)('an unknown verify value, or verify where it is not taken, is InvalidOptions naming it', async () => {
        const file = path.join(dir, 'c.rvf');
        const db = await RvfDatabase.create(file, { dimensions: 4, backend });
        await db.insert(1, [1, 2, 3, 4]);
        await db.close();
        await expectRvfError(RvfDatabase.openReadonly(file, { backend, verify: 'sha' }), 'InvalidOptions',
            /openReadonly\(\): verify must be 'full' \| 'structural', got 'sha'/);
        await expectRvfError(RvfDatabase.openReadonly(file, { backend, verify: true }), 'InvalidOptions', /verify must be/);
        await expectRvfError(RvfDatabase.open(file, { backend, verify: 'full' }), 'InvalidOptions', /unknown option 'verify'/);
        await expectRvfError(RvfDatabase.verifyFile(file, { backend, verify: 'full' }), 'InvalidOptions', /unknown option 'verify'/);
        // Both values are accepted (the wasm backend reads and checks the whole file either way).
        for (const verify of ['full', 'structural']) {
            const ro = await RvfDatabase.openReadonly(file, { backend, verify });
            const row = await ro.get(1);
            expect([row.id, Array.from(row.vector)]).toEqual([1, [1, 2, 3, 4]]);
            await ro.close();
        }
    });
});
