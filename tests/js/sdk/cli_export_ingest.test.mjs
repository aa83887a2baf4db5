// `rvf export` and `rvf ingest` edge cases, on both backends: export streams in id order with
// shortest f32 text and ends quietly (exit 0) when its reader closes the pipe; an ingest cut
// short by a truncated .fvecs keeps and reports the complete rows; an ingest whose every row is
// rejected writes nothing and exits 1 with the count.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');
const native = await nativeAvailability();

let dir;
const p = (n) => path.join(dir, n);
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cli-export-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

function rvf(backend, args) {
    const r = spawnSync(process.execPath, [bin, ...args], {
        encoding: 'utf8', cwd: dir, env: { ...process.env, RVF_BACKEND: backend }, timeout: 120000, maxBuffer: 1 << 28,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

/** .fvecs bytes of rows (arrays of numbers). */
function fvecs(rows) {
    const dim = rows[0].length;
    const buf = Buffer.alloc(rows.length * (4 + 4 * dim));
    rows.forEach((r, i) => {
        buf.writeInt32LE(dim, i * (4 + 4 * dim));
        r.forEach((x, j) => buf.writeFloatLE(x, i * (4 + 4 * dim) + 4 + 4 * j));
    });
    return buf;
}

// Row i of dimension 8: values with short decimal forms that f32 cannot hold exactly.
const row = (i) => Array.from({ length: 8 }, (_, j) => +(i + j * 0.00044).toFixed(5));

describe.each(['native', 'wasm'])('rvf export / ingest on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;

    it.skipIf(skip)('export writes shortest f32 text in id order and round-trips through ingest', () => {
        const specials = [0.00044, 0.1, 1e-7, 3.4e38, -0, 16777217, -2.5, 1 / 3];
        fs.writeFileSync(p(`${backend}-f.jsonl`), [
            `{"id":7,"vector":[${specials.map((x) => (Object.is(x, -0) ? '-0' : String(x))).join(',')}],"metadata":{"tag":"x"}}`,
            JSON.stringify({ id: 3, vector: specials.map((x) => -x) }),
        ].join('\n'));
        expect(rvf(backend, ['ingest', `${backend}-f.rvf`, `${backend}-f.jsonl`]).code).toBe(0);
        const out = rvf(backend, ['export', `${backend}-f.rvf`]);
        expect([out.code, out.err]).toEqual([0, '']);
        const lines = out.out.trim().split('\n');
        expect(lines[1]).toBe('{"id":7,"vector":[0.00044,0.1,1e-7,3.4e+38,-0,16777216,-2.5,0.33333334],"metadata":{"tag":"x"}}');
        expect(JSON.parse(lines[0]).id).toBe(3);
        for (const l of lines) {
            const v = JSON.parse(l).vector;
            const stored = Float32Array.from(JSON.parse(l).id === 7 ? specials : specials.map((x) => -x));
            expect(Float32Array.from(v)).toEqual(stored); // every value reads back as the same f32
        }
    });

    it.skipIf(skip)('export | head ends with exit 0 and no stack once the reader has gone', async () => {
        const n = 20000; // ~1.6 MB of JSONL: far more than a pipe buffer
        fs.writeFileSync(p(`${backend}-big.fvecs`), fvecs(Array.from({ length: n }, (_, i) => row(i))));
        expect(rvf(backend, ['ingest', `${backend}-big.rvf`, `${backend}-big.fvecs`, '--batch', '5000']).code).toBe(0);
        const child = spawn(process.execPath, [bin, 'export', `${backend}-big.rvf`], {
            cwd: dir, env: { ...process.env, RVF_BACKEND: backend }, stdio: ['ignore', 'pipe', 'pipe'],
        });
        let err = '';
        child.stderr.on('data', (d) => { err += d; });
        const first = await new Promise((resolve) => child.stdout.once('data', resolve));
        child.stdout.destroy(); // as `head` does after its lines
        const code = await new Promise((resolve) => child.on('close', resolve));
        expect(String(first).split('\n')[0]).toBe(`{"id":0,"vector":[${row(0).join(',')}],"metadata":{}}`);
        expect([code, err]).toEqual([0, '']);
        // The whole export, by pages: every row once, in id order.
        const all = rvf(backend, ['export', `${backend}-big.rvf`, '--batch', '777']);
        const ids = all.out.trim().split('\n').map((l) => JSON.parse(l).id);
        expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    });

    it.skipIf(skip)('a truncated .fvecs commits its complete rows and says how many', () => {
        const whole = fvecs(Array.from({ length: 10 }, (_, i) => row(i)));
        fs.writeFileSync(p(`${backend}-t.fvecs`), whole.subarray(0, whole.length - 5)); // inside row 9
        const r = rvf(backend, ['ingest', `${backend}-t.rvf`, `${backend}-t.fvecs`, '--batch', '4']);
        expect(r.code).toBe(3);
        expect(r.err).toMatch(/ends inside fvecs record 9/);
        expect(r.err).toMatch(/9 vectors before this point were committed to \S*t\.rvf/);
        expect(r.err).not.toMatch(/\n\s+at /); // no stack
        const info = JSON.parse(rvf(backend, ['inspect', `${backend}-t.rvf`, '--json']).out);
        expect(info.status.totalVectors).toBe(9);
        const exported = rvf(backend, ['export', `${backend}-t.rvf`]).out.trim().split('\n').map((l) => JSON.parse(l));
        expect(exported.map((e) => e.vector)).toEqual(Array.from({ length: 9 }, (_, i) => row(i)));
    });

    it.skipIf(skip)('re-ingesting rows that are all rejected writes nothing and exits 1 with the count', () => {
        const rowsMeta = Array.from({ length: 6 }, (_, i) => JSON.stringify({ id: `d${i}`, vector: row(i), metadata: { n: i } }));
        fs.writeFileSync(p(`${backend}-m.jsonl`), rowsMeta.join('\n'));
        expect(rvf(backend, ['ingest', `${backend}-m.rvf`, `${backend}-m.jsonl`, '--batch', '2']).code).toBe(0);
        const before = fs.readFileSync(p(`${backend}-m.rvf`));
        const again = rvf(backend, ['ingest', `${backend}-m.rvf`, `${backend}-m.jsonl`, '--batch', '2']);
        expect(again.code).toBe(1);
        expect(again.err).toMatch(/all 6 vectors were rejected: nothing was committed, \S*m\.rvf is unchanged/);
        expect(again.out).toMatch(/6 rejected/);
        expect(fs.readFileSync(p(`${backend}-m.rvf`)).equals(before)).toBe(true); // no segment, no META_IDX, no manifest
        const j = rvf(backend, ['ingest', `${backend}-m.rvf`, `${backend}-m.jsonl`, '--json']);
        expect(j.code).toBe(1);
        expect(JSON.parse(j.out)).toMatchObject({ accepted: 0, rejected: 6 });
        expect(JSON.parse(j.err)).toMatchObject({ exitCode: 1, error: { name: 'RejectedError' } });
        expect(fs.readFileSync(p(`${backend}-m.rvf`)).equals(before)).toBe(true);
    });
});
