// One simulated tile: a microkernel instance, its hub window, and the tile-side firmware that
// turns §7.6 messages into export calls. Two module flavours run under the same firmware:
//   'rvf'      — our microkernel (microkernel/), held to the tile limits: no imports, code
//                < 8 KB, ≤ 2 pages of its own memory; the hub window is 2 pages it grows.
//   'upstream' — @ruvector/rvf-wasm 0.1.9 (39.5 KB, 18 pages, no checks); its window comes from
//                its own rvf_alloc, and its rvf_init needs the config below linear address 8128.
import { readFile } from 'node:fs/promises';
import { injectUnreachable } from './wasm_patch.mjs';
import {
    BLOCK_HEADER_BYTES,
    MSG,
    TILE_ERROR,
    decode,
    done,
    error,
    topkResult,
} from './protocol.mjs';

const PAGE = 65536;

export const TILE_LIMITS = Object.freeze({ codeBytes: 8192, ownPages: 2, windowPages: 2 });

// Hub window (offsets from its base): where DMA'd payloads, outputs and small buffers live.
export const WINDOW = Object.freeze({
    BLOCK: 0x00000, // LOAD_BLOCK payload minus header: u64 ids[count], then rows (≤ 64 KB)
    F16: 0x10000, // dequantised block (≤ 32 KB)
    DIST: 0x18000, // f32 distances (≤ 4096)
    CONFIG: 0x1c000, // 64-B tile config
    TOPK: 0x1c100, // 16 × 12-B records
    QUERY: 0x1c200, // ≤ 1536 B
    PARAMS: 0x1c800, // ≤ 6144 B SQ params
    NEIGHBORS: 0x1e000, // u32 n + n × 12 B (≤ 8 KB)
    SIZE: 0x20000,
});

const ELEM_BYTES = [2, 1, 4];
const DETAIL = Object.freeze({ malformed: -2, crc: -3, noBlock: -4 });
export { DETAIL as FIRMWARE_DETAIL };

/** A compiled microkernel plus the facts the simulator checks against the tile limits. */
export class TileModule {
    constructor(bytes, flavor = 'rvf') {
        this.bytes = new Uint8Array(bytes);
        this.flavor = flavor;
        this.module = new WebAssembly.Module(this.bytes);
        const imports = WebAssembly.Module.imports(this.module);
        const probe = new WebAssembly.Instance(this.module, {});
        this.limits = {
            codeBytes: this.bytes.length,
            imports: imports.length,
            ownPages: probe.exports.memory.buffer.byteLength / PAGE,
        };
        const violations = [];
        if (imports.length) violations.push(`${imports.length} imports`);
        if (this.bytes.length >= TILE_LIMITS.codeBytes) violations.push(`${this.bytes.length} B of code`);
        if (this.limits.ownPages > TILE_LIMITS.ownPages) violations.push(`${this.limits.ownPages} pages of memory`);
        this.limits.violations = violations;
        if (flavor === 'rvf' && violations.length) throw new Error(`module exceeds the tile limits: ${violations.join(', ')}`);
        this._poisoned = new Map();
    }

    static async fromFile(path, flavor = 'rvf') {
        return new TileModule(await readFile(path), flavor);
    }

    /** The same module with `unreachable` at the start of `exportName` (cached). */
    poisoned(exportName) {
        if (!this._poisoned.has(exportName))
            this._poisoned.set(exportName, new WebAssembly.Module(injectUnreachable(this.bytes, exportName)));
        return this._poisoned.get(exportName);
    }

    instantiate(module = this.module) {
        return new TileInstance(this, module);
    }
}

/** A live instance with its hub window. */
export class TileInstance {
    constructor(tileModule, module) {
        this.tileModule = tileModule;
        this.exports = new WebAssembly.Instance(module, {}).exports;
        if (tileModule.flavor === 'rvf') {
            // Grows past the module's own pages; fails (RangeError) if that broke the max-memory limit.
            this.base = this.exports.memory.grow(TILE_LIMITS.windowPages) * PAGE;
            this.configPtr = this.base + WINDOW.CONFIG;
        } else {
            const p = this.exports.rvf_alloc(WINDOW.SIZE + 16);
            if (p <= 0) throw new Error('upstream rvf_alloc failed');
            this.base = (p + 15) & ~15;
            this.configPtr = 0x400; // shipped rvf_init compares the raw pointer against 8192 − 64
        }
    }

