// What make-samples.mjs stores through @claude-flow/memory (and the claude-flow CLI), and what
// tests/js/sdk/cli_import.test.mjs expects `rvf import claude-flow` to bring over.
export const DIM = 8;
export const embedding = (i) => Array.from({ length: DIM }, (_, d) => Math.cos(i * 3 + d) / 2);
// Entries 0..4 carry an embedding; entry 5 has none (counted, not stored, by the import).
export const ENTRIES = Array.from({ length: 6 }, (_, i) => ({
    key: `key-${i}`, content: `memory content ${i}`, namespace: i % 2 ? 'patterns' : 'default',
    type: i % 3 ? 'semantic' : 'episodic', tags: ['t', `n${i}`], metadata: { source: 'test', i },
    ...(i < 5 ? { embedding: embedding(i) } : {}),
}));
