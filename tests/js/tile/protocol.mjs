// Hub ↔ tile messages (spec §7.6). Frame: u16 msg_type | u16 msg_length | u32 msg_id | payload,
// all little-endian; msg_length counts payload bytes. The spec names the message types but not
// their payloads; the payloads below are this simulator's, chosen to carry exactly the
// arguments of the exports each message drives.
//
// hub → tile                payload
//   LOAD_QUERY     0x01     u16 dim | u8 qtype (0 f16, 1 i8) | u8 0 | elements (2·dim or dim B)
//   LOAD_BLOCK     0x02     u32 block_no | u16 count | u8 dtype | u8 flags | u32 crc32c | u32 0
//                           | u64 ids[count] | rows (count·dim·elem B); crc32c covers ids + rows;
//                           flags bit 0: i8 rows are dequantised to f16 on the tile first
//   LOAD_NEIGHBORS 0x03     u64 current_id | u32 layer | u32 n | n × (u64 id, f32 dist)
//   LOAD_PARAMS    0x04     u16 dim | u16 0 | dim × (f32 min, f32 max)
//   COMPUTE        0x05     u8 metric | u8 k | u16 0        (distances of the loaded block + merge)
//   READ_TOPK      0x06     (empty)
//   RESET          0x07     (empty) — rvf_init with a zero config: clears top-K and the query
// tile → hub
//   TOPK_RESULT    0x81     u16 n | u16 0 | n × (u64 id, f32 dist)
//   DONE           0x84     i64 value (COMPUTE: distances computed; LOAD_NEIGHBORS: next node id)
//   ERROR          0x85     u16 code (0x04xx, spec §8) | u16 failed msg_type | i32 detail
//                           (the export's return value, or 0 for a trap)
// NEED_BLOCK 0x82 / NEED_NEIGHBORS 0x83 belong to the pull (HNSW) flow, which the hub here does
// not run: it pushes blocks. The 2 KB I/O buffer of the spec carries small frames; LOAD_BLOCK
// frames (up to 64 KB by msg_length) stand for the mesh DMA into the tile's hub window.
export const MSG = Object.freeze({
    LOAD_QUERY: 0x01,
    LOAD_BLOCK: 0x02,
    LOAD_NEIGHBORS: 0x03,
    LOAD_PARAMS: 0x04,
    COMPUTE: 0x05,
    READ_TOPK: 0x06,
    RESET: 0x07,
    TOPK_RESULT: 0x81,
    NEED_BLOCK: 0x82,
    NEED_NEIGHBORS: 0x83,
    DONE: 0x84,
    ERROR: 0x85,
});

// Error category 0x04 of spec §8.
export const TILE_ERROR = Object.freeze({
    TileTrap: 0x0400,
    TileOom: 0x0401,
    TileTimeout: 0x0402,
    TileInvalidMsg: 0x0403,
    TileUnsupportedOp: 0x0404,
});

export const HEADER_BYTES = 8;
export const BLOCK_HEADER_BYTES = 16;
export const MAX_PAYLOAD = 0xffff;

/** Frame a payload. */
export function encode(type, id, payload = new Uint8Array(0)) {
    if (payload.length > MAX_PAYLOAD) throw new RangeError(`payload of ${payload.length} B exceeds the u16 length`);
    const msg = new Uint8Array(HEADER_BYTES + payload.length);
    const dv = new DataView(msg.buffer);
    dv.setUint16(0, type, true);
    dv.setUint16(2, payload.length, true);
    dv.setUint32(4, id >>> 0, true);
    msg.set(payload, HEADER_BYTES);
    return msg;
}

/** Parse a frame; `payload` is a view into `msg`. Throws on a length that does not match. */
export function decode(msg) {
    if (msg.length < HEADER_BYTES) throw new RangeError('short frame');
    const dv = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
    const length = dv.getUint16(2, true);
    if (msg.length !== HEADER_BYTES + length) throw new RangeError(`frame length ${msg.length} ≠ 8 + ${length}`);
    return { type: dv.getUint16(0, true), id: dv.getUint32(4, true), payload: msg.subarray(HEADER_BYTES) };
}

