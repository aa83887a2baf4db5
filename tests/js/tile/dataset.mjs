// Vector sources and references for the tile simulator: read the VEC segments of a Layout R
// .rvf file, cut the vectors into tile blocks (f16, i8 scalar-quantised, or f32), and compute
// brute-force references in float64 on the same (quantised) values the tile sees.
import { readFileSync } from 'node:fs';
import { inspect, readVectors } from '../../data/upstream/inspect-rvf.mjs';
import { f16ToF32, f32ToF16 } from './codec.mjs';

export const DTYPE = Object.freeze({ f16: 0, i8: 1, f32: 2 });
export const METRIC = Object.freeze({ l2: 0, ip: 1, cosine: 2, hamming: 3 });

/**
 * All live vectors of an upstream-written (Layout R) .rvf file, in id order.
 * Every segment's content hash must check out, so a damaged fixture fails loudly.
 */
export function loadRvf(path) {
    const buf = readFileSync(path);
    const info = inspect(buf);
    if (info.errors.length) throw new Error(`${path}: ${info.errors.join('; ')}`);
    const bad = info.segments.filter((s) => !s.hashOk);
    if (bad.length) throw new Error(`${path}: content hash mismatch in segment(s) ${bad.map((s) => s.segId)}`);
    const map = readVectors(buf, info);
    const ids = [...map.keys()].sort((a, b) => a - b);
    const dim = info.latestManifest.dim;
    const data = new Float32Array(ids.length * dim);
    ids.forEach((id, i) => data.set(map.get(id), i * dim));
    return { dim, n: ids.length, ids: BigUint64Array.from(ids, BigInt), data, metric: info.latestManifest.metric };
}

/**
 * Symmetric global scalar quantisation to i8 (one (min, max) = (−a, a) for every dimension, a =
 * max |v|), so distances between codes stay proportional to distances between values and all
 * four metrics can run on raw codes. code = round((v − min) / (max − min) · 255) − 128, decoded
 * by the tile's rvf_dequant_i8 as min + (code + 128) / 255 · (max − min).
 */
export function sqParams(data, dim) {
    let a = 0;
    for (const v of data) a = Math.max(a, Math.abs(v));
    const params = new Float32Array(2 * dim);
    for (let d = 0; d < dim; d++) {
        params[2 * d] = -a;
        params[2 * d + 1] = a;
    }
    return params;
}

export function quantizeI8(values, params, dim) {
    const out = new Int8Array(values.length);
    for (let i = 0; i < values.length; i++) {
        const lo = params[2 * (i % dim)], hi = params[2 * (i % dim) + 1];
        const c = Math.round(((values[i] - lo) / (hi - lo)) * 255) - 128;
        out[i] = Math.max(-128, Math.min(127, c));
    }
    return out;
}

/** The value the tile's rvf_dequant_i8 produces for a code, as f16 bits (f32 math, like the tile). */
export function dequantI8ToF16(codes, params, dim) {
    const out = new Uint16Array(codes.length);
    for (let i = 0; i < codes.length; i++) {
        const lo = Math.fround(params[2 * (i % dim)]), hi = Math.fround(params[2 * (i % dim) + 1]);
        const t = Math.fround(Math.fround(codes[i] + 128) / 255);
        out[i] = f32ToF16(Math.fround(lo + Math.fround(t * Math.fround(hi - lo))));
    }
    return out;
}

/** Raw bytes of a typed array (shares memory). */
export const bytesOf = (a) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/**
 * Cut n vectors into blocks of `perBlock` rows. `rows` is the element array in the block dtype
 * (Uint16Array f16 bits, Int8Array codes or Float32Array). Each block: { no, ids, count, dtype, bytes }.
 */
export function makeBlocks({ rows, ids, dim, dtype, perBlock, flags = 0 }) {
    const n = ids.length;
    const blocks = [];
    for (let start = 0, no = 0; start < n; start += perBlock, no++) {
        const count = Math.min(perBlock, n - start);
        const slice = rows.subarray(start * dim, (start + count) * dim);
        blocks.push({ no, ids: ids.subarray(start, start + count), count, dtype, flags, bytes: bytesOf(slice) });
    }
    return blocks;
}

