// The Node-API addon (native/, class RvfDatabase) over the C++ runtime: CRUD, filters in every
// accepted JSON form, metadata (both input forms, persisted), async variants, every error path
// with its numeric code, zero-copy Float32Array input, bigint ids, files crossing to the wasm
// package and to upstream's native addon, and the @ruvector/rvf-node loader.
//
// The addon is found at $RVF_NODE_ADDON, else build/native-debug/native/rvf_node.node, else
// build/native-release/… (CMake option RVF_BUILD_NODE_ADDON, ON for native presets: built by
// `cmake --build --preset native-debug`). When none exists the suite is skipped with that message.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { uniformFloats as randoms } from './helpers/mulberry32.mjs';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

function findAddon() {
    if (process.env.RVF_NODE_ADDON)
        return process.env.RVF_NODE_ADDON;
    for (const preset of ['native-debug', 'native-release'])
        if (existsSync(path.join(repoRoot, 'build', preset, 'native/rvf_node.node')))
            return path.join(repoRoot, 'build', preset, 'native/rvf_node.node');
    return null;
}
const addonPath = findAddon();
if (!addonPath)
    console.warn('native_addon.test.mjs SKIPPED: no rvf_node.node — build it with `cmake --preset native-debug && ' +
                 'cmake --build --preset native-debug --target rvf_node` (or set RVF_NODE_ADDON)');
const { RvfDatabase, RvfStatus } = addonPath ? require(addonPath) : {};

let upstream = null;
try {
    ({ RvfDatabase: upstream } = require('upstream-rvf-node-linux-x64-gnu'));
} catch {
    // other platforms: the upstream interop case is skipped
}

mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-node-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let fileNo = 0;
const fresh = (ext = '.rvf') => path.join(work, `s${++fileNo}${ext}`);

/** Exact k-NN by brute force (squared L2, as the runtime reports L2). */
function bruteL2(rows, ids, dim, q, k) {
    const d = ids.map((id, i) => {
        let s = 0;
        for (let j = 0; j < dim; j++) s += (rows[i * dim + j] - q[j]) ** 2;
        return { id, distance: s };
    });
    return d.sort((a, b) => a.distance - b.distance || a.id - b.id).slice(0, k);
}

function expectRvfError(fn, name) {
    let err;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    expect(err, `expected ${name}`).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(RvfStatus[name]);
    expect(err.message).toMatch(new RegExp(`^RVF error 0x${RvfStatus[name].toString(16).toUpperCase().padStart(4, '0')}: ${name}`));
    return err;
}

/** Same ids in the same order; distances equal up to float rounding (wasm SIMD and native kernels sum differently). */
function expectSameHits(actual, expected) {
    expect(actual.map((h) => h.id)).toEqual(expected.map((h) => h.id));
    actual.forEach((h, i) => expect(h.distance).toBeCloseTo(expected[i].distance, 5));
}

async function expectRejects(promise, name) {
    const err = await promise.then(() => null, (e) => e);
    expect(err, `expected ${name}`).toBeInstanceOf(Error);
    expect(err.name).toBe(name);
    expect(err.code).toBe(RvfStatus[name]);
    return err;
}

/** 40 vectors of dim 8, ids 1..40, metadata {0: 'even'|'odd', 1: i}. */
function smallStore(options = {}) {
    const file = fresh();
    const db = RvfDatabase.create(file, { dimension: 8, ...options });
    const rows = randoms(40 * 8, 11);
    const ids = Array.from({ length: 40 }, (_, i) => i + 1);
    const meta = ids.map((id) => ({ 0: id % 2 ? 'odd' : 'even', 1: id }));
    return { file, db, rows, ids, meta };
}

