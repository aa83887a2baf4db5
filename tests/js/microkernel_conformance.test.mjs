// Conformance with upstream's shipped module (@ruvector/rvf-wasm 0.1.9, devDependency
// `upstream-rvf-wasm`), run by the same tile simulator on inputs within its limits (≤ 96 dims).
// Where both modules support a metric/dtype our results equal upstream's; the known numeric
// differences are asserted with their measured bounds (microkernel/README.md lists them):
//   * f16 L2 / IP: summation order (4 partial sums vs one running sum) — ≤ 1e-6 relative
//     to Σ|terms|; cosine additionally upstream's fast inverse sqrt — ≤ 1e-6 absolute
//   * i8 L2 and Hamming: bit-identical
//   * rvf_dequant_i8: we round f32 → f16 to nearest even, upstream truncates — ≤ 1 f16 ulp
//   * top-K ties: we keep the first of equal distances, upstream's max-heap may keep a later one
// and the behavioural ones: upstream caps queries at 96 dims, traps on out-of-range pointers,
// lets NaN into the top-K, and keeps more than k entries when k shrinks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
    DTYPE,
    Hub,
    METRIC,
    WINDOW,
    bytesOf,
    gaussianMatrix,
    loadRvf,
    loadTileModule,
    makeBlocks,
    quantizeI8,
    repoRoot,
    sqParams,
    toF16,
    valuesOf,
} from './tile/index.mjs';

const fixtures = path.join(repoRoot, 'tests/data/upstream');
const ds = loadRvf(path.join(fixtures, 'l2-5000x64.rvf'));
const queries = JSON.parse(readFileSync(path.join(fixtures, 'l2-5000x64.expected.json'), 'utf8')).queries.map((q) => Float32Array.from(q));
const params = sqParams(ds.data, ds.dim);
const PER_BLOCK = 50;

const upstream = await loadTileModule('upstream');

/** Every per-block distance and the top-10 of a scan, for one module. */
function scan(tm, { dtype, metric, q }) {
    const rows = dtype === DTYPE.f16 ? toF16(ds.data) : quantizeI8(ds.data, params, ds.dim);
    const query = dtype === DTYPE.f16 ? { dim: ds.dim, qtype: 0, elements: toF16(q) } : { dim: ds.dim, qtype: 1, elements: quantizeI8(q, params, ds.dim) };
    const blocks = makeBlocks({ rows, ids: ds.ids, dim: ds.dim, dtype, perBlock: PER_BLOCK });
    const dist = new Float32Array(ds.n);
    const { results, stats } = new Hub({ tileModule: tm }).search({ query, blocks, metric, k: 10, onDistances: (no, d) => dist.set(d, no * PER_BLOCK) });
    expect(stats.errors).toEqual([]);
    return { dist, results, q: query };
}

/** Σ|a_i·b_i| (IP) or Σ(a_i − b_i)² (L2) per row, on the f16 values both tiles see: the scale
 * of the rounding error of the tile's f32 sum. */
const rowValues = valuesOf(toF16(ds.data));
function termScale(q, metric) {
    const qv = valuesOf(toF16(q));
    const out = new Float64Array(ds.n);
    for (let i = 0; i < ds.n; i++) {
        let s = 0;
        for (let d = 0; d < ds.dim; d++) {
            const b = rowValues[i * ds.dim + d];
            s += metric === METRIC.l2 ? (qv[d] - b) ** 2 : Math.abs(qv[d] * b);
        }
        out[i] = s;
    }
    return out;
}

