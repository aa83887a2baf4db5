// What make-samples.mjs stores through agentdb, and what tests/js/sdk/cli_import.test.mjs
// expects `rvf import agentdb` to bring over.
export const EPISODES = Array.from({ length: 6 }, (_, i) => ({
    sessionId: `s${i % 2}`, task: `task ${i}`, input: `input ${i}`, output: `output ${i}`, critique: `critique ${i}`,
    reward: i / 4, success: i % 2 === 0, latencyMs: 10 * i, tokensUsed: 100 + i, tags: ['t', `n${i}`],
}));
export const SKILLS = Array.from({ length: 3 }, (_, i) => ({
    name: `skill-${i}`, description: `does thing ${i}`, signature: { inputs: { x: 'number' }, outputs: { y: 'number' } },
    successRate: 0.5 + i / 10, uses: i, avgReward: i / 3, avgLatencyMs: 5 + i,
}));
export const PATTERNS = Array.from({ length: 4 }, (_, i) => ({
    taskType: `type ${i % 2}`, approach: `approach ${i}`, successRate: i / 4, uses: i, avgReward: i / 5, tags: ['p'],
}));
export const VECTORS = {
    dim: 6,
    rows: Array.from({ length: 10 }, (_, i) => ({
        id: `vec-${i}`, vector: Array.from({ length: 6 }, (_, d) => Math.sin(i * 6 + d) + (d === i % 6 ? 2 : 0)),
        metadata: { n: i, kind: i % 2 ? 'odd' : 'even' },
    })),
};
