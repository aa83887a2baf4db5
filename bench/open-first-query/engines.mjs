// bench/open-first-query/engines.mjs — the engines this benchmark opens, as runs of the peer
// benchmark's runners (bench/engines/*.mjs): which runner, which index file (usearch `load` and
// `view` share one), and what their jobs add. Every child is `node --expose-gc RUNNER` with one
// JSON job on stdin and JSON lines on stdout (bench/README.md, *Protocol*).
import { spawn } from 'node:child_process';
import path from 'node:path';

export const ENGINES = {
    'rvf-node': {
        label: 'rvf (openReadonly)',
        runner: 'rvf-node.mjs',
        index: 'rvf-node', // the built file's name and the ef calibration it shares
        ext: 'rvf',
        // compact() before close: the file has the layout of a finished index build.
        buildJob: { compact: true },
        openJob: {},
    },
    // The same store compacted with the partition map (docs/format-partition-map.md), its first
    // query answered from the 8 partitions nearest the query (QueryOptions::nprobe) instead of
    // the graph: the cold path. Its own file (the build adds the partitioned compaction).
    'rvf-node-nprobe': {
        label: 'rvf (openReadonly, nprobe 8)',
        runner: 'rvf-node.mjs',
        index: 'rvf-node-partitioned',
        ext: 'rvf',
        buildJob: { compact: true, partition_on_compact: true },
        openJob: { nprobe: 8 },
    },
    'hnswlib-node': { label: 'hnswlib-node (readIndex)', runner: 'hnswlib-node.mjs', index: 'hnswlib-node', ext: 'hnsw',
                      buildJob: {}, openJob: {} },
    usearch: { label: 'usearch (load)', runner: 'usearch.mjs', index: 'usearch', ext: 'usearch', buildJob: {},
               openJob: { usearch_open: 'load' } },
    'usearch-view': { label: 'usearch (view: mmap)', runner: 'usearch.mjs', index: 'usearch', ext: 'usearch', buildJob: {},
                      openJob: { usearch_open: 'view' } },
};

/**
 * Run one runner process with `job`; resolves {events, wall_ms, code, stderr}. Never rejects:
 * a crash or timeout comes back as an `error` event, so one engine cannot stop the others.
 */
export function runChild({ benchDir, runner, job, env, timeoutS }) {
    return new Promise((resolve) => {
        const t0 = process.hrtime.bigint();
        const child = spawn(process.execPath, ['--expose-gc', path.join(benchDir, 'engines', runner)],
                            { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, ...env } });
        let out = '', err = '';
        child.stdout.on('data', (d) => (out += d));
        child.stderr.on('data', (d) => (err += d));
        const timer = setTimeout(() => child.kill('SIGKILL'), timeoutS * 1000);
        child.on('close', (code, signal) => {
            clearTimeout(timer);
            const events = [];
            for (const line of out.split('\n'))
                if (line.trim())
                    try {
                        events.push(JSON.parse(line));
                    } catch {
                        events.push({ event: 'error', message: `not JSON: ${line.slice(0, 200)}` });
                    }
            if (code !== 0 && !events.some((e) => e.event === 'error'))
                events.push({ event: 'error', message: `exit ${code ?? signal}${signal === 'SIGKILL' ? ` (timeout ${timeoutS} s?)` : ''}: ${err.slice(-1000)}` });
            resolve({ events, wall_ms: Number(process.hrtime.bigint() - t0) / 1e6, code, stderr: err });
        });
        child.stdin.end(JSON.stringify(job));
    });
}
