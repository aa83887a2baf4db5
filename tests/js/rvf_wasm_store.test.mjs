// @ruvector/rvf-wasm on Node: the package as published (package.json "files" staged with a fresh
// dist/ by npm/rvf-wasm/scripts/build.mjs, imported by name through its "exports"), driving the
// Emscripten build of the C++ RvfStore. CRUD, filters, metadata, persistence through bytes, every
// error path as RvfError, upstream's fixtures answered as recorded, and files crossing between
// the wasm store and the native `rvf` tool in both directions.
// Needs the wasm-release preset (or RVF_WASM_DIST), native-debug/-release for the `rvf` tool and
// the microkernel preset for the ./microkernel.wasm export.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';
import { rvfTool } from './helpers/artifacts.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const upstreamDir = path.join(repoRoot, 'tests/data/upstream');
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-wasm-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const pkgDir = path.join(work, 'node_modules/@ruvector/rvf-wasm');
const staged = await stagePackage(pkgDir);
const consumer = path.join(work, 'consumer.mjs');
writeFileSync(consumer, "export * from '@ruvector/rvf-wasm';\n");
const { RvfStore, RvfError, RvfStatus, init, version } = await import(pathToFileURL(consumer).href);

// --- helpers -------------------------------------------------------------------------------------

/** mulberry32 + Box–Muller: N(0,1) floats, reproducible from a seed. */
function gaussian(count, seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++)
        out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return out;
}

const row = (rows, dim, i) => rows.subarray(i * dim, (i + 1) * dim);

function distance(metric, a, b) {
    let dot = 0, na = 0, nb = 0, l2 = 0;
    for (let i = 0; i < a.length; i++) {
        dot += a[i] * b[i];
        na += a[i] * a[i];
        nb += b[i] * b[i];
        l2 += (a[i] - b[i]) ** 2;
    }
    if (metric === 'l2') return l2;
    if (metric === 'ip') return -dot;
    return 1 - dot / Math.sqrt(na * nb);
}

/** Exact top-k by brute force over {id → vector}, ties by id. */
function bruteForce(metric, live, q, k) {
    return [...live]
        .map(([id, v]) => ({ id, distance: distance(metric, v, q) }))
        .sort((x, y) => x.distance - y.distance || x.id - y.id)
        .slice(0, k);
}

function expectClose(actual, expected, rel = 1e-5) {
    expect(actual.map((r) => r.id)).toEqual(expected.map((r) => r.id));
    for (let i = 0; i < expected.length; i++)
        expect(Math.abs(actual[i].distance - expected[i].distance))
            .toBeLessThanOrEqual(rel * Math.max(1, Math.abs(expected[i].distance)));
}

/** fn() must throw an RvfError with this status name (code from the generated table). */
function expectRvfError(fn, name, pattern) {
    let err;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    expect(err, `expected RvfError ${name}`).toBeInstanceOf(RvfError);
    expect(err.name).toBe(name);
    expect(err.code).toBe(RvfStatus[name]);
    expect(err.message).toMatch(new RegExp(`^RVF error 0x${RvfStatus[name].toString(16).toUpperCase().padStart(4, '0')}: ${name}`));
    if (pattern)
        expect(err.message).toMatch(pattern);
    return err;
}

async function expectRejects(promise, name) {
    const err = await promise.then(() => null, (e) => e);
    expect(err).toBeInstanceOf(RvfError);
    expect([err.name, err.code]).toEqual([name, RvfStatus[name]]);
    return err;
}

async function smallStore({ n = 200, seed = 1, ...options } = {}) {
    const dim = options.dimensions ?? 16;
    const store = await RvfStore.create({ dimensions: dim, ...options });
    const rows = gaussian(n * dim, seed);
    const ids = Array.from({ length: n }, (_, i) => i * 10);
    return { store, dim, rows, ids };
}

// --- the package ---------------------------------------------------------------------------------

