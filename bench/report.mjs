#!/usr/bin/env node
// bench/report.mjs — turns DIR/raw.jsonl (written by bench/run.mjs) into DIR/summary.json,
// DIR/results.md and, per data set, DIR/recall-qps-<dataset>.gp + .png (gnuplot; skipped with a
// note when gnuplot is missing). Run alone to re-render: `node bench/report.mjs [DIR]`.
//
// Headline: QPS at recall@10 = 0.95, interpolated between the two sweep points around 0.95
// (linear in recall, geometric in QPS). When an engine's lowest ef already exceeds 0.95 the
// figure is that point's QPS, marked "≥" (a smaller ef could only be faster); an engine whose
// sweep never reaches 0.95 has none. Ratios compare rvf-native with each engine. CPU µs/query
// (the least-CPU timed pass, interpolated the same way) is the steadier figure on a shared machine:
// wall-clock QPS also counts the time other processes held the core.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const TARGET = 0.95;
const OURS = 'rvf-native';

/** QPS at recall TARGET on a sweep (sorted by ef): {qps, bound, ef_lo, ef_hi} or null. */
export function qpsAtRecall(sweep, target = TARGET) {
    if (!sweep.length)
        return null;
    if (sweep[0].recall >= target)
        return { qps: sweep[0].qps, bound: 'lower', ef_lo: sweep[0].ef, ef_hi: sweep[0].ef };
    for (let i = 1; i < sweep.length; i++) {
        const a = sweep[i - 1], b = sweep[i];
        if (a.recall < target && b.recall >= target) {
            const t = b.recall === a.recall ? 1 : (target - a.recall) / (b.recall - a.recall);
            return { qps: Math.exp(Math.log(a.qps) + t * (Math.log(b.qps) - Math.log(a.qps))), bound: 'interpolated',
                     ef_lo: a.ef, ef_hi: b.ef };
        }
    }
    return null;
}

function summarise(lines) {
    const run = lines.find((l) => l.event === 'run') ?? {};
    const datasets = {};
    for (const l of lines.filter((x) => x.event === 'dataset'))
        datasets[l.dataset] = { name: l.name, label: l.label, n: l.n, dim: l.dim, engines: {} };
    for (const l of lines) {
        if (!l.engine || !datasets[l.dataset])
            continue;
        const e = (datasets[l.dataset].engines[l.engine] ??= { engine: l.engine, status: 'ok', sweep: [] });
        switch (l.event) {
        case 'info': Object.assign(e, { version: l.version, api: l.api, kernels: l.kernels ?? e.kernels }); break;
        case 'build': Object.assign(e, { build_s: l.seconds, vectors_per_s: l.vectors_per_s, build_threads: l.threads,
                                         durable: l.durable }); break;
        case 'save': Object.assign(e, { save_s: l.seconds, file_bytes: l.file_bytes }); break;
        case 'open': Object.assign(e, { open_s: l.open_seconds, first_query_s: l.first_query_seconds }); break;
        case 'search': e.sweep.push({ ef: l.ef, recall: l.recall, qps: l.qps, p50_us: l.p50_us, p95_us: l.p95_us,
                                      p99_us: l.p99_us, cpu_us: l.cpu_us_per_query }); break;
        case 'rss': e[`${l.phase}_rss_mib`] = l.peak_rss_kib / 1024; break;
        case 'unavailable': case 'error': case 'timeout':
            if (e.status === 'ok') {
                e.status = l.event;
                e.message = l.event === 'timeout' ? `${l.phase} phase killed after ${l.seconds} s` : l.message;
                e.failed_phase = l.phase;
            }
            break;
        default: break;
        }
    }
    for (const ds of Object.values(datasets)) {
        for (const e of Object.values(ds.engines)) {
            e.sweep.sort((a, b) => a.ef - b.ef);
            e.at95 = qpsAtRecall(e.sweep);
            // The same interpolation on CPU time per query (as a rate: 1e6 / µs).
            const cpu = e.sweep.every((p) => p.cpu_us > 0) ? qpsAtRecall(e.sweep.map((p) => ({ ...p, qps: 1e6 / p.cpu_us }))) : null;
            if (e.at95 && cpu)
                e.at95.cpu_us = 1e6 / cpu.qps;
            const first = e.sweep.find((p) => p.recall >= TARGET);
            if (first)
                Object.assign(e.at95 ?? {}, { p50_us: first.p50_us, p99_us: first.p99_us, ef_first: first.ef });
            e.max_recall = e.sweep.length ? Math.max(...e.sweep.map((p) => p.recall)) : null;
        }
        const ours = ds.engines[OURS];
        for (const e of Object.values(ds.engines)) {
            if (ours?.at95 && e.at95)
                e.ours_qps_ratio = ours.at95.qps / e.at95.qps;
            if (ours?.at95?.cpu_us && e.at95?.cpu_us)
                e.ours_cpu_ratio = e.at95.cpu_us / ours.at95.cpu_us;
            if (ours?.build_s && e.build_s)
                e.build_ratio = e.build_s / ours.build_s;
        }
    }
    return { run, datasets };
}

