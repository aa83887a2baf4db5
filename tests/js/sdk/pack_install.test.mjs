// Issue 7 + 15 install check: `npm pack` every package (@ruvector/rvf-wasm, @ruvector/rvf-node, the
// five platform packages — linux-x64-gnu with the built addon staged in — and @ruvector/rvf),
// install the tarballs this platform uses into an empty project with `npm install --offline`,
// then, as a user would: `npx rvf --version`; require() (CommonJS) and import (ES module) of all
// three packages, each writing with the native backend and reading back with the wasm one while
// a host uncaughtException handler stays in charge; a TypeScript --strict compile of a consumer
// with module node16 and nodenext (.mts and .cts) and module commonjs; `npx rvf serve` runs the
// native tool shipped in the platform package (health answers; Ctrl-C and SIGTERM close the store
// and free its lock) and `npx rvf demo` runs without the repository's SIFT10K.
// The platform package gets the portable build (preset node-portable: the binaries published)
// when build/node-portable has it (scripts/demo.sh builds it first in `npm test`), else the newest
// native build.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const native = await nativeAvailability();
const PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];
const packages = ['rvf-wasm', 'rvf-node', ...PLATFORMS.map((p) => `rvf-node-${p}`), 'rvf'];
const installed = ['rvf-wasm', 'rvf-node', 'rvf-node-linux-x64-gnu', 'rvf']; // what runs here
const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
// Upstream's highest published versions (@ruvector/rvf-wasm 0.1.9, rvf-node 0.2.3, rvf 0.3.4):
// ours must be above all of them, or the scope owner could not publish it.
const UPSTREAM_MAX = [0, 3, 4];

// Nothing of the repository's builds may leak in: the install must find its own addon and tool.
const cleanEnv = { ...process.env, RVF_NODE_ADDON: '', RVF_NATIVE_TOOL: '', RVF_SERVE_TOKEN: '' };
const portableAddon = path.join(root, 'build/node-portable/native/rvf_node.node');

function run(cmd, args, cwd, timeout = 120000) {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout, env: cleanEnv });
    return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

/** `npx rvf serve FILE` in its own process group (as a terminal runs it); resolves once it listens. */
function startServe(cwd, file) {
    const child = spawn('npx', ['--offline', 'rvf', 'serve', file, '--http', '0', '--tcp', 'off', '--dimension', '3', '--token-file', 'token'],
        { cwd, env: cleanEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    const srv = { child, out: '', err: '' };
    srv.exited = new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal })));
    srv.listening = new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
            srv.out += d;
            const m = /listening http:\/\/127\.0\.0\.1:(\d+)/.exec(srv.out);
            if (m)
                resolve(Number(m[1]));
        });
        child.stderr.on('data', (d) => { srv.err += d; });
        srv.exited.then(() => reject(new Error(`npx rvf serve exited before listening:\n${srv.out}\n${srv.err}`)));
    });
    return srv;
}

// A writer open of `file` from the install: succeeds only once the server released the lock.
const writerScript = `import { RvfDatabase } from '@ruvector/rvf';
const db = await RvfDatabase.open(process.argv[2], { backend: 'native' });
await db.insertBatch([{ id: 'w' + process.argv[3], vector: [0, 0, 1] }]);
const n = (await db.status()).totalVectors;
await db.close();
console.log(JSON.stringify({ n }));
`;

// The same program in both module systems: every package loads, native writes, wasm reads back
// (metadata filter included), and an exception thrown later reaches the host's own handler.
const body = (load) => `${load}
process.on('uncaughtException', (e) => { console.log(JSON.stringify({ host: e.message, ...result })); });
const result = {};
(async () => {
    result.loaded = [typeof rvf.RvfDatabase, typeof wasm.RvfStore, typeof node.RvfDatabase];
    const file = require('node:path').join(process.cwd(), 'demo-' + result.kind + '.rvf');
    const db = await rvf.RvfDatabase.create(file, { dimensions: 3, metric: 'l2', backend: 'native' });
    await db.insertBatch([{ id: 'a', vector: [1, 0, 0], metadata: { tag: 'x' } }, { id: 'b', vector: [0, 1, 0], metadata: { tag: 'y' } }]);
    result.first = await db.query([0, 0.9, 0], 1);
    await db.close();
    const again = await rvf.RvfDatabase.open(file, { backend: 'wasm' });
    result.second = await again.query([0, 0.9, 0], 2, { filter: { op: 'eq', field: 'tag', value: 'x' } });
    await again.close();
    setTimeout(() => { throw new Error('thrown by the host'); }, 0);
})();
`;
const cjsScript = body(`const rvf = require('@ruvector/rvf'), wasm = require('@ruvector/rvf-wasm'), node = require('@ruvector/rvf-node');`)
    .replace('const result = {};', "const result = { kind: 'cjs' };");
const esmScript = body(`import * as rvf from '@ruvector/rvf'; import * as wasm from '@ruvector/rvf-wasm'; import * as node from '@ruvector/rvf-node';
import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);`)
    .replace('const result = {};', "const result = { kind: 'esm' };");