describe('@ruvector/rvf-wasm package', () => {
    it('stages its dist/ from the build and loads by name in Node without fetch', async () => {
        expect(staged).toEqual(expect.arrayContaining(['rvf_core.mjs', 'rvf_core.wasm', 'status.js', 'status.d.ts']));
        expect(await version()).toMatch(/^\d+\.\d+\.\d+$/);
        expect(typeof RvfStore.create).toBe('function');
    });

    it('ships the status table generated from the runtime\'s list (no hand-typed codes)', async () => {
        const core = await init();
        const table = core.statusTable();
        expect(Object.entries(RvfStatus).map(([name, code]) => ({ code, name }))).toEqual(table);
        expect(RvfStatus.DimensionMismatch).toBe(0x0200);
        expect(Object.isFrozen(RvfStatus)).toBe(true);
        expect(readFileSync(path.join(pkgDir, 'dist/status.d.ts'), 'utf8')).toContain('InvalidChecksum: 0x0102;');
    });

    it('exports the microkernel as ./microkernel.wasm (zero imports, the rvf_* exports)', async () => {
        const require = createRequire(consumer);
        const p = require.resolve('@ruvector/rvf-wasm/microkernel.wasm');
        expect(existsSync(p), `${p} missing: build the microkernel preset (cmake --preset microkernel && cmake --build --preset microkernel)`).toBe(true);
        const mod = await WebAssembly.compile(readFileSync(p));
        expect(WebAssembly.Module.imports(mod)).toEqual([]);
        const names = WebAssembly.Module.exports(mod).map((e) => e.name);
        expect(names).toContain('rvf_init');
        expect(names.filter((n) => n.startsWith('rvf_')).length).toBe(14);
        expect(require.resolve('@ruvector/rvf-wasm/microkernel-simd.wasm')).toMatch(/rvf_microkernel_simd\.wasm$/);
    });

    it('loads over HTTP as in a browser: streaming with application/wasm, bytes otherwise, 404 rejects and may be retried', async () => {
        const wasm = readFileSync(path.join(pkgDir, 'dist/rvf_core.wasm'));
        const served = [];
        const server = createServer((req, res) => {
            served.push(req.url);
            if (req.url === '/missing.wasm') {
                res.writeHead(404).end();
                return;
            }
            res.writeHead(200, { 'Content-Type': req.url === '/typed.wasm' ? 'application/wasm' : 'application/octet-stream' }).end(wasm);
        });
        await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
        const base = `http://127.0.0.1:${server.address().port}`;
        try {
            // Fresh module instances of the same package (init() loads once per instance).
            const fresh = (tag) => import(`${pathToFileURL(path.join(pkgDir, 'src/index.js')).href}?${tag}`);
            for (const file of ['typed.wasm', 'untyped.wasm']) {
                const m = await fresh(file);
                await m.init({ url: `${base}/${file}` });
                const s = await m.RvfStore.create({ dimensions: 2 });
                s.ingestBatch([4], [1, 2]);
                expect(s.query([1, 2], 1)).toEqual([{ id: 4, distance: 0 }]);
                s.close();
            }
            const m = await fresh('missing');
            await expect(m.init({ url: new URL(`${base}/missing.wasm`) })).rejects.toThrow(/HTTP 404/);
            await m.init({ url: `${base}/typed.wasm` }); // a failed load is not cached
            expect(served).toEqual(['/typed.wasm', '/untyped.wasm', '/missing.wasm', '/typed.wasm']);
        } finally {
            server.close();
        }
    });

    it('cannot be constructed directly', () => {
        expect(() => new RvfStore()).toThrow(TypeError);
    });
});

// --- CRUD ----------------------------------------------------------------------------------------

