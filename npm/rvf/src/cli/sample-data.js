// The data `rvf demo` and `rvf bench` use when no --dataset is given. Inside the RVF repository:
// SIFT10K (tests/data/siftsmall). From an npm install, where that 5 MB set is not shipped:
// a generated one of the same shape (10,000 base and 100 query vectors of dimension 128, exact
// top-100 ground truth), written as fvecs/ivecs so every later step reads files exactly as it
// would read SIFT. It is deterministic (fixed seed), so recall figures are comparable between runs.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
export const BUNDLED_SIFT = path.join(repoRoot, 'tests', 'data', 'siftsmall');

export const SAMPLE = { base: 10000, queries: 100, dim: 128, truth: 100, clusters: 64, seed: 0x5eed };

/** The files of a dataset directory: the first *_base.fvecs, *_query.fvecs, *_groundtruth.ivecs. */
export function datasetFiles(dir) {
    const names = fs.existsSync(dir) ? fs.readdirSync(dir).sort() : [];
    const find = (suffix) => {
        const f = names.find((n) => n.endsWith(suffix));
        return f ? path.join(dir, f) : undefined;
    };
    return { base: find('_base.fvecs'), queries: find('_query.fvecs'), groundtruth: find('_groundtruth.ivecs') };
}

/** {dir, name}: the bundled SIFT10K when present, else the generated set under `cacheDir`. */
export function defaultDataset(cacheDir) {
    if (datasetFiles(BUNDLED_SIFT).groundtruth)
        return { dir: BUNDLED_SIFT, name: 'SIFT10K' };
    const name = `generated ${SAMPLE.base / 1000}K x ${SAMPLE.dim} (seed ${SAMPLE.seed}; SIFT10K is not shipped in the package)`;
    if (!datasetFiles(cacheDir).groundtruth)
        writeSample(cacheDir);
    return { dir: cacheDir, name };
}

// mulberry32: a small seeded generator, so the set is the same on every machine.
function rng(seed) {
    let a = seed >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}

/** Write sample_{base,query}.fvecs and sample_groundtruth.ivecs into `dir`. */
export function writeSample(dir, s = SAMPLE) {
    const rand = rng(s.seed);
    const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
    // Clustered like real descriptors (a uniform cloud has no near neighbours worth finding):
    // centres in [0, 100), points at sigma 12 around one of them, clamped at 0 like SIFT.
    const centres = Array.from({ length: s.clusters }, () => Float32Array.from({ length: s.dim }, () => rand() * 100));
    const point = () => {
        const c = centres[Math.floor(rand() * s.clusters)];
        return Float32Array.from(c, (x) => Math.max(0, x + 12 * gauss()));
    };
    const base = Array.from({ length: s.base }, point);
    const queries = Array.from({ length: s.queries }, point);
    const truth = queries.map((q) => {
        const d = base.map((b, id) => {
            let sum = 0;
            for (let i = 0; i < s.dim; i++)
                sum += (b[i] - q[i]) ** 2;
            return [sum, id];
        });
        d.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
        return Int32Array.from(d.slice(0, s.truth), (x) => x[1]);
    });
    fs.mkdirSync(dir, { recursive: true });
    writeVecs(path.join(dir, 'sample_base.fvecs'), base);
    writeVecs(path.join(dir, 'sample_query.fvecs'), queries);
    writeVecs(path.join(dir, 'sample_groundtruth.ivecs'), truth); // last: its presence means "complete"
}

/** fvecs/ivecs: per row a little-endian int32 count, then the components (4 bytes each). */
function writeVecs(file, rows) {
    const dim = rows[0].length;
    const buf = Buffer.alloc(rows.length * 4 * (dim + 1));
    rows.forEach((r, i) => {
        const off = i * 4 * (dim + 1);
        buf.writeInt32LE(dim, off);
        Buffer.from(r.buffer, r.byteOffset, r.byteLength).copy(buf, off + 4);
    });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, buf);
    fs.renameSync(tmp, file);
}
