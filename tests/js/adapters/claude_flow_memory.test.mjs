// Issue 19: RvfMemoryBackend (npm/rvf-claude-flow-memory) is @claude-flow/memory's IMemoryBackend
// on real RVF files. Conformance for every IMemoryBackend method, reopen persistence, and
// @claude-flow/memory's own UnifiedMemoryService storing and searching through it.
//
// @claude-flow/memory@3.2.2 is installed from the npm registry into tests/.tmp (kept between
// runs, so only the first run pays for the install; --ignore-scripts: its native optional
// dependencies are not needed to load the service). Only an unreachable registry skips.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { RvfDatabase, RvfError } from '@ruvector/rvf';
import { RvfMemoryBackend, namespaceFileName, namespaceOfFileName, readClaudeFlowSnapshot } from '../../../npm/rvf-claude-flow-memory/src/index.js';
import { main } from '../../../npm/rvf/src/cli/main.js';
import { ENTRIES as CF_SAMPLE, DIM as CF_SAMPLE_DIM } from '../../data/claude-flow/rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const VERSION = '3.2.2';
const cacheDir = path.join(here, `../../.tmp/claude-flow-memory-${VERSION}`);
const work = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cfmem-'));
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

/** Install @claude-flow/memory once; null when installed, else why the registry was unreachable. */
function install() {
    if (fs.existsSync(path.join(cacheDir, 'node_modules/@claude-flow/memory/package.json')))
        return null;
    const stage = `${cacheDir}.${process.pid}.tmp`;
    fs.rmSync(stage, { recursive: true, force: true });
    fs.mkdirSync(stage, { recursive: true });
    const r = spawnSync('npm', ['install', '--no-save', '--no-package-lock', '--no-audit', '--no-fund', '--prefer-offline',
        '--ignore-scripts', '--omit=optional', '--prefix', stage, `@claude-flow/memory@${VERSION}`], { encoding: 'utf8', timeout: 240000 });
    if (r.status !== 0) {
        fs.rmSync(stage, { recursive: true, force: true });
        const text = `${r.error?.message ?? ''}\n${r.stderr}`;
        const offline = /ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|ENOTCACHED|network/i;
        if (offline.test(text))
            return text.split('\n').find((line) => offline.test(line)).trim();
        throw new Error(`npm install @claude-flow/memory@${VERSION} failed (not a network problem):\n${text}`);
    }
    fs.rmSync(cacheDir, { recursive: true, force: true });
    fs.renameSync(stage, cacheDir); // whole or absent: a killed install leaves only the .tmp
    return null;
}

let unreachable = null;
let cf; // the @claude-flow/memory module
beforeAll(async () => {
    unreachable = install();
    if (unreachable) {
        console.warn(`claude_flow_memory: skipped — the npm registry is unreachable, so @claude-flow/memory@${VERSION} cannot be installed: ${unreachable}`);
        return;
    }
    cf = await import(pathToFileURL(path.join(cacheDir, 'node_modules/@claude-flow/memory/dist/index.js')).href);
}, 300000);

// Deterministic data: seeded LCG embeddings, fixed timestamps.
const DIM = 8;
function seeded(seed) {
    let s = seed >>> 0;
    return () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32) * 2 - 1;
}
const rnd = seeded(19);
const vec = () => Float32Array.from({ length: DIM }, rnd);
const T0 = 1_700_000_000_000;
let dirN = 0;
const freshDir = () => path.join(work, `mem-${++dirN}`);

function entry(id, key, extra = {}) {
    return {
        id, key, content: `content of ${key}`, type: 'semantic', namespace: 'ns-a', tags: [], metadata: {},
        accessLevel: 'private', createdAt: T0, updatedAt: T0, version: 1, references: [], accessCount: 0,
        lastAccessedAt: T0, ...extra,
    };
}

async function open(dir, extra = {}) {
    const b = new RvfMemoryBackend({ directory: dir, dimensions: DIM, ...extra });
    await b.initialize();
    return b;
}

/** Commits (witness entries) of one namespace file so far. */
async function epochOf(b, ns) {
    return (await b.verifyAudit()).find((a) => a.namespace === ns).epoch;
}

