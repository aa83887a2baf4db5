// bench/engines/upstream-rvf-node.mjs — upstream @ruvector/rvf-node 0.2.x (Rust, N-API) as one
// engine of `npm run bench`. Loaded from its linux-x64-gnu platform package directly: the JS
// loader package cannot be installed from a lock file (its other platforms' packages 404).
// Upstream builds its HNSW lazily, at the first query after ingest; that query is inside the
// timed build, as for every engine.
import { createRequire } from 'node:module';
import { packageVersion, runEngine } from './common.mjs';
import { rvfDatabaseEngine } from './rvf-database.mjs';

const require = createRequire(import.meta.url);

runEngine(async () => {
    if (process.platform !== 'linux' || process.arch !== 'x64')
        throw new Error('upstream @ruvector/rvf-node is loaded from its linux-x64-gnu package only');
    const { RvfDatabase } = require('@ruvector/rvf-node-linux-x64-gnu');
    return rvfDatabaseEngine({
        name: 'upstream-rvf-node',
        api: 'RvfDatabase (Rust, N-API) ingestBatch/query',
        version: () => `@ruvector/rvf-node-linux-x64-gnu ${packageVersion('@ruvector/rvf-node-linux-x64-gnu')}`,
        RvfDatabase,
        threads: 1,
    });
});
