// Seeded test data: mulberry32 uniform floats in [-1, 1), the same generator the browser tests'
// store scenario uses, so a seed names the same rows everywhere.

/** `count` floats in [-1, 1) from `seed`. */
export function uniformFloats(count, seed) {
    let a = seed >>> 0;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    }
    return out;
}
