// agentdb 3.3.0 (from the npm registry) on our store: `npm pack` our SDK (@ruvector/rvf,
// @ruvector/rvf-wasm, @ruvector/rvf-node) and the adapter (@ruvector/rvf-agentdb), install them
// with agentdb into an empty project whose `overrides` put our SDK where agentdb asks for
// upstream's @ruvector/rvf ^0.2.3 (npm/rvf-agentdb/README.md's recipe), then run
// agentdb_scenario.mjs there: `new AgentDB({ dbPath, vectorBackend: 'rvf' })` stores episodes and
// skills (agentdb's mock embedder: deterministic, offline), searches them (named metadata filters,
// metadata in results), closes, reopens at once and finds them again; ':memory:' stores get
// private temp files. Then the file agentdb wrote is checked as a real RVF file (`rvf inspect`,
// verifyFile, a read-only open). Optional dependencies are omitted (no model download, no
// better-sqlite3 build: agentdb uses sql.js); the addon is the repository's build
// (RVF_NODE_ADDON), as no platform package is packed. Only an unreachable registry skips it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfDatabase, nativeAvailability } from '@ruvector/rvf';
import { createRequire } from 'node:module';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const native = await nativeAvailability();
// The repository's addon, for the installed @ruvector/rvf-node (no platform package is packed).
const addon = native.available ? createRequire(import.meta.url)('@ruvector/rvf-node').addonPath : '';
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-agentdb-'));
const app = path.join(work, 'app');
const packages = ['rvf-wasm', 'rvf-node', 'rvf', 'rvf-agentdb'];
const AGENTDB = '3.3.0';

function run(cmd, args, cwd, env = {}) {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 180000, env: { ...process.env, ...env } });
    return { code: r.status, out: r.stdout ?? '', err: `${r.error?.message ?? ''}${r.stderr ?? ''}` };
}

/** Pack ours, install with agentdb; null when installed, else why the registry was unreachable. */
function install() {
    const tgz = {};
    const packed = run('npm', ['pack', '--json', '--pack-destination', work, ...packages.map((p) => `./npm/${p}`)], root);
    if (packed.code !== 0)
        throw new Error(`npm pack ${packages.join(' ')} failed:\n${packed.err}`);
    for (const meta of JSON.parse(packed.out))
        tgz[meta.name] = `file:${path.join(work, meta.filename)}`;
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({
        name: 'agentdb-on-rvf', private: true, type: 'module',
        // chalk: an optional dependency of agentdb that its controllers import statically.
        dependencies: { agentdb: AGENTDB, chalk: '^5.3.0', ...tgz },
        // agentdb (and @ruvector/rvf-node's own lookups) must get ours, never upstream's 0.2.x.
        overrides: { '@ruvector/rvf': '$@ruvector/rvf', '@ruvector/rvf-wasm': '$@ruvector/rvf-wasm', '@ruvector/rvf-node': '$@ruvector/rvf-node' },
    }));
    const t0 = Date.now();
    const r = run('npm', ['install', '--omit=optional', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], app);
    if (r.code === 0) {
        console.log(`agentdb adapter: npm install took ${((Date.now() - t0) / 1000).toFixed(1)} s`);
        return null;
    }
    const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|network/i;
    if (offline.test(r.err))
        return r.err.split('\n').find((line) => offline.test(line)).trim();
    throw new Error(`npm install agentdb@${AGENTDB} with our packed SDK failed (not a network problem):\n${r.err}`);
}

