// Behaviour of the 14 microkernel exports (spec §7.3), both builds: values from the spec's
// measured trace, the Core-profile limits (384-d f16, 768-d i8, 32 KB blocks, top-16), the
// quantisation and HNSW exports, and the error contract: every bad pointer, size or code
// returns −1 and nothing traps. Inputs go into the hub window each fresh instance grows.
import { beforeEach, describe, expect, it } from 'vitest';
import {
    DTYPE,
    METRIC,
    WINDOW,
    distancesTo,
    dequantI8ToF16,
    f16ToF32,
    gaussianMatrix,
    loadTileModule,
    quantizeI8,
    sqParams,
    toF16,
    valuesOf,
    bytesOf,
} from './tile/index.mjs';

const PAGE = 65536;
const u8 = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

// A 64-byte segment header: magic 0x52564653 (LE), version 1, the rest zero.
function header({ magic = 0x52564653, version = 1 } = {}) {
    const h = new Uint8Array(64);
    new DataView(h.buffer).setUint32(0, magic, true);
    h[4] = version;
    return h;
}

describe.each(['scalar', 'simd'])('microkernel exports (%s)', async (variant) => {
    const tm = await loadTileModule(variant);
    let t, k, W;
    const dv = () => new DataView(k.memory.buffer);
    const f32s = (addr, n) => Array.from(new Float32Array(t.read(addr, 4 * n).buffer));
    const query = (values, dim = values.length) => {
        t.write(W + WINDOW.QUERY, u8(values instanceof Uint16Array ? values : toF16(values)));
        return k.rvf_load_query(W + WINDOW.QUERY, dim);
    };
    const block = (bytes, count, dtype) => {
        t.write(W + WINDOW.BLOCK, bytes);
        return k.rvf_load_block(W + WINDOW.BLOCK, count, dtype);
    };
    const readTop = () => {
        const n = k.rvf_topk_read(W + WINDOW.TOPK);
        return Array.from({ length: n }, (_, i) => [
            dv().getBigUint64(W + WINDOW.TOPK + 12 * i, true),
            dv().getFloat32(W + WINDOW.TOPK + 12 * i + 8, true),
        ]);
    };
    const merge = (dists, ids, kk) => {
        t.write(W + 0x2000, u8(Float32Array.from(dists)));
        t.write(W + 0x3000, u8(BigUint64Array.from(ids, BigInt)));
        return k.rvf_topk_merge(W + 0x2000, W + 0x3000, dists.length, kk);
    };

    beforeEach(() => {
        t = tm.instantiate();
        k = t.exports;
        W = t.base;
        t.write(t.configPtr, new Uint8Array(64));
        expect(k.rvf_init(t.configPtr)).toBe(0);
    });

    it('reproduces the measured trace of spec §7.3 (dim 4, f16)', () => {
        expect(query([1, 2, 3, 4])).toBe(0);
        expect(block(u8(toF16([1, 2, 3, 4, 0, 0, 0, 0, 1, 2, 3, 5])), 3, DTYPE.f16)).toBe(0);
        const run = (m) => (expect(k.rvf_distances(m, W + WINDOW.DIST)).toBe(3), f32s(W + WINDOW.DIST, 3));
        expect(run(METRIC.l2)).toEqual([0, 30, 1]);
        const ip = run(METRIC.ip);
        expect(ip).toEqual([-30, -0, -34]);
        expect(Object.is(ip[1], -0)).toBe(true);
        const cos = run(METRIC.cosine);
        // Exact sqrt: identical vectors give 0 (upstream's fast sqrt gives 2.4e-7), zero vector 1.
        expect(cos[0]).toBe(0);
        expect(cos[1]).toBe(1);
        expect(cos[2]).toBeCloseTo(1 - 34 / Math.sqrt(30 * 39), 6);
        expect(run(METRIC.hamming)).toEqual([0, 9, 1]);
        // merge k=2 → read [(100, 0), (300, 1)]
        k.rvf_distances(METRIC.l2, W + WINDOW.DIST);
        t.write(W + 0x3000, u8(new BigUint64Array([100n, 200n, 300n])));
        expect(k.rvf_topk_merge(W + WINDOW.DIST, W + 0x3000, 3, 2)).toBe(0);
        expect(readTop()).toEqual([[100n, 0], [300n, 1]]);
    });

    it('top-K keeps the k smallest across calls, ascending, until rvf_init clears it', () => {
        expect(merge([9, 3, 7], [1, 2, 3], 2)).toBe(0);
        expect(merge([5, 1, 8], [4, 5, 6], 2)).toBe(0);
        expect(readTop()).toEqual([[5n, 1], [2n, 3]]);
        expect(readTop()).toEqual([[5n, 1], [2n, 3]]); // reading does not clear
        expect(k.rvf_init(t.configPtr)).toBe(0);
        expect(readTop()).toEqual([]);
        // 16 is the maximum; 40 random distances keep exactly the 16 smallest.
        const d = Array.from({ length: 40 }, (_, i) => ((i * 37) % 40) + 0.5);
        expect(merge(d, d.map((_, i) => i + 1000), 16)).toBe(0);
        const top = readTop();
        expect(top.map((r) => r[1])).toEqual([...d].sort((a, b) => a - b).slice(0, 16));
        expect(top.every(([id, dist]) => d[Number(id) - 1000] === dist)).toBe(true);
    });

    it('top-K edge rules: k bounds, ties keep the first, NaN never enters, a smaller k drops the largest', () => {
        expect(merge([1], [1], 17)).toBe(-1);
        expect(merge([1], [1], -1)).toBe(-1);
        expect(merge([1], [1], 0)).toBe(0); // k = 0 merges nothing
        expect(readTop()).toEqual([]);
        expect(merge([5, 5, 5, 5, 1, 5], [1, 2, 3, 4, 5, 6], 3)).toBe(0);
        expect(readTop()).toEqual([[5n, 1], [1n, 5], [2n, 5]]);
        expect(merge([NaN, 0.5], [7, 8], 3)).toBe(0);
        expect(readTop()).toEqual([[8n, 0.5], [5n, 1], [1n, 5]]);
        expect(merge([0.75], [9], 2)).toBe(0);
        expect(readTop()).toEqual([[8n, 0.5], [9n, 0.75]]);
        // u64 ids survive the round trip, including ones above 2^63.
        expect(k.rvf_init(t.configPtr)).toBe(0);
        expect(merge([2, 1], [2n ** 64n - 1n, 2n ** 40n + 3n], 4)).toBe(0);
        expect(readTop()).toEqual([[2n ** 40n + 3n, 1], [2n ** 64n - 1n, 2]]);
    });

    it('Core profile: a 384-d f16 query over a full 32 KB block (42 rows), all four metrics', () => {
        const dim = 384, n = 42;
        const q = toF16(gaussianMatrix(11, 1, dim));
        const rows = toF16(gaussianMatrix(12, n, dim));
        expect(rows.byteLength).toBeLessThanOrEqual(32768);
        expect(query(q)).toBe(0);
        expect(block(u8(rows), n, DTYPE.f16)).toBe(0);
        const qv = valuesOf(q), rv = valuesOf(rows);
        for (const metric of [METRIC.l2, METRIC.ip, METRIC.cosine, METRIC.hamming]) {
            expect(k.rvf_distances(metric, W + WINDOW.DIST)).toBe(n);
            const got = f32s(W + WINDOW.DIST, n);
            const ref = distancesTo({ query: qv, values: rv, dim, metric, queryBytes: u8(q), rowBytes: u8(rows) });
            for (let i = 0; i < n; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[i])));
        }
    });

    it('768-d i8 queries and blocks: L2, IP and Hamming exact, cosine to float precision', () => {
        const dim = 768, n = 42;
        const data = gaussianMatrix(21, n + 1, dim);
        const codes = quantizeI8(data, sqParams(data, dim), dim);
        const q = codes.subarray(0, dim), rows = codes.subarray(dim);
        const qbuf = new Uint8Array(2 * dim);
        qbuf.set(u8(q));
        t.write(W + WINDOW.QUERY, qbuf);
        expect(k.rvf_load_query(W + WINDOW.QUERY, dim)).toBe(0);
        expect(block(u8(rows), n, DTYPE.i8)).toBe(0);
        for (const metric of [METRIC.l2, METRIC.ip, METRIC.cosine, METRIC.hamming]) {
            expect(k.rvf_distances(metric, W + WINDOW.DIST)).toBe(n);
            const got = f32s(W + WINDOW.DIST, n);
            const ref = distancesTo({ query: Float64Array.from(q), values: Float64Array.from(rows), dim, metric, queryBytes: u8(q), rowBytes: u8(rows) });
            for (let i = 0; i < n; i++) {
                if (metric === METRIC.cosine) expect(got[i]).toBeCloseTo(ref[i], 6);
                else expect(got[i]).toBe(Math.fround(ref[i]));
            }
        }
    });

    it('f32 blocks against the f16 query: L2, IP, cosine; Hamming is refused', () => {
        const dim = 64, n = 128; // 128 · 64 · 4 = 32 KB
        const q = toF16(gaussianMatrix(31, 1, dim));
        const rows = gaussianMatrix(32, n, dim);
        expect(query(q)).toBe(0);
        expect(block(u8(rows), n, DTYPE.f32)).toBe(0);
        for (const metric of [METRIC.l2, METRIC.ip, METRIC.cosine]) {
            expect(k.rvf_distances(metric, W + WINDOW.DIST)).toBe(n);
            const got = f32s(W + WINDOW.DIST, n);
            const ref = distancesTo({ query: valuesOf(q), values: Float64Array.from(rows), dim, metric });
            for (let i = 0; i < n; i++) expect(Math.abs(got[i] - ref[i])).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[i])));
        }
        expect(k.rvf_distances(METRIC.hamming, W + WINDOW.DIST)).toBe(-1);
    });

    it('block and query limits: 32 KB window, 768 dims, dtype/metric codes, config re-checked at compute time', () => {
        expect(query(new Uint16Array(768), 768)).toBe(0);
        expect(k.rvf_load_query(W + WINDOW.QUERY, 769)).toBe(-1);
        expect(k.rvf_load_query(W + WINDOW.QUERY, -1)).toBe(-1);
        expect(query(new Uint16Array(64), 64)).toBe(0);
        expect(k.rvf_load_block(W, 256, DTYPE.f16)).toBe(0); // 256 · 128 B = 32768
        expect(k.rvf_load_block(W, 257, DTYPE.f16)).toBe(-1);
        expect(k.rvf_load_block(W, 513, DTYPE.i8)).toBe(-1);
        expect(k.rvf_load_block(W, 129, DTYPE.f32)).toBe(-1);
        expect(k.rvf_load_block(W, -1, DTYPE.f16)).toBe(-1);
        expect(k.rvf_load_block(W, 1, 3)).toBe(-1);
        expect(k.rvf_load_block(W, 1, -1)).toBe(-1);
        expect(k.rvf_load_block(W, 0x7fffffff, DTYPE.f32)).toBe(-1);
        expect(k.rvf_load_block(W, 256, DTYPE.f16)).toBe(0);
        expect(k.rvf_distances(4, W + WINDOW.DIST)).toBe(-1);
        expect(k.rvf_distances(-1, W + WINDOW.DIST)).toBe(-1);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(256);
        // A larger query after the block would make the block overflow the window: refused.
        expect(query(new Uint16Array(128), 128)).toBe(0);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(-1);
        // rvf_init can set dim through the config; values beyond the query area are refused.
        const cfg = new Uint8Array(64);
        new DataView(cfg.buffer).setUint32(4, 5000, true);
        t.write(t.configPtr, cfg);
        expect(k.rvf_init(t.configPtr)).toBe(0);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(-1);
        // … and so is loading a block with it, even where count · dim · 4 would wrap 64 bits.
        new DataView(cfg.buffer).setUint32(4, 0xffffffff, true);
        t.write(t.configPtr, cfg);
        expect(k.rvf_init(t.configPtr)).toBe(0);
        expect(k.rvf_load_block(W, 0x7fffffff, DTYPE.f32)).toBe(-1);
        expect(k.rvf_load_block(W, 0, DTYPE.f16)).toBe(-1);
        // Empty block / no query.
        t.write(t.configPtr, new Uint8Array(64));
        expect(k.rvf_init(t.configPtr)).toBe(0);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(-1);
        expect(query([1, 2])).toBe(0);
        expect(k.rvf_load_block(W, 0, DTYPE.f16)).toBe(0);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(-1);
    });

    it('scalar quantisation: params for 768 dims, dequantisation to f16 bit-exact with the reference', () => {
        const dim = 24, n = 10;
        const data = gaussianMatrix(41, n, dim);
        const params = new Float32Array(2 * dim);
        for (let d = 0; d < dim; d++) {
            params[2 * d] = -1 - d / 10; // per-dimension ranges
            params[2 * d + 1] = 2 + d / 7;
        }
        const codes = quantizeI8(data, params, dim);
        t.write(W + WINDOW.PARAMS, u8(params));
        expect(k.rvf_dequant_i8(W + WINDOW.BLOCK, W + WINDOW.F16, n * dim)).toBe(-1); // no dim yet
        expect(query(new Uint16Array(dim), dim)).toBe(0);
        expect(k.rvf_dequant_i8(W + WINDOW.BLOCK, W + WINDOW.F16, n * dim)).toBe(-1); // no params yet
        expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, dim)).toBe(0);
        t.write(W + WINDOW.BLOCK, u8(codes));
        expect(k.rvf_dequant_i8(W + WINDOW.BLOCK, W + WINDOW.F16, n * dim)).toBe(0);
        const got = new Uint16Array(t.read(W + WINDOW.F16, 2 * n * dim).buffer);
        expect(Array.from(got)).toEqual(Array.from(dequantI8ToF16(codes, params, dim)));
        // Codes −128 and 127 decode to the range ends.
        expect(f16ToF32(got[codes.indexOf(-128)] ?? 0x7e00)).not.toBeNaN();
        expect(k.rvf_dequant_i8(W + WINDOW.BLOCK, W + WINDOW.F16, -1)).toBe(-1);
        expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, 768)).toBe(0);
        expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, 769)).toBe(-1);
        expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, -1)).toBe(-1);
        // Params for fewer dims than the query are refused at decode time.
        expect(k.rvf_load_sq_params(W + WINDOW.PARAMS, dim - 1)).toBe(0);
        expect(k.rvf_dequant_i8(W + WINDOW.BLOCK, W + WINDOW.F16, dim)).toBe(-1);
    });

    it('PQ: 384-d with 48 subspaces × 16 centroids, ADC sums of the query-centroid table', () => {
        const dim = 384, m = 48, ksub = 16, sub = dim / m, n = 200;
        const q = toF16(gaussianMatrix(51, 1, dim));
        const codebook = toF16(gaussianMatrix(52, m * ksub, sub)); // [m][k][sub]
        const codes = Uint8Array.from({ length: n * m }, (_, i) => (i * 2654435761) % 17); // 16 = out of range
        expect(query(q)).toBe(0);
        t.write(W + WINDOW.F16, u8(codebook));
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, m, ksub)).toBe(0);
        t.write(W + WINDOW.BLOCK, codes);
        expect(k.rvf_pq_distances(W + WINDOW.BLOCK, n, W + WINDOW.DIST)).toBe(n);
        const got = f32s(W + WINDOW.DIST, n);
        const qv = valuesOf(q), cv = valuesOf(codebook);
        const table = new Float64Array(m * ksub);
        for (let j = 0; j < m; j++)
            for (let c = 0; c < ksub; c++) {
                let s = 0;
                for (let d = 0; d < sub; d++) s += (qv[j * sub + d] - cv[(j * ksub + c) * sub + d]) ** 2;
                table[j * ksub + c] = s;
            }
        for (let i = 0; i < n; i++) {
            let ref = 0;
            for (let j = 0; j < m; j++) if (codes[i * m + j] < ksub) ref += table[j * ksub + codes[i * m + j]];
            expect(Math.abs(got[i] - ref)).toBeLessThanOrEqual(1e-5 * ref);
        }
        expect(k.rvf_pq_distances(W + WINDOW.BLOCK, 0, W + WINDOW.DIST)).toBe(0);
        expect(k.rvf_pq_distances(W + WINDOW.BLOCK, -1, W + WINDOW.DIST)).toBe(-1);
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 0, 16)).toBe(-1);
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 48, 0)).toBe(-1);
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 385, 1)).toBe(-1); // M > dim
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 48, 257)).toBe(-1); // codes are bytes
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 48, 32)).toBe(-1); // 24 KB codebook > 16 KB
        expect(k.rvf_load_pq_codebook(W + WINDOW.F16, 384, 16)).toBe(-1); // 6144-entry table > 3072
        // A larger query after the codebook makes it overflow its area: refused at compute time.
        expect(query(new Uint16Array(768), 768)).toBe(0);
        expect(k.rvf_pq_distances(W + WINDOW.BLOCK, 1, W + WINDOW.DIST)).toBe(-1);
    });

    it('HNSW step: the closest neighbor other than the current node, i64 ids, −1 when none', () => {
        const list = (entries) => {
            const b = new DataView(new ArrayBuffer(4 + 12 * entries.length));
            b.setUint32(0, entries.length, true);
            entries.forEach(([id, d], i) => {
                b.setBigUint64(4 + 12 * i, id, true);
                b.setFloat32(12 + 12 * i, d, true);
            });
            t.write(W + WINDOW.NEIGHBORS, new Uint8Array(b.buffer));
        };
        expect(k.rvf_greedy_step(1n, 0)).toBe(-1n); // no list yet
        list([[7n, 0.5], [8n, 0.25], [9n, 0.25], [2n ** 62n, 0.1]]);
        expect(k.rvf_load_neighbors(5n, 0, W + WINDOW.NEIGHBORS)).toBe(0);
        expect(k.rvf_greedy_step(5n, 0)).toBe(2n ** 62n);
        expect(k.rvf_greedy_step(2n ** 62n, 1)).toBe(8n); // first of equals
        list([[3n, 1]]);
        expect(k.rvf_greedy_step(3n, 0)).toBe(-1n); // only the current node
        list([]);
        expect(k.rvf_greedy_step(3n, 0)).toBe(-1n);
        list([[4n, 3.5e38], [6n, NaN]]);
        expect(k.rvf_greedy_step(3n, 0)).toBe(-1n); // ≥ FLT_MAX and NaN never win
        // A list whose count runs past the end of memory is refused, not read.
        const end = k.memory.buffer.byteLength;
        t.write(end - 16, Uint8Array.of(100, 0, 0, 0));
        expect(k.rvf_load_neighbors(0n, 0, end - 16)).toBe(0);
        expect(k.rvf_greedy_step(0n, 0)).toBe(-1n);
        expect(k.rvf_load_neighbors(0n, 0, end - 3)).toBe(-1);
    });

    it('rvf_crc32c: check value, RFC 3720 zeros, empty input; bad ranges → −1', () => {
        t.write(W, new TextEncoder().encode('123456789'));
        expect(k.rvf_crc32c(W, 9) >>> 0).toBe(0xe3069283);
        t.write(W, new Uint8Array(32));
        expect(k.rvf_crc32c(W, 32) >>> 0).toBe(0x8a9136aa);
        expect(k.rvf_crc32c(W, 0)).toBe(0);
        expect(k.rvf_crc32c(W, -5)).toBe(-1);
        expect(k.rvf_crc32c(k.memory.buffer.byteLength - 4, 5)).toBe(-1);
        expect(k.rvf_crc32c(k.memory.buffer.byteLength - 4, 4)).not.toBe(-1);
    });

    it('rvf_verify_header: 0 ok, 1 bad magic, 2 bad version, −1 bad pointer', () => {
        t.write(W, header());
        expect(k.rvf_verify_header(W)).toBe(0);
        t.write(W, header({ magic: 0x52564d30 })); // "RVM0", the root-manifest magic
        expect(k.rvf_verify_header(W)).toBe(1);
        t.write(W, header({ version: 2 }));
        expect(k.rvf_verify_header(W)).toBe(2);
        t.write(W, header({ magic: 0, version: 0 })); // magic is judged first
        expect(k.rvf_verify_header(W)).toBe(1);
        expect(k.rvf_verify_header(k.memory.buffer.byteLength - 63)).toBe(-1);
    });

    it('pointers outside the hub window return −1 from every export and never trap', () => {
        const end = k.memory.buffer.byteLength;
        // Negative, null, inside the tile's own stack/DATA/SCRATCH (first 2 pages), straddling
        // the end of memory, past it.
        const bad = [-1, -64, -0x80000000, 0, 8, 0x1000, 0x8000, 0x12000, 2 * PAGE - 8, end - 2, end, end + 64, 0x7fffffff];
        expect(query([1, 2, 3, 4])).toBe(0);
        expect(block(u8(toF16([1, 2, 3, 4])), 1, DTYPE.f16)).toBe(0);
        for (const p of bad) {
            const calls = {
                rvf_init: () => k.rvf_init(p),
                rvf_load_query: () => k.rvf_load_query(p, 4),
                rvf_load_block: () => k.rvf_load_block(p, 1, DTYPE.f16),
                rvf_distances: () => k.rvf_distances(METRIC.l2, p),
                rvf_topk_merge_d: () => k.rvf_topk_merge(p, W, 1, 4),
                rvf_topk_merge_i: () => k.rvf_topk_merge(W, p, 1, 4),
                rvf_load_sq_params: () => k.rvf_load_sq_params(p, 4),
                rvf_dequant_i8_s: () => k.rvf_dequant_i8(p, W, 4),
                rvf_dequant_i8_d: () => k.rvf_dequant_i8(W, p, 4),
                rvf_load_pq_codebook: () => k.rvf_load_pq_codebook(p, 2, 2),
                rvf_pq_distances_c: () => k.rvf_pq_distances(p, 1, W),
                rvf_pq_distances_r: () => k.rvf_pq_distances(W, 1, p),
                rvf_load_neighbors: () => k.rvf_load_neighbors(1n, 0, p),
                rvf_verify_header: () => k.rvf_verify_header(p),
                rvf_crc32c: () => k.rvf_crc32c(p, 4),
            };
            for (const [name, call] of Object.entries(calls)) expect([name, p, call()]).toEqual([name, p, -1]);
        }
        // rvf_topk_read only writes when there is something to write.
        expect(merge([1], [1], 1)).toBe(0);
        for (const p of bad) expect(k.rvf_topk_read(p)).toBe(-1);
        // Nothing above changed the tile state.
        expect(readTop()).toEqual([[1n, 1]]);
        expect(k.rvf_distances(METRIC.l2, W + WINDOW.DIST)).toBe(1);
    });

    it('20,000 calls with random arguments never trap', () => {
        let seed = 12345; // xorshift32
        const rnd = () => {
            seed ^= seed << 13;
            seed ^= seed >>> 17;
            seed ^= seed << 5;
            return seed >>> 0;
        };
        const end = k.memory.buffer.byteLength;
        const arg = () => {
            const r = rnd() % 8;
            if (r === 0) return rnd() | 0; // anything
            if (r === 1) return -(rnd() % 100);
            if (r === 2) return rnd() % 800;
            if (r === 3) return end - (rnd() % 4096);
            return W + (rnd() % WINDOW.SIZE); // mostly plausible window pointers
        };
        const big = () => BigInt.asIntN(64, (BigInt(rnd()) << 32n) | BigInt(rnd()));
        t.write(W, Uint8Array.from({ length: WINDOW.SIZE }, () => rnd() & 0xff));
        const fns = [
            () => k.rvf_init(arg()),
            () => k.rvf_load_query(arg(), rnd() % 900),
            () => k.rvf_load_block(arg(), rnd() % 600, rnd() % 4),
            () => k.rvf_distances(rnd() % 5, arg()),
            () => k.rvf_topk_merge(arg(), arg(), rnd() % 300, rnd() % 18),
            () => k.rvf_topk_read(arg()),
            () => k.rvf_load_sq_params(arg(), rnd() % 900),
            () => k.rvf_dequant_i8(arg(), arg(), rnd() % 5000),
            () => k.rvf_load_pq_codebook(arg(), rnd() % 64, rnd() % 300),
            () => k.rvf_pq_distances(arg(), rnd() % 300, arg()),
            () => {
                if (rnd() & 1) { // sometimes a well-formed 3-entry list
                    const at = W + WINDOW.NEIGHBORS;
                    t.write(at, Uint8Array.of(3, 0, 0, 0));
                    return k.rvf_load_neighbors(big(), rnd() | 0, at);
                }
                return k.rvf_load_neighbors(big(), rnd() | 0, arg());
            },
            () => k.rvf_greedy_step(big(), rnd() | 0),
            () => k.rvf_verify_header(arg()),
            () => k.rvf_crc32c(arg(), rnd() % 5000),
        ];
        const results = new Map();
        for (let i = 0; i < 20000; i++) {
            const f = rnd() % fns.length;
            const r = fns[f](); // a trap throws and fails the test
            results.set(f, (results.get(f) ?? new Set()).add(typeof r === 'bigint' ? r === -1n : r === -1));
        }
        // Every export was hit with both accepted and refused arguments.
        for (let f = 0; f < fns.length; f++) expect([f, [...results.get(f)].sort()]).toEqual([f, [false, true]]);
    });
});

