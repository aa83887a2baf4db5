#!/usr/bin/env node
// bench/open-first-query/run.mjs — open + first query, each in a fresh process, for this project's
// store (RvfDatabase.openReadonly through the Node addon: whatever the public open does today)
// against hnswlib-node (readIndex) and usearch (load, and view = memory-mapped), on one seeded
// data set (issue 17, *Must show*). Per engine × N × mode it runs --trials child processes and
// reports the medians: open + first-query time, RSS after open and after the first query, bytes
// read, recall@10 of the first query and of the next 99 at the engine's ef for --target-recall.
//
//   node bench/open-first-query/run.mjs [--n 100000[,1000000]] [--trials 5] [--cold | --modes warm,cold]
//        [--engines rvf-node,hnswlib-node,usearch,usearch-view] [--results FILE.json] [--cache DIR]
//        [--target-recall 0.95] [--ef engine=EF,…] [--rebuild] [--no-drop-caches] [--timeout S]
//        [--bench-data PATH]
//
// Data, index files and each index's calibrated ef are cached under --cache (default
// $TMPDIR/rvf-open-first-query), keyed by their parameters; a later run reuses them. The rvf file is
// rebuilt when the addon is newer than it (the writer may have changed its layout).
// --cold evicts the index file from the page cache before every child (evict.mjs says how) and
// adds those runs to the warm ones. Needs bench/node_modules (`npm --prefix bench ci --ignore-scripts`,
// then hnswlib-node's node-gyp build: bench/setup.mjs) and the Release addon + rvf_bench_data.
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDataset, findBenchData } from './data.mjs';
import { ENGINES, runChild } from './engines.mjs';
import { evictFile } from './evict.mjs';
import { summarize, table } from './report.mjs';

const benchDir = fileURLToPath(new URL('..', import.meta.url));
const repoRoot = path.resolve(benchDir, '..');
const argv = process.argv.slice(2);
const KNOWN = new Set(['--n', '--trials', '--queries', '--cold', '--modes', '--engines', '--results', '--cache',
                       '--target-recall', '--ef', '--rebuild', '--no-drop-caches', '--timeout', '--bench-data', '--m',
                       '--ef-construction', '--seed']);
for (const a of argv)
    if (a.startsWith('--') && !KNOWN.has(a))
        fail(`unknown option ${a} (options: ${[...KNOWN].join(' ')}; see the header of ${path.relative(process.cwd(), fileURLToPath(import.meta.url))})`);
const flag = (name) => argv.includes(name);
const opt = (name, fallback) => {
    const i = argv.indexOf(name);
    return i >= 0 && argv[i + 1] !== undefined ? argv[i + 1] : fallback;
};

function fail(msg) {
    process.stderr.write(`open-first-query: ${msg}\n`);
    process.exit(2);
}

const log = (msg) => process.stderr.write(`[open-first-query] ${msg}\n`);

const sizes = opt('--n', '100000').split(',').map(Number);
const trials = Number(opt('--trials', '5'));
const queries = Number(opt('--queries', '100'));
const modes = flag('--cold') ? ['warm', 'cold'] : opt('--modes', 'warm').split(',');
const engines = opt('--engines', 'rvf-node,hnswlib-node,usearch,usearch-view').split(',');
const cacheDir = opt('--cache', path.join(os.tmpdir(), 'rvf-open-first-query'));
const targetRecall = Number(opt('--target-recall', '0.95'));
const timeoutS = Number(opt('--timeout', '3600'));
const m = Number(opt('--m', '16')), efc = Number(opt('--ef-construction', '200')), seed = Number(opt('--seed', '42'));
const efOverride = Object.fromEntries(opt('--ef', '').split(',').filter(Boolean).map((kv) => {
    const [e, v] = kv.split('=');
    return [e, Number(v)];
}));
const resultsPath = opt('--results', path.join(cacheDir, `results-${sizes.join('-')}-${modes.join('-')}.json`));

if (sizes.some((n) => !Number.isInteger(n) || n < 1000))
    fail('--n takes integers ≥ 1000, comma-separated');
if (!Number.isInteger(trials) || trials < 1)
    fail('--trials takes an integer ≥ 1');
if (!Number.isInteger(queries) || queries < 1)
    fail('--queries takes an integer ≥ 1');
for (const e of engines)
    if (!ENGINES[e])
        fail(`unknown engine ${e} (engines: ${Object.keys(ENGINES).join(', ')})`);
for (const md of modes)
    if (md !== 'warm' && md !== 'cold')
        fail(`unknown mode ${md} (modes: warm, cold)`);

