// @ruvector/rvf-wasm in browser bundles (issue 15), built by the recipes of npm/rvf-wasm/README.md
// "Bundlers" (browser-tests/lib/bundles.mjs, shared with the browser suite, which loads the same
// pages in Chromium and Firefox):
//   esbuild  platform browser, nothing external, the .wasm through the package's
//            "./rvf_core.wasm" export with the file loader
//   Vite     an app build (index.html), the .wasm imported with `?url` (Vite is vitest's own
//            dependency, so this needs nothing extra)
// Each bundle must build without errors or warnings, contain no import of a node: module (the
// glue's process.getBuiltinModule('node:…') lookups are strings, run only in Node), emit the
// runtime's wasm unchanged, and work: loaded here, init({ wasmUrl }) fetches the emitted file
// over HTTP (the browser path) and a store answers queries like brute force.
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appModule, buildBundle, bundleCase, bundlerNames, compareAnswers } from '../../browser-tests/lib/bundles.mjs';
import { startServer } from '../../browser-tests/lib/server.mjs';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-bundle-'));
let server, shipped;

beforeAll(async () => {
    const pkg = path.join(work, 'node_modules/@ruvector/rvf-wasm');
    await stagePackage(pkg);
    shipped = readFileSync(path.join(pkg, 'dist/rvf_core.wasm'));
    server = await startServer({ '/': work }, { dataMounts: ['/'] }); // data mount: every request is logged
}, 60000);
afterAll(async () => {
    await server?.close();
    rmSync(work, { recursive: true, force: true });
});

describe.each(bundlerNames)('%s browser bundle of @ruvector/rvf-wasm', (name) => {
    let built;
    // Vite's base is where the server serves its output, so its asset URL is absolute here.
    beforeAll(async () => { built = await buildBundle(name, work, { base: `${server.origin}/out-vite/`, node: true }); }, 60000);

    it('builds with no externals and no warnings, imports no node: module, emits the wasm unchanged', () => {
        expect(built.errors).toEqual([]);
        expect(built.warnings).toEqual([]);
        expect(built.js).toHaveLength(1);
        const code = readFileSync(path.join(built.dir, built.js[0]), 'utf8');
        expect(code).not.toMatch(/\bfrom\s*["']node:|\bimport\s*\(\s*["']node:|\bimport\s*["']node:/);
        expect(built.wasm).toHaveLength(1);
        expect(readFileSync(path.join(built.dir, built.wasm[0])).equals(shipped)).toBe(true);
    });

    it('runs: init({ wasmUrl }) fetches the emitted file over HTTP, a store answers like brute force', async () => {
        await import(pathToFileURL(path.join(built.dir, appModule(built))).href);
        const app = globalThis.rvfBundle;
        const wasmAt = `${server.origin}/out-${name}/${built.wasm[0]}`;
        // Vite's URL is already absolute (its base); esbuild's is relative to the bundle, a file:
        // URL here, so the test hands over the HTTP one.
        if (name === 'vite')
            expect(app.wasmUrl).toBe(wasmAt);
        const { input, expected } = bundleCase();
        const before = server.log.length;
        const out = await app.nearest(input, name === 'esbuild' ? new URL(wasmAt) : undefined);
        expect(server.log.slice(before).map((e) => [e.key, e.status])).toEqual([[new URL(wasmAt).pathname, 200]]);
        expect(out.accepted).toBe(input.ids.length);
        expect(compareAnswers(out.answers, expected)).toBeNull();
        await expect(app.init({ wasmURL: 'x' })).rejects.toMatchObject({ name: 'InvalidOptions' });
    });
});