describe('RvfStore CRUD', () => {
    for (const metric of ['l2', 'cosine', 'ip']) {
        it(`answers exact top-k like brute force (${metric})`, async () => {
            const { store, dim, rows, ids } = await smallStore({ metric });
            const r = store.ingestBatch(ids, rows);
            expect(r).toMatchObject({ accepted: ids.length, rejected: 0, rejections: [] });
            const live = new Map(ids.map((id, i) => [id, row(rows, dim, i)]));
            const queries = gaussian(5 * dim, 99);
            for (let q = 0; q < 5; q++)
                expectClose(store.query(row(queries, dim, q), 7), bruteForce(metric, live, row(queries, dim, q), 7));
            expect(store.status()).toMatchObject({ totalVectors: ids.length, dimensions: dim, metric, storage: 'f32', layout: 'S' });
            store.close();
        });
    }

    it('accepts the metric spellings dotproduct / inner_product and hamming', async () => {
        for (const [metric, reported] of [['dotproduct', 'ip'], ['inner_product', 'ip'], ['hamming', 'hamming']]) {
            const s = await RvfStore.create({ dimensions: 8, metric });
            expect(s.status().metric).toBe(reported);
            s.free();
        }
    });

    it('deletes, skips deleted ids, re-accepts a deleted id, compacts without changing answers', async () => {
        const { store, dim, rows, ids } = await smallStore();
        store.ingestBatch(ids, rows);
        const live = new Map(ids.map((id, i) => [id, row(rows, dim, i)]));
        const q = gaussian(dim, 5);
        const top = store.query(q, 5);
        const gone = [top[0].id, top[2].id, 123456 /* unknown: ignored */];
        expect(store.delete(gone)).toMatchObject({ deleted: 2 });
        live.delete(gone[0]);
        live.delete(gone[1]);
        expectClose(store.query(q, 5), bruteForce('l2', live, q, 5));
        expect(store.status()).toMatchObject({ totalVectors: ids.length - 2, deletedVectors: 2 });
        expect(store.delete(gone).deleted).toBe(0);

        const before = store.query(q, 10);
        const size = store.status().fileSize;
        const c = store.compact();
        expect(c.complete).toBe(true);
        expect(c.bytesReclaimed).toBeGreaterThan(0);
        expect(store.status()).toMatchObject({ totalVectors: ids.length - 2, deletedVectors: 0 });
        expect(store.status().fileSize).toBeLessThan(size);
        expect(store.query(q, 10)).toEqual(before);
        expect(store.verify().ok).toBe(true);

        // A deleted id may be ingested again; an existing one is rejected per vector.
        const again = store.ingestBatch([gone[0], ids[1]], new Float32Array(2 * dim).fill(0.5));
        expect(again).toMatchObject({ accepted: 1, rejected: 1 });
        expect(again.rejections[0]).toMatchObject({ index: 1, id: ids[1], code: RvfStatus.InvalidArgument, name: 'InvalidArgument' });
        expect(again.rejections[0].message).toMatch(/already exists/);
        expect(store.vector(gone[0])).toEqual(new Float32Array(dim).fill(0.5));
        store.close();
    });

    it('compact with an io budget too small changes nothing', async () => {
        const { store, rows, ids } = await smallStore();
        store.ingestBatch(ids, rows);
        store.delete(ids.slice(0, 50));
        const bytes = store.toBytes();
        expect(store.compact({ ioBudgetBytes: 100 })).toMatchObject({ complete: false });
        expect(store.toBytes()).toEqual(bytes);
        store.close();
    });

    it('compact with ioBytesPerSecond writes the same image; unknown options are refused', async () => {
        const a = await smallStore();
        a.store.ingestBatch(a.ids, a.rows);
        a.store.delete(a.ids.slice(0, 50));
        const b = await RvfStore.fromBytes(a.store.toBytes());
        const plain = a.store.compact();
        // A rate far above the image size: the throttle runs without making the test wait.
        const slow = b.compact({ ioBytesPerSecond: 256 * 1024 * 1024 });
        expect(slow.complete).toBe(true);
        expect(slow.bytesWritten).toBe(plain.bytesWritten);
        expect(slow.bytesWritten).toBe(b.toBytes().length);
        const q = a.rows.subarray(0, a.dim);
        expect(b.query(q, 5)).toEqual(a.store.query(q, 5));
        expect(() => b.compact({ ioBytesPerSec: 1 })).toThrow(/unknown option 'ioBytesPerSec'/);
        expect(() => b.compact({ ioBytesPerSecond: -1 })).toThrow(/ioBytesPerSecond/);
        a.store.close();
        b.close();
    });

    it('takes ids as numbers, bigints or a BigUint64Array, and returns ids above 2^53 as bigint', async () => {
        const s = await RvfStore.create({ dimensions: 2 });
        const big = (1n << 63n) + 5n;
        s.ingestBatch(BigUint64Array.of(1n, big), new Float32Array([0, 0, 1, 1]));
        s.ingestBatch([2 ** 40, 7n], [2, 2, 3, 3]);
        expect(s.query([1, 1], 4).map((r) => r.id)).toEqual([big, 1, 2 ** 40, 7]);
        expect(s.vector(big)).toEqual(new Float32Array([1, 1]));
        expect(s.delete([big]).deleted).toBe(1);
        expect(s.query([1, 1], 1)[0].id).toBe(1);
        s.close();
    });

    it('idsAfter pages every live id in ascending order, across deletes and compaction', async () => {
        const s = await RvfStore.create({ dimensions: 2 });
        const huge = 2n ** 64n - 1n;
        // 2,000 distinct ids in a seeded shuffle, plus 0 and the largest u64.
        const ids = [...new Set(Array.from(gaussian(2000, 7), (x) => Math.floor(Math.abs(x) * 1e7)))];
        s.ingestBatch(ids, gaussian(ids.length * 2, 8));
        s.ingestBatch([huge, 0], [1, 1, 2, 2]);
        s.delete(ids.slice(0, 50));
        const want = [0, ...ids.slice(50).sort((a, b) => a - b), huge];
        const walk = (limit) => {
            const got = [];
            for (let after = null, page; (page = s.idsAfter(after, limit)).length > 0; after = page[page.length - 1]) {
                expect(page.length).toBeLessThanOrEqual(limit);
                got.push(...page);
            }
            return got;
        };
        expect(walk(1)).toEqual(want);
        expect(walk(500)).toEqual(want);
        s.compact();
        expect(walk(10 ** 9)).toEqual(want);
        expect(s.idsAfter(huge, 5)).toEqual([]);
        expect(s.idsAfter(null, 0)).toEqual([]);
        expect(s.idsAfter(2n ** 60n, 5)).toEqual([huge]);
        expectRvfError(() => s.idsAfter(null, -1), 'InvalidArgument', /limit/);
        expectRvfError(() => s.idsAfter(-5, 1), 'InvalidArgument', /after/);
        s.close();
        expectRvfError(() => s.idsAfter(null, 1), 'StoreClosed');
    });

    it('upsertBatch replaces live ids in one commit; updateMetadata, count and findIds', async () => {
        const s = await RvfStore.create({ dimensions: 2 });
        s.ingestBatch([1, 2, 3], [1, 1, 2, 2, 3, 3], [{ 1: 'a' }, { 1: 'b' }, null]);
        const epoch = s.status().currentEpoch;
        const up = s.upsertBatch([2, 4], [20, 20, 4, 4], [{ 1: 'c' }, { 1: 'c' }]);
        expect([up.accepted, up.rejected, up.epoch]).toEqual([2, 0, epoch + 1]);
        expect(Array.from(s.vector(2))).toEqual([20, 20]);
        expect(s.upsertBatch([1], [10, 10]).accepted).toBe(1);
        expect(s.metadata(1)).toBeNull(); // replaced without metadata: its record goes
        const upd = s.updateMetadata([3, 9], [{ 1: 'c' }, { 1: 'x' }]);
        expect([upd.accepted, upd.rejected, upd.rejections[0].id, upd.rejections[0].code]).toEqual([1, 1, 9, RvfStatus.KeyNotFound]);
        expect(s.metadata(3)).toEqual({ 1: { string: 'c' } });
        const c = { op: 'eq', field: 1, value: { string: 'c' } };
        expect(s.count()).toBe(4);
        expect(s.count(c)).toBe(3);
        expect(s.count({ op: 'eq', field: 77, value: { u64: 1 } })).toBe(0);
        expect(s.findIds(c, null, 10)).toEqual([2, 3, 4]);
        expect(s.findIds(c, 2, 1)).toEqual([3]);
        expect(s.findIds(null, null, 2)).toEqual([1, 2]);
        expectRvfError(() => s.findIds(c, null, -1), 'InvalidArgument', /limit/);
        expect(s.updateMetadata([3], [null]).accepted).toBe(1);
        expect(s.metadata(3)).toBeNull();
        const copy = await RvfStore.fromBytes(s.toBytes());
        expect(copy.count(c)).toBe(2);
        expect(Array.from(copy.vector(1))).toEqual([10, 10]);
        copy.close();
        s.close();
    });

    it('stores f16 and i8 rows (dequantised on read) and finds each stored vector first', async () => {
        for (const storage of ['f16', 'i8']) {
            const { store, dim, rows, ids } = await smallStore({ storage });
            store.ingestBatch(ids, rows);
            expect(store.status().storage).toBe(storage);
            const tol = storage === 'f16' ? 2e-3 : 0.05;
            for (const i of [0, 17, 199]) {
                const v = store.vector(ids[i]);
                for (let j = 0; j < dim; j++)
                    expect(Math.abs(v[j] - rows[i * dim + j])).toBeLessThan(tol * Math.max(1, Math.abs(rows[i * dim + j])) * 4);
                expect(store.query(row(rows, dim, i), 1)[0].id).toBe(ids[i]);
            }
            const round = await RvfStore.fromBytes(store.toBytes());
            expect(round.vector(ids[17])).toEqual(store.vector(ids[17]));
            round.close();
            store.close();
        }
    });

    it('returns every live vector for k = the live count once the HNSW index answers (duplicate-heavy rows)', async () => {
        // Issue 14: on 2,000 rows with near-duplicates, query(q, 2000) returned 1,802 (HNSW rows
        // that no link led to). Seeded groups of exact copies, some larger than a neighbour list.
        const dim = 8, n = 2000, sizes = [1, 2, 40, 5, 1, 12, 3, 60, 1, 7];
        const centres = gaussian(n * dim, 14);
        const rows = new Float32Array(n * dim), group = [];
        for (let i = 0, g = 0; i < n; g++)
            for (let c = 0; c < sizes[g % sizes.length] && i < n; c++, i++) {
                rows.set(row(centres, dim, g), i * dim);
                group.push(g);
            }
        const store = await RvfStore.create({ dimensions: dim });
        const ids = Array.from({ length: n }, (_, i) => i);
        store.ingestBatch(ids, rows);
        const distinct = (hits) => new Set(hits.map((h) => h.id)).size;
        for (const [k, efSearch] of [[n, 100], [n, 5000], [100000, 5000]])
            expect(distinct(store.query(row(rows, dim, 0), k, { efSearch }))).toBe(n);
        // 2,000 live rows (≥ 1,024): from the first query on, the HNSW index answers every k below
        // the live count, so these go through the graph.
        const groupSize = new Map();
        for (const g of group) groupSize.set(g, (groupSize.get(g) ?? 0) + 1);
        for (let i = 0; i < n; i++) {
            const hits = store.query(row(rows, dim, i), groupSize.get(group[i]));
            expect(hits[0].distance).toBe(0);
            expect(hits.some((h) => h.id === i), `row ${i}`).toBe(true);
        }
        store.delete(ids.filter((id) => id % 3 === 0));
        expect(distinct(store.query(row(rows, dim, 1), n - 667))).toBe(n - 667);
        store.close();
    });

    it('close() is idempotent, free() is close(), and a closed store throws StoreClosed', async () => {
        const { store } = await smallStore();
        expect(store.closed).toBe(false);
        store.close();
        store.close();
        store.free();
        expect(store.closed).toBe(true);
        for (const call of [() => store.toBytes(), () => store.query(new Float32Array(16), 1), () => store.status(),
                            () => store.ingestBatch([1], new Float32Array(16)), () => store.delete([1]), () => store.verify()])
            expectRvfError(call, 'StoreClosed');
    });
});

