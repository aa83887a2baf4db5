// Behaviour of the freestanding microkernel exports (spec §7.3 #13, #14), both variants.
// Inputs go into a page the test grows itself, so nothing the module uses is overwritten.
import { describe, expect, it } from 'vitest';
import { loadMicrokernel } from './helpers/artifacts.mjs';

const kPage = 65536;

function scratch(exports) {
    const base = exports.memory.grow(1) * kPage;
    return { base, bytes: new Uint8Array(exports.memory.buffer, base, kPage) };
}

// A 64-byte segment header: magic 0x52564653 (LE), version 1, the rest zero.
function header({ magic = 0x52564653, version = 1 } = {}) {
    const h = new Uint8Array(64);
    new DataView(h.buffer).setUint32(0, magic, true);
    h[4] = version;
    return h;
}

describe.each(['scalar', 'simd'])('microkernel (%s)', async (variant) => {
    const k = await loadMicrokernel(variant);

    it('rvf_crc32c gives the CRC-32C check value for "123456789"', () => {
        const { base, bytes } = scratch(k);
        bytes.set(new TextEncoder().encode('123456789'));
        expect(k.rvf_crc32c(base, 9) >>> 0).toBe(0xe3069283);
    });

    it('rvf_crc32c of nothing is 0 and a negative length reads nothing', () => {
        const { base } = scratch(k);
        expect(k.rvf_crc32c(base, 0)).toBe(0);
        expect(k.rvf_crc32c(base, -5)).toBe(0);
    });

    it('rvf_crc32c of 32 zero bytes matches RFC 3720 B.4', () => {
        const { base, bytes } = scratch(k);
        bytes.fill(0, 0, 32);
        expect(k.rvf_crc32c(base, 32) >>> 0).toBe(0x8a9136aa);
    });

    it('rvf_verify_header: 0 ok, 1 bad magic, 2 bad version', () => {
        const { base, bytes } = scratch(k);
        bytes.set(header());
        expect(k.rvf_verify_header(base)).toBe(0);
        bytes.set(header({ magic: 0x52564d30 })); // "RVM0", the root-manifest magic
        expect(k.rvf_verify_header(base)).toBe(1);
        bytes.set(header({ version: 2 }));
        expect(k.rvf_verify_header(base)).toBe(2);
        bytes.set(header({ magic: 0, version: 0 })); // magic is judged first
        expect(k.rvf_verify_header(base)).toBe(1);
    });
});
