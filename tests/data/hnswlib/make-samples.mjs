// Writes the hnswlib samples beside this file with the real libraries, once (they are committed;
// the test suite does not need either library). Made with hnswlib-node 3.0.0 and agentdb 3.3.0:
//   mkdir /tmp/gen && cd /tmp/gen && npm pack agentdb@3.3.0 && tar xzf agentdb-3.3.0.tgz
//   npm install --prefix package hnswlib-node@3.0.0   (builds its addon: node-gyp, Node headers)
//   node tests/data/hnswlib/make-samples.mjs /tmp/gen/package
// The agentdb package directory is the argument: its HNSWLibBackend writes the index and
// agentdb's .mappings.json exactly as agentdb does.
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIM, row, L2, AGENTDB } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const agentdbDir = process.argv[2];
if (!agentdbDir)
    throw new Error('usage: node make-samples.mjs AGENTDB_PACKAGE_DIR (see the comment at the top)');
const require = createRequire(path.join(agentdbDir, 'package.json'));
const { HierarchicalNSW } = require('hnswlib-node');

const raw = new HierarchicalNSW('l2', DIM);
raw.initIndex(L2.count, 16, 200, 100);
for (let i = 0; i < L2.count; i++)
    raw.addPoint(Array.from(row(L2.seed, i)), L2.label(i));
for (const i of L2.deleted)
    raw.markDelete(L2.label(i));
raw.writeIndexSync(path.join(here, L2.file));

const { HNSWLibBackend } = await import(pathToFileURL(path.join(agentdbDir, 'dist/src/backends/hnswlib/HNSWLibBackend.js')));
const b = new HNSWLibBackend({ dimension: DIM, metric: 'cosine', maxElements: AGENTDB.count });
await b.initialize();
for (let i = 0; i < AGENTDB.count; i++)
    b.insert(AGENTDB.id(i), row(AGENTDB.seed, i), AGENTDB.metadata(i));
await b.save(path.join(here, AGENTDB.file));