const skipIf = (name, fn, t) => it(name, async (ctx) => {
    if (unreachable)
        return ctx.skip();
    return fn(ctx);
}, t);

describe('RvfMemoryBackend: every IMemoryBackend method on real RVF files', () => {
    const full = entry('e-full', 'full', {
        embedding: vec(), tags: ['x', 'y'], metadata: { nested: { n: 1 }, s: 'z' }, ownerId: 'agent-1',
        accessLevel: 'team', type: 'episodic', expiresAt: T0 * 2, version: 3, references: ['e-other'],
        accessCount: 4, lastAccessedAt: T0 + 5,
    });

    skipIf('store / get round-trip every MemoryEntry field; one file per namespace, a real RVF file', async () => {
        const dir = freshDir();
        const b = await open(dir);
        await b.store(full);
        await b.store(entry('e-plain', 'plain', { namespace: 'team/β' })); // no embedding
        expect(await b.get('e-full')).toEqual(full);
        const plain = await b.get('e-plain');
        expect(plain.embedding).toBeUndefined();
        expect(plain.namespace).toBe('team/β');
        expect(await b.get('missing')).toBeNull();
        await b.shutdown();
        const files = fs.readdirSync(dir).filter((f) => f.endsWith('.rvf')).sort();
        expect(files).toEqual(['ns-a.rvf', 'team%2F%CE%B2.rvf']);
        expect(namespaceOfFileName(files[1])).toBe('team/β');
        for (const f of files)
            expect((await RvfDatabase.verifyFile(path.join(dir, f))).ok).toBe(true);
        // The row as the SDK sees it: the entry id, the embedding as the vector, fields as metadata.
        const db = await RvfDatabase.openReadonly(path.join(dir, 'ns-a.rvf'));
        const row = await db.get('e-full');
        expect(Array.from(row.vector)).toEqual(Array.from(full.embedding));
        expect(row.metadata).toMatchObject({ key: 'full', type: 'episodic', ownerId: 'agent-1', expiresAt: T0 * 2, hasEmbedding: true });
        await db.close();
    });

    skipIf('getByKey, update (one commit, version + 1), delete', async () => {
        const b = await open(freshDir(), { audit: false }); // counts the data commits alone
        await b.store(full);
        expect((await b.getByKey('ns-a', 'full')).id).toBe('e-full');
        expect(await b.getByKey('ns-a', 'nope')).toBeNull();
        expect(await b.getByKey('other-ns', 'full')).toBeNull();
        const before = await epochOf(b, 'ns-a');
        const t = Date.now();
        const u = await b.update('e-full', { content: 'changed', tags: ['y', 'w'], metadata: { s: 'q' }, accessLevel: 'public', expiresAt: T0 * 3, references: [] });
        expect(await epochOf(b, 'ns-a')).toBe(before + 1);
        expect(u).toMatchObject({ content: 'changed', tags: ['y', 'w'], metadata: { s: 'q' }, accessLevel: 'public', expiresAt: T0 * 3, version: 4 });
        expect(u.updatedAt).toBeGreaterThanOrEqual(t);
        expect(await b.get('e-full')).toEqual(u);
        expect(await b.update('missing', { content: 'x' })).toBeNull();
        await expect(b.update('e-full', { key: 'renamed' })).rejects.toThrow(/field 'key' cannot be updated/);
        expect(await b.delete('e-full')).toBe(true);
        expect(await b.delete('e-full')).toBe(false);
        expect(await b.get('e-full')).toBeNull();
        await b.shutdown();
    });

    skipIf('query: exact, prefix, tag, filters, TTL, semantic, hybrid, offset/limit', async () => {
        const b = await open(freshDir());
        const es = [
            entry('q1', 'user/alice', { tags: ['a', 'b'], createdAt: T0 + 1, embedding: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]) }),
            entry('q2', 'user/bob', { tags: ['a'], createdAt: T0 + 2, type: 'working', embedding: Float32Array.from([0.9, 0.1, 0, 0, 0, 0, 0, 0]) }),
            entry('q3', 'sys/cfg', { tags: ['b'], createdAt: T0 + 3, ownerId: 'o1', accessLevel: 'system' }),
            entry('q4', 'user/old', { tags: ['a'], createdAt: T0 + 4, expiresAt: 1, embedding: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]) }),
            entry('q5', 'user/zed', { namespace: 'ns-b', createdAt: T0 + 5, metadata: { team: 'red' }, embedding: Float32Array.from([0, 1, 0, 0, 0, 0, 0, 0]) }),
        ];
        await b.bulkInsert(es);
        const ids = (r) => r.map((e) => e.id);
        expect(ids(await b.query({ type: 'exact', key: 'user/bob', namespace: 'ns-a', limit: 10 }))).toEqual(['q2']);
        expect(ids(await b.query({ type: 'prefix', keyPrefix: 'user/', limit: 10 }))).toEqual(['q5', 'q2', 'q1']); // newest first, expired q4 left out
        expect(ids(await b.query({ type: 'prefix', keyPrefix: 'user/', limit: 10, includeExpired: true }))).toEqual(['q5', 'q4', 'q2', 'q1']);
        expect(ids(await b.query({ type: 'tag', tags: ['a', 'b'], limit: 10 }))).toEqual(['q1']);
        expect(ids(await b.query({ type: 'tag', tags: ['b'], limit: 10 }))).toEqual(['q3', 'q1']);
        expect(ids(await b.query({ type: 'hybrid', memoryType: 'working', limit: 10 }))).toEqual(['q2']);
        expect(ids(await b.query({ type: 'hybrid', ownerId: 'o1', accessLevel: 'system', limit: 10 }))).toEqual(['q3']);
        expect(ids(await b.query({ type: 'hybrid', createdAfter: T0 + 2, createdBefore: T0 + 3, limit: 10 }))).toEqual(['q3', 'q2']);
        expect(ids(await b.query({ type: 'hybrid', metadata: { team: 'red' }, limit: 10 }))).toEqual(['q5']);
        expect(ids(await b.query({ type: 'prefix', keyPrefix: 'user/', limit: 1, offset: 1 }))).toEqual(['q2']);
        const q = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
        expect(ids(await b.query({ type: 'semantic', embedding: q, limit: 3 }))).toEqual(['q1', 'q2', 'q5']); // q3 has no embedding, q4 expired
        expect(ids(await b.query({ type: 'semantic', embedding: q, limit: 3, threshold: 0.5 }))).toEqual(['q1', 'q2']);
        expect(ids(await b.query({ type: 'hybrid', embedding: q, tags: ['a'], namespace: 'ns-a', limit: 5 }))).toEqual(['q1', 'q2']);
        await expect(b.query({ type: 'semantic', content: 'text', limit: 3 })).rejects.toThrow(/embeddingGenerator/);
        await expect(b.query({ type: 'fuzzy', limit: 3 })).rejects.toThrow(/query type 'fuzzy'/);
        await b.shutdown();
    });

    skipIf('search: k nearest with scores, threshold, filters; metric fixed by the store', async () => {
        const b = await open(freshDir());
        await b.bulkInsert([
            entry('s1', 'k1', { embedding: Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]), tags: ['t'] }),
            entry('s2', 'k2', { embedding: Float32Array.from([0.6, 0.8, 0, 0, 0, 0, 0, 0]) }),
            entry('s3', 'k3', { namespace: 'ns-b', embedding: Float32Array.from([0, 1, 0, 0, 0, 0, 0, 0]) }),
            entry('s4', 'k4'), // no embedding: never a search result
        ]);
        const q = Float32Array.from([1, 0, 0, 0, 0, 0, 0, 0]);
        const r = await b.search(q, { k: 10 });
        expect(r.map((h) => h.entry.id)).toEqual(['s1', 's2', 's3']);
        expect(r[0].score).toBeCloseTo(1, 6);
        expect(r[1].score).toBeCloseTo(0.6, 6);
        expect(r[1].distance).toBeCloseTo(0.4, 6);
        expect((await b.search(q, { k: 1 })).map((h) => h.entry.id)).toEqual(['s1']);
        expect((await b.search(q, { k: 10, threshold: 0.5 })).map((h) => h.entry.id)).toEqual(['s1', 's2']);
        expect((await b.search(q, { k: 10, filters: { namespace: 'ns-b' } })).map((h) => h.entry.id)).toEqual(['s3']);
        expect((await b.search(q, { k: 10, filters: { tags: ['t'] } })).map((h) => h.entry.id)).toEqual(['s1']);
        await expect(b.search(q, { k: 3, metric: 'euclidean' })).rejects.toThrow(/metric 'euclidean' differs/);
        await expect(b.search(q, { k: 3, topK: 3 })).rejects.toThrow(/unknown option 'topK'/);
        await b.shutdown();
        // euclidean: score 1 / (1 + distance), the runtime's squared L2 turned back into a distance.
        const e = await open(freshDir(), { metric: 'euclidean' });
        await e.store(entry('u', 'u', { embedding: Float32Array.from([3, 4, 0, 0, 0, 0, 0, 0]) }));
        const [h] = await e.search(new Float32Array(DIM), { k: 1 });
        expect(h.distance).toBeCloseTo(5, 5);
        expect(h.score).toBeCloseTo(1 / 6, 6);
        await e.shutdown();
    });

    skipIf('bulkInsert (one commit per namespace), bulkDelete, count, listNamespaces, clearNamespace', async () => {
        const b = await open(freshDir(), { audit: false }); // counts the data commits alone
        await b.store(entry('seed', 'seed'));
        const e0 = await epochOf(b, 'ns-a');
        const many = Array.from({ length: 50 }, (_, i) => entry(`b${i}`, `bulk-${i}`, { namespace: i % 5 === 0 ? 'ns-b' : 'ns-a', embedding: vec() }));
        await b.bulkInsert(many);
        expect(await epochOf(b, 'ns-a')).toBe(e0 + 1);
        expect(await b.count()).toBe(51);
        expect(await b.count('ns-a')).toBe(41);
        expect(await b.count('ns-b')).toBe(10);
        expect(await b.count('nowhere')).toBe(0);
        expect((await b.listNamespaces()).sort()).toEqual(['ns-a', 'ns-b']);
        expect(await b.bulkDelete(['b1', 'b2', 'b5', 'not-there', 'b1'])).toBe(3);
        expect(await b.count()).toBe(48);
        // Storing an id again in another namespace moves it (an id names one entry).
        await b.store(entry('b3', 'bulk-3', { namespace: 'ns-b' }));
        expect(await b.count('ns-b')).toBe(10);
        expect((await b.get('b3')).namespace).toBe('ns-b');
        expect(await b.clearNamespace('ns-b')).toBe(10);
        expect(await b.count('ns-b')).toBe(0);
        expect(await b.listNamespaces()).toEqual(['ns-a']);
        expect(await b.clearNamespace('nowhere')).toBe(0);
        await b.shutdown();
    });

    skipIf('TTL: expired entries are filtered out of queries and swept by filter', async () => {
        const b = await open(freshDir());
        const now = Date.now();
        await b.bulkInsert([
            entry('t1', 'live', { expiresAt: now + 3_600_000 }),
            entry('t2', 'dead', { expiresAt: now - 1 }),
            entry('t3', 'dead2', { namespace: 'ns-b', expiresAt: now - 1000 }),
            entry('t4', 'forever'),
        ]);
        expect((await b.query({ type: 'hybrid', limit: 10 })).map((e) => e.id).sort()).toEqual(['t1', 't4']);
        expect(await b.count()).toBe(4); // until swept, like @claude-flow/memory's SQLite backend
        expect(await b.sweepExpired()).toBe(2);
        expect(await b.count()).toBe(2);
        expect(await b.get('t2')).toBeNull();
        expect(await b.sweepExpired()).toBe(0);
        await b.shutdown();
    });

    skipIf('getStats, healthCheck, verifyAudit (the witness chain counts every commit)', async () => {
        const b = await open(freshDir());
        expect((await b.healthCheck()).status).toBe('healthy');
        await b.bulkInsert([entry('g1', 'a', { embedding: vec() }), entry('g2', 'b', { type: 'procedural' }), entry('g3', 'c', { namespace: 'ns-b' })]);
        await b.update('g1', { content: 'again' });
        await b.delete('g2');
        const s = await b.getStats();
        expect(s).toMatchObject({ totalEntries: 2, entriesByNamespace: { 'ns-a': 1, 'ns-b': 1 } });
        expect(s.entriesByType).toEqual({ episodic: 0, semantic: 2, procedural: 0, working: 0, cache: 0 });
        expect(s.hnswStats.vectorCount).toBe(1);
        expect(s.memoryUsage).toBe(fs.statSync(b.fileOf('ns-a')).size + fs.statSync(b.fileOf('ns-b')).size);
        const h = await b.healthCheck();
        expect(h.status).toBe('healthy');
        expect(h.issues).toEqual([]);
        const audit = await b.verifyAudit();
        const a = audit.find((x) => x.namespace === 'ns-a');
        expect(a.ok).toBe(true);
        expect(a.witnessEntries).toBe(a.epoch); // one witness entry per commit: bulkInsert, update, delete
        const dead = new RvfMemoryBackend({ directory: freshDir(), dimensions: DIM });
        expect((await dead.healthCheck()).status).toBe('unhealthy');
        await b.shutdown();
    });

    skipIf('audit trail: each write appends one audit entry naming it; recordAction and auditLog read them back; verifyAudit checks them', async () => {
        const dir = freshDir();
        const b = await open(dir);
        await b.bulkInsert([entry('w1', 'a', { embedding: vec() }), entry('w2', 'b')]);
        const e0 = await epochOf(b, 'ns-a');
        await b.update('w1', { content: 'again' });
        expect(await epochOf(b, 'ns-a')).toBe(e0 + 2); // the update's commit, then its audit entry
        await b.delete('w2');
        await b.store({ ...entry('w1', 'a'), namespace: 'ns-b', updatedAt: T0 + 9 }); // a move
        const mine = await b.recordAction('ns-a', { action: 'read', key: 'a', agent: 'agent-7' });
        expect(mine.record).toMatchObject({ action: 'read', key: 'a', agent: 'agent-7' });
        await b.shutdown();
        const again = await open(dir);
        const log = await again.auditLog('ns-a');
        expect(log.map((e) => e.record.action)).toEqual(['store', 'update', 'delete', 'move-out', 'read']);
        expect(log[0].record).toMatchObject({ count: 2, ids: ['w1', 'w2'], idsTruncated: false });
        expect(log[1].record).toMatchObject({ ids: ['w1'], version: 2 });
        expect(log[3].record).toMatchObject({ ids: ['w1'], to: 'ns-b' });
        expect(log[4].hash).toBe(mine.hash);
        for (const e of log)
            expect(e.timestamp).toBeGreaterThan(T0);
        expect((await again.auditLog('ns-b')).map((e) => e.record.action)).toEqual(['store']);
        expect(await again.auditLog('nowhere')).toEqual([]);
        expect((await again.auditLog('ns-a', { from: log[2].index, limit: 2 })).map((e) => e.record.action)).toEqual(['delete']);
        const report = (await again.verifyAudit()).find((a) => a.namespace === 'ns-a');
        expect(report).toMatchObject({ ok: true, auditEntries: 5 });
        expect(report.witnessEntries).toBe(report.epoch);
        await again.shutdown();
        // A flipped bit in an audit payload on disk: verifyAudit (and healthCheck) report it.
        const file = path.join(dir, 'ns-a.rvf');
        const bytes = fs.readFileSync(file);
        const at = bytes.indexOf(Buffer.from('"agent-7"'));
        expect(at).toBeGreaterThan(0);
        bytes[at + 2] ^= 0x01;
        fs.writeFileSync(file, bytes);
        const v = await RvfDatabase.verifyFile(file);
        expect(v.ok).toBe(false);
        // audit: false keeps the commits' own witness entries only.
        const quiet = await open(freshDir(), { audit: false });
        await quiet.store(entry('q', 'q'));
        expect(await quiet.auditLog('ns-a')).toEqual([]);
        expect((await quiet.verifyAudit())[0].auditEntries).toBe(0);
        await quiet.shutdown();
        expect(() => new RvfMemoryBackend({ directory: 'x', audit: 'yes' })).toThrow(/audit must be true or false/);
    });

    skipIf('reopen: every entry, embedding and namespace comes back from the files', async () => {
        const dir = freshDir();
        const b = await open(dir);
        const es = Array.from({ length: 30 }, (_, i) => entry(`r${i}`, `key-${i}`, {
            namespace: ['ns-a', 'ns-b', 'ns c'][i % 3], embedding: i % 4 === 0 ? undefined : vec(), tags: [`t${i % 2}`], createdAt: T0 + i,
        }));
        await b.bulkInsert(es);
        await b.update('r1', { content: 'updated' });
        await b.delete('r2');
        const q = vec();
        const before = await b.search(q, { k: 5 });
        await b.shutdown();
        const again = await open(dir);
        expect(await again.count()).toBe(29);
        expect((await again.listNamespaces()).sort()).toEqual(['ns c', 'ns-a', 'ns-b']);
        expect((await again.get('r1')).content).toBe('updated');
        expect(await again.get('r2')).toBeNull();
        expect(await again.get('r7')).toEqual(es[7]);
        expect(await again.search(q, { k: 5 })).toEqual(before);
        await again.shutdown();
        // A move between namespaces interrupted after its first commit leaves the id in two
        // files; the next initialize() keeps the newer and deletes the other.
        const other = freshDir();
        const ob = await open(other);
        await ob.store({ ...es[7], namespace: 'ns-d', content: 'moved', updatedAt: T0 + 100 }); // r7 lives in ns-b
        await ob.shutdown();
        fs.copyFileSync(path.join(other, 'ns-d.rvf'), path.join(dir, 'ns-d.rvf'));
        const healed = await open(dir);
        expect(await healed.get('r7')).toMatchObject({ namespace: 'ns-d', content: 'moved' });
        expect(await healed.count('ns-b')).toBe(9);
        expect(await healed.count()).toBe(29);
        await healed.shutdown();
        // A directory of 8-d files opened as 16-d: refused, named, nothing changed.
        const wrong = new RvfMemoryBackend({ directory: dir, dimensions: 16 });
        await expect(wrong.initialize()).rejects.toThrow(/holds 8-d vectors/);
    });

    skipIf('options: unknown keys and unsupported values are refused with InvalidOptions naming them', async () => {
        const bad = [
            [{ directory: 'x', dimension: 3 }, /unknown option 'dimension'/],
            [{ directory: 'x', metric: 'manhattan' }, /metric 'manhattan' is not supported/],
            [{ dimensions: 3 }, /option directory is required/],
        ];
        for (const [cfg, msg] of bad) {
            let err;
            try {
                new RvfMemoryBackend(cfg);
            } catch (e) {
                err = e;
            }
            expect(err).toBeInstanceOf(RvfError);
            expect(err.name).toBe('InvalidOptions');
            expect(err.message).toMatch(msg);
        }
        const b = await open(freshDir());
        await expect(b.store(entry('d', 'd', { embedding: new Float32Array(3) }))).rejects.toThrow(/3 components.*dimensions 8/);
        await b.shutdown();
        await expect(b.get('x')).rejects.toThrow(/initialize\(\) first/);
        expect(namespaceFileName('../etc')).toBe('%2E%2E%2Fetc.rvf');
    });
});

