#!/usr/bin/env node
// bench/write-path/commit_bench.mjs — the write path through the SDK (issue 16): N one-vector
// commits (128-d f32, `await db.insert()` one at a time) on each backend, then the same with 8
// writers in flight. Prints per backend: commit latency p50 / p99 / mean, file size after the
// commits and after close(), the size of the same rows after compact(), segments listed, and —
// when strace is installed — fsync/fdatasync calls per commit (the run is repeated under
// `strace -f -c`). Nothing is asserted (tests/cpp/commit_chain_test.cpp asserts the bounds).
//
//   node bench/write-path/commit_bench.mjs [--commits 10000] [--backends native,wasm] [--dim 128]
//
// The native backend needs the addon: RVF_NODE_ADDON, else build/native-release, else native-debug.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};
const commits = Number(opt('--commits', '10000'));
const dim = Number(opt('--dim', '128'));
const backends = opt('--backends', 'native,wasm').split(',');

if (!process.env.RVF_NODE_ADDON)
    for (const p of ['build/native-release/native/rvf_node.node', 'build/native-debug/native/rvf_node.node'])
        if (existsSync(path.join(repoRoot, p))) {
            process.env.RVF_NODE_ADDON = path.join(repoRoot, p);
            break;
        }

const { RvfDatabase } = await import(pathToFileURL(path.join(repoRoot, 'npm/rvf/src/index.js')).href);

/** Seeded row (mulberry32): the same data on every backend and run. */
function row(id) {
    let a = id * 2654435761 >>> 0;
    const v = new Float32Array(dim);
    for (let i = 0; i < dim; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        v[i] = ((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5;
    }
    return v;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** One run: `n` commits with `writers` in flight; returns the figures (no fsync count). */
async function run(backend, n, writers) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-commit-bench-'));
    const file = path.join(dir, 'w.rvf');
    try {
        const db = await RvfDatabase.create(file, { dimensions: dim, backend });
        const lat = [];
        let next = 1, maxSegments = 0;
        const t0 = performance.now();
        const worker = async () => {
            while (next <= n) {
                const id = next++;
                const s = performance.now();
                await db.insert(id, row(id));
                lat.push(performance.now() - s);
                if (id % 100 === 0)
                    maxSegments = Math.max(maxSegments, (await db.status()).totalSegments);
            }
        };
        await Promise.all(Array.from({ length: writers }, worker));
        const seconds = (performance.now() - t0) / 1000;
        const st = await db.status();
        const open = statSync(file).size;
        await db.close();
        const closed = statSync(file).size;
        const copy = path.join(dir, 'c.rvf');
        copyFileSync(file, copy);
        const c = await RvfDatabase.open(copy, { backend });
        await c.compact();
        await c.close();
        lat.sort((a, b) => a - b);
        return {
            backend, writers, commits: n, seconds, p50: pct(lat, 50), p99: pct(lat, 99),
            mean: lat.reduce((a, b) => a + b, 0) / lat.length, open, closed, compacted: statSync(copy).size,
            segments: st.totalSegments, maxSegments, merges: st.merges ?? 0, autoCompactions: st.autoCompactions ?? 0,
            syncs: st.syncs,
        };
    } finally {
        rmSync(dir, { recursive: true, force: true });
    }
}

/** fsync + fdatasync calls of a child run, from strace -c; null without strace. */
function fsyncs(backend, n, writers) {
    const r = spawnSync('strace', ['-f', '-qq', '-c', '-e', 'trace=fsync,fdatasync', process.execPath,
                                   fileURLToPath(import.meta.url), '--child', backend, String(n), String(writers),
                                   '--dim', String(dim)], { encoding: 'utf8', env: process.env });
    if (r.error || r.status !== 0)
        return null;
    let calls = 0;
    for (const line of r.stderr.split('\n')) {
        const m = line.trim().match(/^\S+\s+\S+\s+\S+\s+(\d+)\s+(?:\d+\s+)?(fsync|fdatasync)$/);
        if (m)
            calls += Number(m[1]);
    }
    return calls;
}

if (argv[0] === '--child') {
    const [, backend, n, writers] = argv;
    await run(backend, Number(n), Number(writers));
    process.exit(0);
}

const fmt = (b) => `${(b / 1048576).toFixed(2)} MiB`;
console.log(`write path: ${commits} one-vector commits, ${dim}-d f32, through the SDK`);
console.log('(before the COMMIT-record protocol, issue 16 measured: 2,000 commits → 375 MiB, 7.8 → 17 ms per commit;');
console.log(' with COMMIT records, before merges and group commit: 10,000 commits → closed 15.70 MiB vs compacted 6.54 MiB,');
console.log(' 20,001 segments listed, p50 0.69 / p99 1.22 ms native, 1.007 fsyncs per commit with 8 writers)');
for (const backend of backends)
    for (const writers of [1, 8]) {
        const r = await run(backend, commits, writers);
        const calls = fsyncs(backend, Math.min(commits, 2000), writers);
        console.log(`${backend.padEnd(6)} writers ${writers}: p50 ${r.p50.toFixed(3)} ms, p99 ${r.p99.toFixed(3)} ms, ` +
                    `mean ${r.mean.toFixed(3)} ms, ${(r.commits / r.seconds).toFixed(0)} commits/s; file ${fmt(r.open)} ` +
                    `(${(r.open / r.commits).toFixed(0)} B/commit), closed ${fmt(r.closed)}, compacted ${fmt(r.compacted)} ` +
                    `(ratio ${(r.closed / r.compacted).toFixed(2)}; bound 2 × compacted + 256 B/commit ` +
                    `${r.closed <= 2 * r.compacted + 256 * r.commits ? 'held' : 'EXCEEDED'}), ${r.segments} segments listed ` +
                    `(at most ${r.maxSegments}), ${r.merges} merges, ${r.autoCompactions} auto-compactions, ` +
                    `${(r.syncs / r.commits).toFixed(3)} fsyncs/commit (status)` +
                    (calls === null ? ', fsyncs: strace not available'
                                    : `, fsyncs per commit ${(calls / Math.min(commits, 2000)).toFixed(3)} (strace, ${Math.min(commits, 2000)} commits + create/close/compact)`));
    }