describe.skipIf(!addonPath)('native addon RvfDatabase', () => {
    it('exports the status table of the runtime', () => {
        expect(RvfStatus).toMatchObject({ Ok: 0, DimensionMismatch: 0x0200, LockHeld: 0x0300, StoreClosed: 0xff02 });
        expect(Object.isFrozen(RvfStatus)).toBe(true);
    });

    it('CRUD: ingest, query, delete, status, segments', () => {
        const { file, db, rows, ids, meta } = smallStore();
        const r = db.ingestBatch(rows, ids, meta);
        expect(r).toMatchObject({ accepted: 40, rejected: 0, rejections: [] });
        expect(r.epoch).toBeGreaterThan(0);
        const q = randoms(8, 99);
        const hits = db.query(q, 5);
        const exact = bruteL2(rows, ids, 8, q, 5);
        expect(hits.map((h) => h.id)).toEqual(exact.map((h) => h.id));
        hits.forEach((h, i) => expect(h.distance).toBeCloseTo(exact[i].distance, 4));

        expect(db.delete([hits[0].id, 999])).toMatchObject({ deleted: 1 });
        expect(db.query(q, 1)[0].id).toBe(hits[1].id);
        const st = db.status();
        expect(st).toMatchObject({ totalVectors: 39, deletedVectors: 1, dimension: 8, metric: 'l2', readOnly: false,
                                   compactionState: 'idle', layout: 'S', profileId: 0 });
        // Upstream's SDK saw zeros here; ours are real.
        expect(st.fileSize).toBe(readFileSync(file).length);
        expect(st.currentEpoch).toBeGreaterThan(r.epoch);
        // Dead bytes (a deleted row, COMMIT records, earlier checkpoints) over the file size.
        expect(st.deadBytes).toBeGreaterThan(0);
        expect(st.deadSpaceRatio).toBeCloseTo(st.deadBytes / st.fileSize, 9);
        expect(db.dimension()).toBe(8);
        expect(db.metric()).toBe('l2');
        expect(db.fileId()).toMatch(/^[0-9a-f]{32}$/);
        expect(db.fileId()).not.toBe('0'.repeat(32));
        expect(db.parentId()).toBe('0'.repeat(32));
        expect(db.lineageDepth()).toBe(0);
        const types = db.segments().map((s) => s.segType);
        expect(types).toContain('vec');
        expect(types).toContain('meta');
        expect(types).toContain('journal');
        expect(db.indexStats()).toMatchObject({ indexedVectors: 0, m: 16, efConstruction: 200, needsRebuild: false });

        expect(() => db.compact({ ioBytesPerSec: 1 })).toThrow(/unknown option 'ioBytesPerSec'/);
        expect(() => db.compact({ ioBytesPerSecond: -1 })).toThrow(/ioBytesPerSecond/);
        // A rate far above this small file's size: the throttle runs without making the test wait.
        const c = db.compact({ ioBytesPerSecond: 64 * 1024 * 1024 });
        expect(c).toMatchObject({ complete: true, bytesWritten: db.status().fileSize });
        expect(db.status()).toMatchObject({ totalVectors: 39, deletedVectors: 0 });
        db.close();
        expect(db.closed).toBe(true);
    });

    it('insert, insertBatch (ids first) and per-vector rejections', () => {
        const db = RvfDatabase.create(fresh(), { dimensions: 3, metric: 'cosine' });
        expect(db.insert(7, new Float32Array([1, 0, 0]), { 2: 'x' })).toMatchObject({ accepted: 1 });
        const r = db.insertBatch([8, 7, 9], new Float32Array([0, 1, 0, 1, 1, 1, NaN, 0, 0]));
        expect(r).toMatchObject({ accepted: 1, rejected: 2 });
        expect(r.rejections.map((x) => [x.index, x.id, x.name])).toEqual([[1, 7, 'InvalidArgument'], [2, 9, 'InvalidArgument']]);
        expect(r.rejections[0].message).toMatch(/already exists/);
        expect(r.rejections[1].message).toMatch(/NaN/);
        expectRvfError(() => db.insert(10, new Float32Array([NaN, 0, 0])), 'InvalidArgument');
        expectRvfError(() => db.insert(7, new Float32Array([0, 0, 1])), 'InvalidArgument');
        expect(db.metric()).toBe('cosine');
        expect(db.metadata(7)).toEqual({ 2: { string: 'x' } });
        expect(db.metadata(8)).toBeNull();
        expect(Array.from(db.vector(8))).toEqual([0, 1, 0]);
        expect(db.vector(12345)).toBeNull();
        db.close();
    });

    it('filters: upstream, our and SDK JSON forms, objects and text, deleteByFilter', () => {
        const { db, rows, ids, meta } = smallStore();
        db.ingestBatch(rows, ids, meta);
        const q = randoms(8, 5);
        const evenIds = (hits) => hits.every((h) => h.id % 2 === 0);
        const forms = [
            { op: 'eq', fieldId: 0, valueType: 'string', value: 'even' },         // upstream N-API
            JSON.stringify({ op: 'eq', fieldId: 0, valueType: 'string', value: 'even' }),
            { op: 'eq', field: 0, value: { string: 'even' } },                      // ours, typed
            { op: 'eq', field: 0, value: 'even' },                                  // ours, shorthand
            { op: 'and', exprs: [{ op: 'eq', fieldId: 0, value: 'even' }] },       // TS SDK
        ];
        for (const filter of forms) {
            const hits = db.query(q, 10, { filter });
            expect(hits).toHaveLength(10);
            expect(evenIds(hits)).toBe(true);
        }
        const ranged = db.query(q, 40, { filter: { op: 'range', fieldId: 1, valueType: 'u64', low: '10', high: '20' } });
        expect(ranged.map((h) => h.id).sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, i) => i + 10));
        const big = db.query(q, 40, { filter: { op: 'ge', field: 1, value: 35n } }); // bigint literal
        expect(big.map((h) => h.id).sort((a, b) => a - b)).toEqual([35, 36, 37, 38, 39, 40]);
        const notEven = db.query(q, 40, { filter: { op: 'not', child: { op: 'eq', field: 0, value: 'even' } } });
        expect(notEven.every((h) => h.id % 2 === 1)).toBe(true);

        expect(db.deleteByFilter({ op: 'eq', fieldId: 0, valueType: 'string', value: 'odd' })).toMatchObject({ deleted: 20 });
        expect(db.status().totalVectors).toBe(20);
        expect(evenIds(db.query(q, 20))).toBe(true);

        expectRvfError(() => db.query(q, 3, { filter: '{"op":"eq"' }), 'FilterParseError');
        expectRvfError(() => db.query(q, 3, { filter: { op: 'near', field: 0, value: 1 } }), 'FilterParseError');
        expectRvfError(() => db.query(q, 3, { filter: { op: 'eq', fieldId: 0, valueType: 'u64', value: 'abc' } }), 'FilterParseError');
        expect(db.query(q, 3, { filter: { op: 'eq', field: 77, value: 1 } })).toEqual([]); // no row has field 77: no match
        expect(db.deleteByFilter({ op: 'lt', field: 77, value: 5 })).toMatchObject({ deleted: 0 });
        expectRvfError(() => db.deleteByFilter(42), 'InvalidArgument');
        db.close();
    });

    it('metadata: per-id records, upstream flat list split evenly, typed values, persisted across reopen', () => {
        const file = fresh();
        const db = RvfDatabase.create(file, { dimension: 2 });
        const bytes = new Uint8Array([1, 2, 255]);
        db.insertBatch([1, 2], new Float32Array([0, 0, 1, 1]), [
            { 0: 5, 1: -5, 2: 1.5, 3: 'txt', 4: true, 5: bytes, 6: 2n ** 63n },
            { 0: { i64: 5 }, 1: { f64: 3 }, 2: { u64: '18446744073709551615' } },
        ]);
        // Upstream's form: 4 entries over 2 ids → 2 per id, consecutive.
        db.ingestBatch(new Float32Array([2, 2, 3, 3]), [3, 4], [
            { fieldId: 0, valueType: 'u64', value: '30' }, { fieldId: 3, valueType: 'string', value: 'three' },
            { fieldId: 0, valueType: 'u64', value: '40' }, { fieldId: 3, valueType: 'string', value: 'four' },
        ]);
        const expected1 = { 0: { u64: 5n }, 1: { i64: -5n }, 2: { f64: 1.5 }, 3: { string: 'txt' }, 4: { bool: true },
                            5: { bytes }, 6: { u64: 2n ** 63n } };
        const expected2 = { 0: { i64: 5n }, 1: { f64: 3 }, 2: { u64: 2n ** 64n - 1n } };
        expect(db.metadata(1)).toEqual(expected1);
        expect(db.metadata(2)).toEqual(expected2);
        expect(db.metadata(4)).toEqual({ 0: { u64: 40n }, 3: { string: 'four' } });
        db.close();

        const again = RvfDatabase.open(file);
        expect(again.metadata(1)).toEqual(expected1);
        expect(again.metadata(2)).toEqual(expected2);
        expect(again.metadata(3)).toEqual({ 0: { u64: 30n }, 3: { string: 'three' } });
        const hits = again.query(new Float32Array([0, 0]), 4, { filter: { op: 'eq', fieldId: 3, valueType: 'string', value: 'four' } });
        expect(hits.map((h) => h.id)).toEqual([4]);
        // A u64 value 5 and an i64 value 5 are different variants (spec §5.1: no widening).
        expect(again.query(new Float32Array([0, 0]), 4, { filter: { op: 'eq', field: 0, value: 5 } }).map((h) => h.id)).toEqual([1]);

        expectRvfError(() => again.insertBatch([9], new Float32Array([0, 0]), [{ x: 1 }]), 'InvalidArgument');
        expectRvfError(() => again.insertBatch([9], new Float32Array([0, 0]), [{ 1: { u64: -1 } }]), 'InvalidArgument');
        expectRvfError(() => again.insertBatch([9], new Float32Array([0, 0]), [{ 1: { date: 1 } }]), 'InvalidArgument');
        expectRvfError(() => again.insertBatch([9], new Float32Array([0, 0]), [{}, {}]), 'InvalidArgument');
        expectRvfError(() => again.ingestBatch(new Float32Array([0, 0, 1, 1]), [9, 10],
                                               [{ fieldId: 0, valueType: 'u64', value: '1' }, { fieldId: 0, valueType: 'u64', value: '2' },
                                                { fieldId: 0, valueType: 'u64', value: '3' }]), 'InvalidArgument');
        expectRvfError(() => again.ingestBatch(new Float32Array([0, 0]), [9], [{ fieldId: 0, valueType: 'int', value: '1' }]), 'InvalidArgument');
        expect(again.status().totalVectors).toBe(4); // nothing of the failed calls was written
        again.close();
    });

    it('persists across reopen; readonly handles refuse writes; freeze', () => {
        const { file, db, rows, ids } = smallStore();
        db.ingestBatch(rows, ids);
        const q = randoms(8, 3);
        const before = db.query(q, 5);
        const epoch = db.status().currentEpoch;
        db.close();

        const ro = RvfDatabase.openReadonly(file);
        expect(ro.query(q, 5)).toEqual(before);
        expect(ro.status()).toMatchObject({ readOnly: true, totalVectors: 40, currentEpoch: epoch });
        expectRvfError(() => ro.delete([1]), 'ReadOnly');
        ro.close();

        const rw = RvfDatabase.open(file);
        expect(rw.verifyWitness()).toMatchObject({ valid: true }); // upstream: false after every reopen
        expect(rw.verifyWitness().entries).toBeGreaterThan(0);
        expect(rw.verify()).toMatchObject({ ok: true, problems: [] });
        expect(rw.freeze()).toBe(epoch + 1); // the freezing commit (a checkpoint with the frozen marker)
        expect(rw.status().readOnly).toBe(true);
        expectRvfError(() => rw.insert(1000, randoms(8, 1)), 'ReadOnly');
        expect(rw.query(q, 5)).toEqual(before);
        rw.close();
        expectRvfError(() => RvfDatabase.open(file), 'SnapshotFrozen'); // persisted, not per handle
    });

    it('errors carry the status code: dimension, NaN query, k, lock, missing, corrupt and truncated files, closed', () => {
        const { file, db, rows, ids } = smallStore();
        db.ingestBatch(rows, ids);
        expectRvfError(() => db.query(new Float32Array(7), 1), 'DimensionMismatch');
        expectRvfError(() => db.ingestBatch(new Float32Array(7), [100]), 'DimensionMismatch');
        expectRvfError(() => db.query(new Float32Array(8).fill(NaN), 1), 'InvalidArgument');
        expectRvfError(() => db.query(new Float32Array(8), -1), 'InvalidArgument');
        expectRvfError(() => db.query(new Float32Array(8), 1e9), 'KTooLarge');
        expectRvfError(() => db.query('not floats', 1), 'InvalidArgument');
        const lock = expectRvfError(() => RvfDatabase.open(file), 'LockHeld');
        expect(lock.message).toMatch(/^RVF error 0x0300: LockHeld/);
        expectRvfError(() => RvfDatabase.create(file, { dimension: 8 }), 'LockHeld');
        expectRvfError(() => RvfDatabase.open(path.join(work, 'missing.rvf')), 'ManifestNotFound');
        expectRvfError(() => RvfDatabase.create(fresh(), { dimension: 0 }), 'InvalidManifest');
        expectRvfError(() => RvfDatabase.create(fresh(), { dimension: 4, metric: 'manhattan' }), 'MetricUnsupported');
        expectRvfError(() => RvfDatabase.create(fresh(), { dimension: 4, compression: 'product' }), 'InvalidOptions');
        expectRvfError(() => RvfDatabase.create(fresh(), { dimension: 4, signing: true }), 'InvalidOptions');
        expectRvfError(() => RvfDatabase.create(fresh(), {}), 'InvalidOptions');
        expectRvfError(() => db.derive(fresh(), { type: 'fork' }), 'InvalidOptions');
        expectRvfError(() => db.branch(fresh()), 'InvalidArgument');
        const vec = db.segments().find((s) => s.segType === 'vec');
        db.close();

        const bytes = readFileSync(file);
        const flipped = fresh();
        const bad = Buffer.from(bytes);
        bad[vec.offset + 64 + 100] ^= 0x40; // one bit inside the committed VEC payload
        writeFileSync(flipped, bad);
        expectRvfError(() => RvfDatabase.openReadonly(flipped), 'InvalidChecksum');
        expectRvfError(() => RvfDatabase.open(flipped), 'InvalidChecksum');
        const cut = fresh();
        writeFileSync(cut, bytes);
        truncateSync(cut, 100); // inside the first segment: no manifest survives
        const truncated = expectRvfError(() => RvfDatabase.openReadonly(cut), 'TruncatedSegment');
        expect(truncated.code >> 8).toBe(0x01); // a format error
        const garbage = fresh();
        writeFileSync(garbage, Buffer.alloc(4096, 7));
        expectRvfError(() => RvfDatabase.openReadonly(garbage), 'InvalidMagic');

        expectRvfError(() => db.query(new Float32Array(8), 1), 'StoreClosed');
        expectRvfError(() => db.status(), 'StoreClosed');
        expect(expectRvfError(() => db.close(), 'StoreClosed').message).toMatch(/already closed/);
        expect(() => new RvfDatabase()).toThrow(TypeError);
    });

    it('Float32Array input is read in place: subarray views, shared memory', () => {
        const db = RvfDatabase.create(fresh(), { dimension: 4 });
        const backing = new Float32Array(4 * 6).map((_, i) => i);
        const view = backing.subarray(4, 16); // byteOffset 16: rows 1..3 of the backing store
        db.ingestBatch(view, [1, 2, 3]);
        expect(Array.from(db.vector(2))).toEqual([8, 9, 10, 11]);
        const shared = new Float32Array(new SharedArrayBuffer(16));
        shared.set([8, 9, 10, 11.5]);
        expect(db.query(shared, 1)).toEqual([{ id: 2, distance: 0.25 }]);
        expect(db.query(Array.from(shared), 1)[0].id).toBe(2); // plain arrays are accepted (copied)
        db.close();
    });

    it('idsAfter pages every live id in ascending order; k = 0 answers []', () => {
        const db = RvfDatabase.create(fresh(), { dimension: 2 });
        const huge = 2n ** 64n - 1n;
        // 2,500 shuffled ids (seeded) plus the extremes, some deleted.
        const r = randoms(2500, 21);
        const ids = [...new Set(Array.from(r, (x) => Math.floor((x + 1) * 1e6)))];
        db.ingestBatch(randoms(ids.length * 2, 22), ids);
        db.insertBatch([huge, 0], new Float32Array([1, 1, 2, 2]));
        db.delete(ids.slice(0, 100));
        const want = [0, ...ids.slice(100).sort((a, b) => a - b), huge];
        for (const limit of [1, 333, 100000]) {
            const got = [];
            for (let after = null, page; (page = db.idsAfter(after, limit)).length > 0; after = page[page.length - 1]) {
                expect(page.length).toBeLessThanOrEqual(limit);
                got.push(...page);
            }
            expect(got).toEqual(want);
        }
        expect(db.idsAfter(huge, 10)).toEqual([]);
        expect(db.idsAfter(null, 0)).toEqual([]);
        expect(db.idsAfter(undefined, 2)).toEqual(want.slice(0, 2));
        expect(db.idsAfter(2n ** 53n, 5)).toEqual([huge]); // bigint cursor, bigint id back
        for (const bad of [-1, 1.5, '3', undefined])
            expectRvfError(() => db.idsAfter(null, bad), 'InvalidArgument');
        expectRvfError(() => db.idsAfter(-1, 3), 'InvalidArgument');
        expect(db.query(new Float32Array([0, 0]), 0)).toEqual([]); // upstream answers k = 0 with []
        expect(db.queryBatch([new Float32Array([0, 0])], 0)).toEqual([[]]);
        db.close();
        expectRvfError(() => db.idsAfter(null, 3), 'StoreClosed');
    });

    it('upsertBatch/upsert, updateMetadata, count, findIds (ids first) and refresh of a read-only handle', () => {
        const file = fresh();
        const db = RvfDatabase.create(file, { dimension: 2 });
        db.insertBatch([1, 2, 3], new Float32Array([1, 1, 2, 2, 3, 3]), [{ 1: 'a' }, { 1: 'b' }, null]);
        const ro = RvfDatabase.openReadonly(file);
        const epoch = db.status().currentEpoch;
        const up = db.upsertBatch([2, 4], new Float32Array([20, 20, 4, 4]), [{ 1: 'c' }, { 1: 'c' }]);
        expect([up.accepted, up.rejected, up.epoch]).toEqual([2, 0, epoch + 1]);
        expect(Array.from(db.vector(2))).toEqual([20, 20]);
        db.upsert(1, new Float32Array([10, 10])); // replaced without metadata: its record goes
        expect(db.metadata(1)).toBeNull();
        expectRvfError(() => db.upsert(5, new Float32Array([NaN, 0])), 'InvalidArgument');
        const upd = db.updateMetadata([3, 9], [{ 1: 'c' }, { 1: 'x' }]);
        expect([upd.accepted, upd.rejected]).toEqual([1, 1]);
        expect(upd.rejections[0].code).toBe(RvfStatus.KeyNotFound);
        expect(db.metadata(3)).toEqual({ 1: { string: 'c' } });
        const c = { op: 'eq', field: 1, value: { string: 'c' } };
        expect(db.count()).toBe(4);
        expect(db.count(c)).toBe(3);
        expect(db.count({ op: 'eq', field: 77, value: { u64: 1 } })).toBe(0);
        expect(db.findIds(c, null, 10)).toEqual([2, 3, 4]);
        expect(db.findIds(c, 2, 1)).toEqual([3]);
        expect(db.findIds(null, null, 2)).toEqual([1, 2]);
        expectRvfError(() => db.findIds(c, null, -1), 'InvalidArgument');
        expect(ro.count()).toBe(3);
        ro.refresh();
        expect(ro.count()).toBe(4);
        expect(ro.count(c)).toBe(3);
        expect(Array.from(ro.vector(1))).toEqual([10, 10]);
        expectRvfError(() => db.refresh(), 'InvalidArgument');
        db.close();
        ro.close();
    });

    it('bigint and u64 ids in and out', () => {
        const db = RvfDatabase.create(fresh(), { dimension: 2 });
        const huge = 2n ** 64n - 1n;
        const above = 2n ** 53n + 1n;
        db.insertBatch([huge, above, 5n, 6], new Float32Array([0, 0, 1, 1, 2, 2, 3, 3]));
        const hits = db.query(new Float32Array([0, 0]), 4);
        expect(hits.map((h) => h.id)).toEqual([huge, above, 5, 6]); // safe integers as numbers
        db.insertBatch(new BigUint64Array([7n, 8n]), new Float32Array([4, 4, 5, 5]));
        expect(db.delete(new BigUint64Array([huge, 7n]))).toMatchObject({ deleted: 2 });
        expect(db.delete([above])).toMatchObject({ deleted: 1 });
        expect(db.status().totalVectors).toBe(3);
        expect(db.vector(huge)).toBeNull();
        for (const bad of [-1, 1.5, 2 ** 53, -1n, 2n ** 64n, '7', null])
            expectRvfError(() => db.insertBatch([bad], new Float32Array([0, 0])), 'InvalidArgument');
        db.close();
    });

    it('async variants resolve on the thread pool and share the handle safely', async () => {
        const file = fresh();
        const db = await RvfDatabase.createAsync(file, { dimension: 16, index: 'auto' });
        const n = 1500;
        const rows = randoms(n * 16, 21);
        const ids = Array.from({ length: n }, (_, i) => i);
        const r = await db.ingestBatchAsync(rows, ids);
        expect(r).toMatchObject({ accepted: n, rejected: 0 });
        const qs = randoms(16 * 8, 77);
        // Many queries in flight at once (shared lock), one write queued among them (exclusive).
        const pending = [];
        for (let i = 0; i < 8; i++)
            pending.push(db.queryAsync(qs.subarray(i * 16, i * 16 + 16), 5, { efSearch: 200 }));
        pending.push(db.ingestBatchAsync(randoms(16, 5), [n]));
        const results = await Promise.all(pending);
        expect(results[8]).toMatchObject({ accepted: 1 });
        const batch = await db.queryBatchAsync(qs, 5, { efSearch: 200 });
        expect(batch).toHaveLength(8);
        const syncBatch = db.queryBatch(Array.from({ length: 8 }, (_, i) => qs.subarray(i * 16, i * 16 + 16)), 5, { efSearch: 200 });
        expect(syncBatch).toEqual(batch);
        for (let i = 0; i < 8; i++)
            expect(results[i].map((h) => h.id)).toEqual(db.query(qs.subarray(i * 16, i * 16 + 16), 5, { efSearch: 200 }).map((h) => h.id));
        // Recall against the exact scan: the HNSW index answered (≥ 1024 vectors).
        expect(db.status().indexedVectors).toBeGreaterThan(0);
        const exact = await db.queryBatchAsync(qs, 5, { exact: true });
        const found = batch.reduce((acc, hits, i) => acc + hits.filter((h) => exact[i].some((e) => e.id === h.id)).length, 0);
        expect(found / 40).toBeGreaterThanOrEqual(0.9);

        await db.buildIndexAsync();
        expect(db.indexStats()).toMatchObject({ layers: 3 });
        await db.ingestBatchAsync(randoms(16, 6), [n + 1]);
        expect(db.delete([0, 1, 2])).toMatchObject({ deleted: 3 });
        const c = await db.compactAsync({ ioBytesPerSecond: 64 * 1024 * 1024 });
        expect(c).toMatchObject({ complete: true });
        expect(await db.compactAsync({ ioBudgetBytes: 64 })).toMatchObject({ complete: false });
        expect(db.status()).toMatchObject({ totalVectors: n - 1, deletedVectors: 0 });

        await expectRejects(db.queryAsync(new Float32Array(3), 1), 'DimensionMismatch');
        await expectRejects(db.queryBatchAsync([new Float32Array(16), new Float32Array(2)], 1), 'DimensionMismatch');
        await expectRejects(RvfDatabase.openAsync(file), 'LockHeld');
        await expectRejects(RvfDatabase.openAsync(path.join(work, 'nope.rvf')), 'ManifestNotFound');
        db.close();
        await expectRejects(db.compactAsync(), 'StoreClosed');
        const ro = await RvfDatabase.openReadonlyAsync(file);
        expect(ro.status()).toMatchObject({ totalVectors: n - 1, readOnly: true });
        await expectRejects(ro.ingestBatchAsync(randoms(16, 7), [99999]), 'ReadOnly');
        ro.close();
        const again = await RvfDatabase.openAsync(file);
        expect(again.status().totalVectors).toBe(n - 1);
        again.close();
    }, 120000);

    it('a file written by the addon opens in @ruvector/rvf-wasm, and the reverse', async () => {
        const { stagePackage } = await import('../../npm/rvf-wasm/scripts/build.mjs');
        const pkgDir = path.join(work, 'node_modules/@ruvector/rvf-wasm');
        await stagePackage(pkgDir);
        const consumer = path.join(work, 'consumer.mjs');
        writeFileSync(consumer, "export * from '@ruvector/rvf-wasm';\n");
        const { RvfStore } = await import(pathToFileURL(consumer).href);

        const { file, db, rows, ids, meta } = smallStore({ metric: 'cosine' });
        db.ingestBatch(rows, ids, meta);
        db.delete([3]);
        const q = randoms(8, 8);
        const filter = { op: 'eq', field: 0, value: 'odd' };
        const native = db.query(q, 5, { filter });
        db.close();
        const w = await RvfStore.fromBytes(readFileSync(file));
        expectSameHits(w.query(q, 5, { filter }), native);
        expect(w.metadata(5)).toEqual({ 0: { string: 'odd' }, 1: { u64: 5n } });
        w.ingestBatch([1000], randoms(8, 9), [{ 0: 'wasm' }]);
        const back = fresh();
        writeFileSync(back, w.toBytes());
        const wasmAnswer = w.query(q, 6);
        w.close();
        const n2 = RvfDatabase.open(back);
        expectSameHits(n2.query(q, 6), wasmAnswer);
        expect(n2.metadata(1000)).toEqual({ 0: { string: 'wasm' } });
        expect(n2.status().totalVectors).toBe(40);
        n2.close();
    }, 60000);

    it.skipIf(!upstream)('a Layout R export opens in upstream @ruvector/rvf-node with the same answers', () => {
        const { db, rows, ids } = smallStore();
        db.ingestBatch(rows, ids);
        db.delete([7, 8]);
        const exported = fresh();
        writeFileSync(exported, db.exportLayoutR());
        const theirs = upstream.openReadonly(exported);
        expect(theirs.status().totalVectors).toBe(38);
        for (let i = 0; i < 3; i++) {
            const q = randoms(8, 40 + i);
            const ours = db.query(q, 10, { exact: true });
            const up = theirs.query(q, 10, { efSearch: 100 });
            expect(up.map((h) => h.id)).toEqual(ours.map((h) => h.id));
            up.forEach((h, j) => expect(h.distance).toBeCloseTo(ours[j].distance, 4));
        }
        theirs.close();
        db.close();
        // And our addon reads upstream's file back (Layout R).
        const mine = RvfDatabase.openReadonly(exported);
        expect(mine.status()).toMatchObject({ layout: 'R', totalVectors: 38 });
        mine.close();
    });
});

