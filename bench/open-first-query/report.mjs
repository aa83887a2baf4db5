// bench/open-first-query/report.mjs — turns the trials of one engine × N × mode into its summary
// object (medians over the fresh processes) and prints the table of a run.

const MiB = 2 ** 20;

export function median(xs) {
    const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
    if (!v.length)
        return null;
    const h = v.length >> 1;
    return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

/** Summary of the `first` events of one engine × N × mode (trials: [{first, evict, wall_ms}]). */
export function summarize({ engine, label, n, mode, fileBytes, ef, build, trials, errors }) {
    const f = trials.map((t) => t.first);
    const med = (get) => median(f.map(get));
    const rssOpen = med((e) => e.proc.after_open.vm_rss);
    const rssBase = med((e) => e.proc.before.vm_rss);
    return {
        engine, label, n, dim: 128, mode, ef, k: 10, trials: trials.length, file_bytes: fileBytes, build,
        open_first_ms: med((e) => e.open_first_ms),
        open_first_ms_min: Math.min(...f.map((e) => e.open_first_ms)),
        open_first_ms_max: Math.max(...f.map((e) => e.open_first_ms)),
        open_ms: med((e) => e.open_ms),
        first_query_ms: med((e) => e.first_query_ms),
        since_process_start_ms: med((e) => e.since_process_start_ms),
        child_wall_ms: median(trials.map((t) => t.wall_ms)),
        rest_mean_ms: med((e) => e.rest_mean_ms),
        rss_before_open: rssBase,
        rss_after_open: rssOpen,
        rss_after_first: med((e) => e.proc.after_first.vm_rss),
        rss_after_rest: med((e) => e.proc.after_rest.vm_rss),
        // Growth of the process by the open itself: node's own ~40 MiB is no part of the index.
        rss_open_growth: med((e) => e.proc.after_open.vm_rss - e.proc.before.vm_rss),
        rss_first_growth: med((e) => e.proc.after_first.vm_rss - e.proc.before.vm_rss),
        rss_file_after_first: med((e) => e.proc.after_first.rss_file - e.proc.before.rss_file),
        rss_anon_after_first: med((e) => e.proc.after_first.rss_anon - e.proc.before.rss_anon),
        vm_hwm_after_first: med((e) => e.proc.after_first.vm_hwm),
        memory_usage_rss_after_open: med((e) => e.proc.after_open.rss),
        read_bytes_first: med((e) => e.io_first.read_bytes),
        rchar_first: med((e) => e.io_first.rchar),
        majflt_first: med((e) => e.io_first.majflt),
        read_bytes_rest: med((e) => e.io_rest.read_bytes),
        recall_first: med((e) => e.recall_first),
        recall_rest: med((e) => e.recall_rest),
        evict: mode === 'cold' ? summarizeEvict(trials.map((t) => t.evict)) : null,
        errors,
        per_trial: trials,
    };
}

function summarizeEvict(evicts) {
    const methods = [...new Set(evicts.map((e) => e?.method))];
    return { methods, all_verified: evicts.every((e) => e?.evicted === true),
             resident_after_max: Math.max(...evicts.map((e) => e?.resident_after ?? 0)) };
}

const fmt = (v, d = 1) => (v === null || v === undefined ? '—' : v.toFixed(d));
const mib = (b, d = 1) => (b === null || b === undefined ? '—' : (b / MiB).toFixed(d));

/** Markdown table of the summaries (one N): ratios against hnswlib-node in the same mode. */
export function table(summaries) {
    const head = '| engine | mode | file MiB | ef | open + 1st ms (min–max) | ÷ hnswlib | open ms | 1st query ms | from process start ms | RSS after open MiB (growth; ÷ file) | RSS growth after 1st MiB (file-backed) | read MiB by 1st (major faults) | recall@10 1st / next 99 |';
    const rows = [head, `|${'---|'.repeat(13)}`];
    for (const s of summaries) {
        const peer = summaries.find((p) => p.engine === 'hnswlib-node' && p.mode === s.mode);
        const ratio = peer?.open_first_ms && s.open_first_ms !== null ? s.open_first_ms / peer.open_first_ms : null;
        rows.push(`| ${s.label} | ${s.mode} | ${mib(s.file_bytes)} | ${s.ef} | ${fmt(s.open_first_ms)} (${fmt(s.open_first_ms_min)}–${fmt(s.open_first_ms_max)}) ` +
                  `| ${ratio === null ? '—' : `${ratio.toFixed(2)}×`} | ${fmt(s.open_ms)} | ${fmt(s.first_query_ms, 2)} | ${fmt(s.since_process_start_ms, 0)} ` +
                  `| ${mib(s.rss_after_open)} (${mib(s.rss_open_growth)}; ${s.file_bytes ? (s.rss_open_growth / s.file_bytes).toFixed(3) : '—'}) ` +
                  `| ${mib(s.rss_first_growth)} (${mib(s.rss_file_after_first)}) | ${mib(s.read_bytes_first, 2)} (${fmt(s.majflt_first, 0)}) ` +
                  `| ${fmt(s.recall_first, 2)} / ${fmt(s.recall_rest, 3)} |`);
    }
    return rows.join('\n');
}
