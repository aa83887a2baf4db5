// The shared scenario (api/scenario.json), written once, run against every JS-reachable surface:
// the N-API addon (@ruvector/rvf-node), the Emscripten build in Node (@ruvector/rvf-wasm RvfStore)
// and the HTTP server (`rvf serve` through RvfServerClient). Each step calls the camelCase of the
// table's C++ name with the table's argument order (tests/js/surfaces/adapters.mjs says what an
// adapter may adapt); each result must match the scenario's expectation, and every surface must
// give the same answers as the others. The C++ API runs the same file in tests/cpp/api_scenario_test.cpp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, nodeAddon, serveBinary, wasmStore } from './adapters.mjs';
import { mismatches, operation, positional, scenario, surface } from './api.mjs';

const bin = serveBinary();
if (!bin)
    console.warn('scenario.test.mjs: the HTTP surface is skipped — no `rvf` binary with the serve command; build it with ' +
                 '`cmake --build --preset native-debug --target rvf` or set RVF_SERVE_BIN');

const surfaces = [
    ['rvf-node', () => nodeAddon(scenario.create)],
    ['rvf-wasm', () => wasmStore(scenario.create)],
    ...(bin ? [['server-client', () => httpServer(scenario.create, bin)]] : []),
];

// What the surfaces must agree on, step by step: the table's result fields of each operation
// (a surface may return more, e.g. rvf-wasm's compact bytesWritten), the canonical status
// fields, and whole values otherwise — epochs and byte counts included, since every surface runs
// the same runtime on the same commits.
function comparable(step, v) {
    const op = operation(step.op);
    const keys = step.op === 'status' ? surface.status.map((f) => f.cpp) : op.result;
    if (!keys || !v || typeof v !== 'object' || Array.isArray(v)) return v;
    return Object.fromEntries(keys.map((k) => [k, v[k]]));
}

const results = new Map(); // surface → per-step results

describe.each(surfaces)('the shared scenario on %s', (name, open) => {
    let s;
    beforeAll(async () => { s = await open(); }, 60000);
    afterAll(async () => { await s?.close(); });

    it('answers every step as api/scenario.json expects, in the table\'s names and order', async () => {
        const got = [];
        for (const [i, step] of scenario.steps.entries()) {
            const r = await s.call(step.op, positional(step));
            got.push(r);
            expect(mismatches(r, step.expect, `step ${i} ${step.op}`)).toEqual([]);
        }
        results.set(name, got);
    });

    it('status() has every canonical field (api/surface.json "status"), in this surface\'s spelling', async () => {
        const st = await s.call('status', []);
        for (const f of surface.status)
            expect(st, `${name} status().${f.cpp}`).toHaveProperty(f.cpp);
    });
});

describe('every surface', () => {
    it('gives the same results step by step (ids, distances, counts, rejections, epochs, status fields incl. file_size)', () => {
        const names = [...results.keys()];
        expect(names.length, 'every surface ran the scenario').toBe(surfaces.length);
        const [first, ...rest] = names;
        for (const other of rest)
            scenario.steps.forEach((step, i) => {
                const a = comparable(step, results.get(first)[i]), b = comparable(step, results.get(other)[i]);
                expect(mismatches(b, a, `${other} vs ${first}, step ${i} ${step.op}`)).toEqual([]);
            });
    });
});
