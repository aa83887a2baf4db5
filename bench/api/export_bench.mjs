#!/usr/bin/env node
// bench/api/export_bench.mjs — `rvf export` of a large store: rows exported, time and the peak
// RSS of the export process. The export pages through the store (RvfDatabase.rows), so its
// memory is the opened store plus one page, whatever the row count; before issue 18 it listed
// ids with a k = N search that stopped at 2^20 rows.
//
//   node bench/api/export_bench.mjs [--rows 2000000] [--dim 8] [--backend native|wasm]
//                                   [--build-backend native|wasm] [--batch 1000] [--dir DIR] [--keep]
//
// --backend runs the export; the store is built by --build-backend (default native: the wasm
// backend has no index: 'off' and would build an HNSW graph it does not need).
//
// Builds DIR/export-<rows>x<dim>.rvf (seeded rows, ids 0..rows-1, one metadata field, no HNSW
// index: the export does not use one) unless it exists, then runs
// `rvf inspect FILE` (the same read-only open, no export: the baseline) and
// `rvf export FILE -o /dev/null --force` as child processes and reads their peak RSS from
// /usr/bin/time (else from /proc/<pid>/status VmHWM, sampled). Prints numbers, asserts nothing.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfDatabase } from '../../npm/rvf/src/index.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');

function args(argv) {
    const o = { rows: 2_000_000, dim: 8, backend: 'native', buildBackend: 'native', batch: 1000, dir: null, keep: false };
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        const val = () => {
            if (i + 1 >= argv.length)
                throw new Error(`${a} needs a value`);
            return argv[++i];
        };
        if (a === '--rows') o.rows = Number(val());
        else if (a === '--dim') o.dim = Number(val());
        else if (a === '--backend') o.backend = val();
        else if (a === '--build-backend') o.buildBackend = val();
        else if (a === '--batch') o.batch = Number(val());
        else if (a === '--dir') o.dir = val();
        else if (a === '--keep') o.keep = true;
        else throw new Error(`unknown option ${a} (see the header of bench/api/export_bench.mjs)`);
    }
    for (const k of ['rows', 'dim', 'batch'])
        if (!Number.isSafeInteger(o[k]) || o[k] < 1)
            throw new Error(`--${k} must be a positive integer, got ${o[k]}`);
    return o;
}

/** mulberry32: reproducible floats in [-1, 1). */
function filler(seed) {
    let a = seed >>> 0;
    return (out) => {
        for (let i = 0; i < out.length; i++) {
            a = (a + 0x6d2b79f5) >>> 0;
            let t = a;
            t = Math.imul(t ^ (t >>> 15), t | 1);
            t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
            out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
        }
    };
}

async function buildStore(file, { rows, dim, buildBackend }) {
    const t0 = performance.now();
    const db = await RvfDatabase.create(file, { dimensions: dim, backend: buildBackend, ...(buildBackend === 'wasm' ? {} : { index: 'off' }) }); // wasm refuses index 'off'
    const fill = filler(42);
    const step = 100_000;
    for (let first = 0; first < rows; first += step) {
        const n = Math.min(step, rows - first);
        const flat = new Float32Array(n * dim);
        fill(flat);
        const entries = new Array(n);
        for (let i = 0; i < n; i++)
            entries[i] = { id: first + i, vector: flat.subarray(i * dim, (i + 1) * dim), metadata: { 1: (first + i) % 16 } }; // field id 1: no name list per row
        const r = await db.insertBatch(entries);
        if (r.accepted !== n)
            throw new Error(`ingest rejected ${r.rejected} rows: ${r.rejections[0]?.message}`);
    }
    await db.close();
    return (performance.now() - t0) / 1000;
}

/** Run `rvf ...rvfArgs`; resolve {code, stderr, seconds, peakRssKb}. */
function runRvf(rvfArgs, backend) {
    const hasTime = fs.existsSync('/usr/bin/time');
    const cmd = [process.execPath, bin, ...rvfArgs];
    const argv = hasTime ? ['/usr/bin/time', '-f', 'peak_rss_kb=%M', ...cmd] : cmd;
    const t0 = performance.now();
    const child = spawn(argv[0], argv.slice(1), { env: { ...process.env, RVF_BACKEND: backend }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '', sampled = 0;
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = hasTime ? null : setInterval(() => {
        try {
            const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m) sampled = Math.max(sampled, Number(m[1]));
        } catch { /* exited */ }
    }, 20);
    return new Promise((resolve) => child.on('close', (code) => {
        if (timer) clearInterval(timer);
        const m = /peak_rss_kb=(\d+)/.exec(stderr);
        resolve({ code, stderr: stderr.replace(/peak_rss_kb=\d+\n?/, ''), seconds: (performance.now() - t0) / 1000,
            peakRssKb: m ? Number(m[1]) : sampled, how: hasTime ? '/usr/bin/time %M' : 'VmHWM sampled every 20 ms' });
    }));
}

const o = args(process.argv.slice(2));
const dir = o.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-export-bench-'));
fs.mkdirSync(dir, { recursive: true });
const file = path.join(dir, `export-${o.rows}x${o.dim}.rvf`);
try {
    if (!fs.existsSync(file)) {
        const s = await buildStore(file, o);
        console.log(`built ${file}: ${o.rows.toLocaleString('en-US')} rows x ${o.dim} (${(fs.statSync(file).size / 2 ** 20).toFixed(1)} MiB) in ${s.toFixed(1)} s [${o.buildBackend}]`);
    }
    // Baseline: the same open (read-only, the store decoded into memory) without the export.
    const open = await runRvf(['inspect', file, '--json'], o.backend);
    const r = await runRvf(['export', file, '-o', '/dev/null', '--force', '--batch', String(o.batch)], o.backend);
    const exported = Number(/exported (\d+) vectors/.exec(r.stderr)?.[1] ?? NaN);
    console.log(JSON.stringify({
        rows: o.rows, dim: o.dim, backend: o.backend, batch: o.batch, exitCode: r.code, rowsExported: exported,
        seconds: +r.seconds.toFixed(2), rowsPerSecond: Math.round(exported / r.seconds),
        peakRssMiB: +(r.peakRssKb / 1024).toFixed(1), openOnlyPeakRssMiB: +(open.peakRssKb / 1024).toFixed(1),
        exportOverheadMiB: +((r.peakRssKb - open.peakRssKb) / 1024).toFixed(1), rssMeasuredBy: r.how, fileMiB: +(fs.statSync(file).size / 2 ** 20).toFixed(1),
    }));
    if (r.code !== 0 || exported !== o.rows)
        console.log(`export did not finish cleanly:\n${r.stderr}`);
} finally {
    if (!o.keep && !o.dir)
        fs.rmSync(dir, { recursive: true, force: true });
}
