// The SDK's published types under TypeScript --strict (issue 18): tests/js/sdk/types/ uses every
// RvfDatabase operation with the seed's type names (RvfOptions, RvfResult, RvfIngestResult,
// RvfProgressiveReader) through both faces (index.d.ts for import, index.d.cts for require), and
// its `@ts-expect-error` lines prove misspelled options (metirc, topK...) are type errors: tsc
// fails on an expected error that does not occur. The CommonJS face is written by the Vitest
// global setup.
import { describe, it, expect } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url));
const project = fileURLToPath(new URL('types/tsconfig.json', import.meta.url));

describe('@ruvector/rvf types', () => {
    it('tests/js/sdk/types compiles under --strict, every @ts-expect-error included', () => {
        const r = spawnSync(process.execPath, [tsc, '-p', project], { cwd: root, encoding: 'utf8' });
        expect(r.stdout + r.stderr).toBe('');
        expect(r.status).toBe(0);
    }, 120000); // one tsc run: ≈ 5-15 s on a loaded 2-core machine
});
