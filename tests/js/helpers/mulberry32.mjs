// Seeded test data: mulberry32 uniform floats in [-1, 1), the same generator the browser tests'
// store scenario uses, so a seed names the same rows everywhere; and N(0,1) floats from it.

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

/** mulberry32 + Box–Muller: `count` N(0,1) floats, reproducible from `seed`. */
export function gaussianFloats(count, seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++)
        out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return out;
}

/**
 * `n` × `dim` clustered rows: row i = centre (i mod `centres`) + `sigma` · N(0,1) noise from
 * `seed`; the centres are N(0,1) from seed 1, so every call with the same dim shares them
 * (a test's rows and its queries come from the same clusters).
 */
export function clusteredRows(n, dim, seed, { centres = 30, sigma = 0.5 } = {}) {
    const c = gaussianFloats(centres * dim, 1);
    const noise = gaussianFloats(n * dim, seed);
    const rows = new Float32Array(n * dim);
    for (let i = 0; i < n; i++)
        for (let d = 0; d < dim; d++)
            rows[i * dim + d] = c[(i % centres) * dim + d] + sigma * noise[i * dim + d];
    return rows;
}
