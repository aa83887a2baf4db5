// bench/open-first-query/data.mjs — the data set of this benchmark: the peer benchmark's seeded
// Gaussian mixture (bench/native/bench_data.cpp: TEXMEX base/query/groundtruth files, exact top-10
// by L2² on every core), made once per parameter set in a cache directory under the system temp
// dir and reused by later runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';

const CANDIDATES = ['build/native-release/bench/rvf_bench_data', 'build/bench/bench/rvf_bench_data'];

/** The rvf_bench_data program: explicit path, else a build of this tree that has it. */
export function findBenchData(repoRoot, explicit) {
    if (explicit) {
        if (!existsSync(explicit))
            throw new Error(`--bench-data ${explicit} does not exist`);
        return explicit;
    }
    for (const c of CANDIDATES)
        if (existsSync(path.join(repoRoot, c)))
            return path.join(repoRoot, c);
    throw new Error('rvf_bench_data not found (it writes the data set and its exact ground truth): build it with ' +
                    '`cmake --preset native-release -DRVF_BUILD_BENCH=ON && cmake --build --preset native-release ' +
                    '--target rvf_bench_data`, or pass --bench-data PATH');
}

/** {dir, base, query, truth}: generated into cacheDir when missing (written whole, then renamed). */
export function ensureDataset({ cacheDir, n, queries, dim, clusters, sigma, seed, benchData, log }) {
    const dir = path.join(cacheDir, `gauss-n${n}-d${dim}-c${clusters}-s${sigma}-seed${seed}-q${queries}`);
    const files = { dir, base: `${dir}/base.fvecs`, query: `${dir}/query.fvecs`, truth: `${dir}/groundtruth.ivecs` };
    if (existsSync(files.truth))
        return files;
    const tmp = `${dir}.tmp-${process.pid}`;
    rmSync(tmp, { recursive: true, force: true });
    mkdirSync(tmp, { recursive: true });
    log(`generating ${n} × ${dim} mixture + exact top-10 of ${queries} queries in ${dir}`);
    const r = spawnSync(benchData, ['--out', tmp, '--n', String(n), '--queries', String(queries), '--dim', String(dim),
                                    '--clusters', String(clusters), '--sigma', String(sigma), '--seed', String(seed), '--k', '10'],
                        { encoding: 'utf8' });
    if (r.status !== 0)
        throw new Error(`rvf_bench_data failed (${r.status ?? r.signal}): ${r.stderr}`);
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
    return files;
}