const addon = process.env.RVF_NODE_ADDON ?? ['build/native-release/native/rvf_node.node', 'build/bench/native/rvf_node.node']
    .map((p) => path.join(repoRoot, p)).find((p) => existsSync(p));
if (engines.includes('rvf-node') && !addon)
    fail('no Release Node addon: build it with `cmake --preset native-release && cmake --build --preset native-release ' +
         '--target rvf_node`, or set RVF_NODE_ADDON, or leave rvf-node out of --engines');
const childEnv = { RVF_NODE_ADDON: addon ?? '', OMP_NUM_THREADS: '1' };
const benchData = findBenchData(repoRoot, opt('--bench-data', undefined));

const EF_SWEEP = [10, 12, 14, 16, 20, 24, 28, 32, 40, 48, 56, 64, 80, 96, 128, 160, 192, 256, 320, 384, 512];

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);
const readJson = (p) => (existsSync(p) ? JSON.parse(readFileSync(p, 'utf8')) : null);

function errorOf(events) {
    const e = events.find((x) => x.event === 'error' || x.event === 'unavailable');
    return e ? `${e.event}: ${e.message}` : null;
}

/** The index file of `spec` over data set `ds`, built (once) by its runner's build phase. */
async function ensureIndex(spec, ds, n) {
    const dir = path.join(ds.dir, 'index');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${spec.index}-m${m}-efc${efc}.${spec.ext}`);
    const metaPath = `${file}.meta.json`;
    const stale = spec.index === 'rvf-node' && existsSync(file) && mtime(addon) > mtime(file);
    if (existsSync(file) && existsSync(metaPath) && !flag('--rebuild') && !stale)
        return { file, metaPath, meta: readJson(metaPath) };
    const tmp = path.join(dir, `${spec.index}-m${m}-efc${efc}.building.${spec.ext}`);
    for (const p of [tmp, `${tmp}.lock`, file, metaPath])
        rmSync(p, { force: true });
    log(`building ${spec.index} over ${n} rows (${stale ? 'the addon is newer than the file' : 'no cached file'})`);
    const r = await runChild({ benchDir, runner: spec.runner, env: childEnv, timeoutS,
                               job: { phase: 'build', base: ds.base, file: tmp, dim: 128, m, ef_construction: efc, k: 10,
                                      batch: 10000, ...spec.buildJob } });
    const err = errorOf(r.events);
    if (err)
        throw new Error(`${spec.index} build: ${err}`);
    renameSync(tmp, file);
    rmSync(`${tmp}.lock`, { force: true });
    const meta = { info: r.events.find((e) => e.event === 'info'), build: r.events.find((e) => e.event === 'build'),
                   save: r.events.find((e) => e.event === 'save'), rss: r.events.find((e) => e.event === 'rss'), ef: {} };
    writeFileSync(metaPath, JSON.stringify(meta, null, 1));
    log(`  ${spec.index}: ${meta.build.seconds.toFixed(1)} s build (${meta.build.threads} threads), ` +
        `${(statSync(file).size / 2 ** 20).toFixed(1)} MiB`);
    return { file, metaPath, meta };
}

/** The smallest ef of EF_SWEEP whose recall@10 over the queries reaches the target (cached in the meta). */
async function calibrate(spec, ds, idx) {
    if (efOverride[spec.index])
        return { ef: efOverride[spec.index], recall: null, source: '--ef' };
    const key = `${targetRecall}@${queries}`;
    if (idx.meta.ef?.[key])
        return idx.meta.ef[key];
    const r = await runChild({ benchDir, runner: spec.runner, env: childEnv, timeoutS,
                               job: { phase: 'serve', query: ds.query, truth: ds.truth, file: idx.file, dim: 128, m,
                                      ef_construction: efc, k: 10, ef_search: EF_SWEEP, min_time: 0, min_passes: 1,
                                      max_passes: 1, stop_recall: targetRecall, max_queries: queries, warmup_s: 0,
                                      ...spec.openJob } });
    const err = errorOf(r.events);
    if (err)
        throw new Error(`${spec.index} ef sweep: ${err}`);
    const sweep = r.events.filter((e) => e.event === 'search');
    const hit = sweep.find((e) => e.recall >= targetRecall) ?? sweep.at(-1);
    const found = { ef: hit.ef, recall: hit.recall, source: hit.recall >= targetRecall ? 'sweep' : 'sweep (target not reached)' };
    idx.meta.ef = { ...idx.meta.ef, [key]: found };
    writeFileSync(idx.metaPath, JSON.stringify(idx.meta, null, 1));
    log(`  ${spec.index}: ef ${found.ef} gives recall@10 ${found.recall.toFixed(3)} over ${queries} queries`);
    return found;
}

const startedAt = new Date();
const run = {
    started: startedAt.toISOString(), command: `node bench/open-first-query/run.mjs ${argv.join(' ')}`.trim(),
    machine: { cpu: os.cpus()[0]?.model, cores: os.cpus().length, memory_gib: Math.round(os.totalmem() / 2 ** 30),
               kernel: os.release(), node: process.version },
    loadavg_start: os.loadavg().map((x) => Number(x.toFixed(2))),
    addon: addon ? path.relative(repoRoot, addon) : null,
    params: { sizes, dim: 128, clusters: 100, sigma: 0.5, seed, queries, k: 10, m, ef_construction: efc, target_recall: targetRecall,
              trials, modes },
};
const results = [];
const tables = [];

for (const n of sizes) {
    const ds = ensureDataset({ cacheDir, n, queries, dim: 128, clusters: 100, sigma: 0.5, seed, benchData, log });
    const indexes = {}, efs = {};
    const live = [];
    for (const e of engines) {
        const spec = ENGINES[e];
        try {
            indexes[spec.index] ??= await ensureIndex(spec, ds, n);
            efs[spec.index] ??= await calibrate(spec, ds, indexes[spec.index]);
            live.push(e);
        } catch (err) {
            log(`${e}: ${err.message} — left out of this run`);
            results.push({ engine: e, label: spec.label, n, mode: null, error: err.message });
        }
    }
    const summaries = [];
    for (const mode of modes) {
        const perEngine = Object.fromEntries(live.map((e) => [e, { trials: [], errors: [] }]));
        // Round-robin over engines within a trial: load on the shared machine drifts, and this
        // spreads the drift over every engine instead of charging it to whichever ran last.
        for (let t = 0; t < trials; t++)
            for (const e of live) {
                const spec = ENGINES[e], idx = indexes[spec.index];
                const size = statSync(idx.file).size;
                const evict = mode === 'cold' ? evictFile(idx.file, { size, allowDropCaches: !flag('--no-drop-caches') }) : null;
                if (evict && evict.evicted === false)
                    log(`${e}: the file is still ${evict.resident_after} bytes resident after eviction (${evict.method})`);
                const r = await runChild({ benchDir, runner: spec.runner, env: childEnv, timeoutS,
                                           job: { phase: 'first', query: ds.query, truth: ds.truth, file: idx.file, dim: 128, m,
                                                  ef_construction: efc, k: 10, ef: efs[spec.index].ef, max_queries: queries,
                                                  ...spec.openJob } });
                const first = r.events.find((x) => x.event === 'first');
                if (!first) {
                    perEngine[e].errors.push(errorOf(r.events) ?? 'no result line');
                    log(`${e} (${mode}, trial ${t + 1}): ${perEngine[e].errors.at(-1)}`);
                    continue;
                }
                perEngine[e].info ??= r.events.find((x) => x.event === 'info');
                perEngine[e].trials.push({ first, evict, wall_ms: r.wall_ms });
            }
        for (const e of live) {
            const spec = ENGINES[e], idx = indexes[spec.index], pe = perEngine[e];
            if (!pe.trials.length) {
                results.push({ engine: e, label: spec.label, n, mode, error: pe.errors[0] });
                continue;
            }
            const s = summarize({ engine: e, label: spec.label, n, mode, fileBytes: statSync(idx.file).size,
                                  ef: efs[spec.index].ef,
                                  build: { ...idx.meta.build, save: idx.meta.save, peak_rss_kib: idx.meta.rss?.peak_rss_kib,
                                           calibration: efs[spec.index], info: pe.info },
                                  trials: pe.trials, errors: pe.errors });
            summaries.push(s);
            results.push(s);
        }
    }
    const t = `### ${n.toLocaleString('en-US')} × 128 (medians of ${trials} fresh processes)\n\n${table(summaries)}`;
    tables.push(t);
    process.stdout.write(`\n${t}\n`);
}

run.loadavg_end = os.loadavg().map((x) => Number(x.toFixed(2)));
run.seconds = (Date.now() - startedAt.getTime()) / 1000;
mkdirSync(path.dirname(path.resolve(resultsPath)), { recursive: true });
writeFileSync(resultsPath, JSON.stringify({ run, results }, null, 1));
process.stdout.write(`\nload average ${run.loadavg_start.join(' ')} → ${run.loadavg_end.join(' ')}; ` +
                     `cold eviction: ${[...new Set(results.flatMap((r) => r.evict?.methods ?? []))].join(', ') || 'n/a'}\n` +
                     `results: ${resultsPath}\n`);