// A typed consumer: compiled, not run (the scripts above run the same calls).
const consumer = `import { RvfDatabase, RvfError, type RvfSearchResult } from '@ruvector/rvf';
import { RvfStore, init } from '@ruvector/rvf-wasm';
import { platformTriple } from '@ruvector/rvf-node';
export async function main(file: string): Promise<string> {
    await init({ wasmUrl: new URL('file:///rvf_core.wasm') });
    const store = await RvfStore.create({ dimensions: 3 });
    store.close();
    const db = await RvfDatabase.create(file, { dimensions: 3 });
    const hits: RvfSearchResult[] = await db.query([0, 1, 0], 1);
    await db.close();
    const e: unknown = null;
    return e instanceof RvfError ? e.message : platformTriple() + hits.length;
}
`;

/** [major, minor, patch] > [major, minor, patch]. */
const above = (a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];

describe.skipIf(!native.available || process.platform !== 'linux' || process.arch !== 'x64')('npm pack + offline install', () => {
    let dir, app;
    const packs = {};
    beforeAll(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-pack-'));
        const from = fs.existsSync(portableAddon) ? ['--from', portableAddon] : [];
        const stage = run(process.execPath, ['npm/rvf-node/scripts/stage-addon.mjs', ...from], root);
        expect(stage.code, stage.err).toBe(0);
        console.log(stage.out.trim());
        for (const p of packages) {
            const r = run('npm', ['pack', '--json', '--pack-destination', dir], path.join(root, 'npm', p));
            expect(r.code, r.err).toBe(0);
            packs[p] = JSON.parse(r.out)[0];
        }
        console.log(Object.entries(packs).map(([p, m]) => `${p}: ${m.size} B packed, ${m.unpackedSize} B unpacked, ${m.files.length} files`).join('\n'));
        app = path.join(dir, 'app');
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true }));
        const tarballs = installed.map((p) => path.join(dir, packs[p].filename));
        const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
        expect(install.code, install.err).toBe(0);
    }, 300000);
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('every tarball: one version above upstream, exact internal versions, both module faces, no build trees', () => {
        const version = packs.rvf.version;
        for (const p of packages) {
            expect(packs[p].version, p).toBe(version);
            for (const f of packs[p].files.map((x) => x.path)) // no build trees, tests or scripts in any tarball
                expect(f).not.toMatch(/^(build|node_modules|scripts|test|tests|native)\//);
        }
        expect(above(version.split('.').map(Number), UPSTREAM_MAX)).toBeGreaterThan(0);
        const manifest = (p) => JSON.parse(fs.readFileSync(path.join(app, 'node_modules/@ruvector', p, 'package.json'), 'utf8'));
        expect(manifest('rvf').dependencies).toEqual({ '@ruvector/rvf-wasm': version });
        expect(manifest('rvf').optionalDependencies).toEqual({ '@ruvector/rvf-node': version });
        expect(manifest('rvf-node').optionalDependencies).toEqual(Object.fromEntries(PLATFORMS.map((p) => [`@ruvector/rvf-node-${p}`, version])));
        const files = (p) => packs[p].files.map((x) => x.path);
        expect(files('rvf-wasm')).toEqual(expect.arrayContaining(['cjs/index.cjs', 'index.d.cts', 'index.d.ts', 'dist/rvf_core.wasm', 'dist/rvf_core.mjs', 'dist/status.d.cts']));
        expect(files('rvf')).toEqual(expect.arrayContaining(['cjs/index.cjs', 'index.d.cts', 'index.d.ts', 'src/server-client.d.cts']));
        expect(files('rvf-node')).toEqual(expect.arrayContaining(['index.cjs', 'index.js', 'index.d.cts', 'index.d.ts']));
        expect(files('rvf-node-linux-x64-gnu')).toEqual(expect.arrayContaining(['rvf-node.linux-x64-gnu.node', 'rvf']));
        // The glue loads without top-level await (else require() fails with ERR_REQUIRE_ASYNC_MODULE).
        const glue = fs.readFileSync(path.join(app, 'node_modules/@ruvector/rvf-wasm/dist/rvf_core.mjs'), 'utf8');
        expect(glue).not.toMatch(/await import\(/);
        expect(glue).not.toMatch(/process\["on"\]/);
    });

    it('the CLI runs from the install', () => {
        const version = run('npx', ['--offline', 'rvf', '--version'], app);
        expect(version.code, version.err).toBe(0);
        expect(version.out.startsWith(`rvf ${packs.rvf.version} `)).toBe(true);
        expect(version.out).toMatch(/backends: native, wasm/);
    }, 60000);

    it.each([['cjs', 'demo.cjs', cjsScript], ['esm', 'demo.mjs', esmScript]])('%s: loads all three packages, native writes, wasm reads, host handler in charge', (kind, name, script) => {
        fs.writeFileSync(path.join(app, name), script);
        const r = run(process.execPath, [name], app);
        expect(r.err).toBe('');
        expect(r.code).toBe(0);
        const out = JSON.parse(r.out);
        expect(out.kind).toBe(kind);
        expect(out.host).toBe('thrown by the host');
        expect(out.loaded).toEqual(['function', 'function', 'function']);
        expect(out.first).toEqual([{ id: 'b', distance: expect.closeTo(0.01, 5) }]);
        expect(out.second.map((h) => h.id)).toEqual(['a']); // metadata filter survived the reopen on the other backend
    }, 60000);

    it('TypeScript --strict: module node16 and nodenext (.mts, .cts), module commonjs', () => {
        const ts = path.join(app, 'ts');
        fs.mkdirSync(ts, { recursive: true });
        for (const f of ['consumer.mts', 'consumer.cts', 'consumer.ts'])
            fs.writeFileSync(path.join(ts, f), consumer);
        const base = { strict: true, noEmit: true, target: 'es2022', skipLibCheck: false, types: [] };
        // TypeScript >= 5.8 lets nodenext .cts files require() ES modules; node16 does not, and
        // reports TS1479 there unless the "require" condition has CommonJS types (.d.cts).
        const configs = {
            'tsconfig.node16.json': { compilerOptions: { ...base, module: 'node16', moduleResolution: 'node16' }, files: ['consumer.mts', 'consumer.cts'] },
            'tsconfig.nodenext.json': { compilerOptions: { ...base, module: 'nodenext', moduleResolution: 'nodenext' }, files: ['consumer.mts', 'consumer.cts'] },
            'tsconfig.commonjs.json': { compilerOptions: { ...base, module: 'commonjs' }, files: ['consumer.ts'] },
        };
        for (const [name, config] of Object.entries(configs)) {
            fs.writeFileSync(path.join(ts, name), JSON.stringify(config));
            const r = run(process.execPath, [tsc, '-p', name], ts);
            expect(r.out + r.err, name).toBe('');
            expect(r.code, name).toBe(0);
        }
    }, 120000); // three tsc runs: ≈ 8 s each on a loaded 2-core machine

    it('npx rvf serve --help lists the native options; serve runs the tool of the platform package', () => {
        const help = run('npx', ['--offline', 'rvf', 'serve', '--help'], app);
        expect(help.code, help.err).toBe(0);
        expect(help.out).toMatch(/native tool: .*node_modules\/@ruvector\/rvf-node-linux-x64-gnu\/rvf\n/);
        for (const option of ['--http PORT|off', '--tcp PORT|off', '--token-file PATH', '--no-auth', '--readonly'])
            expect(help.out).toContain(option);
    }, 60000);

    it.each([
        ['SIGINT to the process group (Ctrl-C)', 'SIGINT', true],
        ['SIGTERM to npx alone', 'SIGTERM', false],
    ])('npx rvf serve: /v1/health answers, writes take the token; %s closes the store and frees the lock', async (_, signal, group) => {
        const file = `served-${signal}.rvf`;
        fs.writeFileSync(path.join(app, 'token'), 'pack-install-token\n');
        const srv = startServe(app, file);
        try {
            const port = await srv.listening;
            expect(srv.err).toMatch(/running \S*node_modules\/@ruvector\/rvf-node-linux-x64-gnu\/rvf serve /);
            const health = await fetch(`http://127.0.0.1:${port}/v1/health`);
            expect(health.status).toBe(200);
            expect(await health.json()).toEqual({ status: 'ok' });
            const ingest = (token) => fetch(`http://127.0.0.1:${port}/v1/ingest`, {
                method: 'POST',
                headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
                body: JSON.stringify({ vectors: [[1, 0, 0]], ids: [1] }),
            });
            expect((await ingest(null)).status).toBe(401);
            expect((await ingest('pack-install-token')).status).toBe(200);
            // While it serves, the store is locked for writers.
            fs.writeFileSync(path.join(app, 'writer.mjs'), writerScript);
            const locked = run(process.execPath, ['writer.mjs', file, 'a'], app);
            expect(locked.code).not.toBe(0);
            expect(locked.err).toMatch(/LockHeld|lock/i);

            process.kill(group ? -srv.child.pid : srv.child.pid, signal);
            await srv.exited;
            expect(srv.out).toMatch(new RegExp(`${signal} received, shutting down`));
            expect(srv.out).toMatch(new RegExp(`closed ${file.replace('.', '\\.')} at epoch \\d+ with 1 vectors`));
            await expect(fetch(`http://127.0.0.1:${port}/v1/health`)).rejects.toThrow();
            const writer = run(process.execPath, ['writer.mjs', file, 'b'], app);
            expect(writer.err).toBe('');
            expect(JSON.parse(writer.out)).toEqual({ n: 2 });
        } finally {
            try {
                process.kill(-srv.child.pid, 'SIGKILL'); // only if a failed assertion left it running
            } catch { /* already gone */ }
        }
    }, 120000);

    it('npx rvf demo runs from the install on the generated dataset', () => {
        const r = run('npx', ['--offline', 'rvf', 'demo', 'demo-dir', '--no-progress'], app, 300000);
        expect(r.code, r.err).toBe(0);
        expect(r.out).toMatch(/dataset: generated 10K x 128/);
        expect(r.out).toMatch(/native .*\n.*wasm /); // both backends measured
        expect(r.out).toMatch(/verify/i);
    }, 300000);
});
