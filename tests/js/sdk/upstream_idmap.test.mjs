// Issue 18: stores upstream's SDK (@ruvector/rvf 0.2.3) wrote with string ids. Upstream keeps the
// ids in `<file>.idmap.json` beside the file; ours reads it on open (query/get/ids answer with
// the same string ids, read-only handles too), moves the ids into the file on the first write
// (sidecar kept as `.idmap.json.bak`), and `rvf import-upstream` does that explicitly. After our
// write the file is Layout S; its Layout R export opens in upstream's SDK again.
//
// Upstream's SDK is installed by this file into an isolated temp directory (`npm install
// @ruvector/rvf@0.2.3`, from the npm cache when it has it): its dependency `@ruvector/rvf-node`
// must resolve to upstream's addon, and in this workspace that name is our package. It runs in a
// child process (tests/js/helpers/upstream_sdk.cjs). Only an unreachable registry skips the suite.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfDatabase, RvfError, RvfStatus, nativeAvailability } from '@ruvector/rvf';
import { main } from '../../../npm/rvf/src/cli/main.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const helper = path.join(here, '../helpers/upstream_sdk.cjs');
const native = await nativeAvailability();
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-upstream-idmap-'));

/** Install upstream's SDK; null when it is installed, else the reason npm could not reach the registry. */
function installUpstream(dir) {
    const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline',
        '--prefix', dir, '@ruvector/rvf@0.2.3'], { encoding: 'utf8', timeout: 180000 });
    if (r.status === 0)
        return null;
    const text = `${r.error?.message ?? ''}\n${r.stderr}`;
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|network/i;
    if (offline.test(text))
        return text.split('\n').find((line) => offline.test(line)).trim();
    throw new Error(`npm install @ruvector/rvf@0.2.3 failed (not a network problem):\n${text}`);
}
const upstreamDir = path.join(work, 'upstream');
fs.mkdirSync(upstreamDir);
const unreachable = installUpstream(upstreamDir);
if (unreachable)
    console.warn(`upstream_idmap: skipped — the npm registry is unreachable, so @ruvector/rvf@0.2.3 cannot be installed: ${unreachable}`);
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const upstream = (req) => JSON.parse(execFileSync(process.execPath, [helper, upstreamDir, JSON.stringify(req)], { encoding: 'utf8' }));

