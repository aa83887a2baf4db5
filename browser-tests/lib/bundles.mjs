// browser-tests/lib/bundles.mjs — the bundler recipes of npm/rvf-wasm/README.md "Bundlers", in
// one place for the two suites that build them: browser-tests/run.mjs (each build's output
// directory served over HTTP and loaded in Chromium and Firefox) and tests/js/bundler.test.mjs
// (the same builds, run in Node). A recipe is exactly what the README tells a user:
//   esbuild  --bundle --platform=browser --format=esm --loader:.wasm=file, nothing external; the
//            .wasm imported as '@ruvector/rvf-wasm/rvf_core.wasm' and passed to
//            init({ wasmUrl: new URL(wasmUrl, import.meta.url) })
//   vite     an app build of an index.html; the .wasm imported with '?url' and passed to
//            init({ wasmUrl })
// No step copies the .wasm: it is in the output only because the bundler emitted it.
//
// The work directory must hold node_modules/@ruvector/rvf-wasm (the package as published); the
// caller stages it. Each app sets globalThis.rvfBundle = {wasmUrl, init, nearest(testCase, url?)}.
import { build as esbuild } from 'esbuild';
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gaussian } from './dataset.mjs';

export const bundlerNames = ['esbuild', 'vite'];

// One app per bundler; only the two lines the README gives per bundler differ. `nearest` creates
// a store, inserts the rows and answers each query; `url` replaces the README's URL only where
// the bundle does not run from an HTTP origin (Node imports it from a file).
const wasmLines = {
    esbuild: [`import wasmUrl from '@ruvector/rvf-wasm/rvf_core.wasm';`, `new URL(wasmUrl, import.meta.url)`],
    vite: [`import wasmUrl from '@ruvector/rvf-wasm/rvf_core.wasm?url';`, `wasmUrl`],
};
function appSource(name) {
    const [importLine, readmeUrl] = wasmLines[name];
    return `// The page's app, bundled by ${name} as npm/rvf-wasm/README.md "Bundlers" says.
import { init, RvfStore } from '@ruvector/rvf-wasm';
${importLine}

const readmeUrl = ${readmeUrl};
globalThis.rvfBundle = {
    wasmUrl: String(readmeUrl),
    init,
    async nearest({ dimensions, ids, rows, queries, k }, url = readmeUrl) {
        await init({ wasmUrl: url });
        const store = await RvfStore.create({ dimensions });
        try {
            const { accepted } = store.ingestBatch(ids, Float32Array.from(rows));
            return { accepted, answers: queries.map((q) => store.query(Float32Array.from(q), k)) };
        } finally {
            store.close();
        }
    },
};
`;
}

