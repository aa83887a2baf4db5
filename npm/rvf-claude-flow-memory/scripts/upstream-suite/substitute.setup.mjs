// Vitest setup file for running @claude-flow/memory's shipped test suite (from its installed npm
// tarball; nothing of it is copied here) with RvfMemoryBackend substituted where the suite is
// provider-generic: createDatabase() returns an RvfMemoryBackend (in a fresh temp directory)
// whenever it would pick the package's own "rvf" provider (provider 'auto' or 'rvf'), and for
// every provider inside the "… across providers" tests. Everything else runs unchanged.
import { vi, expect, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfMemoryBackend } from '../../src/index.js';

const dist = process.env.CFMEM_DIST; // …/node_modules/@claude-flow/memory/dist

const made = []; // temp directories of this test file's substituted backends
afterAll(() => {
    for (const d of made.splice(0))
        fs.rmSync(d, { recursive: true, force: true });
});

vi.mock(`${process.env.CFMEM_DIST}/database-provider.js`, async (importOriginal) => {
    const real = await importOriginal();
    return {
        ...real,
        async createDatabase(dbPath, options = {}) {
            const provider = options.provider ?? 'auto';
            const test = expect.getState().currentTestName ?? '';
            if (!(provider === 'auto' || provider === 'rvf' || /across providers/.test(test)))
                return real.createDatabase(dbPath, options);
            const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'cfmem-rvf-'));
            made.push(directory);
            const b = new RvfMemoryBackend({ directory, dimensions: options.dimensions ?? 1536,
                defaultNamespace: options.defaultNamespace ?? 'default' });
            await b.initialize();
            process.stderr.write(`[rvf-substitute] ${test}: createDatabase(${JSON.stringify(dbPath)}, provider ${provider}) → RvfMemoryBackend in ${directory}\n`);
            return b;
        },
    };
});

if (!dist)
    throw new Error('set CFMEM_DIST to the dist/ folder of an installed @claude-flow/memory');
