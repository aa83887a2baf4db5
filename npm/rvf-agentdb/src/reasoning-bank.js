// agentic-flow's ReasoningBank on RVF. agentic-flow builds agentdb's ReasoningBank without a
// vector backend (SQL brute force over its reasoningbank.db); the injection point is the
// controller's vectorBackend argument. reasoningBankFor(agentdb) builds the ReasoningBank over
// an AgentDB opened with vectorBackend 'rvf', so its patterns' embeddings live in the same RVF
// file as the episodes and skills, and searchPatterns() runs on the RVF index.
//
// One thing agentdb's ReasoningBank gets wrong with a persistent backend: it names pattern
// vectors `pattern_<n>` from an in-memory counter and keeps patternId → vector id in memory, so
// after a reopen its next pattern reuses `pattern_0` (a duplicate id) and it cannot update or
// delete the vectors of patterns stored before. Both are rebuilt here from what the file holds.
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const PATTERN_ID = /^pattern_(\d+)$/;

async function agentdbExport(name) {
    const require = createRequire(import.meta.url);
    let entry;
    try {
        entry = require.resolve('agentdb');
    } catch {
        throw new Error('@ruvector/rvf-agentdb: agentdb is not installed; npm install agentdb@^3.3.0');
    }
    const mod = await import(pathToFileURL(entry).href);
    if (typeof mod[name] !== 'function')
        throw new Error(`@ruvector/rvf-agentdb: agentdb (${path.dirname(entry)}) exports no ${name}; this wiring needs agentdb ^3.3.0`);
    return mod[name];
}

/**
 * A ReasoningBank over an initialized AgentDB whose vector backend is RVF (vectorBackend 'rvf'
 * with this package registered). Patterns stored before (by this or an earlier process) keep
 * their vectors: the id map and the next vector number are restored from the file.
 */
export async function reasoningBankFor(agentdb, options = {}) {
    const backend = agentdb?.vectorBackend;
    const store = backend?.db;
    if (!backend || backend.name !== 'rvf' || typeof store?.find !== 'function')
        throw new Error("reasoningBankFor(): pass an initialized AgentDB opened with vectorBackend: 'rvf' " +
            "(and import '@ruvector/rvf-agentdb/register' first)");
    const ReasoningBank = await agentdbExport('ReasoningBank');
    const bank = new ReasoningBank(agentdb.db, agentdb.embedder, backend, undefined, options);
    let next = 0;
    // Rows that carry a patternId are the pattern vectors (episodes and skills carry none).
    for (const row of await store.find({ op: 'ge', field: 'patternId', value: 0 })) {
        const m = PATTERN_ID.exec(String(row.id));
        if (!m)
            continue;
        next = Math.max(next, Number(m[1]) + 1);
        if (bank.idMapping instanceof Map && row.metadata?.patternId !== undefined)
            bank.idMapping.set(row.metadata.patternId, String(row.id));
    }
    if (typeof bank.nextVectorId === 'number')
        bank.nextVectorId = Math.max(bank.nextVectorId, next);
    return bank;
}
