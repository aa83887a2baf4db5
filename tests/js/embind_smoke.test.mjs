// Smoke test of the Emscripten ES module (js/embind/embind.cpp): it loads in Node and its
// status table is the one generated from RVF_STATUS_LIST (spec §8 codes).
import { describe, expect, it } from 'vitest';
import { loadRvfCore } from './helpers/artifacts.mjs';

describe('rvf_core.mjs (Embind)', async () => {
    const core = await loadRvfCore();

    it('reports the library version', () => {
        expect(core.version()).toMatch(/^\d+\.\d+\.\d+$/);
    });

    it('exposes the status table as plain {code, name} objects', () => {
        const table = core.statusTable();
        expect(Array.isArray(table)).toBe(true);
        expect(table).toContainEqual({ code: 0x0102, name: 'InvalidChecksum' });
        expect(table).toContainEqual({ code: 0x0000, name: 'Ok' });
        expect(table).toContainEqual({ code: 0x0100, name: 'InvalidMagic' });
        // Codes and names are unique: the table is a bijection, as the X-macro guarantees.
        expect(new Set(table.map((r) => r.code)).size).toBe(table.length);
        expect(new Set(table.map((r) => r.name)).size).toBe(table.length);
    });
});