// Deterministic data: 40 string ids (one that looks numeric, one non-ASCII), 8-d, seeded LCG.
const DIM = 8, K = 6;
function seeded(seed) {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const rnd = seeded(18);
const IDS = Array.from({ length: 40 }, (_, i) => (i === 17 ? '17' : i === 23 ? 'zoë-23' : `doc-${i}`));
const ENTRIES = IDS.map((id) => ({ id, vector: Array.from({ length: DIM }, () => Math.fround(rnd())) }));
const QUERIES = Array.from({ length: 5 }, () => Array.from({ length: DIM }, rnd));
const DELETED_UPSTREAM = 'doc-5';

let original; // { file, sidecar, answers }: the store upstream made, copied per test
beforeAll(() => {
    if (unreachable)
        return;
    const file = path.join(work, 'upstream.rvf');
    const r = upstream({ op: 'create', path: file, dimensions: DIM, entries: ENTRIES, deletes: [DELETED_UPSTREAM], queries: QUERIES, k: K });
    original = { file, sidecar: fs.readFileSync(`${file}.idmap.json`, 'utf8'), answers: r.queries };
}, 120000);

function copyStore(name) {
    const file = path.join(work, name);
    fs.copyFileSync(original.file, file);
    fs.writeFileSync(`${file}.idmap.json`, original.sidecar);
    return file;
}

function expectSameAnswers(ours, theirs) {
    expect(ours.map((h) => h.id)).toEqual(theirs.map((h) => h.id));
    ours.forEach((h, i) => expect(Math.abs(h.distance - theirs[i].distance)).toBeLessThanOrEqual(1e-5 * Math.max(1, theirs[i].distance)));
}

async function ourAnswers(db, k = K) {
    const out = [];
    for (const q of QUERIES)
        out.push(await db.query(q, k, { efSearch: 500 }));
    return out;
}

async function expectRvfError(promise, name, pattern) {
    const err = await promise.then(() => null, (e) => e);
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    if (pattern)
        expect(err.message).toMatch(pattern);
}

function cli(...args) {
    let out = '', err = '';
    const io = { stdout: { write: (s) => (out += s) }, stderr: { write: (s) => (err += s) } };
    return main(args, io).then((code) => ({ code, out, err }));
}

describe.skipIf(!!unreachable)('upstream @ruvector/rvf 0.2.3 stores with string ids (<file>.idmap.json)', () => {
    it('upstream wrote a sidecar of string ids and numeric labels (the format this SDK reads)', () => {
        const map = JSON.parse(original.sidecar);
        expect(Object.keys(map.idToLabel)).toHaveLength(IDS.length - 1);
        expect(map.idToLabel['doc-0']).toBe(1);
        expect(map.labelToId['2']).toBe('doc-1');
        expect(map.idToLabel[DELETED_UPSTREAM]).toBeUndefined();
    });

    describe.each(['native', 'wasm'])('on the %s backend', (backend) => {
        const skip = backend === 'native' && !native.available;

        it.skipIf(skip)('a read-only open answers, gets and lists with upstream\'s string ids and leaves both files alone', async () => {
            const file = copyStore(`ro-${backend}.rvf`);
            const before = fs.readFileSync(file);
            const db = await RvfDatabase.openReadonly(file, { backend });
            try {
                (await ourAnswers(db)).forEach((ours, i) => expectSameAnswers(ours, original.answers[i]));
                const b = await db.get('doc-1');
                expect(b.id).toBe('doc-1');
                expect(Array.from(b.vector)).toEqual(ENTRIES[1].vector);
                expect((await db.get('17')).vector[0]).toBe(ENTRIES[17].vector[0]);
                expect(await db.get('zoë-23')).not.toBeNull();
                expect(await db.get(DELETED_UPSTREAM)).toBeNull();
                expect(await db.get('no-such-id')).toBeNull();
                expect((await db.ids()).sort()).toEqual(IDS.filter((id) => id !== DELETED_UPSTREAM).sort());
                await expectRvfError(db.delete(['doc-1']), 'ReadOnly');
            } finally {
                await db.close();
            }
            expect(fs.readFileSync(file).equals(before)).toBe(true);
            expect(fs.readFileSync(`${file}.idmap.json`, 'utf8')).toBe(original.sidecar);
        });

        it.skipIf(skip)('the first write (delete [\'doc-1\']) moves the ids into the file and backs the sidecar up; upstream reads the Layout R export', async () => {
            const file = copyStore(`rw-${backend}.rvf`);
            let db = await RvfDatabase.open(file, { backend });
            let answers;
            try {
                (await ourAnswers(db)).forEach((ours, i) => expectSameAnswers(ours, original.answers[i]));
                expect(await db.delete(['doc-1'])).toMatchObject({ deleted: 1 });
                expect(fs.existsSync(`${file}.idmap.json`)).toBe(false);
                expect(fs.readFileSync(`${file}.idmap.json.bak`, 'utf8')).toBe(original.sidecar);
                expect(await db.get('doc-1')).toBeNull();
                expect((await db.get('doc-2')).id).toBe('doc-2');
                // Upstream's answers without doc-1: the same order and distances.
                (await ourAnswers(db)).forEach((ours, i) => {
                    const theirs = original.answers[i].filter((h) => h.id !== 'doc-1');
                    expectSameAnswers(ours.slice(0, theirs.length), theirs);
                });
                await db.insert('new-1', new Float32Array(DIM).fill(0.5));
                answers = await ourAnswers(db);
            } finally {
                await db.close();
            }
            // Reopened without the sidecar: the ids are in the file now (Layout S).
            db = await RvfDatabase.open(file, { backend });
            try {
                expect((await db.status()).layout).toBe('S');
                expect(await db.count()).toBe(IDS.length - 1);
                expect((await db.ids()).sort()).toEqual(IDS.filter((id) => id !== DELETED_UPSTREAM && id !== 'doc-1').concat('new-1').sort());
                (await ourAnswers(db)).forEach((ours, i) => expectSameAnswers(ours, answers[i]));
                // The bare Layout R image: upstream's runtime format (ids are the u64s, no names).
                fs.writeFileSync(path.join(work, `rw-${backend}-bare.rvf`), await db.exportLayoutR());
            } finally {
                await db.close();
            }
            let theirs = upstream({ op: 'query', path: path.join(work, `rw-${backend}-bare.rvf`), queries: QUERIES, k: K });
            expect(theirs.status.totalVectors).toBe(IDS.length - 1);
            theirs.queries.forEach((hits, i) => expect(hits.map((h) => h.distance)).toEqual(answers[i].map((h) => expect.closeTo(h.distance, 5))));
            // `rvf convert --layout r` also writes the names the way upstream's SDK keeps them:
            // upstream answers with the same string ids.
            const out = path.join(work, `rw-${backend}-r.rvf`);
            const r = await cli('convert', file, out, '--layout', 'r', '--backend', backend, '--json');
            expect([r.code, r.err]).toEqual([0, '']);
            expect(JSON.parse(r.out).idmap).toBe(`${out}.idmap.json`);
            theirs = upstream({ op: 'query', path: out, queries: QUERIES, k: K });
            expect(theirs.status.totalVectors).toBe(IDS.length - 1);
            theirs.queries.forEach((hits, i) => expectSameAnswers(hits, answers[i]));
        }, 60000);

        it.skipIf(skip)('rvf convert --layout r refuses a store where a number and a string read the same in upstream', async () => {
            const file = path.join(work, `mixed-${backend}.rvf`);
            const db = await RvfDatabase.create(file, { dimensions: DIM, backend });
            await db.insertBatch([{ id: 7, vector: ENTRIES[0].vector }, { id: '7', vector: ENTRIES[1].vector }]);
            await db.close();
            const r = await cli('convert', file, `${file}-r`, '--layout', 'r', '--backend', backend);
            expect(r.code).toBe(1);
            expect(r.err).toMatch(/the numeric id 7 and the string id '7' would be one id in upstream's SDK/);
            expect(fs.existsSync(`${file}-r`)).toBe(false);
        });

        it.skipIf(skip)('a migration cut short (rows moved, label rows and sidecar still there) is finished by the next write', async () => {
            const file = copyStore(`crash-${backend}.rvf`);
            // What the first commit of a migration leaves: the moved rows under their own ids.
            fs.renameSync(`${file}.idmap.json`, `${file}.aside`);
            let db = await RvfDatabase.open(file, { backend });
            await db.insertBatch(ENTRIES.slice(0, 10).filter((e) => e.id !== DELETED_UPSTREAM));
            await db.close();
            fs.renameSync(`${file}.aside`, `${file}.idmap.json`);

            db = await RvfDatabase.openReadonly(file, { backend });
            const moved = (await db.ids()).filter((id) => typeof id === 'string');
            expect(moved.sort()).toEqual(IDS.filter((id) => id !== DELETED_UPSTREAM).sort()); // each id once
            expect((await db.get('doc-1')).id).toBe('doc-1');
            await db.close();

            db = await RvfDatabase.open(file, { backend });
            try {
                await db.upsert('doc-3', ENTRIES[3].vector);
                expect(fs.existsSync(`${file}.idmap.json`)).toBe(false);
                expect(await db.count()).toBe(IDS.length - 1); // the label rows of the moved ids are gone
                expect((await db.ids()).every((id) => typeof id === 'string')).toBe(true);
                (await ourAnswers(db)).forEach((ours, i) => expectSameAnswers(ours, original.answers[i]));
            } finally {
                await db.close();
            }
        }, 60000);

        it.skipIf(skip)('a damaged sidecar is refused on open with what to do, and the store stays openable', async () => {
            const file = copyStore(`bad-${backend}.rvf`);
            const cases = [
                ['{"idToLabel":', /is not JSON/],
                ['[]', /not a JSON object/],
                ['{"idToLabel":{"a":1},"labelToId":{"1":"b"}}', /idToLabel\["a"\] = 1 but labelToId\["1"\] is "b"/],
                ['{"idToLabel":{"a":1,"b":1},"labelToId":{"1":"a"}}', /appears twice/],
                ['{"idToLabel":{"a":1},"labelToId":{"1":"a"},"nextLabel":1}', /nextLabel/],
                ['{"idToLabel":{"a":1.5},"labelToId":{"x":"a"}}', /not a label/],
                ['{"idToLabel":{},"labelToId":{},"extra":1}', /unexpected key 'extra'/],
            ];
            for (const [text, why] of cases) {
                fs.writeFileSync(`${file}.idmap.json`, text);
                await expectRvfError(RvfDatabase.open(file, { backend }), 'InvalidArgument', why);
                await expectRvfError(RvfDatabase.openReadonly(file, { backend }), 'InvalidArgument', /move it aside/);
            }
            fs.truncateSync(`${file}.idmap.json`, 256 * 1024 * 1024 + 1); // sparse: refused before it is read
            await expectRvfError(RvfDatabase.open(file, { backend }), 'InvalidArgument', /more than the 268435456 this SDK reads/);
            fs.rmSync(`${file}.idmap.json`);
            fs.mkdirSync(`${file}.idmap.json`);
            await expectRvfError(RvfDatabase.openReadonly(file, { backend }), 'InvalidArgument', /not a regular file/);
            fs.rmdirSync(`${file}.idmap.json`);
            const db = await RvfDatabase.open(file, { backend }); // the failed opens released the lock
            expect(await db.ids()).toContain(2); // without the map: upstream's numeric labels
            await db.close();
        });

        it.skipIf(skip)('rvf import-upstream moves the ids explicitly; a second run has nothing to do', async () => {
            const file = copyStore(`cli-${backend}.rvf`);
            let r = await cli('import-upstream', file, '--json', '--backend', backend);
            expect(r.err).toBe('');
            expect(r.code).toBe(0);
            expect(JSON.parse(r.out)).toEqual({ file, moved: IDS.length - 1, backup: `${file}.idmap.json.bak` });
            r = await cli('import-upstream', file, '--backend', backend);
            expect([r.code, r.out]).toEqual([0, `${file}: no upstream id map (${file}.idmap.json) beside it; nothing to import\n`]);
            let db = await RvfDatabase.openReadonly(file, { backend });
            try {
                (await ourAnswers(db)).forEach((ours, i) => expectSameAnswers(ours, original.answers[i]));
                await expectRvfError(db.importUpstream(), 'ReadOnly', /open\(\)/);
            } finally {
                await db.close();
            }
            // The API form: reported once by the handle that moved the ids.
            const again = copyStore(`api-${backend}.rvf`);
            db = await RvfDatabase.open(again, { backend });
            try {
                expect(await db.importUpstream()).toEqual({ moved: IDS.length - 1, backup: `${again}.idmap.json.bak` });
                expect(await db.importUpstream()).toEqual({ moved: 0, backup: null });
                expect((await db.get('doc-0')).id).toBe('doc-0');
            } finally {
                await db.close();
            }
        });
    });
});