describe('scalar and simd builds agree', async () => {
    const [s, v] = await Promise.all([loadTileModule('scalar'), loadTileModule('simd')]);
    it('on every metric and dtype (integers exactly, floats to rounding)', () => {
        const dim = 100, n = 40; // odd tails for the vector kernels
        const data = gaussianMatrix(61, n + 1, dim);
        const cases = [
            [DTYPE.f16, toF16(data)],
            [DTYPE.i8, quantizeI8(data, sqParams(data, dim), dim)],
            [DTYPE.f32, data],
        ];
        for (const [dtype, all] of cases) {
            const q = dtype === DTYPE.f32 ? toF16(data.subarray(0, dim)) : all.subarray(0, dim);
            const rows = all.subarray(dim);
            const out = [s, v].map((tm) => {
                const t = tm.instantiate();
                const k = t.exports;
                const qb = new Uint8Array(2 * dim);
                qb.set(bytesOf(q));
                t.write(t.base + WINDOW.QUERY, qb);
                k.rvf_load_query(t.base + WINDOW.QUERY, dim);
                t.write(t.base, bytesOf(rows));
                expect(k.rvf_load_block(t.base, n, dtype)).toBe(0);
                return [0, 1, 2, 3].map((m) => {
                    const c = k.rvf_distances(m, t.base + WINDOW.DIST);
                    return c < 0 ? null : Array.from(new Float32Array(t.read(t.base + WINDOW.DIST, 4 * n).buffer));
                });
            });
            for (let m = 0; m < 4; m++) {
                if (out[0][m] === null) {
                    expect(dtype === DTYPE.f32 && m === METRIC.hamming).toBe(true);
                    expect(out[1][m]).toBeNull();
                    continue;
                }
                const exact = m === METRIC.hamming || (dtype === DTYPE.i8 && m !== METRIC.cosine);
                for (let i = 0; i < n; i++) {
                    const a = out[0][m][i], b = out[1][m][i];
                    if (exact) expect(b).toBe(a);
                    else expect(Math.abs(a - b)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(a)));
                }
            }
        }
    });
});