// --- metadata and filters ------------------------------------------------------------------------

describe('metadata and filters', () => {
    it('round-trips every metadata type, typed and shorthand, through toBytes/fromBytes', async () => {
        const s = await RvfStore.create({ dimensions: 2 });
        const bytes = new Uint8Array([0, 1, 254, 255]);
        const meta = [
            { 0: 'cat', 1: 5, 2: -3, 3: 2.5, 4: true, 5: bytes, 6: 2n ** 64n - 1n, 7: -(2n ** 63n) },
            { 0: { string: 'dog' }, 1: { u64: '18446744073709551615' }, 2: { i64: 7 }, 3: { f64: 4 }, 4: { bool: false }, 5: { bytes: new Uint8Array(0) } },
            null,
            { 65535: { f64: NaN } },
        ];
        s.ingestBatch([1, 2, 3, 4], new Float32Array(8), meta);
        const expected1 = {
            0: { string: 'cat' }, 1: { u64: 5n }, 2: { i64: -3n }, 3: { f64: 2.5 }, 4: { bool: true }, 5: { bytes },
            6: { u64: 2n ** 64n - 1n }, 7: { i64: -(2n ** 63n) },
        };
        const expected2 = {
            0: { string: 'dog' }, 1: { u64: 2n ** 64n - 1n }, 2: { i64: 7n }, 3: { f64: 4 }, 4: { bool: false }, 5: { bytes: new Uint8Array(0) },
        };
        const check = (store) => {
            expect(store.metadata(1)).toEqual(expected1);
            expect(store.metadata(2)).toEqual(expected2);
            expect(store.metadata(3)).toBeNull();
            expect(Number.isNaN(store.metadata(4)[65535].f64)).toBe(true);
            expect(store.metadata(99)).toBeNull();
        };
        check(s);
        const t = await RvfStore.fromBytes(s.toBytes());
        check(t);
        // What metadata() returns is accepted back unchanged.
        t.ingestBatch([10], new Float32Array(2), [t.metadata(1)]);
        expect(t.metadata(10)).toEqual(expected1);
        t.delete([1]);
        expect(t.metadata(1)).toBeNull();
        s.close();
        t.close();
    });

    it('rejects metadata it cannot type, naming the place', async () => {
        const s = await RvfStore.create({ dimensions: 1 });
        const v = new Float32Array(1);
        expectRvfError(() => s.ingestBatch([1], v, [{ x: 1 }]), 'InvalidArgument', /metadata\[0\]\["x"\].*field ids/);
        expectRvfError(() => s.ingestBatch([1], v, [{ 70000: 1 }]), 'InvalidArgument', /field ids/);
        expectRvfError(() => s.ingestBatch([1], v, [{ 0: { u64: -1 } }]), 'InvalidArgument', /u64/);
        expectRvfError(() => s.ingestBatch([1], v, [{ 0: { date: 1 } }]), 'InvalidArgument', /unknown value type 'date'/);
        expectRvfError(() => s.ingestBatch([1], v, [{ 0: [1, 2] }]), 'InvalidArgument', /unsupported metadata value/);
        expectRvfError(() => s.ingestBatch([1], v, [{ 0: 1e30 }]), 'InvalidArgument', /range/);
        expectRvfError(() => s.ingestBatch([1, 2], new Float32Array(2), [{}]), 'InvalidArgument', /1 entries for 2 ids/);
        expect(s.status().totalVectors).toBe(0); // nothing committed by a rejected call
        s.close();
    });

    it('filters like a JS evaluation of the same predicate (eq, ne, range, in, and, or, not)', async () => {
        const dim = 8, n = 300;
        const s = await RvfStore.create({ dimensions: dim });
        const rows = gaussian(n * dim, 3);
        const kinds = ['news', 'blog', 'paper'];
        const metaOf = (i) => (i % 10 === 9 ? null : { 1: kinds[i % 3], 2: 2000 + (i % 25), 3: (i % 7) - 3, 4: i % 2 === 0 });
        const ids = Array.from({ length: n }, (_, i) => i);
        s.ingestBatch(ids, rows, ids.map(metaOf));
        const q = gaussian(dim, 77);
        const live = new Map(ids.map((i) => [i, row(rows, dim, i)]));
        const cases = [
            [{ op: 'eq', field: 1, value: 'paper' }, (m) => m?.[1] === 'paper'],
            [{ op: 'ne', field: 1, value: 'paper' }, (m) => m?.[1] !== 'paper'], // missing field ⇒ true
            [{ op: 'range', field: 2, low: 2010, high: 2015 }, (m) => m && m[2] >= 2010 && m[2] < 2015],
            [{ op: 'in', field: 1, values: ['news', 'blog'] }, (m) => m && m[1] !== 'paper'],
            [{ op: 'lt', field: 3, value: { i64: -1 } }, (m) => m && m[3] < -1],
            [{ op: 'ge', field: 3, value: -1n }, (m) => m && m[3] >= -1 && m[3] < 0], // -1n is i64: u64 values never compare
            [{ op: 'eq', field: 4, value: true }, (m) => m?.[4] === true],
            [{ op: 'and', children: [{ op: 'eq', field: 1, value: 'paper' }, { op: 'range', field: 2, low: { u64: 2010n }, high: { u64: '2015' } }] },
             (m) => m && m[1] === 'paper' && m[2] >= 2010 && m[2] < 2015],
            [{ op: 'or', children: [{ op: 'eq', field: 1, value: 'news' }, { op: 'gt', field: 2, value: 2020 }] },
             (m) => m && (m[1] === 'news' || m[2] > 2020)],
            [{ op: 'not', child: { op: 'eq', field: 1, value: 'blog' } }, (m) => m?.[1] !== 'blog'],
            // upstream N-API spelling (spec §9.1) as JSON text
            ['{"op":"eq","fieldId":1,"valueType":"string","value":"blog"}', (m) => m?.[1] === 'blog'],
        ];
        for (const [filter, pred] of cases) {
            const allowed = new Map([...live].filter(([i]) => pred(metaOf(i))));
            expect(allowed.size).toBeGreaterThan(0);
            expectClose(s.query(q, 12, { filter }), bruteForce('l2', allowed, q, 12));
        }
        const d = s.deleteByFilter({ op: 'eq', field: 1, value: 'news' });
        expect(d.deleted).toBe(ids.filter((i) => metaOf(i)?.[1] === 'news').length);
        expect(s.query(q, 50, { filter: { op: 'eq', field: 1, value: 'news' } })).toEqual([]);
        s.close();
    });
});

