// `rvf ingest` of one JSON document (.json): the array of {"id", "vector"} records that the
// upstream CLI's `ingest --input` reads (before this reader, such a file failed with "component 0
// is not a number"), an HNSW dump {"vectors": [...]}, bare vectors, JSON Lines under a .json name;
// a malformed or oversize document is a clear InputError, never a partial guess.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';
import { readJsonDocument } from '../../../npm/rvf/src/cli/input/json-doc.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');
const native = await nativeAvailability();

let dir;
const p = (n) => path.join(dir, n);
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cli-json-'));
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

const vec = (i) => [i, i + 0.5, -i, 1 - i];

async function collect(text, opts) {
    const out = [];
    for await (const b of readJsonDocument(Readable.from([Buffer.from(text)]), opts))
        out.push(...b.entries);
    return out;
}

describe('readJsonDocument', () => {
    it('reads an array of records, a {"vectors"} dump, bare vectors and one record', async () => {
        const recs = [{ id: 4, vector: vec(4), metadata: { k: 'a' } }, { id: 9, vector: vec(9) }];
        const a = await collect(JSON.stringify(recs, null, 2));
        expect(a.map((e) => [e.id, Array.from(e.vector), e.metadata])).toEqual([[4, vec(4), { k: 'a' }], [9, vec(9), undefined]]);
        const d = await collect(JSON.stringify({ vectors: recs, graph: { entry: 0 } }));
        expect(d.map((e) => e.id)).toEqual([4, 9]);
        const bare = await collect(JSON.stringify([vec(1), vec(2)]));
        expect(bare.map((e) => Array.from(e.vector))).toEqual([vec(1), vec(2)]);
        expect((await collect(JSON.stringify(vec(3)))).length).toBe(1);
        expect((await collect(JSON.stringify({ id: 1, embedding: vec(1) })))[0].id).toBe(1);
    });

    it('reads JSON Lines under a .json name', async () => {
        const e = await collect(`${JSON.stringify({ id: 1, vector: vec(1) })}\n${JSON.stringify({ id: 2, vector: vec(2) })}\n`);
        expect(e.map((x) => x.id)).toEqual([1, 2]);
    });

    it('refuses what it cannot read, saying what to write instead', async () => {
        await expect(collect('[{"id": 1, "vector": [1, 2]')).rejects.toThrow(/not a JSON document/);
        await expect(collect('{"rows": []}')).rejects.toThrow(/neither an array of records/);
        await expect(collect('[{"id": 1, "vector": [null]}]')).rejects.toThrow(/record 0: component 0 is not a number/);
        await expect(collect('[{"id": 1.5, "vector": [1]}]')).rejects.toThrow(/record 0: id must be/);
        await expect(collect(JSON.stringify([{ id: 1, vector: vec(1) }]), { maxBytes: 16 })).rejects.toThrow(/write it as JSON Lines/);
    });
});

describe.each(['native', 'wasm'])('rvf ingest of a .json document on the %s backend', (backend) => {
    it.skipIf(backend === 'native' && !native.available)('ingests the upstream CLI input shape with ids and metadata', () => {
        const recs = Array.from({ length: 30 }, (_, i) => ({ id: 100 + i, vector: vec(i), metadata: { n: i } }));
        fs.writeFileSync(p(`${backend}.json`), JSON.stringify(recs));
        const r = rvf(backend, ['ingest', `${backend}.rvf`, `${backend}.json`, '--batch', '7', '--json']);
        expect([r.code, r.err]).toEqual([0, '']);
        expect(JSON.parse(r.out).accepted).toBe(30);
        const out = rvf(backend, ['export', `${backend}.rvf`]);
        const rows = out.out.trim().split('\n').map((l) => JSON.parse(l));
        expect(rows.map((x) => x.id)).toEqual(recs.map((x) => x.id));
        expect(rows[5].metadata).toEqual({ n: 5 });
        expect(rows[5].vector).toEqual(vec(5));
    });
});