    get memory() {
        return new Uint8Array(this.exports.memory.buffer); // re-made: growth detaches old views
    }

    write(addr, bytes) {
        this.memory.set(bytes, addr);
    }

    read(addr, n) {
        return this.memory.slice(addr, addr + n);
    }

    /** A copy of this instance's whole memory in an instance of `module` (same window). */
    transplant(module) {
        const next = new TileInstance(this.tileModule, module);
        const mem = this.exports.memory;
        const grow = mem.buffer.byteLength / PAGE - next.exports.memory.buffer.byteLength / PAGE;
        if (grow > 0) next.exports.memory.grow(grow);
        next.memory.set(this.memory);
        next.base = this.base;
        next.configPtr = this.configPtr;
        return next;
    }
}

/**
 * The tile side of the protocol: decodes a frame, stages its payload in the hub window, calls
 * the exports and answers with one frame. A WebAssembly trap is caught here and answered with
 * ERROR TileTrap; the instance is then marked faulted (its shadow stack may be mid-call) and
 * must be replaced before more work.
 */
export class TileFirmware {
    constructor(instance) {
        this.instance = instance;
        this.faulted = false;
        this.pointerFault = null;
        this.captureDistances = false;
        this.lastDistances = null;
        this.state = { dim: 0, qtype: 0, block: null };
        this.calls = 0;
    }

    /** The next host pointer handed to an export is replaced by `ptr` (one shot). */
    injectBadPointer(ptr) {
        this.pointerFault = ptr;
    }

    ptr(p) {
        if (this.pointerFault === null) return p;
        const bad = this.pointerFault;
        this.pointerFault = null;
        return bad;
    }

    call(name, ...args) {
        this.calls++;
        return this.instance.exports[name](...args);
    }

    handle(msg) {
        let frame;
        try {
            frame = decode(msg);
        } catch {
            return error(0, TILE_ERROR.TileInvalidMsg, msg.length >= 2 ? msg[0] | (msg[1] << 8) : 0, DETAIL.malformed);
        }
        if (this.faulted) return error(frame.id, TILE_ERROR.TileTrap, frame.type, 0);
        try {
            return this.dispatch(frame);
        } catch (e) {
            if (!(e instanceof WebAssembly.RuntimeError)) throw e;
            this.faulted = true;
            this.lastTrap = e.message;
            return error(frame.id, TILE_ERROR.TileTrap, frame.type, 0);
        }
    }

