#!/usr/bin/env node
// npm/rvf/scripts/build.mjs — the CommonJS face of @ruvector/rvf, generated from the ES sources
// (scripts/dual-package.mjs) so `require('@ruvector/rvf')` works next to `import`:
//   cjs/index.cjs                 src/index.js bundled; @ruvector/rvf-wasm / rvf-node stay external
//   index.d.cts, src/server-client.d.cts   the ES declarations typed as CommonJS
// Runs as `npm run build` and on `npm pack` (prepack); the outputs are gitignored.
import { fileURLToPath } from 'node:url';
import { buildCjs, writeDcts } from '../../../scripts/dual-package.mjs';

const pkgDir = fileURLToPath(new URL('..', import.meta.url));
await writeDcts(pkgDir, 'index.d.ts', 'index.d.cts');
await writeDcts(pkgDir, 'src/server-client.d.ts', 'src/server-client.d.cts');
const bytes = await buildCjs({ pkgDir, entry: 'src/index.js', outfile: 'cjs/index.cjs' });
console.error(`@ruvector/rvf: cjs/index.cjs (${bytes} bytes), index.d.cts`); // stderr: npm pack --json owns stdout
