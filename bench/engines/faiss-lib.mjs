// bench/engines/faiss-lib.mjs — what the two faiss-node engines (faiss-hnsw, faiss-flat) share.
//
// faiss-node 0.5.1 exposes no ParameterSpace: efConstruction and efSearch of an IndexHNSWFlat
// cannot be set through its API (defaults 40 and 16). Both are plain fields of faiss's own
// serialised index, so this file sets them there: serialise (toBuffer), overwrite the two int32
// fields, deserialise (fromBuffer). The layout walked below is faiss's write_index for
// IndexHNSWFlat ("IHNf"): the index header, then the HNSW struct (five length-prefixed vectors,
// then entry_point, max_level, efConstruction, efSearch, upper_beam as int32). Every length is
// checked against the buffer, and the fields must hold sane values, before anything is written.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export function loadFaiss() {
    return require('faiss-node');
}

/** Byte offset of efConstruction in a serialised IndexHNSWFlat (efSearch follows at +4). */
function hnswParamsOffset(buf) {
    const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    if (buf.byteLength < 41 || String.fromCharCode(...buf.subarray(0, 4)) !== 'IHNf')
        throw new Error('not a serialised faiss IndexHNSWFlat');
    const metric = dv.getInt32(33, true);
    let at = 37 + (metric > 1 ? 4 : 0); // fourcc, d, ntotal, 2 dummies, is_trained, metric_type[, metric_arg]
    for (const elem of [8, 4, 4, 8, 4]) { // assign_probas, cum_nneighbor_per_level, levels, offsets, neighbors
        if (at + 8 > buf.byteLength)
            throw new Error('truncated faiss HNSW header');
        const count = Number(dv.getBigUint64(at, true));
        at += 8 + count * elem;
    }
    at += 8; // entry_point, max_level
    if (at + 12 > buf.byteLength)
        throw new Error('truncated faiss HNSW header');
    const efc = dv.getInt32(at, true), efs = dv.getInt32(at + 4, true), beam = dv.getInt32(at + 8, true);
    if (efc < 1 || efc > 1 << 20 || efs < 1 || efs > 1 << 20 || beam < 1 || beam > 1 << 20)
        throw new Error(`unexpected faiss HNSW fields (efConstruction ${efc}, efSearch ${efs}, upper_beam ${beam})`);
    return at;
}

/** A copy of a serialised IndexHNSWFlat with efConstruction and/or efSearch replaced. */
export function withHnswParams(buf, { efConstruction, efSearch }) {
    const out = Buffer.from(buf);
    const at = hnswParamsOffset(out);
    if (efConstruction !== undefined)
        out.writeInt32LE(efConstruction, at);
    if (efSearch !== undefined)
        out.writeInt32LE(efSearch, at + 4);
    return out;
}

export function hnswParams(buf) {
    const at = hnswParamsOffset(buf);
    return { efConstruction: buf.readInt32LE(at), efSearch: buf.readInt32LE(at + 4) };
}

/** faiss-node's add() takes a plain array: convert and add in batches. */
export function addRows(index, base, batch) {
    for (let at = 0; at < base.n; at += batch) {
        const n = Math.min(batch, base.n - at);
        index.add(Array.from(base.data.subarray(at * base.dim, (at + n) * base.dim)));
    }
}
