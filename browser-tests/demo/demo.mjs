// browser-tests/demo/demo.mjs — drives the demo page: open ?file= progressively, show progress
// as it arrives, answer one seeded query at the first answer and after loaded().
import { RvfStore, version } from '@ruvector/rvf-wasm';

const $ = (id) => document.getElementById(id);
const fileUrl = new URLSearchParams(location.search).get('file') ?? '/data/rvf-100000x128-seed1.rvf';
const fmt = (n) => (n >= 1048576 ? `${(n / 1048576).toFixed(2)} MiB` : `${(n / 1024).toFixed(1)} KiB`);
const t0 = performance.now();
const phases = new Map();

/** The runner's first test query: N(0,1) components (mulberry32 + Box–Muller, seed 99). */
function queryVector(dim) {
    let a = 99;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    return Float32Array.from({ length: dim }, () => Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next()));
}

function show(p) {
    if (!p) return;
    const size = p.fileSize || 1;
    $('bar').style.width = `${Math.min(100, (100 * p.bytesFetched) / size)}%`;
    $('phase').textContent = p.phase ?? '–';
    $('fetched').textContent = `${fmt(p.bytesFetched)} (${((100 * p.bytesFetched) / size).toFixed(1)} %)`;
    $('trips').textContent = p.roundTrips;
    $('layers').textContent = Array.isArray(p.layers) ? p.layers.join(' ') || '–' : String(p.layers ?? '–');
    $('size').textContent = fmt(p.fileSize);
    // One row per phase: bytes fetched during it (bytesByPhase; the total for "complete") and
    // where loading stood when it began.
    if (p.phase !== undefined && !phases.has(p.phase))
        phases.set(p.phase, { phase: p.phase, at: p.bytesFetched, roundTrips: p.roundTrips, ms: performance.now() - t0 });
    $('phases').tBodies[0].innerHTML = [...phases.values()].map((r) => {
        const bytes = r.phase === 'complete' ? p.bytesFetched : p.bytesByPhase?.[r.phase];
        return `<tr><td>${r.phase}</td><td>${bytes === undefined ? '–' : fmt(bytes)}</td>` +
            `<td>${bytes === undefined ? '–' : ((100 * bytes) / size).toFixed(2)}</td><td>${fmt(r.at)}</td>` +
            `<td>${r.roundTrips}</td><td>${r.ms.toFixed(0)}</td></tr>`;
    }).join('');
}

function fill(table, hits, reference) {
    $(table).tBodies[0].innerHTML = hits.map((h, i) =>
        `<tr><td>${i + 1}</td><td class="${reference?.[i]?.id === h.id ? 'same' : ''}">${h.id}</td><td>${h.distance.toFixed(4)}</td></tr>`).join('');
}

try {
    $('file').textContent = fileUrl;
    $('version').textContent = await version();
    if (typeof RvfStore.openProgressive !== 'function')
        throw new Error('RvfStore.openProgressive is not available in this build of @ruvector/rvf-wasm');
    const store = await RvfStore.openProgressive(fileUrl, { onProgress: show });
    const first = store.progress();
    show(first);
    $('firstAt').textContent = `${fmt(first.bytesFetched)}, ${(performance.now() - t0).toFixed(0)} ms`;
    $('mark').style.left = `${(100 * first.bytesFetched) / first.fileSize}%`;
    $('mark').hidden = false;
    document.body.dataset.state = 'first';
    // The dimension: from the store when it says, else 128 (the test file's).
    const dim = store.dimensions ?? store.status?.().dimensions ?? 128;
    const q = queryVector(dim);
    const early = store.query(q, 10, { efSearch: 100 });
    fill('first', early);
    $('status').textContent = 'first answer ready; loading the rest…';
    await store.loaded();
    show(store.progress());
    const full = store.query(q, 10, { efSearch: 100 });
    fill('final', full);
    fill('first', early, full);
    const same = early.filter((h) => full.some((f) => f.id === h.id)).length;
    $('status').textContent = `loaded in ${(performance.now() - t0).toFixed(0)} ms; ${same}/10 of the first answer's ids are in the full-quality answer (green: same rank)`;
    document.body.dataset.state = 'done';
} catch (e) {
    $('status').textContent = `error: ${e.name ?? ''} ${e.message}`;
    document.body.dataset.state = 'error';
}
