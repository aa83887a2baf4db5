// The tile simulator (tests/js/tile/) driving our microkernel as a Cognitum tile over the
// hub ↔ tile protocol of spec §7.6: ≥ 1,000 blocks of real .rvf files — the f16 and i8 VEC
// blocks our runtime wrote for the 5,000 × 64 vectors of the upstream-written l2-5000x64.rvf —
// with top-10 checked against brute force on the quantised values (exact up to float rounding)
// and on the original f32 values (within the measured quantisation error); the native
// runtime's recorded results; a 384-d Core-profile scan with full 32 KB blocks; fault injection.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
    DTYPE,
    FIRMWARE_DETAIL,
    Hub,
    METRIC,
    MSG,
    TILE_ERROR,
    TILE_LIMITS,
    TileFirmware,
    compareTopK,
    dequantI8ToF16,
    distancesTo,
    encode,
    gaussianMatrix,
    loadRvf,
    loadTileModule,
    makeBlocks,
    parseReply,
    quantizeI8,
    repoRoot,
    sqParams,
    toF16,
    valuesOf,
    bytesOf,
    concatBlocks,
    loadNeighbors,
    readLayoutS,
    reset,
} from './tile/index.mjs';

const fixtures = path.join(repoRoot, 'tests/data/upstream');
const fixture = (name) => {
    const ds = loadRvf(path.join(fixtures, `${name}.rvf`));
    const expected = JSON.parse(readFileSync(path.join(fixtures, `${name}.expected.json`), 'utf8'));
    return { ...ds, expected, queries: expected.queries.map((q) => Float32Array.from(q)) };
};
const K = 10;

/** The largest |quantised − exact| distance over the dataset: the quantisation tolerance. */
const maxError = (a, b, scale = 1) => a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i] * scale)), 0);
/** Float rounding allowance for a tile (f32) distance against a float64 one. */
const roundingEps = (ref) => 1e-5 * ref.reduce((m, x) => Math.max(m, Math.abs(x)), 1);

// One encoding of a dataset for the tile: block rows, the query in tile form, and the values
// a float64 brute force must use to see what the tile sees.
function encodings(ds, q) {
    const params = sqParams(ds.data, ds.dim);
    const codes = quantizeI8(ds.data, params, ds.dim);
    const qcodes = quantizeI8(q, params, ds.dim);
    const f16 = toF16(ds.data), qf16 = toF16(q);
    const deq = dequantI8ToF16(codes, params, ds.dim);
    return {
        f16: { dtype: DTYPE.f16, rows: f16, query: { dim: ds.dim, qtype: 0, elements: qf16 }, qv: valuesOf(qf16), values: valuesOf(f16), qbytes: bytesOf(qf16) },
        i8: { dtype: DTYPE.i8, rows: codes, query: { dim: ds.dim, qtype: 1, elements: qcodes }, qv: Float64Array.from(qcodes), values: Float64Array.from(codes), qbytes: bytesOf(qcodes), scale: (255 / (2 * params[1])) ** 2 },
        // i8 rows decoded to f16 on the tile (LOAD_PARAMS + rvf_dequant_i8), f16 query.
        i8deq: { dtype: DTYPE.i8, flags: 1, params, rows: codes, query: { dim: ds.dim, qtype: 0, elements: qf16 }, qv: valuesOf(qf16), values: valuesOf(deq) },
    };
}

