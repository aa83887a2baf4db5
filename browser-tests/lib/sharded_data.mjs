// browser-tests/lib/sharded_data.mjs — the sharded suite's collection (issue 21): 10 shards ×
// 100,000 seeded rows (dim 8, exact: no index) written once by the Node addon's
// RvfShardedCollection into build/browser-sharded/good, plus a copy with shard 3 deleted
// (faulty/). Reused while its parameters match (a `done` marker is written last).
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { uniformFloats } from '../../tests/js/helpers/mulberry32.mjs';

export const SHARDED = { shards: 10, rows: 100000, dim: 8, seed: 7 };

/** {dir, good: root path, faulty: root path}; throws when the addon is not built. */
export async function ensureShardedData(repoRoot, log) {
    const p = SHARDED;
    const dir = path.join(repoRoot, 'build/browser-sharded', `s${p.shards}-n${p.rows}-d${p.dim}-seed${p.seed}`);
    const out = { dir, good: path.join(dir, 'good/c.rvf'), faulty: path.join(dir, 'faulty/c.rvf') };
    if (existsSync(path.join(dir, 'done')))
        return out;
    const { RvfShardedCollection } = await import('@ruvector/rvf-node').catch((e) => {
        throw new Error(`the sharded suite writes its collection with the Node addon, which did not load (${e.message}): ` +
                        'build it with `cmake --build --preset native-release --target rvf_node`');
    });
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(path.join(dir, 'good'), { recursive: true });
    const t = performance.now();
    const c = RvfShardedCollection.create(out.good, { shards: p.shards, dimensions: p.dim, index: 'off' });
    const total = p.shards * p.rows;
    for (let at = 0; at < total; at += 50000) {
        const m = Math.min(50000, total - at);
        c.ingestBatch(Array.from({ length: m }, (_, i) => at + i + 1), uniformFloats(m * p.dim, p.seed + at));
    }
    c.close();
    cpSync(path.join(dir, 'good'), path.join(dir, 'faulty'), { recursive: true });
    rmSync(path.join(dir, 'faulty/c.rvf.shards/0003.rvf'));
    writeFileSync(path.join(dir, 'done'), '');
    log(`sharded collection ${p.shards} × ${p.rows} rows written in ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return out;
}
