#!/usr/bin/env node
// npm/rvf/scripts/build.mjs — the CommonJS face of @ruvector/rvf, generated from the ES sources
// (scripts/dual-package.mjs) so `require('@ruvector/rvf')` works next to `import`:
//   cjs/index.cjs                 src/index.js bundled; @ruvector/rvf-wasm / rvf-node stay external
//   index.d.cts, src/server-client.d.cts   the ES declarations typed as CommonJS
// Runs as `npm run build` and on `npm pack` (prepack); the outputs are gitignored. The Vitest
// global setup calls buildFaces() too, so require() works inside the repository.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { buildCjs, writeDcts } from '../../../scripts/dual-package.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));

/** Write the CommonJS face; returns the bundle's size in bytes. */
export async function buildFaces() {
    await writeDcts(pkgDir, 'index.d.ts', 'index.d.cts');
    await writeDcts(pkgDir, 'src/server-client.d.ts', 'src/server-client.d.cts');
    return buildCjs({ pkgDir, entry: 'src/index.js', outfile: 'cjs/index.cjs' });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
    const bytes = await buildFaces();
    console.error(`@ruvector/rvf: cjs/index.cjs (${bytes} bytes), index.d.cts`); // stderr: npm pack --json owns stdout
}
