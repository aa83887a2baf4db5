// browser-tests/lib/dataset.mjs — the seeded .rvf files the progressive tests and the benchmark
// open over HTTP, written once by the wasm store and cached in build/browser-data/.
//
// Data: N × DIM floats, N(0,1) components from mulberry32 + Box–Muller (the generator the Vitest
// suites and bench/wasm use), id i = row i, metadata field 0 = i % 16 (u64) so filtered queries
// have something to select. The store builds its HNSW index per batch (M 16, efConstruction 100)
// and compact() rewrites the image with the index persisted as INDEX_SEG layers A (HOT), B, C —
// the layers a progressive reader fetches first.
//
// Cache key: n, dim, seed in the file name; the sidecar .json records efConstruction and the
// writer's fingerprint: the kinds of segments (and each INDEX payload's first bytes) the runtime
// under test writes for a small store, checked in a second. When the writer's output changes
// shape (e.g. it starts writing the routing codes a progressive reader needs for its first
// answer) the file is rewritten, so the tests read what this runtime writes; a rebuild that
// writes the same kinds of segments reuses the file (an older writer's file is still valid).
// Writing takes 2–3 minutes on 2 busy cores (the HNSW build is single-threaded in wasm), which
// is why efConstruction is 100, not the store's default 200. Delete build/browser-data/ to force it.
//
// Also written: "<name>.appended.rvf", the same store with one more commit appended (one vector),
// i.e. what a writer appending to the served file produces — the "file changed" fault serves it.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const dataDir = process.env.RVF_BROWSER_DATA ?? path.join(repoRoot, 'build/browser-data');

/** mulberry32 + Box–Muller: `count` N(0,1) floats, reproducible from a seed. */
export function gaussian(count, seed) {
    let a = seed >>> 0;
    const next = () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++)
        out[i] = Math.sqrt(-2 * Math.log(next() + 1e-12)) * Math.cos(2 * Math.PI * next());
    return out;
}

export const category = (id) => id % 16;
const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');

/** Atomic write: a killed run never leaves a half file under the cached name. */
function writeAtomic(file, bytes) {
    writeFileSync(`${file}.part`, bytes);
    renameSync(`${file}.part`, file);
}

/** What the writer puts in a small indexed, compacted store: segment kinds, INDEX payload magics. */
async function writerFingerprint(rvf, dim) {
    const n = 1500; // above the store's automatic index threshold (1024)
    const store = await rvf.RvfStore.create({ dimensions: dim, metric: 'l2', storage: 'f32', m: 8, efConstruction: 16 });
    store.ingestBatch(Array.from({ length: n }, (_, i) => i), gaussian(n * dim, 5),
                      Array.from({ length: n }, (_, i) => ({ 0: category(i) })));
    store.compact();
    const bytes = store.toBytes();
    const kinds = store.segments().map((seg) => (seg.segType !== 'index' ? seg.segType
        : `index:${Buffer.from(bytes.buffer, bytes.byteOffset + seg.offset + 64, 4).toString('hex')}`));
    store.close();
    return kinds.join(',');
}

/**
 * The cached dataset file for (n, dim, seed), generated with `rvf` (the package module object:
 * {RvfStore}) when missing or written by another runtime build. wasmFile: the rvf_core.wasm
 * `rvf` runs. Returns {file, appendedFile, name, n, dim, seed, size, appendedSize, sha256,
 * segments, generatedMs (0 when cached)}.
 */
export async function ensureDataset(rvf, wasmFile, { n = 100000, dim = 128, seed = 1, efConstruction = 100, partitioned = false, log = () => {} } = {}) {
    mkdirSync(dataDir, { recursive: true });
    // partitioned: compact() also writes the partition map (docs/format-partition-map.md).
    const name = `rvf-${n}x${dim}-seed${seed}${partitioned ? '-partitioned' : ''}`;
    const file = path.join(dataDir, `${name}.rvf`);
    const appendedFile = path.join(dataDir, `${name}.appended.rvf`);
    const sidecar = path.join(dataDir, `${name}.json`);
    const wasmSha = sha256(readFileSync(wasmFile));
    const fingerprint = await writerFingerprint(rvf, dim);
    if (existsSync(sidecar) && existsSync(file) && existsSync(appendedFile)) {
        const info = JSON.parse(readFileSync(sidecar, 'utf8'));
        if (info.efConstruction === efConstruction && (info.partitioned ?? false) === partitioned && info.writerFingerprint === fingerprint && info.size === statSync(file).size)
            return { ...info, file, appendedFile, generatedMs: 0 };
        log(`${name}: the cached copy was written with other options or by a writer with another output shape, rewriting`);
    }
    log(`${name}: generating ${n} × ${dim} vectors (seed ${seed}) with the wasm store, cached in ${path.relative(repoRoot, dataDir)}/`);
    const t0 = performance.now();
    const rows = gaussian(n * dim, seed);
    const store = await rvf.RvfStore.create({ dimensions: dim, metric: 'l2', storage: 'f32', m: 16, efConstruction, partitionOnCompact: partitioned });
    const batch = 5000;
    for (let start = 0; start < n; start += batch) {
        const m = Math.min(batch, n - start);
        const ids = new BigUint64Array(m);
        const meta = new Array(m);
        for (let j = 0; j < m; j++) {
            ids[j] = BigInt(start + j);
            meta[j] = { 0: category(start + j) };
        }
        const r = store.ingestBatch(ids, rows.subarray(start * dim, (start + m) * dim), meta);
        if (r.rejected !== 0)
            throw new Error(`${name}: the store rejected ${r.rejected} generated vectors`);
    }
    store.compact(); // one fresh image with the index layers A/B/C persisted
    const bytes = store.toBytes();
    const segments = store.segments();
    if (!segments.some((s) => s.segType === 'index'))
        throw new Error(`${name}: the written image has no INDEX segments (was the runtime built without the HNSW index?)`);
    // The appended version: one more vector committed after the image above.
    const extra = gaussian(dim, seed + 1000);
    store.ingestBatch(BigUint64Array.of(BigInt(n)), extra, [{ 0: category(n) }]);
    const appended = store.toBytes();
    store.close();
    writeAtomic(file, bytes);
    writeAtomic(appendedFile, appended);
    const info = { name, n, dim, seed, m: 16, efConstruction, partitioned, size: bytes.length, appendedSize: appended.length, sha256: sha256(bytes),
                   wasmSha256: wasmSha, writerFingerprint: fingerprint, segments };
    writeFileSync(sidecar, `${JSON.stringify(info, null, 1)}\n`);
    const generatedMs = Math.round(performance.now() - t0);
    log(`${name}: ${bytes.length} bytes in ${(generatedMs / 1000).toFixed(1)} s`);
    return { ...info, file, appendedFile, generatedMs };
}
