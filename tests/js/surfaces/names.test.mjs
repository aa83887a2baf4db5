// The names checker: every surface against the one table (api/surface.json). For each surface it
// loads the real thing — the addon's RvfDatabase class, @ruvector/rvf-wasm's RvfStore, the SDK's
// RvfDatabase, RvfServerClient and `rvf serve`'s JSON — and its .d.ts, and asserts that every
// canonical operation (camelCase of the C++ name) and status field (camelCase in JS, the C++ name
// in HTTP JSON) exists, that every alias the table lists exists too, and that an alias taking
// another argument order gives the canonical call's answer. A name added to one surface and not
// the others, or to the code and not the types, fails here.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { httpServer, nodeAddon, serveBinary, wasmStore } from './adapters.mjs';
import { camel, snake, surface } from './api.mjs';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));
const require = createRequire(import.meta.url);
const create = { dimension: 4, metric: 'l2' };
const bin = serveBinary();

/** Spelling of a canonical (C++) name on a surface. */
const spell = (name, s) => (surface.surfaces[s].fieldCase === 'snake' ? name : camel(name));
const aliases = (entry, s) => (entry.aliases?.[s] ?? []).map((a) => a.name);

/** The text of `class NAME {…}` or `interface NAME {…}` in a .d.ts, braces matched. */
function block(dtsFile, kind, name) {
    const text = readFileSync(path.join(repoRoot, dtsFile), 'utf8');
    const m = new RegExp(`${kind} ${name}\\b[^{]*\\{`).exec(text);
    if (!m) throw new Error(`${dtsFile} declares no ${kind} ${name}`);
    let depth = 1, i = m.index + m[0].length;
    for (; i < text.length && depth > 0; i++) depth += text[i] === '{' ? 1 : text[i] === '}' ? -1 : 0;
    return text.slice(m.index, i);
}
const declaresMethod = (body, name) => new RegExp(`^\\s*(?:static\\s+)?${name}\\s*\\(`, 'm').test(body);
const declaresField = (body, name) => new RegExp(`^\\s*(?:readonly\\s+)?${name}\\??\\s*:`, 'm').test(body);

it('the table spells JS names as camelCase and HTTP fields as the C++ names, nothing else', () => {
    for (const op of surface.operations) {
        expect(snake(camel(op.cpp)), op.cpp).toBe(op.cpp);
        for (const a of op.args) expect(a).toMatch(/^[a-z]+(_[a-z]+)*$/);
    }
    for (const f of surface.status) expect(snake(camel(f.cpp)), f.cpp).toBe(f.cpp);
});

const opened = [];
afterAll(async () => { for (const s of opened) await s.close(); });

const loaders = {
    'rvf-node': () => nodeAddon(create),
    'rvf-wasm': () => wasmStore(create),
    ...(bin && { 'server-client': () => httpServer(create, bin) }),
};

