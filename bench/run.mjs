#!/usr/bin/env node
// bench/run.mjs — `npm run bench`: this project against peer vector-search engines on the same
// data, same parameters (M = 16, efConstruction = 200, k = 10, L2), single-threaded queries.
//
//   node bench/run.mjs [--datasets sift10k,gauss100k] [--scale] [--engines a,b,...] [--quick]
//                      [--timeout SECONDS] [--out DIR] [--no-setup] [--variant NAME=PATH]
//
// Each engine runs in its own processes, two per data set: "build" (build, save: build time,
// file size, peak RSS) then, after the saved file is dropped from the page cache, "serve" (cold
// open + first query, then the ef sweep: recall@10, QPS, p50/p95/p99, peak RSS). A process gets
// its JSON job on stdin and answers JSON lines on stdout (protocol: bench/README.md). Engines:
// bench/engines/<engine>.mjs, and rvf-native = build/bench/bench/rvf_bench_engine (C++).
//
// Data sets: sift10k (tests/data/siftsmall, with its own ground truth), gauss100k (seeded
// 100,000 × 128 Gaussian mixture, exact ground truth; cached in build/bench-data/), --scale adds
// gauss1m (1,000,000 × 128). --quick: gauss20k only, for checking the harness.
// --variant NAME=PATH adds one more native engine, "rvf-native-NAME": another build of
// rvf_bench_engine (a candidate fix, an older commit), measured in the same run as the tree's.
// Writes DIR/raw.jsonl (every line every engine printed, labelled), DIR/summary.json,
// DIR/results.md and DIR/recall-qps-<dataset>.png (bench/report.mjs). Nothing is asserted.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchDir, repoRoot, setup } from './setup.mjs';
import { writeReport } from './report.mjs';

const argv = process.argv.slice(2);
const flag = (name) => argv.includes(name);
const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};

export const ENGINES = ['rvf-native', 'rvf-node', 'rvf-wasm', 'upstream-rvf-node', 'hnswlib-node', 'usearch', 'faiss-hnsw',
                        'faiss-flat'];
const EF = [10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512];
const quick = flag('--quick');
const datasetNames = opt('--datasets', quick ? 'gauss20k' : 'sift10k,gauss100k').split(',').concat(flag('--scale') ? ['gauss1m'] : []);
const engines = opt('--engines', ENGINES.join(',')).split(',');
const variant = opt('--variant', null)?.match(/^([\w.-]+)=(.+)$/);
if (opt('--variant', null) && !variant)
    throw new Error('--variant takes NAME=PATH');
const variants = variant ? { [`rvf-native-${variant[1]}`]: path.resolve(variant[2]) } : {};
const timeoutS = Number(opt('--timeout', 1800));
const outDir = path.resolve(opt('--out', path.join(benchDir, 'results')));
const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

for (const e of engines)
    if (!ENGINES.includes(e) && !variants[e])
        throw new Error(`unknown engine ${e} (known: ${ENGINES.join(', ')})`);

const env = flag('--no-setup')
    ? { native: { engine: path.join(repoRoot, 'build/bench/bench/rvf_bench_engine'),
                  data: path.join(repoRoot, 'build/bench/bench/rvf_bench_data') },
        nodeAddon: path.join(repoRoot, 'build/bench/native/rvf_node.node'), wasmPkg: path.join(repoRoot, 'build/bench-wasm/pkg'),
        problems: {} }
    : await setup({ wasm: engines.includes('rvf-wasm') });

/** Spawn one engine process with `job` on stdin; resolve with the JSON objects it printed. */
function runProcess(cmd, args, job, extraEnv) {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(cmd, args, { cwd: repoRoot, env: { ...process.env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
        const events = [];
        let out = '', err = '', timedOut = false;
        const timer = setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
        }, timeoutS * 1000);
        child.stdout.on('data', (d) => {
            out += d;
            let nl;
            while ((nl = out.indexOf('\n')) >= 0) {
                const line = out.slice(0, nl).trim();
                out = out.slice(nl + 1);
                if (!line)
                    continue;
                try {
                    events.push(JSON.parse(line));
                } catch {
                    err += `${line}\n`;
                }
            }
        });
        child.stderr.on('data', (d) => {
            err = (err + d).slice(-4000);
        });
        child.on('error', (e) => events.push({ event: 'error', message: String(e.message) }));
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            const wall = Number(process.hrtime.bigint() - t0) / 1e9;
            if (timedOut)
                events.push({ event: 'timeout', seconds: timeoutS });
            else if (code !== 0 && !events.some((e) => e.event === 'error'))
                events.push({ event: 'error', message: `exit ${code ?? signal}: ${err.trim().slice(-600)}` });
            events.push({ event: 'exit', code, signal, wall_seconds: wall });
            resolve(events);
        });
        child.stdin.end(JSON.stringify(job));
    });
}

engines.splice(engines.includes('rvf-native') ? engines.indexOf('rvf-native') + 1 : 0, 0, ...Object.keys(variants));

function engineCommand(engine) {
    if (variants[engine])
        return [variants[engine], []];
    if (engine === 'rvf-native')
        return env.native ? [env.native.engine, []] : null;
    return [process.execPath, ['--expose-gc', path.join(benchDir, 'engines', `${engine}.mjs`)]];
}