// No favicon request: every request the page makes must be one the test expects.
const page = (src) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>rvf-wasm bundle</title>
<script type="module" src="${src}"></script></head><body></body></html>
`;

/** Every .js, .wasm and other file under dir, relative with '/' separators (Vite writes assets/). */
export function outputs(dir) {
    const all = readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath ?? e.path, e.name)).split(path.sep).join('/'));
    return { all, js: all.filter((f) => f.endsWith('.js')), wasm: all.filter((f) => f.endsWith('.wasm')) };
}

const recipes = {
    async esbuild(work) {
        writeFileSync(path.join(work, 'app-esbuild.js'), appSource('esbuild'));
        const r = await esbuild({
            absWorkingDir: work, entryPoints: ['app-esbuild.js'], bundle: true, platform: 'browser', format: 'esm',
            outdir: 'out-esbuild', loader: { '.wasm': 'file' }, logLevel: 'silent',
        });
        // esbuild does not read HTML: the page next to the bundle is the user's own file.
        writeFileSync(path.join(work, 'out-esbuild/index.html'), page('./app-esbuild.js'));
        return { errors: r.errors.map((e) => e.text), warnings: r.warnings.map((w) => w.text) };
    },
    async vite(work, { base = '/', node = false }) {
        const { build } = await import('vite'); // vitest's own dependency; loaded only when used
        writeFileSync(path.join(work, 'index.html'), page('/app-vite.js'));
        writeFileSync(path.join(work, 'app-vite.js'), appSource('vite'));
        const warnings = [];
        const logger = { info() {}, warn: (m) => warnings.push(m), warnOnce: (m) => warnings.push(m), error: (m) => warnings.push(m),
                         clearScreen() {}, hasErrorLogged: () => false, hasWarned: false };
        // Defaults, as a user gets them, except under Node: the modulePreload polyfill touches
        // `document`, which Node lacks.
        await build({
            root: work, base, customLogger: logger, logLevel: 'silent', cacheDir: path.join(work, '.vite'),
            build: { outDir: 'out-vite', emptyOutDir: true, ...(node ? { modulePreload: { polyfill: false } } : {}) },
        });
        return { errors: [], warnings };
    },
};

/**
 * Build the page of one bundler in work (node_modules/@ruvector/rvf-wasm staged there):
 * {dir (the output directory, index.html in it), errors, warnings, js, wasm, all}.
 * Options: base — Vite's public base ('/' by default; an absolute URL for a bundle imported from
 * a file); node — the bundle will run in Node (Vite's preload polyfill off).
 */
export async function buildBundle(name, work, options = {}) {
    const r = await recipes[name](work, options);
    const dir = path.join(work, `out-${name}`);
    return { name, dir, ...r, ...outputs(dir) };
}

/**
 * Vite's dev server on the app buildBundle('vite', work) wrote (index.html, app-vite.js): the
 * README says passing the `?url` import to init() works there too, where dependency pre-bundling
 * moves the package's code away from its dist/. Resolves to {origin, close()}.
 */
export async function startViteDev(work) {
    const { createServer } = await import('vite');
    const server = await createServer({
        root: work, configFile: false, logLevel: 'silent', cacheDir: path.join(work, '.vite'),
        // No file watching: nothing is edited. The client's WebSocket stays (with ws: false the
        // client still tries it and logs errors).
        server: { host: '127.0.0.1', port: 0, hmr: false, watch: null },
    });
    await server.listen();
    return { origin: new URL(server.resolvedUrls.local[0]).origin, close: () => server.close() };
}

/** The module that holds the app: the one .js next to index.html (esbuild) or under assets/ (Vite). */
export const appModule = (built) => built.js.length === 1 ? built.js[0] : null;

/**
 * A small seeded case (N(0,1) rows) and its answers by brute force (squared L2, the store's
 * default metric): below 1,024 vectors the store scans exactly, so ids must be equal.
 */
export function bundleCase({ n = 300, dimensions = 16, nq = 4, k = 3, seed = 15 } = {}) {
    const rows = gaussian(n * dimensions, seed), qs = gaussian(nq * dimensions, seed + 1);
    const ids = Array.from({ length: n }, (_, i) => 1000 + 7 * i);
    const queries = Array.from({ length: nq }, (_, i) => Array.from(qs.subarray(i * dimensions, (i + 1) * dimensions)));
    const expected = queries.map((q) => ids.map((id, i) => {
        let d = 0;
        for (let j = 0; j < dimensions; j++) d += (q[j] - rows[i * dimensions + j]) ** 2;
        return { id, distance: d };
    }).sort((a, b) => a.distance - b.distance).slice(0, k));
    return { input: { dimensions, ids, rows: Array.from(rows), queries, k }, expected };
}

/** Where `got` (nearest()'s answers) differs from the brute-force answers, or null. */
export function compareAnswers(got, expected) {
    for (let q = 0; q < expected.length; q++) {
        const ids = got[q]?.map((h) => h.id) ?? [], want = expected[q].map((h) => h.id);
        if (JSON.stringify(ids) !== JSON.stringify(want))
            return `query ${q}: ids ${JSON.stringify(ids)}, brute force ${JSON.stringify(want)}`;
        for (let i = 0; i < want.length; i++)
            if (Math.abs(got[q][i].distance - expected[q][i].distance) > 1e-4 * Math.max(1, expected[q][i].distance))
                return `query ${q}: id ${want[i]} distance ${got[q][i].distance}, brute force ${expected[q][i].distance}`;
    }
    return null;
}
