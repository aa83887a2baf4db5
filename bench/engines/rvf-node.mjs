// bench/engines/rvf-node.mjs — this project's Node-API addon (npm/rvf-node: the C++ RvfStore
// behind upstream's RvfDatabase API) as one engine of `npm run bench`. bench/run.mjs points
// RVF_NODE_ADDON at the Release addon it built (build/bench/native/rvf_node.node); without it the
// package picks its own (the newest preset build). Unavailable when no addon can be loaded.
import os from 'node:os';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { runEngine } from './common.mjs';
import { rvfDatabaseEngine } from './rvf-database.mjs';

runEngine(async () => {
    const pkgUrl = new URL('../../npm/rvf-node/package.json', import.meta.url);
    const pkg = JSON.parse(readFileSync(pkgUrl, 'utf8'));
    // exports['.'].import may itself be a condition object ({types, default}) since the package
    // grew type conditions: take its default.
    const condition = (c) => (typeof c === 'string' ? c : c?.default);
    const dot = pkg.exports?.['.'];
    const entry = condition(dot?.import) ?? condition(dot?.default) ?? condition(dot) ?? pkg.main;
    if (typeof entry !== 'string')
        throw new Error('npm/rvf-node has no entry point yet (package.json main/exports)');
    const mod = await import(new URL(entry, pkgUrl).href);
    const RvfDatabase = mod.RvfDatabase ?? mod.default?.RvfDatabase;
    if (!RvfDatabase)
        throw new Error('npm/rvf-node does not export RvfDatabase');
    return rvfDatabaseEngine({
        name: 'rvf-node',
        // Recorded results travel with the repository: name the addon relative to its root.
        api: `RvfDatabase (C++ runtime, N-API) ingestBatch/query; addon ${
            process.env.RVF_NODE_ADDON
                ? path.relative(fileURLToPath(new URL('../../', import.meta.url)), process.env.RVF_NODE_ADDON)
                : 'chosen by npm/rvf-node'}`,
        version: () => `${pkg.version} (N-API)`,
        RvfDatabase,
        threads: os.availableParallelism(),
    });
});
