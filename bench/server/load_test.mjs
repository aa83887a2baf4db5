#!/usr/bin/env node
// Load test of `rvf serve` (not part of `npm test`): query QPS and latency with 1, 8 and 64
// concurrent HTTP clients (autocannon, root devDependency) while one ingester commits small
// batches, then a crash check: kill -9 the server in the middle of that load, reopen the file
// read-only and check that every write the server acknowledged is there (vector and all).
//
//   cmake -S . -B build/server-rel -DCMAKE_BUILD_TYPE=Release -DRVF_BUILD_TESTS=OFF && \
//     cmake --build build/server-rel -j2 --target rvf
//   node bench/server/load_test.mjs [--bin build/server-rel/runtime/rvf] [--duration 5]
//        [--levels 1,8,64] [--dim 64] [--preload 5000] [--batch 10] [--threads 160]
//
// Prints a table (and JSON lines with --json). Exit status 1 if any request failed during the
// measured levels or an acknowledged write is missing after the crash; the numbers themselves
// are never judged.
import autocannon from 'autocannon';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const args = Object.fromEntries(process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1] && !all[i + 1].startsWith('--') ? all[i + 1] : 'true']);
    return acc;
}, []));
const bin = path.resolve(args.bin ?? process.env.RVF_SERVE_BIN ?? path.join(repoRoot, 'build/server-rel/runtime/rvf'));
const duration = Number(args.duration ?? 5);
const levels = (args.levels ?? '1,8,64').split(',').map(Number);
const dim = Number(args.dim ?? 64);
const preload = Number(args.preload ?? 5000);
const batch = Number(args.batch ?? 10);
const threads = Number(args.threads ?? 160);
const asJson = args.json === 'true';

if (!existsSync(bin)) {
    console.error(`load_test: ${bin} not found — build the Release tool first (see the header of this file)`);
    process.exit(2);
}

/** Deterministic vector of an id (xorshift32 seeded by the id): the crash check regenerates it. */
function vectorOf(id) {
    let s = (Number(id % 0xffffffffn) ^ 0x9e3779b9) >>> 0 || 1;
    const v = new Array(dim);
    for (let d = 0; d < dim; ++d) {
        s ^= s << 13;
        s >>>= 0;
        s ^= s >>> 17;
        s ^= s << 5;
        s >>>= 0;
        v[d] = (s / 4294967296) * 2 - 1;
    }
    return v;
}

// Writes need the server's token: one per run, given to the server via RVF_SERVE_TOKEN.
const token = randomBytes(32).toString('hex');

function startServer(file, extra) {
    const child = spawn(bin, ['serve', file, '--http', '0', '--tcp', 'off', '--threads', String(threads), ...extra],
                        { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, RVF_SERVE_TOKEN: token } });
    let out = '';
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    const ready = new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
            out += d;
            const m = /http:\/\/([\d.]+):(\d+)/.exec(out);
            if (m) resolve(`http://${m[1]}:${m[2]}`);
        });
        child.on('exit', (code) => reject(new Error(`rvf serve exited (${code}) before listening`)));
    });
    return { child, ready, exited };
}

async function post(base, route, body) {
    const res = await fetch(base + route, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify(body),
    });
    const j = await res.json();
    if (!res.ok) throw new Error(`${route}: HTTP ${res.status} ${j.error}`);
    return j;
}

/** Sequential ingester: one batch per request; records ids the server acknowledged. */
function startIngester(base, state) {
    let stop = false;
    const stats = { batches: 0, vectors: 0, failures: 0 };
    const run = (async () => {
        while (!stop) {
            const ids = [];
            for (let i = 0; i < batch; ++i) ids.push(state.nextId++);
            try {
                const r = await post(base, '/v1/ingest', { ids, vectors: ids.map((id) => vectorOf(BigInt(id))) });
                const rejected = new Set(r.rejections.map((x) => x.index));
                ids.forEach((id, i) => !rejected.has(i) && state.acked.push(id));
                stats.batches += 1;
                stats.vectors += r.accepted;
            } catch {
                stats.failures += 1;
                if (state.expectFailures) return;
            }
        }
    })();
    return { stats, stop: async () => { stop = true; await run; } };
}

function queryBodies(n) {
    const out = [];
    for (let i = 0; i < n; ++i) out.push(JSON.stringify({ vector: vectorOf(BigInt(1_000_000 + i)), k: 10 }));
    return out;
}

