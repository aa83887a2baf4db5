// Writes the agentdb SQLite samples beside this file with agentdb 3.3.0 itself, once (they are
// committed; the test suite needs only sql.js to read them back through `rvf import agentdb`):
//   mkdir /tmp/gen && cd /tmp/gen && npm init -y
//   npm install agentdb@3.3.0 chalk@5 commander@12 --ignore-scripts
//   node tests/data/agentdb/make-samples.mjs /tmp/gen
// memory.db: agentdb's schema (dist/schemas/schema.sql) with episodes and skills stored by
// ReflexionMemory / SkillLibrary and patterns by ReasoningBank, through agentdb's sql.js
// database and its deterministic mock embedder (8 dimensions).
// vectors.rvf: agentdb's SqlJsRvfBackend ("rvf" backend on sql.js) file — an SQLite file
// named .rvf holding rvf_meta and rvf_vectors.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { EPISODES, SKILLS, PATTERNS, VECTORS } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const prefix = process.argv[2];
if (!prefix)
    throw new Error('usage: node make-samples.mjs DIR_WITH_AGENTDB_INSTALLED (see the comment at the top)');
const require = createRequire(path.join(prefix, 'package.json'));
const pkg = path.dirname(require.resolve('agentdb/package.json'));
const agentdb = await import(pathToFileURL(require.resolve('agentdb')));
const { createDatabase, ReflexionMemory, SkillLibrary, ReasoningBank, EmbeddingService } = agentdb;

const file = path.join(here, 'memory.db');
fs.rmSync(file, { force: true });
const db = await createDatabase(file);
db.exec(fs.readFileSync(path.join(pkg, 'dist/schemas/schema.sql'), 'utf8'));
const embedder = new EmbeddingService({ model: 'mock', dimension: 8, provider: 'local' });
await embedder.initialize?.();
const reflexion = new ReflexionMemory(db, embedder);
for (const e of EPISODES)
    await reflexion.storeEpisode(e);
const skills = new SkillLibrary(db, embedder);
for (const s of SKILLS)
    await skills.createSkill(s);
const bank = new ReasoningBank(db, embedder);
for (const p of PATTERNS)
    await bank.storePattern(p);
db.save?.();
db.close?.();

const { SqlJsRvfBackend } = await import(pathToFileURL(path.join(pkg, 'dist/src/backends/rvf/SqlJsRvfBackend.js')));
const vfile = path.join(here, 'vectors.rvf');
fs.rmSync(vfile, { force: true });
const b = new SqlJsRvfBackend({ dimension: VECTORS.dim, metric: 'cosine', storagePath: vfile });
await b.initialize();
for (const v of VECTORS.rows)
    b.insert(v.id, Float32Array.from(v.vector), v.metadata);
await b.flush?.();
await b.save();
await b.close?.();
