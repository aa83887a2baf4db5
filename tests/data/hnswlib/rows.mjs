// The rows of the hnswlib samples in this directory, made by make-samples.mjs and checked by
// tests/js/sdk/cli_import.test.mjs: a seeded generator, so both sides compute the same values.
export const DIM = 8;

/** Row i: deterministic values in [-1, 1) from a 32-bit LCG seeded by `seed` and i. */
export function row(seed, i) {
    let s = (seed * 7919 + i * 104729 + 1) >>> 0;
    const v = new Float32Array(DIM);
    for (let d = 0; d < DIM; d++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        v[d] = s / 2 ** 31 - 1;
    }
    return v;
}

// hnswlib-l2.bin: raw hnswlib-node, space l2, labels 1000 + i, these rows marked deleted.
export const L2 = { file: 'hnswlib-l2.bin', seed: 1, count: 60, label: (i) => 1000 + i, deleted: [3, 17, 42] };
// agentdb-cosine.hnsw (+ .mappings.json): agentdb's HNSWLibBackend, string ids and metadata.
export const AGENTDB = {
    file: 'agentdb-cosine.hnsw', seed: 2, count: 40, id: (i) => `episode-${i}`,
    metadata: (i) => ({ task: `task ${i % 5}`, reward: i / 8, success: i % 3 === 0 }),
};