describe.each(['scalar', 'simd'])('tile simulator (%s)', async (variant) => {
    const tm = await loadTileModule(variant);
    const ds = fixture('l2-5000x64');

    it('runs the module under the tile limits: no imports, code < 8 KB, 2 own pages, window capped', () => {
        expect(tm.limits).toEqual({ codeBytes: tm.bytes.length, imports: 0, ownPages: 2, violations: [] });
        expect(tm.bytes.length).toBeLessThan(TILE_LIMITS.codeBytes);
        const t = tm.instantiate();
        expect(t.exports.memory.buffer.byteLength).toBe(4 * 65536);
        expect(() => t.exports.memory.grow(1)).toThrow(RangeError); // max-memory 4 pages
    });

    // The runtime's own files: the upstream vectors re-ingested by RvfStore as f16 and as i8
    // storage (tests/data/microkernel/README.md), read back block by block (Layout S VEC_SEG,
    // columnar, CRC-checked), transposed and re-cut by the hub into 5-row tile blocks.
    const stored = (kind) => readLayoutS(path.join(repoRoot, `tests/data/microkernel/l2-5000x64-${kind}.rvf`));

    it('scans 1,000 tile blocks of an f16 .rvf written by our runtime: top-10 equals brute force, 4 queries × 4 metrics', () => {
        const file = concatBlocks(stored('f16').blocks);
        expect(file.ids).toEqual(ds.ids);
        expect(Array.from(file.rows)).toEqual(Array.from(toF16(ds.data))); // the store rounds f32 → f16 as we do
        const blocks = makeBlocks({ rows: file.rows, ids: file.ids, dim: file.dim, dtype: DTYPE.f16, perBlock: 5 });
        expect(blocks.length).toBe(1000);
        const values = valuesOf(file.rows), exactV = Float64Array.from(ds.data);
        for (const [qi, q] of ds.queries.entries()) {
            const qf16 = toF16(q);
            const query = { dim: file.dim, qtype: 0, elements: qf16 };
            for (const metric of [METRIC.l2, METRIC.ip, METRIC.cosine, METRIC.hamming]) {
                const hub = new Hub({ tileModule: tm, tiles: 4 });
                const { results, stats } = hub.search({ query, blocks, metric, k: K });
                expect(stats.blocksComputed).toBe(1000);
                expect(stats.errors).toEqual([]);
                const ref = distancesTo({ query: valuesOf(qf16), values, dim: file.dim, metric, queryBytes: bytesOf(qf16), rowBytes: bytesOf(file.rows) });
                expect([qi, metric, compareTopK(results, ref, file.ids, K, roundingEps(ref)).problems]).toEqual([qi, metric, []]);
                // Tile distances are the reference values to float rounding.
                const index = new Map(Array.from(file.ids, (id, i) => [id, i]));
                for (const r of results) expect(Math.abs(r.dist - ref[index.get(r.id)])).toBeLessThanOrEqual(roundingEps(ref));
                if (metric === METRIC.hamming) continue; // bit patterns: no f32 counterpart
                const exact = distancesTo({ query: Float64Array.from(q), values: exactV, dim: file.dim, metric });
                const vsF32 = compareTopK(results, exact, file.ids, K, maxError(ref, exact) + roundingEps(ref));
                expect([qi, metric, vsF32.problems]).toEqual([qi, metric, []]);
            }
        }
    });

    it('scans 1,000 tile blocks of an i8 .rvf written by our runtime: raw codes (L2, Hamming) and decoded on the tile (L2, IP, cosine)', () => {
        const { blocks: fileBlocks, quant } = stored('i8');
        const file = concatBlocks(fileBlocks);
        expect(file.ids).toEqual(ds.ids);
        // QUANT_SEG holds min[] then max[]; the tile wants (min, max) pairs (spec §12 #23).
        const params = new Float32Array(2 * file.dim);
        for (let d = 0; d < file.dim; d++) {
            params[2 * d] = quant.min[d];
            params[2 * d + 1] = quant.max[d];
        }
        const scale = (255 / (quant.max[0] - quant.min[0])) ** 2; // code units² per value unit²
        const decoded = valuesOf(dequantI8ToF16(file.rows, params, file.dim));
        const exactV = Float64Array.from(ds.data);
        for (const [qi, q] of ds.queries.entries()) {
            const qcodes = quantizeI8(q, params, file.dim), qf16 = toF16(q);
            const runs = [
                [METRIC.l2, { dim: file.dim, qtype: 1, elements: qcodes }, 0, Float64Array.from(qcodes), Float64Array.from(file.rows), scale],
                [METRIC.hamming, { dim: file.dim, qtype: 1, elements: qcodes }, 0, null, null, null],
                [METRIC.l2, { dim: file.dim, qtype: 0, elements: qf16 }, 1, valuesOf(qf16), decoded, 1],
                [METRIC.ip, { dim: file.dim, qtype: 0, elements: qf16 }, 1, valuesOf(qf16), decoded, 1],
                [METRIC.cosine, { dim: file.dim, qtype: 0, elements: qf16 }, 1, valuesOf(qf16), decoded, 1],
            ];
            for (const [metric, query, flags, qv, values, unit] of runs) {
                const blocks = makeBlocks({ rows: file.rows, ids: file.ids, dim: file.dim, dtype: DTYPE.i8, perBlock: 5, flags });
                const hub = new Hub({ tileModule: tm, tiles: 2 });
                const { results, stats } = hub.search({ query, params: flags ? params : null, blocks, metric, k: K });
                expect(stats.blocksComputed).toBe(1000);
                const ref = distancesTo({ query: qv ?? Float64Array.from(qcodes), values: values ?? Float64Array.from(file.rows), dim: file.dim, metric, queryBytes: bytesOf(qcodes), rowBytes: bytesOf(file.rows) });
                expect([qi, metric, flags, compareTopK(results, ref, file.ids, K, roundingEps(ref)).problems]).toEqual([qi, metric, flags, []]);
                if (metric === METRIC.hamming) continue;
                const exact = distancesTo({ query: Float64Array.from(q), values: exactV, dim: file.dim, metric }).map((x) => x * unit);
                const cmp = compareTopK(results, exact, file.ids, K, maxError(ref, exact) + roundingEps(ref));
                expect([qi, metric, flags, cmp.problems]).toEqual([qi, metric, flags, []]);
            }
        }
    });

    it("agrees with the native runtime's recorded top-10 (L2, IP, cosine fixtures) within f16 tolerance", () => {
        for (const [name, metric, perBlock] of [['l2-5000x64', METRIC.l2, 5], ['ip-1000x16', METRIC.ip, 1], ['cosine-1000x16', METRIC.cosine, 1]]) {
            const f = name === 'l2-5000x64' ? ds : fixture(name);
            const blocks = makeBlocks({ rows: toF16(f.data), ids: f.ids, dim: f.dim, dtype: DTYPE.f16, perBlock });
            expect(blocks.length).toBe(1000);
            for (const [qi, q] of f.queries.entries()) {
                const e = encodings(f, q).f16;
                const { results } = new Hub({ tileModule: tm }).search({ query: e.query, blocks, metric, k: K });
                const exact = distancesTo({ query: Float64Array.from(q), values: Float64Array.from(f.data), dim: f.dim, metric });
                const quant = distancesTo({ query: e.qv, values: e.values, dim: f.dim, metric });
                const native = f.expected.resultsBeforeClose[qi].map(([id, dist]) => ({ id: BigInt(id), dist }));
                // The recorded native answer is the exact f32 brute force …
                expect([name, qi, compareTopK(native, exact, f.ids, K, roundingEps(exact)).problems]).toEqual([name, qi, []]);
                // … and the tile's f16 answer matches it within the quantisation error.
                const eps = maxError(quant, exact) + roundingEps(exact);
                expect([name, qi, compareTopK(results, exact, f.ids, K, eps).problems]).toEqual([name, qi, []]);
                const nativeIds = native.map((r) => r.id);
                const same = results.filter((r) => nativeIds.includes(r.id)).length;
                expect(same).toBeGreaterThanOrEqual(9);
            }
        }
    });

    it('Core profile: 384-d f16 and i8 scans with full 32 KB blocks (42 × 768 B) and top-16', () => {
        const dim = 384, n = 4200;
        const data = gaussianMatrix(384, n, dim);
        const q = gaussianMatrix(385, 1, dim);
        const set = { dim, n, data, ids: BigUint64Array.from({ length: n }, (_, i) => BigInt(i) * 1000003n) };
        const enc = encodings(set, q);
        for (const [e, perBlock, metrics] of [[enc.f16, 42, [METRIC.l2, METRIC.cosine]], [enc.i8, 85, [METRIC.l2, METRIC.ip]]]) {
            const blocks = makeBlocks({ rows: e.rows, ids: set.ids, dim, dtype: e.dtype, perBlock });
            expect(blocks[0].bytes.length).toBe(e.dtype === DTYPE.f16 ? 32256 : 32640);
            for (const metric of metrics) {
                const { results } = new Hub({ tileModule: tm, tiles: 3 }).search({ query: e.query, blocks, metric, k: 16, blocksPerJob: 7 });
                const ref = distancesTo({ query: e.qv, values: e.values, dim, metric });
                expect(results.length).toBe(16);
                expect(compareTopK(results, ref, set.ids, 16, roundingEps(ref)).problems).toEqual([]);
            }
        }
    });

    describe('fault injection: the tile is reset or restarted and the job re-run; results stay correct', () => {
        const blocks = makeBlocks({ rows: toF16(ds.data), ids: ds.ids, dim: ds.dim, dtype: DTYPE.f16, perBlock: 5 });
        const e = encodings(ds, ds.queries[1]).f16;
        const clean = new Hub({ tileModule: tm, tiles: 4 }).search({ query: e.query, blocks, metric: METRIC.l2, k: K }).results;

        it('corrupted blocks are caught by the tile CRC-32C check', () => {
            const hub = new Hub({ tileModule: tm, tiles: 4, faults: [3, 500, 999].map((block) => ({ kind: 'corrupt', block })) });
            const { results, stats } = hub.search({ query: e.query, blocks, metric: METRIC.l2, k: K });
            expect(results).toEqual(clean);
            expect(stats.errors.map((x) => [x.code, x.failedType, x.detail])).toEqual(Array(3).fill([TILE_ERROR.TileInvalidMsg, MSG.LOAD_BLOCK, FIRMWARE_DETAIL.crc]));
            expect(stats.reruns).toBe(3);
            expect(stats.traps).toBe(0);
        });

        it('out-of-range pointers are refused with −1 (no trap) and reported as ERROR', () => {
            const t = tm.instantiate();
            const end = t.exports.memory.buffer.byteLength;
            const ptrs = [end, end - 4, end + 4096, -8, -0x80000000, 0, 0x100, 0x9000, 0x7fffffff];
            const faults = ptrs.map((ptr, i) => ({ kind: 'badPointer', block: 37 + 101 * i, ptr }));
            const hub = new Hub({ tileModule: tm, tiles: 4, faults });
            const { results, stats } = hub.search({ query: e.query, blocks, metric: METRIC.l2, k: K });
            expect(results).toEqual(clean);
            expect(stats.traps).toBe(0);
            expect(stats.errors.length).toBe(ptrs.length);
            for (const x of stats.errors) expect([x.code, x.failedType, x.detail]).toEqual([TILE_ERROR.TileInvalidMsg, MSG.LOAD_BLOCK, -1]);
            expect(stats.reruns).toBe(ptrs.length);
        });

        it('an injected `unreachable` traps inside the wasm, is caught, and the tile is restarted', () => {
            const faults = [
                { kind: 'unreachable', block: 10 },
                { kind: 'unreachable', block: 640, fn: 'rvf_topk_merge' },
                { kind: 'unreachable', block: 999 },
            ];
            const hub = new Hub({ tileModule: tm, tiles: 4, faults });
            const { results, stats } = hub.search({ query: e.query, blocks, metric: METRIC.l2, k: K });
            expect(results).toEqual(clean);
            expect(stats.traps).toBe(3);
            expect(stats.restarts).toBe(3);
            expect(stats.reruns).toBe(3);
            for (const x of stats.errors) expect([x.code, x.failedType]).toEqual([TILE_ERROR.TileTrap, MSG.COMPUTE]);
            expect(stats.blocksComputed).toBeGreaterThan(1000); // the re-run jobs count twice
        });

        it('all three at once on one tile, with a trapped tile refusing work until restarted', () => {
            const faults = [
                { kind: 'corrupt', block: 0 },
                { kind: 'badPointer', block: 1, ptr: -1 },
                { kind: 'unreachable', block: 2 },
                { kind: 'unreachable', block: 3 },
            ];
            const hub = new Hub({ tileModule: tm, tiles: 1, faults, maxAttempts: 5 });
            const { results, stats } = hub.search({ query: e.query, blocks, metric: METRIC.l2, k: K, blocksPerJob: 1000 });
            expect(results).toEqual(clean);
            expect(stats.errors.map((x) => x.code)).toEqual([0x0403, 0x0403, 0x0400, 0x0400]);
            expect(stats.reruns).toBe(4);
            // A faulted firmware answers TileTrap to anything until it is replaced.
            const fw = new TileFirmware(tm.instantiate());
            fw.faulted = true;
            expect(parseReply(fw.handle(reset(1))).code).toBe(TILE_ERROR.TileTrap);
        });
    });

    it('protocol: malformed frames, unknown types and COMPUTE without a block are answered with ERROR', () => {
        const fw = new TileFirmware(tm.instantiate());
        expect(parseReply(fw.handle(encode(MSG.RESET, 5))).type).toBe(MSG.DONE);
        const bad = encode(MSG.LOAD_QUERY, 6, Uint8Array.of(4, 0, 0, 0, 1, 2)); // dim 4 needs 8 B
        expect(parseReply(fw.handle(bad))).toMatchObject({ type: MSG.ERROR, id: 6, code: TILE_ERROR.TileInvalidMsg, detail: FIRMWARE_DETAIL.malformed });
        const truncated = encode(MSG.READ_TOPK, 7).subarray(0, 5);
        expect(parseReply(fw.handle(truncated))).toMatchObject({ type: MSG.ERROR, code: TILE_ERROR.TileInvalidMsg });
        expect(parseReply(fw.handle(encode(0x42, 8)))).toMatchObject({ type: MSG.ERROR, id: 8, code: TILE_ERROR.TileUnsupportedOp });
        expect(parseReply(fw.handle(encode(MSG.COMPUTE, 9, Uint8Array.of(0, 10, 0, 0))))).toMatchObject({ code: TILE_ERROR.TileInvalidMsg, detail: FIRMWARE_DETAIL.noBlock });
        // A query too large for the tile is the export's −1, carried in the ERROR detail.
        const big = encode(MSG.LOAD_QUERY, 10, new Uint8Array(4 + 2 * 800).fill(0).map((_, i) => (i === 0 ? 800 & 0xff : i === 1 ? 800 >> 8 : 0)));
        expect(parseReply(fw.handle(big))).toMatchObject({ code: TILE_ERROR.TileInvalidMsg, detail: -1 });
    });

    it('LOAD_NEIGHBORS runs one greedy HNSW step and returns the next node id (i64)', () => {
        const fw = new TileFirmware(tm.instantiate());
        const neighbors = [
            { id: 2n ** 63n + 5n, dist: 0.75 },
            { id: 12n, dist: 0.5 },
            { id: 99n, dist: 0.125 },
        ];
        let r = parseReply(fw.handle(loadNeighbors(1, { currentId: 7n, layer: 2, neighbors })));
        expect(r).toMatchObject({ type: MSG.DONE, value: 99n });
        r = parseReply(fw.handle(loadNeighbors(2, { currentId: 99n, layer: 0, neighbors })));
        expect(r.value).toBe(12n);
        r = parseReply(fw.handle(loadNeighbors(3, { currentId: 99n, layer: 0, neighbors: [{ id: 99n, dist: 0 }] })));
        expect(r.value).toBe(-1n);
    });
});