function cannon(base, connections, seconds, bodies) {
    let i = 0;
    return autocannon({
        url: base,
        connections,
        duration: seconds,
        requests: [{
            method: 'POST',
            path: '/v1/query',
            headers: { 'content-type': 'application/json' },
            setupRequest: (req) => ({ ...req, body: bodies[i++ % bodies.length] }),
        }],
    });
}

const work = mkdtempSync(path.join(os.tmpdir(), 'rvf-load-'));
const file = path.join(work, 'load.rvf');
let failed = false;
try {
    // --- levels ------------------------------------------------------------------------------------
    let srv = startServer(file, ['--dimension', String(dim)]);
    let base = await srv.ready;
    const state = { nextId: 1, acked: [], expectFailures: false };
    for (let done = 0; done < preload; done += 500) {
        const ids = [];
        for (let i = 0; i < Math.min(500, preload - done); ++i) ids.push(state.nextId++);
        await post(base, '/v1/ingest', { ids, vectors: ids.map((id) => vectorOf(BigInt(id))) });
        state.acked.push(...ids);
    }
    const bodies = queryBodies(256);
    const rows = [];
    for (const c of levels) {
        const ing = startIngester(base, state);
        const r = await cannon(base, c, duration, bodies);
        await ing.stop();
        const failures = r.errors + r.timeouts + r.non2xx + ing.stats.failures;
        if (failures) failed = true;
        rows.push({
            clients: c,
            qps: Math.round(r.requests.average),
            p50_ms: r.latency.p50,
            p99_ms: r.latency.p99,
            queries: r.requests.total,
            failed: failures,
            ingest_vps: Math.round(ing.stats.vectors / duration),
            commits: ing.stats.batches,
        });
    }
    const st = await (await fetch(base + '/v1/status')).json();
    console.log(`rvf serve load test — ${bin}`);
    console.log(`${os.cpus().length} CPUs (${os.cpus()[0].model}), dim ${dim}, ${preload} preloaded + ingest batches of ${batch}, ` +
                `${duration}s per level, k=10, HNSW ${st.total_vectors >= 1024 ? 'on' : 'off'}, ${st.total_vectors} vectors at the end`);
    console.log('clients |    QPS | p50 ms | p99 ms | queries | failed | ingest vec/s | commits');
    for (const r of rows)
        console.log(`${String(r.clients).padStart(7)} | ${String(r.qps).padStart(6)} | ${String(r.p50_ms).padStart(6)} | ` +
                    `${String(r.p99_ms).padStart(6)} | ${String(r.queries).padStart(7)} | ${String(r.failed).padStart(6)} | ` +
                    `${String(r.ingest_vps).padStart(12)} | ${String(r.commits).padStart(7)}`);
    if (asJson) for (const r of rows) console.log(JSON.stringify({ bench: 'server_load', ...r }));

    // --- kill -9 in the middle of the load -----------------------------------------------------------
    state.expectFailures = true;
    const ing = startIngester(base, state);
    const load = cannon(base, 8, 3, bodies);
    await new Promise((r) => setTimeout(r, 1500));
    srv.child.kill('SIGKILL');
    await srv.exited;
    await ing.stop();
    await load;
    const acked = state.acked.length;
    let verifyOut = '';
    try {
        verifyOut = execFileSync(bin, ['verify', file], { encoding: 'utf8' }).trim().split('\n').pop();
    } catch (e) {
        verifyOut = `FAILED: ${e.stdout ?? e.message}`;
        failed = true;
    }
    srv = startServer(file, ['--readonly']);
    base = await srv.ready;
    const after = await (await fetch(base + '/v1/status')).json();
    let missing = 0;
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
        while (next < state.acked.length) {
            const id = state.acked[next++];
            const r = await post(base, '/v1/query', { vector: vectorOf(BigInt(id)), k: 1, exact: true });
            if (r.results.length !== 1 || r.results[0].id !== id || r.results[0].distance !== 0) missing += 1;
        }
    }));
    srv.child.kill('SIGTERM');
    await srv.exited;
    if (missing) failed = true;
    console.log(`kill -9 mid-load: ${acked} writes acknowledged (${ing.stats.batches} batches during the crash phase), ` +
                `${after.total_vectors} vectors on reopen, ${missing} acknowledged writes missing; verify: ${verifyOut}`);
    if (asJson) console.log(JSON.stringify({ bench: 'server_crash', acked, reopened: after.total_vectors, missing }));
} finally {
    rmSync(work, { recursive: true, force: true });
}
process.exit(failed ? 1 : 0);