    dispatch({ type, id, payload }) {
        const t = this.instance;
        const W = t.base;
        const dv = new DataView(payload.buffer, payload.byteOffset, payload.byteLength);
        const fail = (detail) => error(id, TILE_ERROR.TileInvalidMsg, type, detail);
        switch (type) {
            case MSG.LOAD_QUERY: {
                if (payload.length < 4) return fail(DETAIL.malformed);
                const dim = dv.getUint16(0, true), qtype = payload[2];
                const bytes = qtype === 1 ? dim : 2 * dim;
                if (qtype > 1 || payload.length !== 4 + bytes) return fail(DETAIL.malformed);
                const q = new Uint8Array(2 * dim); // an i8 query fills the first dim bytes
                q.set(payload.subarray(4));
                t.write(W + WINDOW.QUERY, q);
                const r = this.call('rvf_load_query', this.ptr(W + WINDOW.QUERY), dim);
                if (r !== 0) return fail(r);
                this.state.dim = dim;
                this.state.qtype = qtype;
                return done(id, 0);
            }
            case MSG.LOAD_PARAMS: {
                if (payload.length < 4) return fail(DETAIL.malformed);
                const dim = dv.getUint16(0, true);
                if (payload.length !== 4 + 8 * dim) return fail(DETAIL.malformed);
                t.write(W + WINDOW.PARAMS, payload.subarray(4));
                const r = this.call('rvf_load_sq_params', this.ptr(W + WINDOW.PARAMS), dim);
                return r === 0 ? done(id, 0) : fail(r);
            }
            case MSG.LOAD_BLOCK: {
                if (payload.length < BLOCK_HEADER_BYTES) return fail(DETAIL.malformed);
                const count = dv.getUint16(4, true), dtype = payload[6], flags = payload[7];
                const crc = dv.getUint32(8, true);
                const rowBytes = count * this.state.dim * (ELEM_BYTES[dtype] ?? 0);
                if (dtype > 2 || payload.length !== BLOCK_HEADER_BYTES + 8 * count + rowBytes)
                    return fail(DETAIL.malformed);
                this.state.block = null;
                t.write(W + WINDOW.BLOCK, payload.subarray(BLOCK_HEADER_BYTES)); // mesh DMA
                const got = this.call('rvf_crc32c', this.ptr(W + WINDOW.BLOCK), 8 * count + rowBytes);
                if (got === -1 && crc !== 0xffffffff) return fail(-1); // refused range, not a CRC
                if (got >>> 0 !== crc) return fail(DETAIL.crc);
                const rows = W + WINDOW.BLOCK + 8 * count;
                let r;
                if (dtype === 1 && flags & 1) {
                    r = this.call('rvf_dequant_i8', this.ptr(rows), this.ptr(W + WINDOW.F16), count * this.state.dim);
                    if (r !== 0) return fail(r);
                    r = this.call('rvf_load_block', this.ptr(W + WINDOW.F16), count, 0);
                } else {
                    r = this.call('rvf_load_block', this.ptr(rows), count, dtype);
                }
                if (r !== 0) return fail(r);
                this.state.block = { count, idsPtr: W + WINDOW.BLOCK };
                return done(id, count);
            }
            case MSG.COMPUTE: {
                if (payload.length !== 4) return fail(DETAIL.malformed);
                const metric = payload[0], k = payload[1];
                const block = this.state.block;
                if (!block) return fail(DETAIL.noBlock);
                const n = this.call('rvf_distances', metric, this.ptr(W + WINDOW.DIST));
                if (n < 0) return fail(n);
                if (this.captureDistances)
                    this.lastDistances = new Float32Array(t.read(W + WINDOW.DIST, 4 * n).buffer);
                const r = this.call('rvf_topk_merge', this.ptr(W + WINDOW.DIST), this.ptr(block.idsPtr), n, k);
                return r === 0 ? done(id, n) : fail(r);
            }
            case MSG.READ_TOPK: {
                const n = this.call('rvf_topk_read', this.ptr(W + WINDOW.TOPK));
                if (n < 0) return fail(n);
                return topkResult(id, n, t.read(W + WINDOW.TOPK, 12 * n));
            }
            case MSG.RESET: {
                t.write(t.configPtr, new Uint8Array(64));
                const r = this.call('rvf_init', this.ptr(t.configPtr));
                if (r !== 0) return fail(r);
                this.state = { dim: 0, qtype: 0, block: null };
                return done(id, 0);
            }
            case MSG.LOAD_NEIGHBORS: {
                if (payload.length < 16) return fail(DETAIL.malformed);
                const current = dv.getBigInt64(0, true), layer = dv.getUint32(8, true), n = dv.getUint32(12, true);
                if (payload.length !== 16 + 12 * n || 4 + 12 * n > WINDOW.SIZE - WINDOW.NEIGHBORS)
                    return fail(DETAIL.malformed);
                t.write(W + WINDOW.NEIGHBORS, payload.subarray(12));
                const r = this.call('rvf_load_neighbors', current, layer, this.ptr(W + WINDOW.NEIGHBORS));
                if (r !== 0) return fail(r);
                return done(id, this.call('rvf_greedy_step', current, layer));
            }
            default:
                return error(id, TILE_ERROR.TileUnsupportedOp, type, 0);
        }
    }
}
