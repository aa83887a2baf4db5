// The shared scenario (api/scenario.json), written once, run against every JS-reachable surface:
// the N-API addon (@ruvector/rvf-node), the Emscripten build in Node (@ruvector/rvf-wasm RvfStore)
// and the HTTP server (`rvf serve` through RvfServerClient). Each step calls the camelCase of the
// table's C++ name with the table's argument order (tests/js/surfaces/adapters.mjs says what an
// adapter may adapt); each result must match the scenario's expectation, and every surface must
// give the same answers as the others. The C++ API runs the same file in tests/cpp/api_scenario_test.cpp.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { httpServer, nodeAddon, serveBinary, wasmStore } from './adapters.mjs';
import { mismatches, positional, scenario, surface } from './api.mjs';

const bin = serveBinary();
if (!bin)
    console.warn('scenario.test.mjs: the HTTP surface is skipped — no `rvf` binary with the serve command; build it with ' +
                 '`cmake --build --preset native-debug --target rvf` or set RVF_SERVE_BIN');

const surfaces = [
    ['rvf-node', () => nodeAddon(scenario.create)],
    ['rvf-wasm', () => wasmStore(scenario.create)],
    ...(bin ? [['server-client', () => httpServer(scenario.create, bin)]] : []),
];

// Fields that legitimately differ between surfaces: nothing but each store's own epochs and
// byte counts, which depend on how the surface opened its file (a server writes its create
// commit before the first request; a wasm store lives in memory).
const OWN = new Set(['epoch', 'current_epoch', 'file_size', 'total_segments', 'dead_bytes', 'dead_space_ratio',
                     'segments_compacted', 'bytes_reclaimed', 'bytes_written', 'merges', 'auto_compactions', 'syncs']);
const comparable = (v) => Array.isArray(v) ? v.map(comparable)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => !OWN.has(k)).map(([k, x]) => [k, comparable(x)]))
    : v;

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
    it('gives the same results step by step (ids, distances, counts, rejections, status fields)', () => {
        const names = [...results.keys()];
        expect(names.length, 'every surface ran the scenario').toBe(surfaces.length);
        const [first, ...rest] = names;
        for (const other of rest)
            scenario.steps.forEach((step, i) => {
                const a = comparable(results.get(first)[i]), b = comparable(results.get(other)[i]);
                // Status objects: the canonical fields only (a surface may add its own).
                const pick = (o) => step.op === 'status' ? Object.fromEntries(surface.status.map((f) => [f.cpp, o[f.cpp]]).filter(([k]) => !OWN.has(k))) : o;
                expect(mismatches(pick(b), pick(a), `${other} vs ${first}, step ${i} ${step.op}`)).toEqual([]);
            });
    });
});