const view = (p) => new DataView(p.buffer, p.byteOffset, p.byteLength);

export function loadQuery(id, { dim, qtype, elements }) {
    const p = new Uint8Array(4 + elements.byteLength);
    view(p).setUint16(0, dim, true);
    p[2] = qtype;
    p.set(new Uint8Array(elements.buffer, elements.byteOffset, elements.byteLength), 4);
    return encode(MSG.LOAD_QUERY, id, p);
}

export function loadParams(id, params /* Float32Array of 2·dim */) {
    const p = new Uint8Array(4 + params.byteLength);
    view(p).setUint16(0, params.length / 2, true);
    p.set(new Uint8Array(params.buffer, params.byteOffset, params.byteLength), 4);
    return encode(MSG.LOAD_PARAMS, id, p);
}

/** ids: BigUint64Array; rows: Uint8Array of the row bytes. The CRC covers ids + rows. */
export function loadBlock(id, { no, count, dtype, flags = 0, ids, rows }, crc) {
    const p = new Uint8Array(BLOCK_HEADER_BYTES + 8 * count + rows.length);
    const dv = view(p);
    dv.setUint32(0, no, true);
    dv.setUint16(4, count, true);
    p[6] = dtype;
    p[7] = flags;
    for (let i = 0; i < count; i++) dv.setBigUint64(BLOCK_HEADER_BYTES + 8 * i, ids[i], true);
    p.set(rows, BLOCK_HEADER_BYTES + 8 * count);
    dv.setUint32(8, crc(p.subarray(BLOCK_HEADER_BYTES)), true);
    return encode(MSG.LOAD_BLOCK, id, p);
}

export function loadNeighbors(id, { currentId, layer, neighbors /* [{id: bigint, dist}] */ }) {
    const p = new Uint8Array(16 + 12 * neighbors.length);
    const dv = view(p);
    dv.setBigInt64(0, BigInt.asIntN(64, currentId), true);
    dv.setUint32(8, layer, true);
    dv.setUint32(12, neighbors.length, true);
    neighbors.forEach((n, i) => {
        dv.setBigUint64(16 + 12 * i, n.id, true);
        dv.setFloat32(24 + 12 * i, n.dist, true);
    });
    return encode(MSG.LOAD_NEIGHBORS, id, p);
}

export function compute(id, { metric, k }) {
    return encode(MSG.COMPUTE, id, Uint8Array.of(metric, k, 0, 0));
}

export const readTopK = (id) => encode(MSG.READ_TOPK, id);
export const reset = (id) => encode(MSG.RESET, id);

export function done(id, value) {
    const p = new Uint8Array(8);
    view(p).setBigInt64(0, BigInt(value), true);
    return encode(MSG.DONE, id, p);
}

export function error(id, code, failedType, detail) {
    const p = new Uint8Array(8);
    const dv = view(p);
    dv.setUint16(0, code, true);
    dv.setUint16(2, failedType, true);
    dv.setInt32(4, detail, true);
    return encode(MSG.ERROR, id, p);
}

/** records: Uint8Array of n × 12-B (u64 id, f32 dist) as rvf_topk_read writes them. */
export function topkResult(id, n, records) {
    const p = new Uint8Array(4 + 12 * n);
    view(p).setUint16(0, n, true);
    p.set(records.subarray(0, 12 * n), 4);
    return encode(MSG.TOPK_RESULT, id, p);
}

/** Decode a reply into a plain object. */
export function parseReply(msg) {
    const { type, id, payload } = decode(msg);
    const dv = view(payload);
    if (type === MSG.DONE) return { type, id, value: dv.getBigInt64(0, true) };
    if (type === MSG.ERROR)
        return { type, id, code: dv.getUint16(0, true), failedType: dv.getUint16(2, true), detail: dv.getInt32(4, true) };
    if (type === MSG.TOPK_RESULT) {
        const n = dv.getUint16(0, true);
        const results = [];
        for (let i = 0; i < n; i++)
            results.push({ id: dv.getBigUint64(4 + 12 * i, true), dist: dv.getFloat32(12 + 12 * i, true) });
        return { type, id, results };
    }
    throw new Error(`unexpected reply type 0x${type.toString(16)}`);
}
