// A deterministic, dependency-free text embedder for the `rvf memory` CLI and for tests: words and
// character trigrams hashed (FNV-1a) into `dimensions` signed buckets, L2-normalised. It is
// lexical — texts sharing words and spellings land near each other — not a neural model; give
// RvfMemoryBackend a real embeddingGenerator for semantic recall.
export function hashEmbedder(dimensions) {
    return (text) => {
        const v = new Float32Array(dimensions);
        const add = (token, weight) => {
            let h = 2166136261;
            for (let i = 0; i < token.length; i++)
                h = Math.imul(h ^ token.charCodeAt(i), 16777619) >>> 0;
            v[h % dimensions] += (h & 0x80000000 ? -1 : 1) * weight;
        };
        const words = String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
        for (const w of words) {
            add(`w:${w}`, 2);
            const padded = ` ${w} `;
            for (let i = 0; i + 3 <= padded.length; i++)
                add(padded.slice(i, i + 3), 1);
        }
        const n = Math.hypot(...v);
        if (n > 0)
            for (let i = 0; i < dimensions; i++)
                v[i] /= n;
        return v;
    };
}
