// Vitest global setup: refresh npm/rvf-wasm/dist/ (gitignored) from the current wasm-release (and
// microkernel) build outputs before any suite runs. The SDK (npm/rvf) imports @ruvector/rvf-wasm
// through the npm workspace link, i.e. that dist/: without this a fresh clone has none and an
// old checkout would test a stale module. Missing build outputs are left for the suites to report
// (each names the preset that makes them). Also writes both packages' CommonJS faces.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDist, buildFaces, defaultDirs } from '../../../npm/rvf-wasm/scripts/build.mjs';
import { buildFaces as buildSdkFaces } from '../../../npm/rvf/scripts/build.mjs';

export default async function setup() {
    const dirs = defaultDirs();
    if (!existsSync(path.join(dirs.wasmDir, 'rvf_core.wasm')))
        return;
    const dist = fileURLToPath(new URL('../../../npm/rvf-wasm/dist', import.meta.url));
    await buildDist(dist, { ...dirs, requireMicrokernel: false });
    // The CommonJS faces (gitignored, made at pack time): so require() of the workspace
    // packages works in tests too (issue 15).
    await buildFaces(fileURLToPath(new URL('../../../npm/rvf-wasm', import.meta.url)));
    await buildSdkFaces();
}