// --- persistence ---------------------------------------------------------------------------------

describe('persistence through bytes', () => {
    it('toBytes → fromBytes gives the same answers, status and a verified image, and stays writable', async () => {
        const { store, dim, rows, ids } = await smallStore({ metric: 'cosine', n: 500 });
        store.ingestBatch(ids.slice(0, 250), rows.subarray(0, 250 * dim));
        store.ingestBatch(ids.slice(250), rows.subarray(250 * dim), ids.slice(250).map((id) => ({ 9: id })));
        store.delete(ids.slice(0, 10));
        const bytes = store.toBytes();
        expect(bytes.length).toBe(store.status().fileSize);
        const reopened = await RvfStore.fromBytes(bytes);
        const q = gaussian(dim, 8);
        expect(reopened.query(q, 20)).toEqual(store.query(q, 20));
        // syncs counts this handle's fsyncs, not a property of the image.
        const { warnings: w1, syncs: _y1, ...s1 } = store.status();
        const { warnings: w2, syncs: _y2, ...s2 } = reopened.status();
        expect(s2).toEqual(s1);
        expect(w2).toEqual([]);
        expect(reopened.segments()).toEqual(store.segments());
        const v = reopened.verify();
        expect(v).toMatchObject({ ok: true, problems: [], uncommitted: [] });
        expect(v.witnessEntriesChecked).toBeGreaterThanOrEqual(3);
        expect(reopened.metadata(ids[300])).toEqual({ 9: { u64: BigInt(ids[300]) } });

        const epoch = reopened.status().currentEpoch;
        expect(reopened.ingestBatch([1], new Float32Array(dim).fill(1)).epoch).toBe(epoch + 1);
        // The input array is copied: reusing it afterwards does not touch the store.
        bytes.fill(0);
        expect(reopened.verify().ok).toBe(true);
        store.close();
        reopened.close();
    });

    it('a torn tail falls back to the previous commit with a warning', async () => {
        const { store, rows, ids } = await smallStore();
        store.ingestBatch(ids.slice(0, 100), rows.subarray(0, 1600));
        const first = store.toBytes();
        store.ingestBatch(ids.slice(100), rows.subarray(1600));
        const full = store.toBytes();
        const torn = await RvfStore.fromBytes(full.subarray(0, full.length - 100));
        expect(torn.status().totalVectors).toBe(100);
        expect(torn.status().warnings.join('\n')).toMatch(/torn tail/);
        expect(first.length).toBeLessThan(full.length);
        torn.close();
        store.close();
    });
});

