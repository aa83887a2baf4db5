// A large partitioned .rvf answered over HTTP in Chromium and Firefox by the wasm runtime inside a
// bounded heap (issue 17: "a 1 M file opened over HTTP in the browser answers at full quality with
// the wasm heap ≤ 1 GiB"). The browser twin of bench/wasm_progressive_heap.mjs: the same file,
// queries and truth (the native addon's exact scan), read in the page by a query-only
// RvfStore.openProgressive(url, {stream: false, cacheBytes, nprobe}) (browser-tests/pages/
// progressive.mjs queryOnlyRun). The page's WebAssembly.Memory is captured at instantiation, so
// its size at the end is the run's peak (a wasm heap only grows).
//
//   node bench/browser_progressive_heap.mjs FILE [--queries 50] [--nprobe 8] [--cache-mb 256] [--browsers chromium,firefox]
//
// Needs what browser-tests/run.mjs needs (the wasm-release build, Debian chromium and
// firefox-esr) and the native addon for the truth.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfDatabase } from '../npm/rvf/src/index.js';
import { gaussianFloats } from '../tests/js/helpers/mulberry32.mjs';
import { stageAndImport, pkgDir } from '../browser-tests/lib/package.mjs';
import { startServer } from '../browser-tests/lib/server.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const file = args[0];
if (!file || file.startsWith('--')) {
    console.error('usage: node bench/browser_progressive_heap.mjs FILE [--queries 50] [--nprobe 8] [--cache-mb 256] [--browsers chromium,firefox]');
    process.exit(2);
}
const opt = (name, dflt) => {
    const i = args.indexOf(`--${name}`);
    return i > 0 && i + 1 < args.length ? args[i + 1] : dflt;
};
const Q = Number(opt('queries', 50));
const nprobe = Number(opt('nprobe', 8));
const cacheBytes = Math.round(Number(opt('cache-mb', 256)) * 1048576);
const browsers = String(opt('browsers', 'chromium,firefox')).split(',');
const K = 10;
const MB = (n) => (n / 1048576).toFixed(2);

// Queries (rows of the file, seeded choice, + N(0, 0.05²) noise) and exact truth.
const ref = await RvfDatabase.openReadonly(file, { backend: 'native' });
const n = await ref.count();
const dim = ref.dimensions;
let state = 7;
const noise = gaussianFloats(Q * dim, 8);
const queries = [];
const truth = [];
for (let qi = 0; qi < Q; qi++) {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    const row = (await ref.get((state % n) + 1))?.vector;
    if (!row)
        throw new Error(`${file}: expected ids 1..n (rvf_boot_bench's file)`);
    const v = Array.from(row, (x, d) => x + 0.05 * noise[qi * dim + d]);
    queries.push(v);
    truth.push(new Set((await ref.query(Float32Array.from(v), K, { efSearch: n })).map((h) => String(h.id))));
}
await ref.close();

await stageAndImport();
const server = await startServer({
    '/pkg/': pkgDir,
    '/pages/': path.join(here, '../browser-tests/pages'),
    '/data/': path.dirname(path.resolve(file)),
}, { dataMounts: ['/data/'] });
const url = `${server.origin}/data/${path.basename(file)}`;
console.log(`${file}: ${n} × ${dim}; ${Q} queries, nprobe ${nprobe}, cacheBytes ${MB(cacheBytes)} MB`);

const { chromium, firefox } = await import('playwright-core');
const launch = {
    chromium: () => chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: ['--no-sandbox', '--disable-gpu'] }),
    firefox: () => firefox.launch({ executablePath: '/usr/bin/firefox-esr', channel: 'moz-firefox', headless: true }),
};
try {
    for (const name of browsers) {
        const browser = await launch[name]();
        try {
            const page = await browser.newPage();
            // Capture the module's memory before any script runs (either instantiate path).
            await page.addInitScript(() => {
                const grab = (r) => {
                    const inst = r.instance ?? r;
                    globalThis.__rvfMemory ??= Object.values(inst.exports ?? {}).find((e) => e instanceof WebAssembly.Memory) ?? null;
                    return r;
                };
                const i = WebAssembly.instantiate, s = WebAssembly.instantiateStreaming;
                WebAssembly.instantiate = (...a) => i.apply(WebAssembly, a).then(grab);
                if (s)
                    WebAssembly.instantiateStreaming = (...a) => s.apply(WebAssembly, a).then(grab);
            });
            await page.goto(`${server.origin}/pages/index.html`);
            await page.evaluate(() => window.rvfLoad);
            const out = await page.evaluate((a) => window.rvfTest.queryOnlyRun(window.rvfTest.rvf, a),
                                            { url, queries, k: K, nprobe, cacheBytes });
            if (out.error)
                throw new Error(`${name}: ${out.error.name}: ${out.error.message}`);
            let hits = 0;
            out.ids.forEach((ids, qi) => { hits += ids.filter((id) => truth[qi].has(id)).length; });
            console.log(`${name} ${browser.version()}: first answer after ${out.first.roundTrips} round trips, ${MB(out.first.bytes)} MB; ` +
                `${MB(out.bytesFetched / Q)} MB and ${out.ms.toFixed(1)} ms per query; recall@10 ${(hits / (Q * K)).toFixed(3)}; ` +
                `held at most ${MB(out.mostHeld)} MB; wasm heap ${out.heap === null ? '?' : `${MB(out.heap)} MB`}`);
        } finally {
            await browser.close();
        }
    }
} finally {
    await server.close?.();
}