function datasetSpec(name) {
    if (name === 'sift10k') {
        const d = path.join(repoRoot, 'tests/data/siftsmall');
        return { name, label: 'SIFT10K (real, 10,000 × 128, 100 queries)', base: `${d}/siftsmall_base.fvecs`,
                 query: `${d}/siftsmall_query.fvecs`, truth: `${d}/siftsmall_groundtruth.ivecs`, n: 10000, dim: 128 };
    }
    const m = /^gauss(\d+)(k|m)$/.exec(name);
    if (!m)
        throw new Error(`unknown data set ${name}`);
    const n = Number(m[1]) * (m[2] === 'k' ? 1000 : 1000000);
    const queries = n >= 100000 ? 1000 : 200;
    const dir = path.join(repoRoot, 'build/bench-data', `gauss-${n}x128-q${queries}-s42`);
    if (!existsSync(path.join(dir, 'groundtruth.ivecs'))) {
        if (!env.native)
            throw new Error(`data set ${name} needs rvf_bench_data (native build failed)`);
        mkdirSync(dir, { recursive: true });
        log(`generating ${name} (exact ground truth) in ${path.relative(repoRoot, dir)}`);
        const r = spawnSyncChecked(env.native.data, ['--out', dir, '--n', String(n), '--queries', String(queries), '--seed', '42']);
        log(r.trim());
    }
    return { name, label: `Gaussian mixture (${n.toLocaleString('en-US')} × 128, 100 clusters, σ 0.5, seed 42, ${queries} queries)`,
             base: `${dir}/base.fvecs`, query: `${dir}/query.fvecs`, truth: `${dir}/groundtruth.ivecs`, n, dim: 128 };
}

function spawnSyncChecked(cmd, args) {
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    if (r.status !== 0)
        throw new Error(`${cmd} failed: ${r.stderr}`);
    return r.stdout;
}

const startedAt = new Date();
const machine = {
    cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30), node: process.version,
    kernel: os.release(), loadavg_start: os.loadavg().map((x) => Number(x.toFixed(2))),
};
mkdirSync(outDir, { recursive: true });
const raw = [];
const record = (labels, events) => {
    for (const e of events)
        raw.push({ ...labels, ...e });
};
const work = path.join(repoRoot, 'build/bench-work');

for (const dsName of datasetNames) {
    const ds = datasetSpec(dsName);
    const dsWork = path.join(work, ds.name);
    mkdirSync(dsWork, { recursive: true });
    for (const engine of engines) {
        const labels = { dataset: ds.name, engine };
        const cmd = engineCommand(engine);
        if (!cmd || (engine === 'rvf-wasm' && !env.wasmPkg)) {
            record({ ...labels, phase: 'setup' },
                   [{ event: 'unavailable', message: env.problems[engine === 'rvf-native' ? 'native' : engine] ?? 'not built' }]);
            continue;
        }
        const file = path.join(dsWork, `${engine}.index`);
        rmSync(file, { force: true });
        rmSync(`${file}.lock`, { force: true });
        const job = { dataset: ds.name, base: ds.base, query: ds.query, truth: ds.truth, dim: ds.dim, file, m: 16,
                      ef_construction: 200, k: 10, batch: 10000, ef_search: engine === 'faiss-flat' ? [0] : EF,
                      min_time: 0.3, min_passes: 2, stop_recall: 0.995, rvf_wasm_pkg: env.wasmPkg,
                      max_queries: engine === 'faiss-flat' && ds.n > 200000 ? 100 : 0 };
        log(`${ds.name} · ${engine} · build`);
        const engineEnv = engine === 'rvf-node' && env.nodeAddon && existsSync(env.nodeAddon) ? { RVF_NODE_ADDON: env.nodeAddon } : {};
        const built = await runProcess(cmd[0], cmd[1], { ...job, phase: 'build' }, engineEnv);
        record({ ...labels, phase: 'build' }, built);
        const ok = (evs) => !evs.some((e) => ['error', 'timeout', 'unavailable'].includes(e.event));
        for (const e of built.filter((x) => ['build', 'error', 'timeout', 'unavailable'].includes(x.event)))
            log(`  ${JSON.stringify(e).slice(0, 300)}`);
        if (!ok(built))
            continue;
        if (env.native && existsSync(file))
            spawnSync(env.native.engine, ['--evict', file]);
        log(`${ds.name} · ${engine} · serve`);
        const served = await runProcess(cmd[0], cmd[1], { ...job, phase: 'serve' }, { ...engineEnv, OMP_NUM_THREADS: '1' });
        record({ ...labels, phase: 'serve' }, served);
        for (const e of served.filter((x) => ['open', 'search', 'error', 'timeout'].includes(x.event)))
            log(`  ${JSON.stringify(e).slice(0, 300)}`);
        rmSync(file, { force: true });
        rmSync(`${file}.lock`, { force: true });
    }
    // Paths relative to the repository root: the results are committed and read elsewhere.
    const rel = (p) => path.relative(repoRoot, p);
    record({ dataset: ds.name, engine: null, phase: 'dataset' },
           [{ event: 'dataset', ...ds, base: rel(ds.base), query: rel(ds.query), truth: rel(ds.truth) }]);
}

machine.loadavg_end = os.loadavg().map((x) => Number(x.toFixed(2)));
const meta = { started: startedAt.toISOString(), finished: new Date().toISOString(), machine, setup_problems: env.problems,
               params: { m: 16, ef_construction: 200, k: 10, metric: 'L2', batch: 10000, ef_search: EF }, datasets: datasetNames };
writeFileSync(path.join(outDir, 'raw.jsonl'), [JSON.stringify({ event: 'run', ...meta }), ...raw.map((r) => JSON.stringify(r))].join('\n') + '\n');
const wrote = writeReport(outDir);
log(`wrote ${wrote.map((f) => path.relative(repoRoot, f)).join(', ')}`);