describe.skipIf(!addonPath)('@ruvector/rvf-node loader', () => {
    it('loads the addon through the package (RVF_NODE_ADDON, else the in-repo build)', async () => {
        const prev = process.env.RVF_NODE_ADDON;
        process.env.RVF_NODE_ADDON = addonPath;
        try {
            const pkg = await import('@ruvector/rvf-node');
            expect(pkg.addonPath).toBe(path.resolve(addonPath));
            expect(pkg.RvfDatabase).toBe(RvfDatabase); // the same module instance
            expect(pkg.platformTriple()).toMatch(/^(linux|darwin|win32)-/);
            const db = pkg.RvfDatabase.create(fresh(), { dimension: 2 });
            try {
                db.query(new Float32Array(3), 1);
            } catch (e) {
                expect(pkg.isRvfError(e)).toBe(true);
            }
            expect(pkg.isRvfError(new Error('x'))).toBe(false);
            db.close();
        } finally {
            if (prev === undefined)
                delete process.env.RVF_NODE_ADDON;
            else
                process.env.RVF_NODE_ADDON = prev;
        }
    });

    it('names the missing file or platform package', () => {
        const run = (env) => {
            try {
                execFileSync(process.execPath, ['-e', "require('@ruvector/rvf-node')"], { cwd: repoRoot, env: { ...process.env, ...env }, stdio: 'pipe' });
                return '';
            } catch (e) {
                return e.stderr.toString();
            }
        };
        expect(run({ RVF_NODE_ADDON: path.join(work, 'none.node') })).toMatch(/RVF_NODE_ADDON=.*none\.node does not exist/);
    });
});