/** Element values (numbers) of a row array as the tile reads them. */
export function valuesOf(rows) {
    if (rows instanceof Uint16Array) return Float64Array.from(rows, f16ToF32);
    return Float64Array.from(rows);
}

const popcount8 = Uint8Array.from({ length: 256 }, (_, i) => {
    let c = 0;
    for (let x = i; x; x &= x - 1) c++;
    return c;
});

/**
 * Float64 distances from one query to every row, in the tile's metric conventions:
 * L2 = Σ(a−b)² (no sqrt), IP = −Σab, cosine = 1 − ab/√(|a|²|b|²) (1 for a zero vector),
 * Hamming = popcount over the raw bytes (queryBytes / rowBytes given then).
 */
export function distancesTo({ query, values, dim, metric, queryBytes, rowBytes }) {
    const n = values.length / dim;
    const out = new Float64Array(n);
    if (metric === METRIC.hamming) {
        const stride = rowBytes.length / n;
        for (let i = 0; i < n; i++) {
            let c = 0;
            for (let j = 0; j < stride; j++) c += popcount8[queryBytes[j] ^ rowBytes[i * stride + j]];
            out[i] = c;
        }
        return out;
    }
    let qq = 0;
    for (let d = 0; d < dim; d++) qq += query[d] * query[d];
    for (let i = 0; i < n; i++) {
        let l2 = 0, dot = 0, bb = 0;
        for (let d = 0; d < dim; d++) {
            const a = query[d], b = values[i * dim + d];
            l2 += (a - b) * (a - b);
            dot += a * b;
            bb += b * b;
        }
        if (metric === METRIC.l2) out[i] = l2;
        else if (metric === METRIC.ip) out[i] = -dot;
        else {
            const den = Math.sqrt(qq * bb);
            out[i] = den < 1.1920929e-7 ? 1 : 1 - dot / den;
        }
    }
    return out;
}

/** Indices of the k smallest distances (ties by index). */
export function topkIndices(dist, k) {
    return Array.from(dist.keys())
        .sort((a, b) => dist[a] - dist[b] || a - b)
        .slice(0, k);
}

/**
 * Does the tile's top-k (array of { id, dist }) equal the reference top-k up to `eps`?
 * Rigorous rule: a candidate may differ from the reference top-k only if its reference
 * distance lies within 2·eps of the k-th reference distance (both sides then cannot be ordered
 * by a computation with error ≤ eps). `ref` are the reference distances indexed like `ids`.
 * Returns { ok, problems, recall }.
 */
export function compareTopK(tile, ref, ids, k, eps) {
    const index = new Map(Array.from(ids, (id, i) => [id, i]));
    const order = topkIndices(ref, k);
    const dk = ref[order[k - 1]];
    const problems = [];
    const got = new Set(tile.map((r) => r.id));
    if (tile.length !== Math.min(k, ids.length)) problems.push(`got ${tile.length} results, want ${k}`);
    if (got.size !== tile.length) problems.push('duplicate ids');
    for (const r of tile) {
        const i = index.get(r.id);
        if (i === undefined) problems.push(`unknown id ${r.id}`);
        else if (ref[i] > dk + 2 * eps) problems.push(`id ${r.id} at ${ref[i]} is beyond the k-th ${dk} + 2·${eps}`);
    }
    for (const i of order)
        if (ref[i] < dk - 2 * eps && !got.has(ids[i])) problems.push(`missing id ${ids[i]} at ${ref[i]} (k-th ${dk})`);
    for (let j = 1; j < tile.length; j++)
        if (!(tile[j - 1].dist <= tile[j].dist)) problems.push(`results not ascending at ${j}`);
    const recall = order.filter((i) => got.has(ids[i])).length / k;
    return { ok: problems.length === 0, problems, recall };
}
