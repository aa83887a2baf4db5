// Loading the wasm runtime must leave the host process alone (issue 15). Emscripten's glue
// installs process-wide uncaughtException/unhandledRejection handlers unless linked with
// -sNODEJS_CATCH_EXIT=0 -sNODEJS_CATCH_REJECTION=0 (js/CMakeLists.txt); those handlers rethrow,
// which takes the exit away from the host's own handler and prints the glue's source on an
// unrelated rejection. Each case runs in a child process so the handlers cannot leak into Vitest.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Run a snippet (ES module, or CommonJS) in a fresh Node with the repository's packages resolvable. */
function child(source, type = 'module') {
    const r = spawnSync(process.execPath, [`--input-type=${type}`, '-e', source], { cwd: root, encoding: 'utf8', timeout: 30000 });
    return { code: r.status, out: r.stdout, err: r.stderr };
}

// Loads the runtime for real: a store is created, so the glue and the wasm are instantiated.
const load = `
const { RvfStore } = await import('@ruvector/rvf-wasm');
const s = await RvfStore.create({ dimensions: 2 });
s.close();
console.log('listeners', process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection'));
`;

describe('the wasm runtime and the host process', () => {
    it('adds no process handlers; the host uncaughtException handler stays in charge', () => {
        const r = child(`
process.on('uncaughtException', (e) => { console.log('host caught', e.message); process.exitCode = 7; });
${load}
setTimeout(() => { throw new Error('boom'); }, 0);
`);
        expect(r.err).toBe('');
        expect(r.out).toBe('listeners 1 0\nhost caught boom\n');
        expect(r.code).toBe(7);
    });

    it('the same through require() (CommonJS face), the SDK included', () => {
        const r = child(`
process.on('uncaughtException', (e) => { console.log('host caught', e.message); process.exitCode = 7; });
const { RvfStore } = require('@ruvector/rvf-wasm');
const { RvfDatabase } = require('@ruvector/rvf');
RvfStore.create({ dimensions: 2 }).then((s) => {
    s.close();
    console.log(typeof RvfDatabase, process.listenerCount('uncaughtException'), process.listenerCount('unhandledRejection'));
    setTimeout(() => { throw new Error('boom'); }, 0);
});
`, 'commonjs');
        expect(r.err).toBe('');
        expect(r.out).toBe('function 1 0\nhost caught boom\n');
        expect(r.code).toBe(7);
    });

    it('an unrelated unhandled rejection is reported by Node itself, without the glue', () => {
        const r = child(`${load}\nPromise.reject(new Error('unrelated'));\n`);
        expect(r.out).toBe('listeners 0 0\n');
        expect(r.code).toBe(1);
        expect(r.err).toMatch(/Error: unrelated/);
        expect(r.err).not.toMatch(/rvf_core|throw reason|ExitStatus/);
    });
});