// --- errors --------------------------------------------------------------------------------------

describe('errors are RvfError with the runtime\'s code', () => {
    it('wrong dimension, NaN, k, filters', async () => {
        const { store, dim, rows, ids } = await smallStore();
        store.ingestBatch(ids, rows, ids.map((id) => ({ 1: id % 2 === 0 ? 'even' : 'odd' })));
        const q = gaussian(dim, 1);

        expectRvfError(() => store.ingestBatch([1, 2], new Float32Array(dim * 2 - 1)), 'DimensionMismatch', /31 floats for 2 ids/);
        expectRvfError(() => store.query(new Float32Array(dim + 1), 3), 'DimensionMismatch');
        expect(store.query(q, 0)).toEqual([]); // k = 0 asks for nothing (upstream answers [])
        expectRvfError(() => store.query(q, 2 ** 21), 'KTooLarge');
        expectRvfError(() => store.query(q, -1), 'InvalidArgument');
        expectRvfError(() => store.query(q, 1.5), 'InvalidArgument');
        const nanQ = q.slice();
        nanQ[3] = NaN;
        expectRvfError(() => store.query(nanQ, 3), 'InvalidArgument', /NaN/);

        // NaN / ±Infinity are rejected per vector; the rest of the batch commits.
        const batch = gaussian(4 * dim, 2);
        batch[1 * dim + 5] = NaN;
        batch[3 * dim] = -Infinity;
        const r = store.ingestBatch([9001, 9002, 9003, 9004], batch);
        expect(r).toMatchObject({ accepted: 2, rejected: 2 });
        expect(r.rejections.map((x) => [x.index, x.id, x.name])).toEqual([[1, 9002, 'InvalidArgument'], [3, 9004, 'InvalidArgument']]);
        expect(store.vector(9002)).toBeNull();
        expect(store.vector(9003)).toEqual(row(batch, dim, 2));

        // A field no row has matches nothing (a cleanup job keeps working once its rows are gone).
        expect(store.query(q, 3, { filter: { op: 'eq', field: 7, value: 'x' } })).toEqual([]);
        expect(store.deleteByFilter({ op: 'eq', field: 7, value: 'x' })).toMatchObject({ deleted: 0 });
        expectRvfError(() => store.query(q, 3, { filter: { op: 'eqq', field: 1, value: 'x' } }), 'FilterParseError', /unknown op/);
        expectRvfError(() => store.query(q, 3, { filter: '{"op":' }), 'FilterParseError');
        expectRvfError(() => store.query(q, 3, { filter: 42 }), 'InvalidArgument');
        expectRvfError(() => store.query(q, 3, { efSearch: -1 }), 'InvalidArgument');

        expectRvfError(() => store.ingestBatch([-1], new Float32Array(dim)), 'InvalidArgument', /ids\[0\]/);
        expectRvfError(() => store.ingestBatch([2 ** 53], new Float32Array(dim)), 'InvalidArgument');
        expectRvfError(() => store.ingestBatch([1n << 64n], new Float32Array(dim)), 'InvalidArgument');
        expectRvfError(() => store.ingestBatch('1,2', new Float32Array(dim)), 'InvalidArgument');
        expectRvfError(() => store.ingestBatch([1], 'vectors'), 'InvalidArgument');
        expectRvfError(() => store.metadata(-5), 'InvalidArgument');
        expect(store.status().totalVectors).toBe(ids.length + 2);
        store.close();
    });

    it('bad options', async () => {
        await expectRejects(RvfStore.create({ dimensions: 0 }), 'InvalidManifest'); // as upstream
        await expectRejects(RvfStore.create({ dimensions: 70000 }), 'InvalidOptions');
        await expectRejects(RvfStore.create({}), 'InvalidOptions');
        await expectRejects(RvfStore.create(), 'InvalidOptions');
        await expectRejects(RvfStore.create({ dimensions: 4, metric: 'manhattan' }), 'MetricUnsupported');
        await expectRejects(RvfStore.create({ dimensions: 4, storage: 'f64' }), 'InvalidOptions');
        await expectRejects(RvfStore.create({ dimensions: 4, m: 1 }), 'InvalidArgument');
        await expectRejects(RvfStore.create({ dimensions: 4, metric: 3 }), 'InvalidOptions');
        const ok = await RvfStore.create({ dimension: 4 }); // upstream's deprecated spelling
        expect(ok.status().dimensions).toBe(4);
        ok.close();
    });

    it('corrupted or foreign bytes', async () => {
        const { store, rows, ids } = await smallStore();
        store.ingestBatch(ids, rows);
        const bytes = store.toBytes();
        const vec = store.segments().find((s) => s.segType === 'vec');
        store.close();

        const flipped = bytes.slice();
        flipped[vec.offset + 64 + 100] ^= 0x40; // one bit inside the committed VEC payload
        expect((await expectRejects(RvfStore.fromBytes(flipped), 'InvalidChecksum')).message).toMatch(/content hash mismatch/);
        const badMagic = bytes.slice();
        badMagic[0] ^= 0xff;
        await expectRejects(RvfStore.fromBytes(badMagic), 'InvalidMagic');
        await expectRejects(RvfStore.fromBytes(new Uint8Array(4096).fill(7)), 'InvalidMagic');
        await expectRejects(RvfStore.fromBytes(new Uint8Array(0)), 'TruncatedSegment');
        await expectRejects(RvfStore.fromBytes(readFileSync(path.join(upstreamDir, 'wasm-export-3x4.rvf'))), 'UnsupportedLayout');
        await expectRejects(RvfStore.fromBytes([1, 2, 3]), 'InvalidArgument');
    });
});

