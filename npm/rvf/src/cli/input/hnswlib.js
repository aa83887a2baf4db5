// hnswlib index files (what hnswlib-node's writeIndex and agentdb's HNSWLibBackend.save write),
// read for `rvf import hnswlib`. The file is hnswlib's saveIndex image, little-endian:
//   96-byte header: u64 offsetLevel0, u64 max_elements, u64 cur_element_count,
//   u64 size_data_per_element, u64 label_offset, u64 offsetData, i32 maxlevel,
//   u32 enterpoint_node, u64 maxM, u64 maxM0, u64 M, f64 mult, u64 ef_construction;
//   then cur_element_count level-0 records of size_data_per_element bytes:
//   u32 link header (low 16 bits: neighbour count; byte 2 bit 0: deleted mark),
//   maxM0 × u32 neighbours, the vector (dim × f32, from offsetData), u64 label (label_offset);
//   then the upper layers' link lists (ignored: our index is rebuilt from the rows).
// The file holds neither the dimension nor the space: the dimension follows from the record
// layout, the space (l2 / ip / cosine) must come from the caller or agentdb's .mappings.json.
// Records are read a batch at a time, so a large index never sits in memory whole.
import fs from 'node:fs';
import { InputError } from '../errors.js';

export const HNSWLIB_HEADER_BYTES = 96;
const DELETE_MARK = 0x01;

/** The header's fields, or a reason it is not an hnswlib index of `fileSize` bytes. */
export function parseHnswlibHeader(buf, fileSize) {
    if (buf.length < HNSWLIB_HEADER_BYTES)
        return { error: `${buf.length} bytes: shorter than an hnswlib header (${HNSWLIB_HEADER_BYTES})` };
    const u64 = (o) => buf.readBigUInt64LE(o);
    const h = {
        offsetLevel0: u64(0), maxElements: u64(8), count: u64(16), sizePerElement: u64(24), labelOffset: u64(32),
        offsetData: u64(40), maxLevel: buf.readInt32LE(48), enterPoint: buf.readUInt32LE(52), maxM: u64(56),
        maxM0: u64(64), M: u64(72), efConstruction: u64(88),
    };
    const fail = (why) => ({ error: `not an hnswlib index: ${why}` });
    if (h.offsetLevel0 !== 0n)
        return fail(`offsetLevel0 is ${h.offsetLevel0}, expected 0`);
    if (h.count > h.maxElements)
        return fail(`cur_element_count ${h.count} exceeds max_elements ${h.maxElements}`);
    if (h.maxM0 === 0n || h.maxM0 > 65535n || h.offsetData !== h.maxM0 * 4n + 4n)
        return fail(`offsetData ${h.offsetData} does not follow maxM0 ${h.maxM0}`);
    if (h.labelOffset <= h.offsetData || (h.labelOffset - h.offsetData) % 4n !== 0n || h.sizePerElement !== h.labelOffset + 8n)
        return fail(`record layout (data at ${h.offsetData}, label at ${h.labelOffset}, size ${h.sizePerElement}) is inconsistent`);
    const dim = Number((h.labelOffset - h.offsetData) / 4n);
    if (dim > 65535)
        return fail(`dimension ${dim} is beyond RVF's 65,535`);
    const level0 = BigInt(HNSWLIB_HEADER_BYTES) + h.count * h.sizePerElement;
    if (BigInt(fileSize) < level0)
        return fail(`the file has ${fileSize} bytes, its ${h.count} level-0 records need ${level0}: truncated`);
    if (h.count > 0n && (h.maxLevel < 0 || BigInt(h.enterPoint) >= h.count))
        return fail(`entry point ${h.enterPoint} / max level ${h.maxLevel} out of range`);
    return {
        dim, count: Number(h.count), sizePerElement: Number(h.sizePerElement), offsetData: Number(h.offsetData),
        labelOffset: Number(h.labelOffset), M: Number(h.M), efConstruction: Number(h.efConstruction),
    };
}

/**
 * Batches {dim, entries: [{label, vector}], deleted} of the live rows of an hnswlib index file;
 * rows carrying the deleted mark are counted, not returned.
 */
export async function* readHnswlib(file, { batchSize = 1000 } = {}) {
    const fd = fs.openSync(file, 'r');
    try {
        const size = fs.fstatSync(fd).size;
        const head = Buffer.alloc(HNSWLIB_HEADER_BYTES);
        fs.readSync(fd, head, 0, head.length, 0);
        const h = parseHnswlibHeader(head.subarray(0, Math.min(size, HNSWLIB_HEADER_BYTES)), size);
        if (h.error)
            throw new InputError(`${file}: ${h.error}`);
        const buf = Buffer.alloc(batchSize * h.sizePerElement);
        for (let first = 0; first < h.count; first += batchSize) {
            const n = Math.min(batchSize, h.count - first);
            const bytes = n * h.sizePerElement;
            let got = 0;
            while (got < bytes) {
                const r = fs.readSync(fd, buf, got, bytes - got, HNSWLIB_HEADER_BYTES + first * h.sizePerElement + got);
                if (r === 0)
                    throw new InputError(`${file}: ends inside record ${first + Math.floor(got / h.sizePerElement)}`);
                got += r;
            }
            const entries = [];
            let deleted = 0;
            for (let i = 0; i < n; i++) {
                const rec = i * h.sizePerElement;
                if (buf[rec + 2] & DELETE_MARK) {
                    deleted++;
                    continue;
                }
                const vector = new Float32Array(h.dim);
                for (let d = 0; d < h.dim; d++)
                    vector[d] = buf.readFloatLE(rec + h.offsetData + 4 * d);
                entries.push({ label: buf.readBigUInt64LE(rec + h.labelOffset), vector });
            }
            yield { dim: h.dim, entries, deleted };
        }
    } finally {
        fs.closeSync(fd);
    }
}