describe.skipIf(!native.available)(`agentdb ${AGENTDB} with vectorBackend 'rvf' on our SDK`, () => {
    let unreachable = null;
    let seen;
    const dir = path.join(work, 'data');
    beforeAll(() => {
        unreachable = install();
        if (unreachable) {
            console.warn(`agentdb adapter: skipped — the npm registry is unreachable, so agentdb@${AGENTDB} cannot be installed: ${unreachable}`);
            return;
        }
        fs.mkdirSync(dir);
        fs.copyFileSync(path.join(root, 'tests/js/adapters/agentdb_scenario.mjs'), path.join(app, 'scenario.mjs'));
        const r = run(process.execPath, ['scenario.mjs', dir], app, { RVF_NODE_ADDON: addon });
        if (r.code !== 0)
            throw new Error(`the agentdb scenario failed:\n${r.err}`);
        seen = JSON.parse(r.out.trim().split('\n').pop());
    }, 240000);
    afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

    it('agentdb loads our SDK (not upstream\'s 0.2.3) and runs its rvf backend natively', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.sdkSeenByAgentdb).toBe(JSON.parse(fs.readFileSync(path.join(root, 'npm/rvf/package.json'), 'utf8')).version);
        expect(seen.backendName).toBe('rvf');
        expect(seen.sdkBackend).toBe('native');
        expect(seen.storagePath).toBe(path.join(dir, 'agent.db.ruvector'));
    });

    it('stores episodes and skills and finds them: controllers, exact vectors, metadata in results', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.episodeIds).toEqual([1, 2, 3, 4, 5, 6]);
        expect(seen.count).toBe(12); // 6 episodes, 3 skills, 3 patterns
        expect(seen.episodes[0]).toBe('resize an image');
        expect(seen.skills).toEqual(['quicksort']);
        expect(seen.direct[0]).toEqual({ id: '3', similarity: 1 });
        expect(seen.skillHit).toEqual([{ id: 'skill:1', similarity: 1, metadata: { name: 'quicksort', description: 'sort numbers quickly', successRate: 0.9, avgReward: 0.8 } }]);
        expect(seen.threshold).toEqual(['3']);
    });

    it('maps agentdb\'s predicate filters (numbered 0..n by its FilterBuilder) to the stored field names', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.filterOne).toEqual(['skill:2']);                // {name: 'csv-reader'}
        expect(seen.filterTwo).toEqual(['skill:2']);                // two fields: successRate > 0.5 and avgReward ≤ 0.5
        expect(seen.filterRange).toEqual(['skill:2', 'skill:3']);   // $range inclusive at both ends
        expect(seen.filterIn).toEqual(['skill:1', 'skill:3']);
    });

    it('answers the upstream calls agentdb\'s RvfBackend makes (identity, lineage, metric, index, witness)', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.fileId).toMatch(/^[0-9a-f]{32}$/);
        expect(seen.fileId).not.toBe('0'.repeat(32));
        expect(seen.parentId).toBe('0'.repeat(32));
        expect(seen.lineageDepth).toBe(0);
        expect(seen.metric).toBe('cosine');
        expect(seen.indexStats).toEqual({ indexedVectors: 0, layers: 0, m: 16, efConstruction: 200, needsRebuild: false });
        expect(seen.witness.valid).toBe(true);
        expect(seen.witness.entries).toBeGreaterThan(0);
        expect(seen.witness.unsupported).toBeUndefined();
        expect(seen.witnessAsync).toEqual(seen.witness);
    });

    it('close then an immediate reopen of the same dbPath finds everything again', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.reopened.count).toBe(12);
        expect(seen.reopened.fileId).toBe(seen.fileId);
        expect(seen.reopened.direct).toEqual(['3']);
        expect(seen.reopened.skillHit[0].name).toBe('quicksort');
        expect(seen.reopened.skills).toEqual(['quicksort']);
    });

    it("agentic-flow's ReasoningBank on the RVF backend: patterns in the file, a reopened bank keeps numbering", ({ skip }) => {
        if (unreachable) skip();
        expect(seen.patternRows).toEqual(['pattern_0', 'pattern_1', 'pattern_2']);
        expect(seen.patternSearch).toEqual(['stream the csv line by line']);
        // agentdb alone would name the next pattern pattern_0 again after a reopen (a duplicate).
        expect(seen.reopened.patternRows).toEqual(['pattern_0', 'pattern_1', 'pattern_2', 'pattern_3']);
        expect(seen.reopened.patternSearch).toEqual(['write the failing test first']);
    });

    it('\':memory:\' AgentDBs each get a private temp file, none in the current directory, removed at close', ({ skip }) => {
        if (unreachable) skip();
        expect(seen.memory).toEqual({ distinct: true, existed: true, inCwd: false, m1: 1, m2: 0, removed: true });
    });

    it('the file agentdb wrote is a real RVF file: rvf inspect, verifyFile, a read-only open', async ({ skip }) => {
        if (unreachable) skip();
        const file = path.join(dir, 'agent.db.ruvector');
        const inspect = JSON.parse(execFileSync(process.execPath, [path.join(root, 'npm/rvf/bin/rvf.js'), 'inspect', file, '--json'], { encoding: 'utf8' }));
        expect(inspect.status).toMatchObject({ totalVectors: 13, dimension: 64, metric: 'cosine', layout: 'S' });
        const report = await RvfDatabase.verifyFile(file);
        expect(report.ok).toBe(true);
        expect(report.problems).toEqual([]);
        const db = await RvfDatabase.openReadonly(file);
        try {
            expect(await db.fileId()).toBe(seen.fileId);
            const ids = await db.ids();
            expect(ids.length).toBe(13);
            expect(ids).toEqual(expect.arrayContaining(['1', '2', '3', '4', '5', '6', 'skill:1', 'skill:2', 'skill:3',
                'pattern_0', 'pattern_1', 'pattern_2', 'pattern_3']));
            expect((await db.get('skill:3')).metadata).toMatchObject({ name: 'mailer', successRate: 0.3 });
        } finally {
            await db.close();
        }
    });
});