// --- upstream fixtures ---------------------------------------------------------------------------

describe('upstream fixtures through fromBytes', () => {
    const fixtures = ['l2-1000x16-noquery', 'l2-1000x16-meta', 'cosine-1000x16', 'ip-1000x16', 'l2-1000x16-deleted',
                      'l2-1000x16-sparseids', 'l2-5000x64', 'empty-d16'];
    for (const name of fixtures) {
        it(`${name} answers upstream's recorded queries`, async () => {
            const expected = JSON.parse(readFileSync(path.join(upstreamDir, `${name}.expected.json`), 'utf8'));
            const s = await RvfStore.fromBytes(readFileSync(path.join(upstreamDir, `${name}.rvf`)));
            expect(s.status()).toMatchObject({ totalVectors: expected.statusAfterReopen.totalVectors, dimensions: expected.dim, layout: 'R' });
            expected.queries.forEach((q, i) => {
                const ours = s.query(Float32Array.from(q), expected.k);
                const theirs = (expected.resultsAfterReopen?.[i] ?? []).map(([id, distance]) => ({ id, distance }));
                if (name === 'l2-5000x64') {
                    // Upstream answered from its HNSW (approximate): at most one id differs.
                    const ourIds = new Set(ours.map((r) => r.id));
                    expect(theirs.filter((r) => !ourIds.has(r.id)).length).toBeLessThanOrEqual(1);
                    for (const t of theirs) {
                        const o = ours.find((r) => r.id === t.id);
                        if (o) expect(Math.abs(o.distance - t.distance)).toBeLessThanOrEqual(1e-5 * Math.max(1, t.distance));
                    }
                } else {
                    expectClose(ours, theirs);
                }
            });
            expect(s.verify().ok).toBe(true);
            s.close();
        });
    }

    it('l2-1000x16-meta: upstream did not persist the metadata, so its filter matches nothing here, as after upstream\'s reopen', async () => {
        const s = await RvfStore.fromBytes(readFileSync(path.join(upstreamDir, 'l2-1000x16-meta.rvf')));
        const expected = JSON.parse(readFileSync(path.join(upstreamDir, 'l2-1000x16-meta.expected.json'), 'utf8'));
        expect(expected.filterProbeAfterReopen).toEqual([]);
        expect(s.query(Float32Array.from(expected.queries[0]), 10, { filter: expected.filterProbeBeforeClose.filter }))
            .toEqual(expected.filterProbeAfterReopen);
        s.close();
    });

    it('a Layout R image stays writable: the first write rewrites it as Layout S', async () => {
        const s = await RvfStore.fromBytes(readFileSync(path.join(upstreamDir, 'l2-1000x16-deleted.rvf')));
        const expected = JSON.parse(readFileSync(path.join(upstreamDir, 'l2-1000x16-deleted.expected.json'), 'utf8'));
        s.ingestBatch([5000], new Float32Array(16).fill(100));
        const t = await RvfStore.fromBytes(s.toBytes());
        expect(t.status()).toMatchObject({ layout: 'S', totalVectors: 996 });
        expectClose(t.query(Float32Array.from(expected.queries[1]), 10),
                    expected.resultsAfterReopen[1].map(([id, distance]) => ({ id, distance })));
        s.close();
        t.close();
    });
});

