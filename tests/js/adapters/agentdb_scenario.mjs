// Run by agentdb.test.mjs inside a project that installed agentdb@3.3.0 from the registry and our
// packed SDK in place of upstream's @ruvector/rvf (npm overrides). It drives agentdb exactly as a
// user would — `new AgentDB({ dbPath, vectorBackend: 'rvf' })`, its reflexion and skill
// controllers, close, reopen — and prints one JSON line of what it saw for the test to check.
// usage: node agentdb_scenario.mjs DIR
import '@ruvector/rvf-agentdb/register';
import { whenClosed, reasoningBankFor } from '@ruvector/rvf-agentdb';
import { AgentDB } from 'agentdb';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const dir = process.argv[2];
const dbPath = path.join(dir, 'agent.db');
const dim = 64;
const out = {};
const require = createRequire(path.join(process.cwd(), 'package.json'));
const agentdbDir = path.dirname(require.resolve('agentdb/package.json'));
// The @ruvector/rvf agentdb itself loads: ours (0.4.x), not upstream's 0.2.3.
out.sdkSeenByAgentdb = createRequire(path.join(agentdbDir, 'package.json'))('@ruvector/rvf/package.json').version;

const open = async (p) => {
    const db = new AgentDB({ dbPath: p, vectorBackend: 'rvf', vectorDimension: dim, forceWasm: true });
    await db.initialize();
    return db;
};

const tasks = ['sort a list of numbers', 'parse a csv file', 'resize an image', 'send an email', 'train a model', 'write a unit test'];
const skills = [
    { name: 'quicksort', description: 'sort numbers quickly', successRate: 0.9, avgReward: 0.8 },
    { name: 'csv-reader', description: 'read comma separated values', successRate: 0.6, avgReward: 0.5 },
    { name: 'mailer', description: 'deliver email messages', successRate: 0.3, avgReward: 0.2 },
];

const a = await open(dbPath);
const backend = a.vectorBackend;
out.backendName = a.vectorBackendName;
out.storagePath = backend.getStoragePath();
out.sdkBackend = backend.db.backend;
const reflexion = a.getController('reflexion');
const skillLib = a.getController('skills');
const episodeIds = [];
for (const [i, task] of tasks.entries())
    episodeIds.push(await reflexion.storeEpisode({ sessionId: 's1', task, reward: i / 10, success: i % 2 === 0, critique: 'ok', input: 'in', output: 'out' }));
for (const s of skills)
    await skillLib.createSkill({ ...s, code: `// ${s.name}`, uses: 1, avgLatencyMs: 1 });
out.episodeIds = episodeIds;

out.episodes = (await reflexion.retrieveRelevant({ task: tasks[2], k: 2 })).map((e) => e.task);
out.skills = (await skillLib.retrieveSkills({ task: 'sort numbers quickly', k: 1 })).map((s) => s.name);
// Query with the vectors agentdb stored (read back through our SDK): exact answers.
const q = (await backend.db.get(String(episodeIds[2]))).vector;
const skillQ = (await backend.db.get('skill:1')).vector;
out.direct = (await backend.searchAsync(q, 2)).map((r) => ({ id: r.id, similarity: Number(r.similarity.toFixed(5)) }));
out.skillHit = (await backend.searchAsync(skillQ, 1)).map((r) => ({ id: r.id, similarity: Number(r.similarity.toFixed(5)), metadata: r.metadata }));
out.filterOne = (await backend.searchAsync(skillQ, 10, { filter: { name: 'csv-reader' } })).map((r) => r.id);
out.filterTwo = (await backend.searchAsync(skillQ, 10, { filter: { successRate: { $gt: 0.5 }, avgReward: { $le: 0.5 } } })).map((r) => r.id);
out.filterRange = (await backend.searchAsync(skillQ, 10, { filter: { avgReward: { $range: [0.2, 0.5] } } })).map((r) => r.id).sort();
out.filterIn = (await backend.searchAsync(skillQ, 10, { filter: { name: { $in: ['quicksort', 'mailer'] } } })).map((r) => r.id).sort();
out.threshold = (await backend.searchAsync(q, 10, { threshold: 0.99 })).map((r) => r.id);
out.fileId = await backend.fileId();
out.parentId = await backend.parentId();
out.lineageDepth = await backend.lineageDepth();
out.metric = backend.metric();
out.indexStats = backend.indexStats();
out.witness = backend.verifyWitness();
out.witnessAsync = await backend.verifyWitnessAsync();
// agentic-flow's ReasoningBank wired to the same RVF backend.
const patterns = [
    { taskType: 'sorting', approach: 'divide and conquer with quicksort', successRate: 0.9 },
    { taskType: 'parsing', approach: 'stream the csv line by line', successRate: 0.7 },
    { taskType: 'email', approach: 'retry delivery with backoff', successRate: 0.5 },
];
const patternRows = async (db) => (await db.vectorBackend.db.find({ op: 'ge', field: 'patternId', value: 0 })).map((r) => r.id).sort();
const bank = await reasoningBankFor(a);
for (const p of patterns)
    await bank.storePattern(p);
