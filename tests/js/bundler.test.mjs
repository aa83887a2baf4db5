// @ruvector/rvf-wasm in a browser bundle (issue 15): esbuild, platform browser, nothing marked
// external, the .wasm taken through the package's "./rvf_core.wasm" export with the file loader
// (npm/rvf-wasm/README.md "Bundlers"). The bundle must build without errors or warnings, import
// no node: module, emit the runtime's wasm unchanged, and work: loaded here, init({ wasmUrl })
// fetches the emitted file over HTTP (the browser path), and a store answers a query.
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-bundle-'));
const out = path.join(work, 'out');
let server, result;

beforeAll(async () => {
    const pkg = path.join(work, 'node_modules/@ruvector/rvf-wasm');
    await stagePackage(pkg);
    writeFileSync(path.join(work, 'app.js'), `export { RvfStore, init } from '@ruvector/rvf-wasm';
export { default as wasmUrl } from '@ruvector/rvf-wasm/rvf_core.wasm';
`);
    result = await build({
        absWorkingDir: work,
        entryPoints: ['app.js'],
        bundle: true,
        platform: 'browser',
        format: 'esm',
        outdir: out,
        loader: { '.wasm': 'file' },
        logLevel: 'silent',
        metafile: true,
    });
    server = createServer((req, res) => {
        const file = path.join(out, path.basename(new URL(req.url, 'http://x').pathname));
        res.writeHead(200, { 'Content-Type': 'application/wasm' }).end(readFileSync(file));
    });
    await new Promise((r) => server.listen(0, '127.0.0.1', r));
}, 60000);
afterAll(() => {
    server?.close();
    rmSync(work, { recursive: true, force: true });
});

describe('esbuild browser bundle of @ruvector/rvf-wasm', () => {
    it('builds with no externals, no warnings and no node: imports; emits the wasm unchanged', () => {
        expect(result.errors).toEqual([]);
        expect(result.warnings).toEqual([]);
        const js = readFileSync(path.join(out, 'app.js'), 'utf8');
        expect(js).not.toMatch(/\bfrom\s*["']node:|import\(["']node:|require\(["']node:/);
        const wasm = readdirSync(out).filter((f) => f.endsWith('.wasm'));
        expect(wasm).toHaveLength(1);
        const shipped = readFileSync(path.join(work, 'node_modules/@ruvector/rvf-wasm/dist/rvf_core.wasm'));
        expect(readFileSync(path.join(out, wasm[0])).equals(shipped)).toBe(true);
    });

    it('runs: init({ wasmUrl }) fetches the emitted file, a store answers', async () => {
        const { RvfStore, init, wasmUrl } = await import(pathToFileURL(path.join(out, 'app.js')).href);
        const base = `http://127.0.0.1:${server.address().port}/`;
        await init({ wasmUrl: new URL(wasmUrl, base) });
        const store = await RvfStore.create({ dimensions: 2 });
        store.ingestBatch([7, 8], new Float32Array([1, 0, 0, 1]));
        expect(store.query(new Float32Array([0.1, 0.9]), 1)).toEqual([{ id: 8, distance: expect.closeTo(0.02, 5) }]);
        store.close();
        await expect(init({ wasmURL: 'x' })).rejects.toMatchObject({ name: 'InvalidOptions' });
    });
});