// --- with the native tool ------------------------------------------------------------------------

describe('files cross between the wasm store and the native rvf tool', () => {
    const rvf = (...args) => execFileSync(rvfTool(), args, { encoding: 'utf8' });
    const nativeQuery = (file, q, k) =>
        JSON.parse(rvf('query', file, '--k', String(k), '--json', '--vector', Array.from(q).join(',')));

    it('a wasm-written image is a clean Layout S file to `rvf inspect`/`verify` and `rvf query` agrees', async () => {
        const { store, dim, rows, ids } = await smallStore({ metric: 'cosine', n: 400 });
        store.ingestBatch(ids, rows, ids.map((id) => ({ 1: id % 3 })));
        store.delete(ids.slice(0, 7));
        const file = path.join(work, 'from-wasm.rvf');
        writeFileSync(file, store.toBytes());
        const report = JSON.parse(rvf('inspect', file, '--json'));
        expect(report).toMatchObject({ layout: 'S', ok: true, problems: [] });
        expect(report.manifest.totalVectors).toBe(ids.length - 7);
        expect(rvf('verify', file)).toMatch(/OK/);
        const queries = gaussian(3 * dim, 31);
        for (let i = 0; i < 3; i++) {
            const q = row(queries, dim, i);
            expectClose(store.query(q, 10), nativeQuery(file, q, 10));
        }
        // The Layout R export is what upstream reads; the native tool reads it the same way.
        const rfile = path.join(work, 'from-wasm-r.rvf');
        writeFileSync(rfile, store.exportLayoutR());
        expect(JSON.parse(rvf('inspect', rfile, '--json'))).toMatchObject({ layout: 'R', ok: true });
        expectClose(nativeQuery(rfile, row(queries, dim, 0), 10), store.query(row(queries, dim, 0), 10));
        store.close();
    });

    it('`rvf demo` output opens through fromBytes with its metadata, filters and answers', async () => {
        const dir = path.join(work, 'demo');
        mkdirSync(dir);
        const log = rvf('demo', dir, '--vectors', '3000'); // small: the tests run the Debug tool
        const s = await RvfStore.fromBytes(readFileSync(path.join(dir, 'demo.rvf')));
        expect(s.status()).toMatchObject({ totalVectors: 2000, dimensions: 128, metric: 'cosine', layout: 'S' });
        expect(s.verify().ok).toBe(true);
        expect(s.metadata(7)).toEqual({ 1: { string: 'blog' }, 2: { u64: 2007n } });
        expect(s.metadata(6)).toBeNull(); // "news" rows were deleted by filter
        // The demo's filtered query (vector 7; kind == "paper" and 2010 ≤ year < 2015), as it printed it.
        const printed = log.match(/kind == "paper" and 2010 <= year < 2015:([\d ]+)/)[1].trim().split(/\s+/).map(Number);
        const q = s.vector(7);
        const filter = { op: 'and', children: [{ op: 'eq', field: 1, value: 'paper' }, { op: 'range', field: 2, low: 2010, high: 2015 }] };
        expect(s.query(q, 5, { filter }).map((r) => r.id)).toEqual(printed);
        const file = path.join(dir, 'demo.rvf');
        for (const id of [7, 1001, 2999])
            if (s.vector(id)) expectClose(s.query(s.vector(id), 10), nativeQuery(file, s.vector(id), 10));
        s.close();
    });
});