await a.vectorBackend.flush?.();
out.patternRows = await patternRows(a);
// The mock embedder is not semantic: search with the vector stored for patterns[1] (exact).
out.patternSearch = (await bank.searchPatterns({ taskEmbedding: (await a.vectorBackend.db.get('pattern_1')).vector, k: 1, rerank: false })).map((p) => p.approach);
out.count = (await backend.getStatsAsync()).count;
await a.close();

// Reopen at once (no wait): the close agentdb did not await finishes first, then the file opens.
const b = await open(dbPath);
out.reopened = {
    count: (await b.vectorBackend.getStatsAsync()).count,
    fileId: await b.vectorBackend.fileId(),
    direct: (await b.vectorBackend.searchAsync(q, 1)).map((r) => r.id),
    skillHit: (await b.vectorBackend.searchAsync(skillQ, 1)).map((r) => r.metadata),
    skills: (await b.getController('skills').retrieveSkills({ task: 'sort numbers quickly', k: 1 })).map((s) => s.name),
};
const bank2 = await reasoningBankFor(b);
await bank2.storePattern({ taskType: 'testing', approach: 'write the failing test first', successRate: 0.8 });
await b.vectorBackend.flush?.();
out.reopened.patternRows = await patternRows(b);
out.reopened.patternSearch = (await bank2.searchPatterns({ taskEmbedding: (await b.vectorBackend.db.get('pattern_3')).vector, k: 1, rerank: false })).map((p) => p.approach);
const reopenedPath = b.vectorBackend.getStoragePath();
await b.close();
await whenClosed(reopenedPath);

// Two in-memory AgentDBs at once: each its own temp file (not ./agentdb.rvf), gone after close.
const m1 = await open(':memory:');
const m2 = await open(':memory:');
const p1 = m1.vectorBackend.getStoragePath(), p2 = m2.vectorBackend.getStoragePath();
await m1.getController('reflexion').storeEpisode({ sessionId: 'm', task: 'only in m1', reward: 1, success: true });
out.memory = { distinct: p1 !== p2, existed: fs.existsSync(p1) && fs.existsSync(p2), inCwd: fs.existsSync(path.join(process.cwd(), 'agentdb.rvf')) };
out.memory.m1 = (await m1.vectorBackend.getStatsAsync()).count;
out.memory.m2 = (await m2.vectorBackend.getStatsAsync()).count;
await m1.close();
await m2.close();
await whenClosed(p1);
await whenClosed(p2);
out.memory.removed = !fs.existsSync(p1) && !fs.existsSync(p2) && !fs.existsSync(path.dirname(p1));
console.log(JSON.stringify(out));
