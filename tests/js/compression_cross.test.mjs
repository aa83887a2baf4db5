// Compressed stores cross between builds: the native addon writes LZ4 and ZSTD stores that the
// wasm runtime (@ruvector/rvf-wasm, staged as published) opens, and wasm-written LZ4/ZSTD images
// open in the native addon, with the same rows and answers. `rvf inspect --json` (native tool)
// shows that the VEC segments really carry the codec (spec §2.3: 1 LZ4, 2 ZSTD).
// Needs wasm-release (rvf_core_js) and native-debug/-release (rvf_node, rvf).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';
import { rvfTool } from './helpers/artifacts.mjs';

const require = createRequire(import.meta.url);
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
mkdirSync(path.join(repoRoot, 'tests/.tmp'), { recursive: true });
const work = mkdtempSync(path.join(repoRoot, 'tests/.tmp/rvf-codec-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function findAddon() {
    if (process.env.RVF_NODE_ADDON)
        return process.env.RVF_NODE_ADDON;
    for (const preset of ['native-debug', 'native-release'])
        if (existsSync(path.join(repoRoot, 'build', preset, 'native/rvf_node.node')))
            return path.join(repoRoot, 'build', preset, 'native/rvf_node.node');
    throw new Error('no rvf_node.node: build it with `cmake --build --preset native-debug --target rvf_node` (or set RVF_NODE_ADDON)');
}
const { RvfDatabase } = require(findAddon());

const pkgDir = path.join(work, 'node_modules/@ruvector/rvf-wasm');
await stagePackage(pkgDir);
const consumer = path.join(work, 'consumer.mjs');
writeFileSync(consumer, "export * from '@ruvector/rvf-wasm';\n");
const { RvfStore, RvfError } = await import(pathToFileURL(consumer).href);

const DIM = 24;
const N = 600;
const CODE = { lz4: 1, zstd: 2 };

/** Seeded rows in quarter steps (mulberry32): compressible the way float embeddings are. */
function rows(n, seed) {
    let a = seed >>> 0;
    const out = new Float32Array(n * DIM);
    for (let i = 0; i < out.length; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out[i] = Math.round((((t ^ (t >>> 14)) >>> 0) / 4294967296) * 16 - 8) / 4;
    }
    return out;
}
const row = (r, i) => r.subarray(i * DIM, (i + 1) * DIM);
const ids = Array.from({ length: N }, (_, i) => i + 1);

/** Compression byte of every VEC segment, as the native tool reads the file. */
function vecCodecs(file) {
    const report = JSON.parse(execFileSync(rvfTool(), ['inspect', file, '--json'], { encoding: 'utf8' }));
    expect(report).toMatchObject({ layout: 'S', ok: true, problems: [] });
    return report.segments.filter((s) => s.type === 'vec').map((s) => s.compression);
}

describe.each(['lz4', 'zstd'])('%s stores cross between native and wasm', (compression) => {
    const data = rows(N, compression === 'lz4' ? 5 : 6);

    it('native addon writes, wasm reads the same rows and answers', async () => {
        const file = path.join(work, `native-${compression}.rvf`);
        const db = RvfDatabase.create(file, { dimension: DIM, compression });
        db.ingestBatch(data, ids);
        const q = row(data, 17);
        const nativeHits = db.query(q, 5);
        db.close();
        const codecs = vecCodecs(file);
        expect(codecs.length).toBeGreaterThan(0);
        expect(codecs.every((c) => c === CODE[compression])).toBe(true);

        const store = await RvfStore.fromBytes(readFileSync(file));
        for (const i of [0, 299, N - 1])
            expect(Array.from(store.vector(ids[i]))).toEqual(Array.from(row(data, i)));
        const wasmHits = store.query(q, 5);
        expect(wasmHits.map((h) => h.id)).toEqual(nativeHits.map((h) => h.id));
        expect(store.verify().ok).toBe(true);
        store.close();
    });

    it('wasm writes, the native addon reads the same rows and answers', async () => {
        const store = await RvfStore.create({ dimensions: DIM, compression });
        store.ingestBatch(ids, data);
        const q = row(data, 42);
        const wasmHits = store.query(q, 5);
        const file = path.join(work, `wasm-${compression}.rvf`);
        writeFileSync(file, store.toBytes());
        store.close();
        const codecs = vecCodecs(file);
        expect(codecs.length).toBeGreaterThan(0);
        expect(codecs.every((c) => c === CODE[compression])).toBe(true);

        const db = RvfDatabase.openReadonly(file);
        for (const i of [0, 300, N - 1])
            expect(Array.from(db.vector(ids[i]))).toEqual(Array.from(row(data, i)));
        expect(db.query(q, 5).map((h) => h.id)).toEqual(wasmHits.map((h) => h.id));
        db.close();
    });
});

describe('the rvf CLI (npm/rvf/bin/rvf.js)', () => {
    it.each(['wasm', 'native'])('ingest --compression zstd on the %s backend writes ZSTD VEC segments', (backend) => {
        const file = path.join(work, `cli-${backend}.rvf`);
        const input = path.join(work, `cli-${backend}.jsonl`);
        const data = rows(200, 9);
        writeFileSync(input, `${Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: i, vector: Array.from(row(data, i)) })).join('\n')}\n`);
        const r = spawnSync(process.execPath, [path.join(repoRoot, 'npm/rvf/bin/rvf.js'), 'ingest', file, input, '--compression', 'zstd', '--json'], {
            encoding: 'utf8', env: { ...process.env, RVF_BACKEND: backend, RVF_NODE_ADDON: findAddon() }, timeout: 60000,
        });
        expect(r.stderr).toBe('');
        expect(JSON.parse(r.stdout)).toMatchObject({ created: true, accepted: 200, backend });
        expect(vecCodecs(file)).toContain(CODE.zstd);
    });
});

describe('compression options', () => {
    it('wasm refuses an unknown codec with InvalidOptions naming the choices', async () => {
        const e = await RvfStore.create({ dimensions: 4, compression: 'brotli' }).catch((x) => x);
        expect(e).toBeInstanceOf(RvfError);
        expect(e.name).toBe('InvalidOptions');
        expect(e.message).toMatch(/none, lz4, zstd/);
        const t = await RvfStore.create({ dimensions: 4, compression: 2 }).catch((x) => x);
        expect(t).toBeInstanceOf(RvfError);
        expect(t.name).toBe('InvalidOptions');
    });

    it('the native addon refuses an unknown codec naming zstd among the choices', () => {
        expect(() => RvfDatabase.create(path.join(work, 'x.rvf'), { dimension: 4, compression: 'brotli' })).toThrow(/zstd/);
    });
});