describe('UnifiedMemoryService with RvfMemoryBackend (withBackend)', () => {
    // A deterministic embedder: character trigram hashing into DIM buckets, normalised.
    const embed = async (text) => {
        const v = new Float32Array(DIM);
        for (let i = 0; i + 3 <= text.length; i++) {
            let h = 2166136261;
            for (const c of text.slice(i, i + 3))
                h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
            v[h % DIM] += 1;
        }
        const n = Math.hypot(...v) || 1;
        return v.map((x) => x / n);
    };

    skipIf('stores, searches, queries and reopens through the service', async () => {
        const dir = freshDir();
        const svc = new cf.UnifiedMemoryService({ dimensions: DIM, embeddingGenerator: embed }).withBackend(await open(dir, { embeddingGenerator: embed }));
        await svc.initialize();
        const texts = ['the cat sat on the mat', 'dogs chase cats around', 'quantum field theory notes', 'a recipe for lemon cake'];
        const stored = [];
        for (const [i, t] of texts.entries())
            stored.push(await svc.storeEntry({ key: `note-${i}`, content: t, namespace: 'notes', tags: i < 2 ? ['animals'] : [] }));
        expect(stored.every((e) => e.embedding instanceof Float32Array)).toBe(true);
        expect(await svc.count('notes')).toBe(4);
        const hits = await svc.semanticSearch('the cat sat on a mat', 2);
        expect(hits[0].entry.key).toBe('note-0');
        expect((await svc.getByKey('notes', 'note-2')).content).toBe('quantum field theory notes');
        const tagged = await svc.query({ type: 'tag', tags: ['animals'], namespace: 'notes', limit: 10 });
        expect(tagged.map((e) => e.key).sort()).toEqual(['note-0', 'note-1']);
        const sem = await svc.query({ type: 'semantic', content: 'lemon cake recipe', limit: 1 });
        expect(sem[0].key).toBe('note-3');
        const withTag = await svc.addTags(stored[2].id, ['physics']);
        expect(withTag.tags).toEqual(['physics']);
        expect(withTag.version).toBe(2);
        const similar = await svc.findSimilar(stored[0].id, 1);
        expect(similar.length).toBe(1);
        expect(similar[0].entry.id).not.toBe(stored[0].id);
        expect((await svc.healthCheck()).status).toBe('healthy');
        await svc.shutdown();

        const svc2 = new cf.UnifiedMemoryService({ dimensions: DIM, embeddingGenerator: embed }).withBackend(await open(dir));
        await svc2.initialize();
        expect(await svc2.count()).toBe(4);
        expect((await svc2.get(stored[2].id)).tags).toEqual(['physics']);
        expect((await svc2.semanticSearch('the cat sat on a mat', 1))[0].entry.key).toBe('note-0');
        await svc2.shutdown();
    });

    skipIf('createDefaultEntry entries round-trip through the backend', async () => {
        const b = await open(freshDir());
        const e = cf.createDefaultEntry({ key: 'k', content: 'c', namespace: 'n', tags: ['t'], metadata: { m: [1, 2] } });
        await b.store(e);
        expect(await b.get(e.id)).toEqual(e);
        await b.shutdown();
    });
});

