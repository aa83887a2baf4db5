// Interop with upstream's runtime: a store we write (the `rvf demo` store, 3,000 vectors: ingest, metadata,
// delete by filter, compaction — Layout S), exported with `rvf convert --layout r`, opens in
// upstream @ruvector/rvf-node 0.2.3 (devDependency alias `upstream-rvf-node`) and answers the
// same queries with the same ids and distances. Also: upstream fixtures convert to Layout S and
// back and still open upstream with the same answers.
//
// Upstream's runtime is the native half of @ruvector/rvf-node 0.2.3: the package
// @ruvector/rvf-node-linux-x64-gnu 0.2.2, a root optionalDependency under the alias
// `upstream-rvf-node-linux-x64-gnu` (our own npm/rvf-node-linux-x64-gnu has that name). We load it directly: the
// JS loader package cannot be locked for `npm ci` because its other-platform optional
// dependencies are not on the registry (404). On other platforms the suite is skipped.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { rvfTool } from './helpers/artifacts.mjs';

const require = createRequire(import.meta.url);
let RvfDatabase = null;
try {
    ({ RvfDatabase } = require('upstream-rvf-node-linux-x64-gnu'));
} catch {
    if (process.platform === 'linux' && process.arch === 'x64')
        throw new Error('upstream-rvf-node-linux-x64-gnu (npm:@ruvector/rvf-node-linux-x64-gnu@0.2.2) is missing: run `npm ci`');
}
const tool = rvfTool();
const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-interop-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rvf = (...args) => execFileSync(tool, args, { encoding: 'utf8' });
const ourQuery = (file, q, k) =>
    JSON.parse(rvf('query', file, '--k', String(k), '--exact', '--json', '--vector', Array.from(q).join(',')));

function seededQueries(n, dim, seed) {
    let s = seed >>> 0;
    const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
    return Array.from({ length: n }, () => Float32Array.from({ length: dim }, next));
}

function expectSameAnswers(ours, theirs) {
    expect(theirs.map((r) => r.id)).toEqual(ours.map((r) => r.id));
    for (let i = 0; i < ours.length; i++)
        expect(Math.abs(theirs[i].distance - ours[i].distance)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ours[i].distance)));
}

describe.skipIf(!RvfDatabase)('Layout R export opens in upstream @ruvector/rvf-node', () => {
    it('answers like our store on the demo store (cosine, 128-d, after deletes and compaction)', () => {
        rvf('demo', dir, '--vectors', '3000'); // small: the tests run the Debug tool
        const ours = path.join(dir, 'demo.rvf');
        const exported = path.join(dir, 'demo-r.rvf');
        rvf('convert', '--layout', 'r', ours, exported);
        const db = RvfDatabase.openReadonly(exported);
        expect(db.status().totalVectors).toBe(2000);
        for (const q of seededQueries(5, 128, 7)) {
            const theirs = db.query(q, 10, { efSearch: 2000 });
            expectSameAnswers(ourQuery(ours, q, 10), theirs);
        }
    }, 180000); // upstream builds its HNSW on the first query (≈ 18 s here)

    for (const name of ['l2-1000x16-deleted', 'cosine-1000x16', 'ip-1000x16', 'l2-1000x16-sparseids']) {
        it(`round-trips ${name} R → S → R with upstream's answers intact`, () => {
            const src = path.join('tests/data/upstream', `${name}.rvf`);
            const s = path.join(dir, `${name}-s.rvf`);
            const r = path.join(dir, `${name}-r.rvf`);
            rvf('convert', '--layout', 's', src, s);
            expect(rvf('inspect', s)).toContain('layout:  S');
            rvf('convert', '--layout', 'r', s, r);
            const expected = JSON.parse(readFileSync(path.join('tests/data/upstream', `${name}.expected.json`), 'utf8'));
            const db = RvfDatabase.openReadonly(r);
            expect(db.status().totalVectors).toBe(expected.statusAfterReopen.totalVectors);
            expected.queries.forEach((q, i) => {
                const theirs = db.query(Float32Array.from(q), 10, { efSearch: 500 });
                expect(theirs.map((x) => x.id)).toEqual(expected.resultsAfterReopen[i].map((x) => x[0]));
                expectSameAnswers(ourQuery(s, q, 10), theirs);
            });
        });
    }
});
