// The structural gate microkernel/check_wasm.mjs (run by ctest on both builds) must reject a
// module with an import, a missing or extra export, a wrong signature (i64 ids included), a
// memory beyond the tile limit, or a size at or over the budget. Each case is a small module
// assembled here byte by byte from microkernel/exports.txt.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { microkernelPath, repoRoot, upstreamPath } from './tile/index.mjs';

const checker = path.join(repoRoot, 'microkernel/check_wasm.mjs');
const exportsTxt = path.join(repoRoot, 'microkernel/exports.txt');
const dir = mkdtempSync(path.join(tmpdir(), 'mk-check-'));

// [name, '(i32,i64)->i32'] for each function line of exports.txt.
const spec = readFileSync(exportsTxt, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter((l) => l && l !== 'memory')
    .map((l) => l.split(/\s+/));

const VT = { i32: 0x7f, i64: 0x7e, f32: 0x7d };
const leb = (n) => {
    const out = [];
    do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n) b |= 0x80;
        out.push(b);
    } while (n);
    return out;
};
const str = (s) => [...leb(s.length), ...new TextEncoder().encode(s)];
const section = (id, body) => [id, ...leb(body.length), ...body];
const parseSig = (sig) => {
    const [, p, r] = sig.match(/^\((.*)\)->(.*)$/);
    return { params: p ? p.split(',') : [], results: r ? r.split(',') : [] };
};

/** A module exporting `funcs` ([name, sig]) and a memory; options add imports, limits, padding. */
function build({ funcs = spec, imports = [], memory = { min: 2, max: 4 }, pad = 0 } = {}) {
    const types = funcs.map(([, sig]) => parseSig(sig));
    const typeSec = [...leb(types.length + 1), ...types.flatMap((t) => [0x60, ...leb(t.params.length), ...t.params.map((v) => VT[v]), ...leb(t.results.length), ...t.results.map((v) => VT[v])]), 0x60, 0, 0];
    const importSec = [...leb(imports.length), ...imports.flatMap(([m, f]) => [...str(m), ...str(f), 0x00, ...leb(types.length)])];
    const funcSec = [...leb(funcs.length), ...funcs.flatMap((_, i) => leb(i))];
    const memSec = [1, ...(memory.max === undefined ? [0, ...leb(memory.min)] : [1, ...leb(memory.min), ...leb(memory.max)])];
    const exportSec = [...leb(funcs.length + 1), ...str('memory'), 2, 0, ...funcs.flatMap(([name], i) => [...str(name), 0, ...leb(imports.length + i)])];
    const bodies = types.map((t) => {
        const expr = t.results.flatMap((r) => (r === 'i64' ? [0x42, 0] : r === 'f32' ? [0x43, 0, 0, 0, 0] : [0x41, 0]));
        const body = [0, ...expr, 0x0b];
        return [...leb(body.length), ...body];
    });
    const codeSec = [...leb(bodies.length), ...bodies.flat()];
    const bytes = [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, ...section(1, typeSec), ...(imports.length ? section(2, importSec) : []), ...section(3, funcSec), ...section(5, memSec), ...section(7, exportSec), ...section(10, codeSec)];
    if (pad) bytes.push(...section(0, [...str('pad'), ...new Array(pad).fill(0)]));
    return Uint8Array.from(bytes);
}

function check(bytesOrPath, budget = 8192) {
    let file = bytesOrPath;
    if (typeof bytesOrPath !== 'string') {
        file = path.join(dir, `m${Math.random().toString(36).slice(2)}.wasm`);
        writeFileSync(file, bytesOrPath);
    }
    const r = spawnSync(process.execPath, [checker, file, exportsTxt, String(budget)], { encoding: 'utf8' });
    return { ok: r.status === 0, out: r.stdout + r.stderr };
}

describe('microkernel/check_wasm.mjs', () => {
    it('accepts a module with exactly the listed exports and signatures', () => {
        const r = check(build());
        expect(r.out).toMatch(/OK/);
        expect(r.ok).toBe(true);
    });

    it('rejects any import', () => {
        const r = check(build({ imports: [['env', 'log']] }));
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/has imports \(first: env\.log\)/);
    });

    it('rejects a missing export and an unlisted one', () => {
        let r = check(build({ funcs: spec.filter(([n]) => n !== 'rvf_greedy_step') }));
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/missing exports: rvf_greedy_step/);
        r = check(build({ funcs: [...spec, ['rvf_alloc', '(i32)->i32']] }));
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/not listed in exports.txt: rvf_alloc/);
    });

    it('rejects a wrong signature, e.g. an i32 where the spec has an i64 node id', () => {
        const funcs = spec.map(([n, s]) => [n, n === 'rvf_greedy_step' ? '(i32,i32)->i32' : s]);
        const r = check(build({ funcs }));
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/rvf_greedy_step has signature \(i32,i32\)->i32, want \(i64,i32\)->i64/);
    });

    it('rejects memory beyond the tile limit (4 pages) or without a maximum', () => {
        expect(check(build({ memory: { min: 5, max: 5 } })).ok).toBe(false);
        const r = check(build({ memory: { min: 2 } }));
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/exceeds the tile limit/);
    });

    it('rejects a size at or over the budget', () => {
        const pad = 8192 - build().length - 7; // custom section header: id, 2-byte size, "pad"
        const at = build({ pad });
        expect(at.length).toBe(8192);
        const r = check(at);
        expect(r.out).toMatch(/8192 B is not under the 8192 B budget/);
        expect(r.ok).toBe(false);
        expect(check(build({ pad: pad - 1 })).ok).toBe(true); // 8191 B passes
    });

    it('passes both microkernel builds and fails upstream @ruvector/rvf-wasm 0.1.9', () => {
        for (const v of ['scalar', 'simd']) expect(check(microkernelPath(v)).ok).toBe(true);
        const r = check(upstreamPath());
        expect(r.ok).toBe(false);
        expect(r.out).toMatch(/39501 B is not under/);
    });
});
