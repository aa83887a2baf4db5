// `rvf import rvlite` and the Core profile (issue 19): rvlite is the embedded database, so its rows
// go to a Core-profile store (f16, the spec's tile limits) when every one fits it losslessly, and to
// a generic f32 store otherwise; --profile core|generic decides instead. The sources are rvlite
// 0.2.6's own db.json sample (tests/data/rvlite, made by make-samples.mjs) and a copy of it whose
// vectors were replaced by f16-exact values (same file shape, every other field as rvlite wrote it).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfDatabase, nativeAvailability } from '@ruvector/rvf';
import { ROWS } from '../../data/rvlite/rows.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');
const sample = path.join(root, 'tests/data/rvlite/db.json');
const native = await nativeAvailability();

let dir;
const p = (n) => path.join(dir, n);
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-import-core-'));
    // rvlite's sample with each component rounded to a multiple of 1/8 (exact in f16).
    const doc = JSON.parse(fs.readFileSync(sample, 'utf8'));
    for (const e of Object.values(doc.vectors))
        e.vector = e.vector.map((x) => Math.round(x * 8) / 8);
    fs.writeFileSync(p('exact.json'), JSON.stringify(doc));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

function rvf(backend, args) {
    const r = spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8', cwd: dir, env: { ...process.env, RVF_BACKEND: backend }, timeout: 120000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

async function rowsOf(file, backend) {
    const db = await RvfDatabase.openReadonly(file, { backend });
    try {
        return { status: await db.status(), rows: await db.find(null, { withVectors: true, limit: 100 }) };
    } finally {
        await db.close();
    }
}

describe.each(['native', 'wasm'])('rvf import rvlite → Core profile (%s)', (backend) => {
    const skip = backend === 'native' && !native.available;

    it.skipIf(skip)('rows that fit Core losslessly make a Core-profile store; the vectors are unchanged', async () => {
        const dest = p(`${backend}-exact.rvf`);
        const r = rvf(backend, ['import', 'rvlite', p('exact.json'), dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out)).toMatchObject({ imported: ROWS.length, profile: 'core', storage: 'f16', dimensions: 4 });
        const { status, rows } = await rowsOf(dest, backend);
        expect(status).toMatchObject({ profile: 'core', storage: 'f16', totalVectors: ROWS.length });
        const want = new Set(ROWS.map((x) => JSON.stringify(x.vector.map((v) => Math.round(v * 8) / 8))));
        for (const row of rows)
            expect(want.has(JSON.stringify(Array.from(row.vector))), JSON.stringify(Array.from(row.vector))).toBe(true);
        const text = rvf(backend, ['import', 'rvlite', p('exact.json'), p(`${backend}-exact2.rvf`)]);
        expect(text.out).toMatch(/profile core \(f16\)/);
    });

    it.skipIf(skip)("rvlite's own sample (0.1 is no f16) stays generic f32; --profile core rounds it to f16 on request", async () => {
        const dest = p(`${backend}-sample.rvf`);
        const r = rvf(backend, ['import', 'rvlite', sample, dest, '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out)).toMatchObject({ imported: ROWS.length, profile: 'generic', storage: 'f32' });
        const forced = p(`${backend}-forced.rvf`);
        const f = rvf(backend, ['import', 'rvlite', sample, forced, '--profile', 'core', '--json']);
        expect([f.code, f.err]).toEqual([0, '']);
        expect(JSON.parse(f.out)).toMatchObject({ imported: ROWS.length, profile: 'core', storage: 'f16' });
        const { rows } = await rowsOf(forced, backend);
        const doc1 = rows.find((x) => x.id === 'doc-1');
        expect(Array.from(doc1.vector).map((v, i) => Math.abs(v - ROWS[0].vector[i]) < 1e-3)).toEqual([true, true, true, true]);
        const generic = rvf(backend, ['import', 'rvlite', p('exact.json'), p(`${backend}-g.rvf`), '--profile', 'generic', '--json']);
        expect(JSON.parse(generic.out)).toMatchObject({ profile: 'generic', storage: 'f32' });
        const bad = rvf(backend, ['import', 'rvlite', sample, p(`${backend}-bad.rvf`), '--profile', 'tile']);
        expect(bad.code).toBe(2);
        expect(bad.err).toMatch(/--profile must be auto, core or generic/);
        const other = rvf(backend, ['import', 'json', sample, p(`${backend}-json.rvf`), '--profile', 'core']);
        expect(other.code).toBe(2);
        expect(other.err).toMatch(/--profile is for rvlite/);
    });
});