describe.each(Object.keys(loaders))('%s', (name) => {
    const meta = surface.surfaces[name];
    let s;
    const live = async () => {
        if (!s) { s = await loaders[name](); opened.push(s); }
        return s;
    };

    it('has every canonical operation and every alias the table lists, and its .d.ts declares them', async () => {
        const proto = Object.getPrototypeOf((await live()).target);
        const cls = block(meta.dts, 'class', meta.class);
        for (const op of surface.operations.filter((o) => !o.not_on?.[name]))
            for (const m of [camel(op.cpp), ...aliases(op, name)]) {
                expect(typeof proto[m], `${name} ${meta.class}.prototype.${m} (${op.cpp})`).toBe('function');
                expect(declaresMethod(cls, m), `${meta.dts} declares ${meta.class}.${m}`).toBe(true);
            }
    });

    it('status() has every canonical field and alias, and its .d.ts declares them', async () => {
        const st = await (await live()).target.status();
        const body = block(meta.dts, 'interface', meta.statusType);
        for (const f of surface.status)
            for (const k of [spell(f.cpp, name), ...aliases(f, name)]) {
                expect(st, `${name} status().${k}`).toHaveProperty(k);
                expect(declaresField(body, k), `${meta.dts} ${meta.statusType}.${k}`).toBe(true);
            }
        for (const f of surface.status)
            for (const a of aliases(f, name)) expect(st[a], `${name} status().${a} is ${f.cpp}`).toEqual(st[spell(f.cpp, name)]);
    });

    it('an alias taking another argument order gives the canonical call\'s answer', async () => {
        const { target } = await live();
        const ops = surface.operations.filter((op) => (op.aliases?.[name] ?? []).some((a) => a.order));
        expect(ops.length).toBeGreaterThan(0);
        const vectors = name === 'server-client' ? [[1, 2, 3, 4]] : Float32Array.of(1, 2, 3, 4);
        let next = 100;
        for (const op of ops)
            for (const a of op.aliases[name].filter((x) => x.order)) {
                // The same named arguments, given once in the canonical order and once in the alias's.
                const args = () => ({ ids: [next++], vectors, metadata: [{ 0: 'alias' }] });
                const c = args(), b = args();
                const canonical = await target[camel(op.cpp)](...op.args.map((n) => c[n]));
                const alias = await target[a.name](...a.order.map((n) => b[n]));
                expect([canonical.accepted, canonical.rejected], `${name} ${camel(op.cpp)}(${op.args.join(', ')})`).toEqual([1, 0]);
                expect([alias.accepted, alias.rejected], `${name} ${a.name}(${a.order.join(', ')})`).toEqual([1, 0]);
                const st = await target.status();
                expect(st[spell('total_vectors', name)], 'both rows are live').toBe(next - 100);
            }
    });
});

it('rvf-node ingestBatchAsync follows the same order rule as ingestBatch', async () => {
    const s = await nodeAddon(create);
    try {
        const db = s.target;
        expect((await db.ingestBatchAsync([1], Float32Array.of(1, 0, 0, 0), [{ 0: 'x' }])).accepted).toBe(1); // canonical
        expect((await db.ingestBatchAsync(Float32Array.of(0, 1, 0, 0), [2])).accepted).toBe(1);              // upstream's
        expect(db.query(Float32Array.of(0, 1, 0, 0), 1)).toEqual([{ id: 2, distance: 0 }]);
        expect(db.metadata(1)).toEqual({ 0: { string: 'x' } });
    } finally {
        await s.close();
    }
});

describe('sdk (@ruvector/rvf RvfDatabase)', () => {
    it('status() has every canonical field and upstream alias, and index.d.ts declares them', async () => {
        const meta = surface.surfaces.sdk;
        const { RvfDatabase } = await import('../../../npm/rvf/src/index.js');
        const dir = mkdtempSync(path.join(os.tmpdir(), 'rvf-surface-sdk-'));
        try {
            const db = await RvfDatabase.create(path.join(dir, 's.rvf'), { dimensions: 4 }, 'native');
            const st = await db.status();
            await db.close();
            const body = block(meta.dts, 'interface', meta.statusType);
            for (const f of surface.status)
                for (const k of [camel(f.cpp), ...aliases(f, 'sdk')]) {
                    expect(st, `sdk status().${k}`).toHaveProperty(k);
                    expect(declaresField(body, k), `${meta.dts} ${meta.statusType}.${k}`).toBe(true);
                }
            for (const f of surface.status)
                for (const a of aliases(f, 'sdk')) expect(st[a], `sdk status().${a} is ${f.cpp}`).toEqual(st[camel(f.cpp)]);
        } finally {
            rmSync(dir, { recursive: true, force: true });
        }
    });

    it('has every SDK-only method the table lists (sdk_only), and index.d.ts declares it', async () => {
        const meta = surface.surfaces.sdk;
        const { RvfDatabase } = await import('../../../npm/rvf/src/index.js');
        const cls = block(meta.dts, 'class', meta.class);
        expect(surface.sdk_only.methods.length).toBeGreaterThan(0);
        for (const { name } of [...surface.sdk_only.methods, ...surface.sdk_only.signatures]) {
            expect(typeof RvfDatabase.prototype[name], `sdk RvfDatabase.prototype.${name}`).toBe('function');
            expect(declaresMethod(cls, name), `${meta.dts} declares RvfDatabase.${name}`).toBe(true);
        }
    });
});
