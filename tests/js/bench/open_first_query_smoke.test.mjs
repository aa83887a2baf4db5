// bench/open-first-query/run.mjs at a toy size (2,000 rows, one trial, cold only — the warm run is
// the same child without the eviction, so it adds time and no coverage): the harness
// runs every engine end to end and writes one result object per engine × N × mode with the
// figures the README quotes. Numbers are not asserted beyond their kind and range: the bench
// measures, this only keeps it runnable. Skipped, with the reason, when the peers are not
// installed in bench/node_modules or the Release addon / rvf_bench_data are not built.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const need = {
    'hnswlib-node (built)': 'bench/node_modules/hnswlib-node/build/Release/addon.node',
    usearch: 'bench/node_modules/usearch/package.json',
    'the Release addon': 'build/native-release/native/rvf_node.node',
    rvf_bench_data: 'build/native-release/bench/rvf_bench_data',
};
const missing = Object.entries(need).filter(([, p]) => !existsSync(path.join(repoRoot, p))).map(([what]) => what);
if (missing.length)
    console.warn(`open_first_query_smoke.test.mjs SKIPPED: missing ${missing.join(', ')} — run \`npm --prefix bench ci ` +
                 '--ignore-scripts` and `node bench/setup.mjs`-style hnswlib-node build (bench/README.md), and ' +
                 '`cmake --preset native-release -DRVF_BUILD_BENCH=ON && cmake --build --preset native-release --target rvf_node rvf_bench_data`');

const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-ofq-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(missing.length > 0)('open-first-query bench (smoke)', () => {
    it('writes one result per engine and mode, with times, RSS, bytes read and recall in range', () => {
        const results = path.join(dir, 'r.json');
        const r = spawnSync(process.execPath,
                            [path.join(repoRoot, 'bench/open-first-query/run.mjs'), '--n', '2000', '--trials', '1', '--modes', 'cold',
                             '--no-drop-caches', '--cache', dir, '--results', results],
                            { encoding: 'utf8', env: { ...process.env, RVF_NODE_ADDON: path.join(repoRoot, need['the Release addon']) } });
        expect(r.status, r.stderr).toBe(0);
        const { run, results: rows } = JSON.parse(readFileSync(results, 'utf8'));
        expect(run.params.sizes).toEqual([2000]);
        const keys = rows.map((x) => `${x.engine}/${x.mode}`).sort();
        expect(keys).toEqual(['hnswlib-node/cold', 'rvf-node/cold', 'usearch-view/cold', 'usearch/cold']);
        for (const x of rows) {
            expect(x.error, `${x.engine}/${x.mode}`).toBeUndefined();
            expect(x.trials).toBe(1);
            expect(x.file_bytes).toBeGreaterThan(2000 * 128 * 4 * 0.5);
            expect(x.open_first_ms).toBeGreaterThan(0);
            expect(x.rss_after_open).toBeGreaterThan(0);
            expect(x.recall_first).toBeGreaterThanOrEqual(0);
            expect(x.recall_first).toBeLessThanOrEqual(1);
            expect(x.recall_rest).toBeGreaterThanOrEqual(0);
            expect(x.recall_rest).toBeLessThanOrEqual(1);
            expect(x.ef).toBeGreaterThanOrEqual(10);
            expect(x.read_bytes_first).toBeGreaterThanOrEqual(0);
            expect(x.evict.methods.length).toBeGreaterThan(0);
        }
        expect(r.stdout).toContain('| hnswlib-node (readIndex) | cold |');
    }, 60000);
});
