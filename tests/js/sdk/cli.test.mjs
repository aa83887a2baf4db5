// The `rvf` command line (npm/rvf/bin/rvf.js), run as a child process in temp dirs: every input
// format, --json output, exit codes, helpful errors. Uses the wasm backend unless a test says
// otherwise, so it runs where the native addon is not built.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';
import { findServeTool } from '../../../npm/rvf/src/cli/serve.js';
import { writeSample } from '../../../npm/rvf/src/cli/sample-data.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const bin = path.join(root, 'npm/rvf/bin/rvf.js');
const native = await nativeAvailability();
const serveTool = process.env.RVF_NATIVE_TOOL ? null : findServeTool(); // a build of this repository

let dir;
const p = (n) => path.join(dir, n);

function rvf(args, { input, env } = {}) {
    const r = spawnSync(process.execPath, [bin, ...args], {
        input, encoding: 'utf8', cwd: dir, env: { ...process.env, RVF_BACKEND: 'wasm', ...env }, timeout: 60000,
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
}
const json = (r) => {
    expect(r.err.includes('"error"') ? r.err : '', 'no error').toBe('');
    return JSON.parse(r.out);
};

// 6 vectors of dimension 3: row i = [i, i+1, i+2] / 10.
const ROWS = Array.from({ length: 6 }, (_, i) => [i, i + 1, i + 2].map((x) => x / 10));

function writeFvecs(file, rows, kind = 'f') {
    const size = kind === 'b' ? 1 : 4;
    const buf = Buffer.alloc(rows.length * (4 + rows[0].length * size));
    let o = 0;
    for (const r of rows) {
        buf.writeInt32LE(r.length, o);
        o += 4;
        for (const x of r) {
            if (kind === 'b')
                buf.writeUInt8(x, o);
            else if (kind === 'i')
                buf.writeInt32LE(x, o);
            else
                buf.writeFloatLE(x, o);
            o += size;
        }
    }
    fs.writeFileSync(file, buf);
}

function writeNpy(file, rows) {
    const header = `{'descr': '<f4', 'fortran_order': False, 'shape': (${rows.length}, ${rows[0].length}), }`;
    const padded = header.padEnd(Math.ceil((10 + header.length + 1) / 64) * 64 - 10 - 1, ' ') + '\n';
    const head = Buffer.alloc(10);
    Buffer.from([0x93]).copy(head, 0);
    head.write('NUMPY', 1, 'latin1');
    head[6] = 1;
    head[7] = 0;
    head.writeUInt16LE(padded.length, 8);
    const data = Buffer.alloc(rows.length * rows[0].length * 4);
    rows.flat().forEach((x, i) => data.writeFloatLE(x, i * 4));
    fs.writeFileSync(file, Buffer.concat([head, Buffer.from(padded, 'latin1'), data]));
}

beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cli-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

describe('rvf CLI', () => {
    it('--version and help', () => {
        const v = rvf(['--version']);
        expect(v.code).toBe(0);
        expect(v.out).toMatch(/^rvf \d+\.\d+\.\d+ .*runtime \d+\.\d+\.\d+/);
        const vj = json(rvf(['--version', '--json']));
        expect(vj.sdk).toBe(JSON.parse(fs.readFileSync(path.join(root, 'npm/rvf/package.json'), 'utf8')).version);
        expect(rvf([]).code).toBe(2);
        const h = rvf(['ingest', '--help']);
        expect(h.code).toBe(0);
        expect(h.out).toContain('--id-start');
    });

    it('ingests .fvecs (creating the store) and queries with --json', () => {
        writeFvecs(p('a.fvecs'), ROWS);
        const r = json(rvf(['ingest', 'f.rvf', 'a.fvecs', '--json']));
        expect(r).toMatchObject({ created: true, accepted: 6, rejected: 0, totalVectors: 6, backend: 'wasm' });
        const hits = json(rvf(['query', 'f.rvf', '--vector', JSON.stringify(ROWS[4]), '-k', '3', '--json']));
        expect(hits[0].id).toBe(4);
        expect(hits.slice(1).map((h) => h.id).sort()).toEqual([3, 5]); // equidistant neighbours
        expect(hits[0].distance).toBe(0);
        const s = json(rvf(['inspect', 'f.rvf', '--json']));
        expect(s.status).toMatchObject({ totalVectors: 6, dimensions: 3, metric: 'l2' });
        expect(s.segments.some((g) => g.segType === 'vec')).toBe(true);
        expect(s.verify.ok).toBe(true);
    });

    it('ingests .bvecs, .npy, .csv (with header), .jsonl and stdin', () => {
        writeFvecs(p('b.bvecs'), [[1, 2, 3], [200, 100, 0]], 'b');
        expect(json(rvf(['ingest', 'b.rvf', 'b.bvecs', '--json'])).accepted).toBe(2);
        expect(json(rvf(['query', 'b.rvf', '--vector', '200,100,0', '-k', '1', '--json']))[0].id).toBe(1);

        writeNpy(p('n.npy'), ROWS);
        expect(json(rvf(['ingest', 'n.rvf', 'n.npy', '--id-start', '100', '--json'])).accepted).toBe(6);
        expect(json(rvf(['query', 'n.rvf', '--vector', JSON.stringify(ROWS[2]), '-k', '1', '--json']))[0].id).toBe(102);

        fs.writeFileSync(p('c.csv'), 'id,x,y,z,meta.kind\nalpha,1,0,0,red\nbeta,0,1,0,blue\ngamma,0,0,1,red\n');
        expect(json(rvf(['ingest', 'c.rvf', 'c.csv', '--json'])).accepted).toBe(3);
        const red = json(rvf(['query', 'c.rvf', '--vector', '[0,0,1]', '-k', '5', '--filter', '{"op":"eq","field":"kind","value":"red"}', '--json']));
        expect(red.map((h) => h.id)).toEqual(['gamma', 'alpha']);

        fs.writeFileSync(p('j.jsonl'), `${ROWS.map((v, i) => JSON.stringify({ id: `doc-${i}`, vector: v, metadata: { n: i } })).join('\n')}\n`);
        expect(json(rvf(['ingest', 'j.rvf', 'j.jsonl', '--json'])).accepted).toBe(6);
        const big = json(rvf(['query', 'j.rvf', '--vector', JSON.stringify(ROWS[0]), '-k', '6', '--filter', '{"op":"ge","field":"n","value":4}', '--metadata', '--json']));
        expect(big.map((h) => h.id)).toEqual(['doc-4', 'doc-5']);
        expect(big[0].metadata).toEqual({ n: 4 });

        const stdin = ROWS.map((v) => JSON.stringify(v)).join('\n');
        const s = json(rvf(['ingest', 's.rvf', '-', '--id-start', '7', '--json'], { input: stdin }));
        expect(s).toMatchObject({ accepted: 6, totalVectors: 6 });
        const csvIn = json(rvf(['ingest', 's.rvf', '-', '--format', 'csv', '--id-start', '50', '--json'], { input: '1,1,1\n2,2,2\n' }));
        expect(csvIn).toMatchObject({ created: false, accepted: 2, totalVectors: 8 });
    });

    it('answers --queries files with recall against a ground truth', () => {
        writeFvecs(p('q.fvecs'), [ROWS[1], ROWS[5]]);
        writeFvecs(p('gt.ivecs'), [[1, 0, 2], [5, 4, 3]], 'i');
        const lists = json(rvf(['query', 'f.rvf', '--queries', 'q.fvecs', '-k', '3', '--json']));
        expect(lists.map((l) => l[0].id)).toEqual([1, 5]);
        const withTruth = json(rvf(['query', 'f.rvf', '--queries', 'q.fvecs', '--groundtruth', 'gt.ivecs', '-k', '3', '--json']));
        expect(withTruth.recallAtK).toBe(1);
        expect(withTruth.latencyMs.p50).toBeGreaterThan(0);
        const human = rvf(['query', 'f.rvf', '--queries', 'q.fvecs', '--groundtruth', 'gt.ivecs', '-k', '3']);
        expect(human.out).toMatch(/recall@3: 1\.0000/);
    });

    it('shows a progress bar with rate and ETA on request', () => {
        const rows = Array.from({ length: 3000 }, (_, i) => [i % 7, i % 11, i % 13]);
        writeFvecs(p('many.fvecs'), rows);
        const r = rvf(['ingest', 'many.rvf', 'many.fvecs', '--progress', '--batch', '500']);
        expect(r.code).toBe(0);
        expect(r.err).toMatch(/ingest \[#+\.*\]\s+\d+% [\d,]+ vec\s+[\d,]+ vec\/s\s+(ETA|in) /);
        expect(r.out).toMatch(/\+3000 vectors/);
        const quiet = rvf(['ingest', 'many2.rvf', 'many.fvecs']);
        expect(quiet.err).toBe(''); // not a terminal: no bar
    });

    it('verify, compact, convert and export', () => {
        fs.copyFileSync(p('j.rvf'), p('k.rvf'));
        expect(json(rvf(['verify', 'k.rvf', '--json'])).ok).toBe(true);
        const c = json(rvf(['compact', 'k.rvf', '--json']));
        expect(c.sizeAfter).toBeGreaterThan(0);
        expect(c.epoch).toBeGreaterThan(0);
        // The same input compacted under a throttle: the same size of file.
        fs.copyFileSync(p('j.rvf'), p('kt.rvf'));
        const t = json(rvf(['compact', 'kt.rvf', '--io-bytes-per-second', '50000000', '--json']));
        expect(t.sizeAfter).toBe(c.sizeAfter);
        expect(rvf(['compact', 'kt.rvf', '--io-bytes-per-second', '-1']).code).toBe(2);
        expect(json(rvf(['verify', 'k.rvf', '--json'])).ok).toBe(true);
        expect(rvf(['convert', 'k.rvf', 'k-r.rvf', '--layout', 'r']).code).toBe(0);
        const r = json(rvf(['inspect', 'k-r.rvf', '--json']));
        expect(r.status).toMatchObject({ layout: 'R', totalVectors: 6 });
        expect(rvf(['convert', 'k.rvf', 'k-r.rvf', '--layout', 'r']).code).toBe(2); // exists, no --force
        expect(json(rvf(['convert', 'k-r.rvf', 'k-s.rvf', '--layout', 's', '--json'])).layout).toBe('S');
        expect(json(rvf(['inspect', 'k-s.rvf', '--json'])).status.layout).toBe('S');
        const out = rvf(['export', 'k.rvf']);
        expect(out.code).toBe(0);
        const lines = out.out.trim().split('\n').map((l) => JSON.parse(l));
        // In u64 id order (a string id sorts by the u64 it hashes to), so compare as a set.
        expect(lines.map((l) => l.id).sort()).toEqual(['doc-0', 'doc-1', 'doc-2', 'doc-3', 'doc-4', 'doc-5']);
        const doc3 = lines.find((l) => l.id === 'doc-3');
        expect(doc3.metadata).toEqual({ n: 3 });
        expect(doc3.vector).toEqual(ROWS[3]); // shortest f32 text: 0.3, not 0.30000001192092896
        // Round trip: export → ingest into a new store → same answers.
        fs.writeFileSync(p('exported.jsonl'), out.out);
        expect(json(rvf(['ingest', 'k2.rvf', 'exported.jsonl', '--json'])).accepted).toBe(6);
        expect(json(rvf(['query', 'k2.rvf', '--vector', JSON.stringify(ROWS[3]), '-k', '1', '--json']))[0].id).toBe('doc-3');
    });

    it('exit codes and helpful errors', () => {
        const missing = rvf(['query', 'nope.rvf', '--vector', '[1,2,3]']);
        expect(missing.code).toBe(1);
        expect(missing.err).toMatch(/ManifestNotFound/);
        const j = rvf(['query', 'nope.rvf', '--vector', '[1,2,3]', '--json']);
        expect(JSON.parse(j.err)).toMatchObject({ error: { name: 'ManifestNotFound', code: 0x0106 }, exitCode: 1 });
        const dim = rvf(['query', 'f.rvf', '--vector', '[1,2]']);
        expect(dim.code).toBe(1);
        expect(dim.err).toMatch(/DimensionMismatch/);
        expect(rvf(['query', 'f.rvf']).code).toBe(2);              // neither --vector nor --queries
        expect(rvf(['query', 'f.rvf', '--vector', '[1,2,3]', '--kk', '3']).err).toMatch(/unknown option --kk/);
        expect(rvf(['query', 'f.rvf', '--vector', '[1,2,3]', '-k', 'ten']).code).toBe(2);
        expect(rvf(['query', 'f.rvf', '--vector', '[1,2,3]', '--filter', '{bad']).code).toBe(2);
        expect(rvf(['query', 'f.rvf', '--vector', '[1,2,3]', '--filter', '{"op":"nope"}']).err).toMatch(/FilterParseError/);
        expect(rvf(['frobnicate']).code).toBe(2);
        expect(rvf(['create', 'x.rvf']).code).toBe(2);            // --dimensions missing
        fs.writeFileSync(p('bad.fvecs'), Buffer.from([3, 0, 0, 0, 1, 2]));
        const bad = rvf(['ingest', 'bad.rvf', 'bad.fvecs']);
        expect(bad.code).toBe(3);
        expect(bad.err).toMatch(/ends inside fvecs record 0/);
        fs.writeFileSync(p('bad.jsonl'), '{"vector":[1,2,3]}\nnot json\n');
        expect(rvf(['ingest', 'bad2.rvf', 'bad.jsonl']).err).toMatch(/line 2: not JSON/);
        expect(rvf(['ingest', 'x.rvf', 'data.txt']).code).toBe(2); // unknown extension
        expect(rvf(['ingest', 'f.rvf', 'missing.fvecs']).code).toBe(3);
        writeFvecs(p('d4.fvecs'), [[1, 2, 3, 4]]);
        expect(rvf(['ingest', 'f.rvf', 'd4.fvecs']).err).toMatch(/4 components, f\.rvf has dimension 3/);
        const nan = rvf(['ingest', 'f.rvf', '-', '--format', 'csv', '--id-start', '900'], { input: '1,nan,2\n' });
        expect(nan.code).toBe(1); // every row rejected: nothing written, and the status says so
        expect(nan.out).toMatch(/1 rejected:[\s\S]*NaN/);
        expect(nan.err).toMatch(/the 1 vector read was rejected: nothing was committed, f\.rvf is unchanged/);
        // Corrupt a byte inside the first VEC payload: the file no longer opens, and verify still
        // lists what is wrong and exits 4 (issue 14 #9: it exited 1 with only the open error).
        const bytes = fs.readFileSync(p('f.rvf'));
        const seg = json(rvf(['inspect', 'f.rvf', '--json'])).segments.find((g) => g.segType === 'vec');
        bytes[seg.offset + 64 + 2] ^= 0x40;
        fs.writeFileSync(p('corrupt.rvf'), bytes);
        for (const backend of native.available ? ['native', 'wasm'] : ['wasm']) {
            const v = rvf(['verify', 'corrupt.rvf', '--backend', backend]);
            expect(v.code).toBe(4);
            expect(v.out).toMatch(/FAILED: corrupt\.rvf: \d+ problem/);
            expect(v.out).toMatch(new RegExp(`content hash mismatch in segment \\d+ at offset ${seg.offset}`));
            const j = json(rvf(['verify', 'corrupt.rvf', '--json', '--backend', backend]));
            expect(j.ok).toBe(false);
            expect(j.problems.length).toBeGreaterThan(0);
        }
    });

    it('serve without the native tool says how to get it (exit 5)', () => {
        const r = rvf(['serve', 'f.rvf'], { env: { RVF_NATIVE_TOOL: p('no-such-rvf') } });
        expect(r.code).toBe(5);
        expect(r.err).toMatch(/RVF_NATIVE_TOOL=.*no-such-rvf is not a native `rvf` executable/);
        expect(rvf(['serve', '--help']).code).toBe(0);
    }, 15000);

    // Issue 15: the wrapper exited on SIGINT at once and left the server running (port + lock).
    for (const signal of ['SIGINT', 'SIGTERM']) it.skipIf(!serveTool || !native.available)(`serve: ${signal} to the wrapper alone reaches the server, which closes the store; the wrapper exits with its status`, async () => {
        const file = `serve-${signal}.rvf`;
        const child = spawn(process.execPath, [bin, 'serve', file, '--http', '0', '--tcp', 'off', '--dimension', '3', '--no-auth'],
            { cwd: dir, env: { ...process.env, RVF_NATIVE_TOOL: serveTool } });
        let out = '';
        const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
        const port = await new Promise((resolve, reject) => {
            child.stdout.on('data', (d) => {
                out += d;
                const m = /listening http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
                if (m)
                    resolve(Number(m[1]));
            });
            exited.then(() => reject(new Error(`serve exited before listening: ${out}`)));
        });
        expect((await fetch(`http://127.0.0.1:${port}/v1/health`)).status).toBe(200);
        child.kill(signal);
        expect(await exited).toBe(0);
        expect(out).toMatch(new RegExp(`${signal} received, shutting down\\n[\\s\\S]*closed ${file.replace('.', '\\.')} at epoch`));
        expect(fs.existsSync(p(`${file}.lock`))).toBe(false);
        const again = rvf(['ingest', file, '-', '--format', 'csv', '--backend', 'native'], { input: '1,2,3\n' }); // a writer gets the lock
        expect(again.code, again.err).toBe(0);
    }, 60000);

    it('serve --help: the wrapper\'s summary, then the native tool\'s own options', () => {
        const r = rvf(['serve', '--help']);
        expect(r.code).toBe(0);
        expect(r.out).toMatch(/SIGINT\/SIGTERM are forwarded/);
        if (serveTool)
            expect(r.out).toMatch(/native tool: .*\n\s*rvf serve FILE \[--http PORT\|off\][\s\S]*--token-file PATH/);
        else
            expect(r.out).toMatch(/the native tool was not found: serve needs the native `rvf` tool/);
    }, 15000);

    it.skipIf(!native.available)('--backend native writes files the wasm backend reads', () => {
        writeFvecs(p('nat.fvecs'), ROWS);
        const r = json(rvf(['ingest', 'nat.rvf', 'nat.fvecs', '--backend', 'native', '--json']));
        expect(r.backend).toBe('native');
        const hits = json(rvf(['query', 'nat.rvf', '--vector', JSON.stringify(ROWS[0]), '-k', '2', '--json', '--backend', 'wasm']));
        expect(hits.map((h) => h.id)).toEqual([0, 1]);
    });
});

// The set demo/bench generate where SIFT10K is not shipped (an npm install): same bytes on every
// run, and its ground truth is the exact nearest neighbours.
describe('generated demo dataset', () => {
    it('is deterministic, and row i of the ground truth lists query i\'s nearest base rows in order', () => {
        const small = { base: 300, queries: 4, dim: 8, truth: 10, clusters: 3, seed: 7 };
        const a = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sample-a-'));
        const b = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-sample-b-'));
        try {
            writeSample(a, small);
            writeSample(b, small);
            const names = ['sample_base.fvecs', 'sample_query.fvecs', 'sample_groundtruth.ivecs'];
            for (const n of names)
                expect(fs.readFileSync(path.join(a, n)).equals(fs.readFileSync(path.join(b, n))), n).toBe(true);
            const rows = (n, dim, read) => {
                const buf = fs.readFileSync(path.join(a, n));
                const out = [];
                for (let o = 0; o < buf.length; o += 4 * (dim + 1)) {
                    expect(buf.readInt32LE(o)).toBe(dim);
                    out.push(Array.from({ length: dim }, (_, i) => read.call(buf, o + 4 + 4 * i)));
                }
                return out;
            };
            const base = rows(names[0], 8, Buffer.prototype.readFloatLE);
            const queries = rows(names[1], 8, Buffer.prototype.readFloatLE);
            const truth = rows(names[2], 10, Buffer.prototype.readInt32LE);
            expect([base.length, queries.length, truth.length]).toEqual([300, 4, 4]);
            queries.forEach((q, qi) => {
                const d = base.map((v, id) => [v.reduce((s, x, i) => s + (x - q[i]) ** 2, 0), id]).sort((x, y) => x[0] - y[0] || x[1] - y[1]);
                expect(truth[qi]).toEqual(d.slice(0, 10).map((x) => x[1]));
            });
        } finally {
            fs.rmSync(a, { recursive: true, force: true });
            fs.rmSync(b, { recursive: true, force: true });
        }
    });
});

describe('npm pack of @ruvector/rvf', () => {
    it('ships only the CLI, the SDK sources, its CommonJS face, the types and the README', () => {
        const r = spawnSync('npm', ['pack', '--dry-run', '--json'], { cwd: path.join(root, 'npm/rvf'), encoding: 'utf8', timeout: 60000 });
        expect(r.status).toBe(0);
        const files = JSON.parse(r.stdout)[0].files.map((f) => f.path);
        expect(files).toContain('bin/rvf.js');
        expect(files).toContain('src/index.js');
        expect(files).toContain('index.d.ts');
        expect(files).toContain('index.d.cts'); // generated by prepack (scripts/build.mjs)
        expect(files).toContain('cjs/index.cjs');
        for (const f of files)
            expect(f).toMatch(/^(bin\/rvf\.js|src\/[\w/.-]+\.(js|d\.c?ts)|index\.d\.c?ts|cjs\/index\.cjs|README\.md|package\.json)$/);
    }, 60000);
});