/** Run the `rvf` CLI in-process: {code, out, err}. */
async function rvf(args) {
    let out = '', err = '';
    const code = await main(args, { stdout: { write: (t) => { out += t; } }, stderr: { write: (t) => { err += t; } } });
    return { code, out, err };
}

describe('rvf memory store|search|list|import', () => {
    skipIf('store, search and list memories; the directory opens in RvfMemoryBackend', async () => {
        const dir = freshDir();
        const notes = [['auth', 'JWT access tokens with refresh rotation', 'sec,auth'], ['cake', 'lemon cake recipe with sugar and eggs', ''],
            ['deploy', 'deploy with blue green rollout and health checks', 'ops']];
        for (const [key, value, tags] of notes) {
            const r = await rvf(['memory', 'store', '--dir', dir, '--key', key, '--value', value, ...(tags ? ['--tags', tags] : []), '--json']);
            expect(r.code, r.err).toBe(0);
        }
        expect((await rvf(['memory', 'store', '--dir', dir, '-k', 'cake', '-v', 'lemon cake recipe with sugar and eggs', '-n', 'food'])).code).toBe(0);
        const s = await rvf(['memory', 'search', '--dir', dir, '--query', 'refresh token rotation', '--limit', '2', '--json']);
        expect(s.code, s.err).toBe(0);
        const hits = JSON.parse(s.out);
        expect(hits[0]).toMatchObject({ key: 'auth', namespace: 'default' });
        expect(hits.length).toBe(2);
        const food = JSON.parse((await rvf(['memory', 'search', '--dir', dir, '-q', 'cake', '-n', 'food', '--json'])).out);
        expect(food.map((h) => h.namespace)).toEqual(['food']);
        // Storing a key again replaces it (same id, version 2).
        expect((await rvf(['memory', 'store', '--dir', dir, '-k', 'auth', '-v', 'opaque session tokens'])).code).toBe(0);
        const listed = JSON.parse((await rvf(['memory', 'list', '--dir', dir, '-n', 'default', '--json'])).out);
        expect(listed.map((e) => e.key).sort()).toEqual(['auth', 'cake', 'deploy']);
        const b = await open(dir, { dimensions: 128 });
        const auth = await b.getByKey('default', 'auth');
        expect(auth).toMatchObject({ content: 'opaque session tokens', version: 2, tags: [] });
        expect(await b.count()).toBe(4);
        await b.shutdown();
        const bad = await rvf(['memory', 'store', '--dir', dir, '--key', 'x']);
        expect(bad.code).toBe(2);
        expect(bad.err).toMatch(/--value is required/);
        expect((await rvf(['memory', 'frob'])).err).toMatch(/unknown action 'frob'/);
    });

    skipIf("import: a snapshot written by @claude-flow/memory's own RvfBackend", async () => {
        const { RvfBackend } = await import(pathToFileURL(path.join(cacheDir, 'node_modules/@claude-flow/memory/dist/rvf-backend.js')).href);
        const snap = path.join(work, 'claude-flow-snapshot.rvf');
        const theirs = new RvfBackend({ databasePath: snap, dimensions: DIM });
        await theirs.initialize();
        const es = [
            cf.createDefaultEntry({ key: 'a', content: 'alpha notes', namespace: 'proj', tags: ['t1'], metadata: { n: 1 } }),
            cf.createDefaultEntry({ key: 'b', content: 'beta notes', namespace: 'proj' }),
            cf.createDefaultEntry({ key: 'c', content: 'gamma', namespace: 'other', expiresAt: T0 * 2 }),
        ];
        es[0].embedding = vec();
        es[1].embedding = vec();
        for (const e of es)
            await theirs.store(e);
        await theirs.shutdown(); // writes the snapshot
        expect(readClaudeFlowSnapshot(new Uint8Array(fs.readFileSync(snap))).entries.length).toBe(3);
        const dir = freshDir();
        const r = await rvf(['memory', 'import', snap, '--dir', dir, '--dimensions', String(DIM), '--json']);
        expect(r.code, r.err).toBe(0);
        expect(JSON.parse(r.out)).toMatchObject({ imported: 3, namespaces: ['other', 'proj'] });
        const b = await open(dir);
        for (const e of es.slice(0, 2))
            expect(await b.get(e.id)).toEqual(e);
        const c = await b.get(es[2].id);
        expect(c).toMatchObject({ key: 'c', namespace: 'other', expiresAt: T0 * 2 });
        expect(c.embedding.length).toBe(DIM); // no embedding in the snapshot: embedded on import
        await b.shutdown();
        const notSnap = path.join(work, 'not-memory.txt');
        fs.writeFileSync(notSnap, 'hello');
        const bad = await rvf(['memory', 'import', notSnap, '--dir', freshDir()]);
        expect(bad.code).toBe(3);
        expect(bad.err).toMatch(/neither a @claude-flow\/memory "RVF\\0" snapshot nor a claude-flow SQLite database/);
    });

    // tests/data/claude-flow: the same six entries written once by @claude-flow/memory 3.2.2's
    // RvfBackend (snapshot.rvf) and SqlJsBackend (memory.db, the CLI's .swarm/memory.db schema).
    it.each(['snapshot.rvf', 'memory.db'])("import: claude-flow's %s sample, every entry (the one without an embedding too)", async (name) => {
        const dir = freshDir();
        const r = await rvf(['memory', 'import', path.join(here, '../../data/claude-flow', name), '--dir', dir, '--dimensions', String(CF_SAMPLE_DIM), '--json']);
        if (r.code === 5 && /sql\.js/.test(r.err)) {
            console.warn(`claude_flow_memory: ${name} import not checked — sql.js (the SDK's optional peer) is not installed: ${r.err.trim()}`);
            return;
        }
        expect(r.code, r.err).toBe(0);
        expect(JSON.parse(r.out)).toMatchObject({ imported: 6, namespaces: ['default', 'patterns'] });
        const b = await open(dir);
        for (const want of CF_SAMPLE) {
            const got = await b.getByKey(want.namespace, want.key);
            expect(got).toMatchObject({ content: want.content, type: want.type, tags: want.tags, metadata: want.metadata, version: 1 });
            expect(got.id).toMatch(/^mem_/); // claude-flow's own ids are kept
            if (want.embedding)
                want.embedding.forEach((x, d) => expect(got.embedding[d]).toBeCloseTo(x, 6));
        }
        expect(await b.count()).toBe(6);
        await b.shutdown();
    });
});
