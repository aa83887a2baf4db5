// @ruvector/rvf-wasm in browser bundles (issue 15), as npm/rvf-wasm/README.md "Bundlers" says:
//   esbuild  platform browser, nothing external, the .wasm through the package's
//            "./rvf_core.wasm" export with the file loader
//   Vite     an app build (index.html), the .wasm imported with `?url` (Vite is vitest's own
//            dependency, so this needs nothing extra)
// Each bundle must build without errors or warnings, contain no import of a node: module (the
// glue's process.getBuiltinModule('node:…') lookups are strings, run only in Node), emit the
// runtime's wasm unchanged, and work: loaded here, init({ wasmUrl }) fetches the emitted file
// over HTTP (the browser path) and a store answers a query.
import { build as esbuild } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build as vite } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-bundle-'));
let server, shipped;
const origin = () => `http://127.0.0.1:${server.address().port}`;

/** Every .js and .wasm file under dir (one level of subdirectories, as Vite writes assets/). */
function outputs(dir) {
    const all = readdirSync(dir, { recursive: true }).map(String);
    return { js: all.filter((f) => f.endsWith('.js')), wasm: all.filter((f) => f.endsWith('.wasm')) };
}

const bundlers = {
    async esbuild() {
        writeFileSync(path.join(work, 'app-esbuild.js'), `export { RvfStore, init } from '@ruvector/rvf-wasm';
export { default as wasmUrl } from '@ruvector/rvf-wasm/rvf_core.wasm';
`);
        const r = await esbuild({
            absWorkingDir: work, entryPoints: ['app-esbuild.js'], bundle: true, platform: 'browser', format: 'esm',
            outdir: 'out-esbuild', loader: { '.wasm': 'file' }, logLevel: 'silent',
        });
        return { dir: path.join(work, 'out-esbuild'), errors: r.errors, warnings: r.warnings.map((w) => w.text) };
    },
    async vite() {
        writeFileSync(path.join(work, 'index.html'), '<!doctype html><script type="module" src="/app-vite.js"></script>\n');
        writeFileSync(path.join(work, 'app-vite.js'), `import { RvfStore, init } from '@ruvector/rvf-wasm';
import wasmUrl from '@ruvector/rvf-wasm/rvf_core.wasm?url';
globalThis.rvfApp = { RvfStore, init, wasmUrl };
`);
        const warnings = [];
        const logger = { info() {}, warn: (m) => warnings.push(m), warnOnce: (m) => warnings.push(m), error: (m) => warnings.push(m),
                         clearScreen() {}, hasErrorLogged: () => false, hasWarned: false };
        // base: where the test server serves the build, so the asset URL is absolute. The
        // modulePreload polyfill is off: it touches `document`, and the bundle runs in Node here.
        await vite({
            root: work, base: `${origin()}/out-vite/`, customLogger: logger,
            build: { outDir: 'out-vite', emptyOutDir: true, modulePreload: { polyfill: false } },
        });
        return { dir: path.join(work, 'out-vite'), errors: [], warnings };
    },
};

beforeAll(async () => {
    const pkg = path.join(work, 'node_modules/@ruvector/rvf-wasm');
    await stagePackage(pkg);
    shipped = readFileSync(path.join(pkg, 'dist/rvf_core.wasm'));
    server = createServer((req, res) => {
        const file = path.join(work, new URL(req.url, 'http://x').pathname);
        res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
}, 60000);
afterAll(() => {
    server?.close();
    rmSync(work, { recursive: true, force: true });
});

describe.each(Object.keys(bundlers))('%s browser bundle of @ruvector/rvf-wasm', (name) => {
    let built;
    beforeAll(async () => { built = await bundlers[name](); }, 60000);

    it('builds with no externals and no warnings, imports no node: module, emits the wasm unchanged', () => {
        expect(built.errors).toEqual([]);
        expect(built.warnings).toEqual([]);
        const { js, wasm } = outputs(built.dir);
        expect(js).toHaveLength(1);
        const code = readFileSync(path.join(built.dir, js[0]), 'utf8');
        expect(code).not.toMatch(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\bimport\s*["']node:/);
        expect(wasm).toHaveLength(1);
        expect(readFileSync(path.join(built.dir, wasm[0])).equals(shipped)).toBe(true);
    });

    it('runs: init({ wasmUrl }) fetches the emitted file over HTTP, a store answers', async () => {
        const { js } = outputs(built.dir);
        const mod = await import(pathToFileURL(path.join(built.dir, js[0])).href);
        const { RvfStore, init, wasmUrl } = name === 'vite' ? globalThis.rvfApp : mod;
        // esbuild's URL is relative to the bundle; Vite's is absolute (its base).
        await init({ wasmUrl: new URL(wasmUrl, `${origin()}/${path.basename(built.dir)}/`) });
        const store = await RvfStore.create({ dimensions: 2 });
        store.ingestBatch([7, 8], new Float32Array([1, 0, 0, 1]));
        expect(store.query(new Float32Array([0.1, 0.9]), 1)).toEqual([{ id: 8, distance: expect.closeTo(0.02, 5) }]);
        store.close();
        await expect(init({ wasmURL: 'x' })).rejects.toMatchObject({ name: 'InvalidOptions' });
    });
});