describe.each(['scalar', 'simd'])('conformance with @ruvector/rvf-wasm 0.1.9 (%s)', async (variant) => {
    const ours = await loadTileModule(variant);

    it('the 14 shared exports have the same signatures (upstream exports 20 more)', () => {
        const sig = (tm) => new Map(WebAssembly.Module.exports(tm.module).map((e) => [e.name, e.kind]));
        const a = sig(ours), b = sig(upstream);
        for (const [name, kind] of a) expect([name, b.get(name)]).toEqual([name, kind]);
        expect(a.size).toBe(15);
        expect(b.size).toBe(35);
    });

    it('f16 L2 and IP: every distance equal up to summation order; same top-10', () => {
        for (const q of queries)
            for (const metric of [METRIC.l2, METRIC.ip]) {
                const a = scan(ours, { dtype: DTYPE.f16, metric, q }), b = scan(upstream, { dtype: DTYPE.f16, metric, q });
                const scale = termScale(q, metric);
                for (let i = 0; i < ds.n; i++) expect(Math.abs(a.dist[i] - b.dist[i])).toBeLessThanOrEqual(1e-6 * scale[i]);
                expect(a.results.map((r) => r.id)).toEqual(b.results.map((r) => r.id));
            }
    });

    it("f16 cosine: equal to 1e-6 (upstream's fast sqrt), same top-10", () => {
        for (const q of queries) {
            const a = scan(ours, { dtype: DTYPE.f16, metric: METRIC.cosine, q }), b = scan(upstream, { dtype: DTYPE.f16, metric: METRIC.cosine, q });
            let maxDiff = 0;
            for (let i = 0; i < ds.n; i++) maxDiff = Math.max(maxDiff, Math.abs(a.dist[i] - b.dist[i]));
            expect(maxDiff).toBeLessThanOrEqual(1e-6);
            expect(a.results.map((r) => r.id)).toEqual(b.results.map((r) => r.id));
        }
    });

    it('Hamming (f16 bits, i8 codes) and i8 L2: bit-identical distances; top-10 equal up to ties', () => {
        for (const q of queries)
            for (const [dtype, metric] of [[DTYPE.f16, METRIC.hamming], [DTYPE.i8, METRIC.hamming], [DTYPE.i8, METRIC.l2]]) {
                const a = scan(ours, { dtype, metric, q }), b = scan(upstream, { dtype, metric, q });
                expect(Array.from(a.dist)).toEqual(Array.from(b.dist));
                expect(a.results.map((r) => r.dist)).toEqual(b.results.map((r) => r.dist));
                const last = a.results.at(-1).dist; // ids strictly inside the boundary must agree
                const inner = (list) => list.filter((r) => r.dist < last).map((r) => r.id).sort();
                expect(inner(a.results)).toEqual(inner(b.results));
            }
    });

    // Direct export calls on one instance of each module.
    const pair = () =>
        [ours, upstream].map((tm) => {
            const t = tm.instantiate();
            t.write(t.configPtr, new Uint8Array(64));
            expect(t.exports.rvf_init(t.configPtr)).toBe(0);
            return t;
        });

    it('rvf_dequant_i8: within one f16 ulp (we round to nearest, upstream truncates)', () => {
        const codes = quantizeI8(ds.data.subarray(0, 64 * 200), params, ds.dim);
        const [a, b] = pair().map((t) => {
            const k = t.exports, W = t.base;
            k.rvf_load_query(W + WINDOW.QUERY, ds.dim);
            t.write(W + WINDOW.PARAMS, bytesOf(params));
            expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, ds.dim)).toBe(0);
            t.write(W, bytesOf(codes));
            expect(k.rvf_dequant_i8(W, W + WINDOW.F16, codes.length)).toBe(0);
            return new Uint16Array(t.read(W + WINDOW.F16, 2 * codes.length).buffer);
        });
        let differing = 0;
        for (let i = 0; i < a.length; i++) {
            // Same sign; ours is the truncated value or the next one up in magnitude.
            expect(a[i] - b[i] === 0 || a[i] - b[i] === 1).toBe(true);
            differing += a[i] !== b[i];
        }
        expect(differing).toBeGreaterThan(0);
    });

    it('PQ ADC (64-d, M 8, K 16) to float rounding; greedy step, CRC-32C and header check identical', () => {
        const m = 8, ksub = 16, n = 300;
        const q = toF16(queries[0]);
        const codebook = toF16(gaussianMatrix(71, m * ksub, ds.dim / m));
        const codes = Uint8Array.from({ length: n * m }, (_, i) => (i * 40503) % 19);
        const nb = new DataView(new ArrayBuffer(4 + 12 * 5));
        nb.setUint32(0, 5, true);
        [[3n, 0.5], [9n, 0.25], [2n ** 63n + 1n, 0.125], [4n, 0.125], [5n, 1]].forEach(([id, d], i) => {
            nb.setBigUint64(4 + 12 * i, id, true);
            nb.setFloat32(12 + 12 * i, d, true);
        });
        const header = new Uint8Array(64);
        new DataView(header.buffer).setUint32(0, 0x52564653, true);
        header[4] = 1;
        const random = Uint8Array.from({ length: 4099 }, (_, i) => (i * 7 + (i >> 3)) & 0xff);
        const out = pair().map((t) => {
            const k = t.exports, W = t.base;
            t.write(W + WINDOW.QUERY, bytesOf(q));
            k.rvf_load_query(W + WINDOW.QUERY, ds.dim);
            t.write(W + WINDOW.F16, bytesOf(codebook));
            expect(k.rvf_load_pq_codebook(W + WINDOW.F16, m, ksub)).toBe(0);
            t.write(W, codes);
            expect(k.rvf_pq_distances(W, n, W + WINDOW.DIST)).toBe(n);
            const pq = Array.from(new Float32Array(t.read(W + WINDOW.DIST, 4 * n).buffer));
            t.write(W + WINDOW.NEIGHBORS, new Uint8Array(nb.buffer));
            expect(k.rvf_load_neighbors(0n, 0, W + WINDOW.NEIGHBORS)).toBe(0);
            const steps = [0n, 2n ** 63n + 1n, 4n].map((c) => k.rvf_greedy_step(BigInt.asIntN(64, c), 0));
            t.write(W + 0x4000, random);
            const crcs = [0, 1, 9, 4099].map((len) => k.rvf_crc32c(W + 0x4000, len));
            t.write(W + 0x6000, header);
            const hdr = [k.rvf_verify_header(W + 0x6000)];
            header[4] = 2;
            t.write(W + 0x6000, header);
            hdr.push(k.rvf_verify_header(W + 0x6000));
            header[4] = 1;
            return { pq, steps, crcs, hdr };
        });
        for (let i = 0; i < n; i++) expect(Math.abs(out[0].pq[i] - out[1].pq[i])).toBeLessThanOrEqual(1e-6 * out[1].pq[i]);
        expect(out[0].steps).toEqual(out[1].steps);
        expect(out[0].steps).toEqual([BigInt.asIntN(64, 2n ** 63n + 1n), 4n, BigInt.asIntN(64, 2n ** 63n + 1n)]);
        expect(out[0].crcs).toEqual(out[1].crcs);
        expect(out[0].hdr).toEqual([0, 2]);
        expect(out[1].hdr).toEqual([0, 2]);
    });

    it('documented behavioural differences', () => {
        const [a, b] = pair();
        const call = (t, f) => {
            try {
                return f(t.exports, t.base);
            } catch (e) {
                return e instanceof WebAssembly.RuntimeError ? 'trap' : e;
            }
        };
        // Query size: upstream stops at 96 dims; we take the Core profile's 384 (and up to 768).
        for (const dim of [96, 97, 384, 768]) {
            expect(call(a, (k, W) => k.rvf_load_query(W + WINDOW.QUERY, dim))).toBe(0);
            expect(call(b, (k, W) => k.rvf_load_query(W + WINDOW.QUERY, dim))).toBe(dim <= 96 ? 0 : -1);
        }
        // Out-of-range pointers: −1 from ours, a trap from upstream.
        const end = (t) => t.exports.memory.buffer.byteLength;
        expect(call(a, (k) => k.rvf_crc32c(end(a) - 2, 9))).toBe(-1);
        expect(call(b, (k) => k.rvf_crc32c(end(b) - 2, 9))).toBe('trap');
        expect(call(a, (k) => k.rvf_verify_header(-8))).toBe(-1);
        expect(call(b, (k) => k.rvf_verify_header(-8))).toBe('trap');
        // Top-K: NaN, ties, shrinking k.
        const topk = (t, dists, ids, kk) =>
            call(t, (k, W) => {
                t.write(W + 0x2000, bytesOf(Float32Array.from(dists)));
                t.write(W + 0x3000, bytesOf(BigUint64Array.from(ids, BigInt)));
                k.rvf_topk_merge(W + 0x2000, W + 0x3000, dists.length, kk);
                const n = k.rvf_topk_read(W + WINDOW.TOPK);
                const v = new DataView(k.memory.buffer);
                return Array.from({ length: n }, (_, i) => Number(v.getBigUint64(W + WINDOW.TOPK + 12 * i, true)));
            });
        expect(topk(a, [NaN, 2, 1], [1, 2, 3], 3)).toEqual([3, 2]);
        expect(topk(b, [NaN, 2, 1], [1, 2, 3], 3)).toEqual([1, 3, 2]); // NaN kept, read first
        for (const t of [a, b]) t.exports.rvf_init(t.configPtr);
        expect(topk(a, [5, 5, 5, 5, 1, 5], [1, 2, 3, 4, 5, 6], 3)).toEqual([5, 1, 2]);
        expect(topk(b, [5, 5, 5, 5, 1, 5], [1, 2, 3, 4, 5, 6], 3)).toEqual([5, 2, 3]);
        expect(topk(a, [9], [7], 1)).toEqual([5]); // k 3 → 1: ours keeps 1
        expect(topk(b, [9], [7], 1)).toEqual([5, 2, 3]); // upstream keeps all 3
    });
});
