// The surfaces the shared scenario runs against, each behind the same two calls:
//   call(op, args) — `op` is the canonical C++ name; the surface's method is camel(op), called with
//                    the positional arguments the scenario's step gives (api/surface.json's order);
//   close().
// What an adapter may do, and nothing more: give vectors in the form the surface takes (one flat
// Float32Array for the addon and wasm, a list of rows for HTTP), unwrap an HTTP reply's single
// field where api/surface.json says the route wraps its result ("reply"), and convert the result
// to snake_case. No method is renamed and no argument is reordered.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { camel, operation, toSnake } from './api.mjs';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);

const flat = (rows) => Float32Array.from(rows.flat());

/** Wraps a store-like object whose methods are the camelCase names. */
function adapter(name, target, { convert = (op, a) => a, unwrap = false, close }) {
    return {
        name,
        target,
        async call(op, args) {
            const fn = target[camel(op)];
            if (typeof fn !== 'function')
                throw new Error(`${name} has no method ${camel(op)} (the camelCase of ${op}, api/surface.json)`);
            let r = await fn.apply(target, convert(op, args));
            const reply = operation(op).http?.reply;
            if (unwrap && reply && r && typeof r === 'object' && !Array.isArray(r) && reply in r) r = r[reply];
            return toSnake(r);
        },
        close,
    };
}

// Positional arguments come from the runner; the vectors among them are converted by name.
function flattenVectors(op, args) {
    const names = operation(op).args;
    return args.map((a, i) => (names[i] === 'vectors' ? flat(a) : names[i] === 'vector' ? Float32Array.from(a) : a));
}

export async function nodeAddon(create) {
    const { RvfDatabase } = require('../../../npm/rvf-node/index.cjs');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-surface-node-'));
    const db = RvfDatabase.create(path.join(dir, 'scenario.rvf'), create);
    return adapter('rvf-node', db, {
        convert: flattenVectors,
        close: async () => { db.close(); rmSync(dir, { recursive: true, force: true }); },
    });
}

export async function wasmStore(create) {
    // The package as published (what rvf_wasm_store.test.mjs imports), staged with a fresh dist/.
    const { stagePackage } = await import('../../../npm/rvf-wasm/scripts/build.mjs');
    mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
    const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-surface-wasm-'));
    await stagePackage(path.join(work, 'node_modules/@ruvector/rvf-wasm'));
    writeFileSync(path.join(work, 'consumer.mjs'), "export * from '@ruvector/rvf-wasm';\n");
    const { RvfStore } = await import(pathToFileURL(path.join(work, 'consumer.mjs')).href);
    const store = await RvfStore.create(create);
    return adapter('rvf-wasm', store, {
        convert: flattenVectors,
        close: async () => { store.close(); rmSync(work, { recursive: true, force: true }); },
    });
}

/** The `rvf` binary with the serve command, or null (then the HTTP surface is skipped, saying why). */
export function serveBinary() {
    const candidates = process.env.RVF_SERVE_BIN ? [process.env.RVF_SERVE_BIN]
        : ['build/native-debug/runtime/rvf', 'build/native-release/runtime/rvf', 'build/server/runtime/rvf'].map((p) => path.join(repoRoot, p));
    for (const p of candidates) {
        if (!existsSync(p)) continue;
        try {
            if (execFileSync(p, ['--help'], { encoding: 'utf8' }).includes('rvf serve')) return p;
        } catch {}
    }
    return null;
}

const TOKEN = 'surface-suite-token';

/** `rvf serve` on a fresh file (ephemeral ports) and RvfServerClient in front of it. */
export async function httpServer(create, bin) {
    const { RvfServerClient } = await import('../../../npm/rvf/src/server-client.js');
    const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-surface-http-'));
    const env = { ...process.env, RVF_SERVE_TOKEN: TOKEN };
    const child = spawn(bin, ['serve', path.join(dir, 'scenario.rvf'), '--http', '0', '--tcp', 'off',
                              '--dimension', String(create.dimension), '--metric', create.metric], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '', err = '';
    const port = await new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
            out += d;
            const m = /http:\/\/[\d.]+:(\d+)/.exec(out);
            if (m) resolve(Number(m[1]));
        });
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => reject(new Error(`rvf serve exited (${code}) before listening: ${err}`)));
    });
    const exited = new Promise((resolve) => child.on('exit', resolve));
    const client = new RvfServerClient(`http://127.0.0.1:${port}`, { token: TOKEN });
    return adapter('server-client', client, {
        unwrap: true,
        close: async () => { child.kill('SIGTERM'); await exited; rmSync(dir, { recursive: true, force: true }); },
    });
}
