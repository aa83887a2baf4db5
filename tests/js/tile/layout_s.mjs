// Reads what the tile simulator needs from a Layout S .rvf file written by our runtime: every
// VEC_SEG block (spec §6.2: columnar rows, an id map, a CRC-32C per block, checked here) and the
// scalar QUANT_SEG range (spec §6.5). The hub hands the tile row-major blocks, so columns are
// transposed on the way out. Segments are walked forward (64-B headers, payload, alignment
// pad); a file with deletions would also need its manifest, which these fixtures do not have.
import { readFileSync } from 'node:fs';
import { crc32c } from './codec.mjs';

const SEG = { vec: 0x01, quant: 0x06 };
const ELEM = { 0: 4, 1: 2, 2: 2, 3: 1, 4: 1 }; // DataType: f32, f16, bf16, i8, u8
export const DATA_TYPE = Object.freeze({ f32: 0, f16: 1, i8: 3 });

function segments(buf) {
    const out = [];
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    for (let off = 0; off + 64 <= buf.length; ) {
        if (dv.getUint32(off, true) !== 0x52564653) throw new Error(`no segment magic at ${off}`);
        const type = buf[off + 5];
        const length = Number(dv.getBigUint64(off + 16, true));
        const pad = dv.getUint32(off + 60, true);
        if (off + 64 + length > buf.length) throw new Error(`segment at ${off} runs past the end`);
        out.push({ offset: off, type, payload: buf.subarray(off + 64, off + 64 + length) });
        off += 64 + length + pad;
    }
    return out;
}

function readIds(p, pos, count) {
    const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
    const encoding = p[pos], restart = dv.getUint16(pos + 1, true), n = dv.getUint32(pos + 3, true);
    if (n !== count) throw new Error(`id_count ${n} ≠ vector_count ${count}`);
    pos += 7;
    const ids = new BigUint64Array(n);
    if (encoding === 0) {
        for (let i = 0; i < n; i++, pos += 8) ids[i] = dv.getBigUint64(pos, true);
        return { ids, end: pos };
    }
    let prev = 0n;
    for (let i = 0; i < n; i++) {
        let v = 0n, shift = 0n, b;
        do {
            b = p[pos++];
            v |= BigInt(b & 0x7f) << shift;
            shift += 7n;
        } while (b & 0x80);
        prev = i % restart === 0 ? v : prev + v;
        ids[i] = prev;
    }
    return { ids, end: pos };
}

/**
 * All VEC blocks of the file as { ids, count, dim, dataType, rows } with `rows` row-major
 * (Float32Array, Uint16Array of f16 bits, or Int8Array of i8 codes), plus the scalar
 * quantisation range { min: Float32Array, max: Float32Array } when the file has one.
 */
export function readLayoutS(path) {
    const buf = readFileSync(path);
    const blocks = [];
    let quant = null;
    for (const s of segments(buf)) {
        const p = s.payload;
        const dv = new DataView(p.buffer, p.byteOffset, p.byteLength);
        if (s.type === SEG.quant && p[0] === 0) {
            const dim = dv.getUint16(2, true);
            quant = {
                min: new Float32Array(p.buffer.slice(p.byteOffset + 64, p.byteOffset + 64 + 4 * dim)),
                max: new Float32Array(p.buffer.slice(p.byteOffset + 64 + 4 * dim, p.byteOffset + 64 + 8 * dim)),
            };
        }
        if (s.type !== SEG.vec) continue;
        const nblocks = dv.getUint32(0, true);
        for (let b = 0; b < nblocks; b++) {
            const e = 4 + 12 * b;
            const at = dv.getUint32(e, true), count = dv.getUint32(e + 4, true);
            const dim = dv.getUint16(e + 8, true), dataType = p[e + 10];
            const elem = ELEM[dataType];
            if (!elem) throw new Error(`unsupported data type ${dataType}`);
            const vecBytes = count * dim * elem;
            const { ids, end } = readIds(p, at + vecBytes, count);
            const crc = dv.getUint32(end, true);
            if (crc32c(p.subarray(at, end)) !== crc) throw new Error(`block CRC-32C mismatch in segment at ${s.offset}`);
            // Columnar (all dim-0 values, then dim-1 …) → row-major.
            const Type = elem === 4 ? Float32Array : elem === 2 ? Uint16Array : Int8Array;
            const cols = new Type(p.buffer.slice(p.byteOffset + at, p.byteOffset + at + vecBytes));
            const rows = new Type(count * dim);
            for (let d = 0; d < dim; d++) for (let i = 0; i < count; i++) rows[i * dim + d] = cols[d * count + i];
            blocks.push({ ids, count, dim, dataType, rows });
        }
    }
    return { blocks, quant };
}

/** Concatenate readLayoutS blocks into one dataset { dim, n, ids, rows }. */
export function concatBlocks(blocks) {
    const dim = blocks[0].dim;
    const n = blocks.reduce((s, b) => s + b.count, 0);
    const rows = new blocks[0].rows.constructor(n * dim);
    const ids = new BigUint64Array(n);
    let at = 0;
    for (const b of blocks) {
        rows.set(b.rows, at * dim);
        ids.set(b.ids, at);
        at += b.count;
    }
    return { dim, n, ids, rows };
}