const f = (x, d = 0) => (x === undefined || x === null || Number.isNaN(x) ? '—' : x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d }));
const mib = (b) => (b ? f(b / 2 ** 20, 1) : '—');

function headline(ds) {
    const withCpu = Object.values(ds.engines).some((e) => e.at95?.cpu_us);
    const rows = [
        `| engine | QPS @ recall 0.95 | rvf-native ÷ engine |${withCpu ? ' CPU µs/query @ 0.95 | rvf-native ÷ engine (CPU) |' : ''} p50 / p99 µs (ef) | build s (threads) | vectors/s | file MiB | open + 1st query ms | peak RSS MiB build / serve | best recall |`,
        `|---|---:|---:|${withCpu ? '---:|---:|' : ''}---:|---:|---:|---:|---:|---:|---:|`,
    ];
    for (const e of Object.values(ds.engines)) {
        if (e.status !== 'ok') {
            rows.push(`| ${e.engine} | ${e.status}: ${String(e.message ?? '').replace(/\|/g, '/').replace(/\s+/g, ' ').slice(0, 160)} |||||||||${withCpu ? '||' : ''}`);
            continue;
        }
        const a = e.at95;
        const qps = a ? `${a.bound === 'lower' ? '≥ ' : ''}${f(a.qps)}` : 'not reached';
        const ratio = e.engine === OURS ? '1.00' : e.ours_qps_ratio ? `${f(e.ours_qps_ratio, 2)}×` : '—';
        const lat = a?.p50_us ? `${f(a.p50_us, 1)} / ${f(a.p99_us, 1)} (${a.ef_first || 'exact'})` : '—';
        const open = e.open_s !== undefined ? f((e.open_s + e.first_query_s) * 1e3, 1) : '—';
        const cpuCols = !withCpu ? '' : ` ${a?.cpu_us ? f(a.cpu_us, 1) : '—'} | ${e.engine === OURS ? '1.00' : e.ours_cpu_ratio ? `${f(e.ours_cpu_ratio, 2)}×` : '—'} |`;
        rows.push(`| ${e.engine} | ${qps} | ${ratio} |${cpuCols} ${lat} | ${f(e.build_s, 2)} (${e.build_threads ?? '?'}) | ${f(e.vectors_per_s)} | ` +
                  `${mib(e.file_bytes)} | ${open} | ${f(e.build_rss_mib, 0)} / ${f(e.serve_rss_mib, 0)} | ${f(e.max_recall, 3)} |`);
    }
    return rows.join('\n');
}

function sweeps(ds) {
    const out = [];
    for (const e of Object.values(ds.engines)) {
        if (!e.sweep.length)
            continue;
        out.push(`**${e.engine}** (${e.version ?? '?'}; ${e.api ?? ''}${e.kernels ? `; kernels ${e.kernels}` : ''})`, '',
                 '| ef | recall@10 | QPS | p50 µs | p95 µs | p99 µs | CPU µs/query |', '|---:|---:|---:|---:|---:|---:|---:|');
        for (const p of e.sweep)
            out.push(`| ${p.ef || 'exact'} | ${f(p.recall, 4)} | ${f(p.qps)} | ${f(p.p50_us, 1)} | ${f(p.p95_us, 1)} | ${f(p.p99_us, 1)} | ${f(p.cpu_us, 1)} |`);
        out.push('');
    }
    return out.join('\n');
}

