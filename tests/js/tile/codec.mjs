// Numeric helpers for the tile simulator: IEEE binary16 conversions (the same rounding as
// runtime/include/rvf/core/f16.hpp: nearest, ties to even), CRC-32C, and a seeded N(0,1)
// generator (mulberry32 + Box–Muller, as the upstream fixtures were made).
const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);

/** float → binary16 bits, round to nearest even; overflow → ±inf, NaN stays a quiet NaN. */
export function f32ToF16(v) {
    f32[0] = v;
    const u = u32[0];
    const sign = (u >>> 16) & 0x8000;
    const e = (u >>> 23) & 0xff;
    const m = u & 0x7fffff;
    if (e === 0xff) return m === 0 ? sign | 0x7c00 : sign | 0x7e00 | (m >>> 13);
    const exp = e - 127 + 15;
    if (exp >= 31) return sign | 0x7c00;
    if (exp <= 0) {
        if (e === 0) return sign;
        const man = m | 0x800000;
        const shift = 14 - exp;
        if (shift > 24) return sign;
        let r = man >>> shift;
        const rem = man & ((1 << shift) - 1);
        const half = 1 << (shift - 1);
        if (rem > half || (rem === half && r & 1)) r++;
        return sign | r;
    }
    let r = (exp << 10) | (m >>> 13);
    const rem = m & 0x1fff;
    if (rem > 0x1000 || (rem === 0x1000 && r & 1)) r++;
    return sign | r;
}

/** binary16 bits → number (exact). */
export function f16ToF32(h) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >>> 10) & 0x1f;
    const man = h & 0x3ff;
    if (exp === 0x1f) return man ? NaN : sign * Infinity;
    if (exp === 0) return sign * man * 2 ** -24;
    return sign * (1 + man / 1024) * 2 ** (exp - 15);
}

/** Float32Array → Uint16Array of f16 bits. */
export function toF16(values) {
    const out = new Uint16Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = f32ToF16(values[i]);
    return out;
}

const CRC32C_TABLE = (() => {
    const t = new Uint32Array(256);
    for (let i = 0; i < 256; i++) {
        let c = i;
        for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
        t[i] = c >>> 0;
    }
    return t;
})();

/** CRC-32C (Castagnoli) of a byte array, as an unsigned number. */
export function crc32c(bytes) {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++) c = CRC32C_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

/** Seeded N(0,1) source: mulberry32 uniform + Box–Muller (cos branch). */
export function gaussian(seed) {
    let a = seed >>> 0;
    const uniform = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return () => {
        let u1 = uniform();
        if (u1 < 1e-300) u1 = 1e-300;
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * uniform());
    };
}

/** n × dim Float32Array of N(0,1) values. */
export function gaussianMatrix(seed, n, dim) {
    const g = gaussian(seed);
    const out = new Float32Array(n * dim);
    for (let i = 0; i < out.length; i++) out[i] = g();
    return out;
}
