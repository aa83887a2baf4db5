#!/usr/bin/env node
// bench/write-path/warm_query_bench.mjs — query speed right after ingest (issue 17): on one
// seeded Gaussian mixture (exact ground truth by brute force) the SDK's native store is queried
//   (a) in the process that just ingested the rows (insertBatch per --batch rows, then one batch),
//   (b) after close() + openReadonly() of the same file,
//   (c) after close() + open() (writable).
// Prints QPS (single thread: one query in flight at a time) and recall@k per case, so a writable
// store can be compared with a reopened one. Nothing is asserted (tests/cpp/warm_query_test.cpp
// asserts that both handles search the same graph).
//
//   node bench/write-path/warm_query_bench.mjs [--n 100000] [--queries 1000] [--k 10] [--ef 16]
//                                              [--batch 1000] [--rounds 3] [--gc]
// --gc (with node --expose-gc) runs a full JS garbage collection before each case.
//
// The native backend needs the addon: RVF_NODE_ADDON, else build/native-release, else native-debug
// (point RVF_NODE_ADDON at an older build to compare before/after on the same data).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const argv = process.argv.slice(2);
const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? Number(argv[i + 1]) : fallback;
};
const n = opt('--n', 100000), nq = opt('--queries', 1000), k = opt('--k', 10), ef = opt('--ef', 16);
const batch = opt('--batch', 1000), rounds = opt('--rounds', 3);
const gcFirst = argv.includes('--gc');
if (gcFirst && typeof globalThis.gc !== 'function')
    throw new Error('--gc needs node --expose-gc');
const dim = 128, clusters = 100, sigma = 0.5;

if (!process.env.RVF_NODE_ADDON)
    for (const p of ['build/native-release/native/rvf_node.node', 'build/native-debug/native/rvf_node.node'])
        if (existsSync(path.join(repoRoot, p))) {
            process.env.RVF_NODE_ADDON = path.join(repoRoot, p);
            break;
        }
const { RvfDatabase } = await import(pathToFileURL(path.join(repoRoot, 'npm/rvf/src/index.js')).href);

// ---- data: mulberry32 + Box–Muller, seed 42 (the same rows on every run) ----
let seed = 42;
function uniform() {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = seed;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const gauss = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
const centers = Float32Array.from({ length: clusters * dim }, () => gauss()); // N(0, 1) centres
function mixture(count) {
    const out = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
        const c = Math.floor(uniform() * clusters);
        for (let d = 0; d < dim; d++)
            out[i * dim + d] = centers[c * dim + d] + sigma * gauss();
    }
    return out;
}
const base = mixture(n), queries = mixture(nq);

/** Exact k nearest (L2) of every query, by brute force. */
function groundTruth() {
    const truth = [];
    for (let q = 0; q < nq; q++) {
        const best = []; // [d, id] ascending, ≤ k
        for (let i = 0; i < n; i++) {
            let d = 0;
            for (let j = 0; j < dim; j++) {
                const x = base[i * dim + j] - queries[q * dim + j];
                d += x * x;
            }
            if (best.length < k || d < best[best.length - 1][0]) {
                let at = best.length;
                while (at > 0 && best[at - 1][0] > d)
                    at--;
                best.splice(at, 0, [d, i]);
                if (best.length > k)
                    best.pop();
            }
        }
        truth.push(new Set(best.map((b) => b[1])));
    }
    return truth;
}
const t0 = performance.now();
const truth = groundTruth();
console.log(`data: ${n} × ${dim} mixture (${clusters} clusters, σ ${sigma}, seed 42), ${nq} queries; ` +
            `ground truth ${((performance.now() - t0) / 1000).toFixed(1)} s; k ${k}, ef ${ef}, best of ${rounds} rounds after a warm-up round`);

const qv = Array.from({ length: nq }, (_, q) => queries.subarray(q * dim, (q + 1) * dim));

/** Best-of-rounds QPS and recall@k, one query in flight at a time. */
async function measure(db, label) {
    if (gcFirst)
        globalThis.gc(); // --gc: collect the ingest's garbage first (JS heap, not the store)
    for (let q = 0; q < nq; q++) // untimed warm-up round: JIT, libuv threads, caches
        await db.query(qv[q], k, { efSearch: ef });
    let best = 0, hit = 0;
    for (let r = 0; r < rounds; r++) {
        hit = 0;
        const t = performance.now();
        for (let q = 0; q < nq; q++) {
            const res = await db.query(qv[q], k, { efSearch: ef });
            for (const h of res)
                if (truth[q].has(Number(h.id)))
                    hit++;
        }
        best = Math.max(best, nq / ((performance.now() - t) / 1000));
    }
    console.log(`${label.padEnd(44)} ${best.toFixed(0).padStart(7)} QPS   recall@${k} ${(hit / (nq * k)).toFixed(3)}`);
}

async function ingest(file, per) {
    const db = await RvfDatabase.create(file, { dimensions: dim, metric: 'l2', backend: 'native' });
    const t = performance.now();
    for (let at = 0; at < n; at += per) {
        const entries = [];
        for (let i = at; i < Math.min(n, at + per); i++)
            entries.push({ id: i, vector: base.subarray(i * dim, (i + 1) * dim) });
        const r = await db.insertBatch(entries);
        if (r.rejected)
            throw new Error(`${r.rejected} rows rejected`);
    }
    console.log(`ingest in batches of ${per}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    return db;
}

const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-warm-query-'));
try {
    for (const per of [...new Set([batch, n])]) {
        const file = path.join(dir, `b${per}.rvf`);
        let db = await ingest(file, per);
        await measure(db, `(a) after ingest (batches of ${per})`);
        await db.close();
        db = await RvfDatabase.openReadonly(file, { backend: 'native' });
        await measure(db, '(b) close + openReadonly');
        await db.close();
        db = await RvfDatabase.open(file, { backend: 'native' });
        await measure(db, '(c) close + open (writable)');
        await db.close();
    }
} finally {
    rmSync(dir, { recursive: true, force: true });
}