function plot(dir, name, ds) {
    const engines = Object.values(ds.engines).filter((e) => e.sweep.length);
    if (!engines.length)
        return null;
    const minRecall = Math.min(...engines.flatMap((e) => e.sweep.map((p) => p.recall)));
    const lines = [
        `# recall@10 vs single-thread QPS, ${ds.label} — generated by bench/report.mjs`,
        `set terminal pngcairo size 1100,700 font ",11" noenhanced`,
        `set output '${name}.png'`,
        `set title "${ds.label.replace(/"/g, "'")}\\nrecall@10 vs queries per second (1 query thread, k = 10, M = 16, efConstruction = 200)"`,
        'set xlabel "recall@10"', 'set ylabel "queries per second (log scale)"', 'set logscale y', 'set grid',
        `set xrange [${Math.max(0, Math.floor(minRecall * 50) / 50 - 0.01).toFixed(2)}:1.002]`,
        'set key outside right top', `set arrow from ${TARGET}, graph 0 to ${TARGET}, graph 1 nohead dt 2 lc rgb "gray"`,
    ];
    engines.forEach((e, i) => {
        lines.push(`$d${i} << EOD`, ...e.sweep.map((p) => `${p.recall} ${p.qps} ${p.ef}`), 'EOD');
    });
    lines.push('plot ' + engines.map((e, i) => `$d${i} using 1:2 with linespoints lw 2 pt ${(i % 10) + 4} ps 1.2 title "${e.engine}"`).join(', \\\n     '));
    writeFileSync(path.join(dir, `${name}.gp`), `${lines.join('\n')}\n`);
    try {
        execFileSync('gnuplot', [`${name}.gp`], { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
        return `${name}.png`;
    } catch (e) {
        return { error: `gnuplot failed: ${String(e.stderr ?? e.message).slice(0, 200)}` };
    }
}

export function writeReport(dir) {
    const lines = readFileSync(path.join(dir, 'raw.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
    const summary = summarise(lines);
    const written = [path.join(dir, 'summary.json'), path.join(dir, 'results.md')];
    writeFileSync(written[0], `${JSON.stringify(summary, null, 1)}\n`);
    const { run } = summary;
    const m = run.machine ?? {};
    const md = [
        '# Peer benchmark results', '',
        `Generated by \`npm run bench\` (bench/run.mjs) — ${run.started ?? '?'} to ${run.finished ?? '?'}.`,
        `Machine: ${m.cpu ?? '?'}, ${m.cores ?? '?'} cores, ${m.memory_gib ?? '?'} GiB, Linux ${m.kernel ?? '?'}, Node ${m.node ?? '?'}; ` +
            `load average (1/5/15 min) ${(m.loadavg_start ?? []).join(' / ')} at start, ${(m.loadavg_end ?? []).join(' / ')} at end ` +
            '(other processes share this machine: treat small differences as noise).',
        `Parameters: L2, k = 10, M = 16, efConstruction = 200, ingest batches of ${run.params?.batch ?? '?'}; queries one at a time on ` +
            'one thread; QPS is the fastest of ≥ 2 timed passes (≥ 0.3 s) after an untimed pass that measures recall, and the ' +
            'latency percentiles are that pass\'s. Build = create + add every vector + one query (the index answers); "threads" is ' +
            'what the engine\'s build used. Open = a fresh process opening the saved file after it was dropped from the page cache, ' +
            'plus its first query. Peak RSS = VmHWM of the engine process (includes the data set it loaded). How to read it: bench/README.md.',
        '',
    ];
    if (run.setup_problems && Object.keys(run.setup_problems).length)
        md.push('Setup problems: ' + Object.entries(run.setup_problems).map(([k, v]) => `${k}: ${v}`).join('; '), '');
    for (const [name, ds] of Object.entries(summary.datasets)) {
        md.push(`## ${ds.label}`, '', headline(ds), '');
        const png = plot(dir, `recall-qps-${name}`, ds);
        if (typeof png === 'string') {
            md.push(`![recall vs QPS, ${name}](${png})`, '');
            written.push(path.join(dir, png));
        } else if (png?.error)
            md.push(`(plot: ${png.error})`, '');
        md.push('<details><summary>ef sweeps</summary>', '', sweeps(ds), '</details>', '');
    }
    writeFileSync(written[1], `${md.join('\n')}\n`);
    return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url))
    console.log(writeReport(path.resolve(process.argv[2] ?? fileURLToPath(new URL('results', import.meta.url)))).join('\n'));
