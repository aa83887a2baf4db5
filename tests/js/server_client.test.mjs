// `rvf serve` driven from Node: the built native binary is spawned on a temp file with ephemeral
// ports, then exercised over HTTP with the SDK's RvfServerClient (npm/rvf/src/server-client.js:
// JSON routes, /v1/file Range/ETag, SSE via fetch streaming) and over raw TCP with node:net
// (upstream's binary frames, SUBSCRIBE → UPDATE_NOTIFY, malformed and oversized frames), and
// finally stopped with SIGTERM, after which the file must verify and reopen with every write.
// Binary: $RVF_SERVE_BIN, else the `rvf` of build/native-debug, build/native-release or
// build/server; skipped (with a message) when none of them has the `serve` command.
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findServeBinary } from './helpers/serve_binary.mjs';
import { RvfServerClient, RvfServerError } from '../../npm/rvf/src/server-client.js';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));


const bin = findServeBinary();
if (!bin)
    console.warn('server_client.test.mjs: skipped — no `rvf` binary with the serve command; build it with ' +
                 '`cmake --preset native-debug && cmake --build --preset native-debug --target rvf` or set RVF_SERVE_BIN');

// The write token the servers below get through RVF_SERVE_TOKEN (token: null → none set, so the
// server generates one and prints it on stderr).
const TOKEN = 'js-test-token-5f2c9a';

/** Spawns `rvf serve FILE ...` and resolves once it prints its listening line. */
function startServer(file, extra = [], { token = TOKEN } = {}) {
    const env = { ...process.env };
    delete env.RVF_SERVE_TOKEN;
    if (token) env.RVF_SERVE_TOKEN = token;
    const child = spawn(bin, ['serve', file, '--http', '0', '--tcp', '0', ...extra], { stdio: ['ignore', 'pipe', 'pipe'], env });
    let out = '';
    let err = '';
    const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, out, err })));
    const ready = new Promise((resolve, reject) => {
        child.stdout.on('data', (d) => {
            out += d;
            const m = /http:\/\/([\d.]+):(\d+) tcp:\/\/[\d.]+:(\d+)/.exec(out);
            if (m) resolve({ host: m[1], http: Number(m[2]), tcp: Number(m[3]) });
        });
        child.stderr.on('data', (d) => (err += d));
        child.on('exit', (code) => reject(new Error(`rvf serve exited (${code}) before listening: ${err}`)));
    });
    return { child, ready, exited, stderrSoFar: async () => err };
}

// --- raw TCP: frames are u32 BE length | u8 type | u8[3] msg id | payload (LE fields) ---------------

function frame(type, id, payload = Buffer.alloc(0)) {
    const h = Buffer.alloc(8);
    h.writeUInt32BE(payload.length, 0);
    h.writeUInt8(type, 4);
    h.writeUIntBE(id, 5, 3);
    return Buffer.concat([h, payload]);
}

class TcpPeer {
    constructor(port) {
        this.buf = Buffer.alloc(0);
        this.waiters = [];
        this.closed = false;
        this.sock = net.connect(port, '127.0.0.1');
        this.sock.on('data', (d) => {
            this.buf = Buffer.concat([this.buf, d]);
            this.#pump();
        });
        this.sock.on('close', () => {
            this.closed = true;
            this.#pump();
        });
        this.sock.on('error', () => {});
    }
    connected() {
        return new Promise((resolve) => this.sock.once('connect', resolve));
    }
    #pump() {
        while (this.waiters.length) {
            if (this.buf.length >= 8 && this.buf.length >= 8 + this.buf.readUInt32BE(0)) {
                const len = this.buf.readUInt32BE(0);
                const f = { type: this.buf[4], id: this.buf.readUIntBE(5, 3), payload: this.buf.subarray(8, 8 + len) };
                this.buf = this.buf.subarray(8 + len);
                this.waiters.shift().resolve(f);
            } else if (this.closed) {
                this.waiters.shift().resolve(null);
            } else {
                return;
            }
        }
    }
    /** The next frame, or null once the server closed the connection. */
    next() {
        return new Promise((resolve) => {
            this.waiters.push({ resolve });
            this.#pump();
        });
    }
    async request(type, id, payload) {
        this.sock.write(frame(type, id, payload));
        return this.next();
    }
    end() {
        this.sock.destroy();
    }
}

const f32s = (arr) => Buffer.from(new Float32Array(arr).buffer);
function ingestPayload(rows) { // upstream: u32 count | u16 dim | count × (u64 id, dim × f32)
    const dim = rows[0][1].length;
    const head = Buffer.alloc(6);
    head.writeUInt32LE(rows.length, 0);
    head.writeUInt16LE(dim, 4);
    return Buffer.concat([head, ...rows.map(([id, v]) => {
        const b = Buffer.alloc(8);
        b.writeBigUInt64LE(BigInt(id));
        return Buffer.concat([b, f32s(v)]);
    })]);
}
function queryPayload(k, v) { // u32 k | u32 dim | dim × f32
    const head = Buffer.alloc(8);
    head.writeUInt32LE(k, 0);
    head.writeUInt32LE(v.length, 4);
    return Buffer.concat([head, f32s(v)]);
}
/** AUTH (0x10): the token as the whole payload; AUTH_OK (0x90) back. */
async function tcpAuth(peer, token = TOKEN) {
    const ok = await peer.request(0x10, 0xa0, Buffer.from(token));
    expect(ok.type).toBe(0x90);
}
const errorOf = (f) => ({ code: f.payload.readUInt16LE(0), desc: f.payload.subarray(4, 4 + f.payload.readUInt16LE(2)).toString() });

// ------------------------------------------------------------------------------------------------------------

describe.skipIf(!bin)('rvf serve (native binary) from Node', () => {
    let work;
    let file;
    let server;
    let ports;
    let client;

    beforeAll(async () => {
        work = mkdtempSync(path.join(os.tmpdir(), 'rvf-serve-js-'));
        file = path.join(work, 'served.rvf');
        server = startServer(file, ['--dimension', '4']);
        ports = await server.ready;
        client = new RvfServerClient(`http://127.0.0.1:${ports.http}`, { token: TOKEN });
    });
    afterAll(() => {
        if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
        if (work) rmSync(work, { recursive: true, force: true });
    });

    it('answers the JSON routes with upstream shapes', async () => {
        expect(await client.health()).toEqual({ status: 'ok' });
        const ing = await client.ingest([1, 2n, '3'], [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0]],
                                        [{ 1: 'news' }, { 1: 'blog', 2: { u64: 7 } }, null]);
        expect(ing).toMatchObject({ accepted: 3, rejected: 0 });
        const q = await client.query([0, 1, 0, 0], 2);
        expect(q.results.map((r) => r.id)).toEqual([2, 1]);
        expect(q.results[0].distance).toBe(0);
        const f = await client.query(new Float32Array([0, 1, 0, 0]), 10, { filter: { op: 'eq', field: 1, value: 'news' } });
        expect(f.results.map((r) => r.id)).toEqual([1]);
        const st = await client.status();
        expect(st).toMatchObject({ total_vectors: 3, dimension: 4, read_only: false, current_epoch: ing.epoch });
    });

    it('turns bad requests into RvfServerError with the RVF code', async () => {
        const bad = await client.ingest([9], [[1, 2, 3]]).catch((e) => e);
        expect(bad).toBeInstanceOf(RvfServerError);
        expect(bad.httpStatus).toBe(400);
        expect(bad.codeName).toBe('DimensionMismatch');
        expect(bad.code).toBe(0x0200);
        const res = await fetch(`${client.baseUrl}/v1/query`, { method: 'POST', body: '{"vector": [1,', headers: { 'content-type': 'application/json' } });
        expect(res.status).toBe(400);
        expect(await res.json()).toMatchObject({ code: 0xff04, name: 'InvalidArgument' });
        const filt = await client.query([1, 0, 0, 0], 1, { filter: { op: 'nope' } }).catch((e) => e);
        expect(filt.codeName).toBe('FilterParseError');
    });

    it('serves the committed file with Range, ETag, 304, 416 and HEAD', async () => {
        const disk = readFileSync(file);
        const full = await client.fetchFile();
        expect(full.status).toBe(200);
        expect(Buffer.from(full.bytes).equals(disk)).toBe(true);
        const part = await client.fetchFile({ range: [0, 63] });
        expect(part.status).toBe(206);
        expect(part.contentRange).toBe(`bytes 0-63/${disk.length}`);
        expect(Buffer.from(part.bytes).equals(disk.subarray(0, 64))).toBe(true);
        const tail = await client.fetchFile({ range: { suffix: 4096 } });
        expect(Buffer.from(tail.bytes).equals(disk.subarray(disk.length - 4096))).toBe(true);
        expect((await client.fetchFile({ range: [disk.length, disk.length + 10] })).status).toBe(416);
        expect((await client.fetchFile({ ifNoneMatch: full.etag })).status).toBe(304);
        const head = await client.fetchFile({ head: true });
        expect(head.bytes.length).toBe(0);
        expect(head.size).toBe(disk.length);
        await client.ingest([4], [[0, 0, 0, 1]]);
        const stale = await client.fetchFile({ range: [0, 9], ifRange: full.etag });
        expect(stale.status).toBe(200); // the old ETag no longer names the file: whole new file
        expect(stale.etag).not.toBe(full.etag);
        expect(stale.bytes.length).toBeGreaterThan(disk.length);
    });

    it('streams every commit to an SSE subscriber in epoch order', async () => {
        const ac = new AbortController();
        const events = client.subscribe({ signal: ac.signal });
        const first = await events.next();
        expect(first.value.type).toBe('subscribed');
        const start = first.value.data.epoch;
        const w1 = await client.ingest([10, 11], [[1, 1, 0, 0], [1, 1, 1, 0]]);
        const w2 = await client.delete([10]);
        const seen = [];
        for await (const e of events) {
            seen.push(e);
            if (seen.length === 2) break;
        }
        ac.abort();
        expect(seen.map((e) => e.type)).toEqual(['update', 'update']);
        expect(seen[0].data).toEqual({ epoch: start + 1, event: 'ingest', affected_count: 2, new_total: w1.accepted + 4, ids: [10, 11], ids_truncated: false });
        expect(seen[1].data).toMatchObject({ epoch: w2.epoch, event: 'delete', affected_count: 1, ids: [10], ids_truncated: false });
    });

    it('upserts, updates metadata, counts, finds and compacts with options', async () => {
        const ing = await client.ingest([1001, 1002], [[5, 5, 5, 1], [5, 5, 5, 2]], [{ 7: 'a' }, { 7: 'a' }]);
        expect(ing).toMatchObject({ accepted: 2, rejected: 0 });
        // The deprecated order (vectors, ids) still works: the first list holds vectors.
        expect(await client.ingest([[5, 5, 5, 3]], [1003], [{ 7: 'b' }])).toMatchObject({ accepted: 1 });
        const up = await client.upsert([1002, 1004], [[5, 5, 5, 9], [5, 5, 5, 4]], [{ 7: 'b' }, { 7: 'b' }]);
        expect(up).toMatchObject({ accepted: 2, rejected: 0, epoch: ing.epoch + 2 });
        expect((await client.query([5, 5, 5, 9], 1)).results[0]).toEqual({ id: 1002, distance: 0 });
        const byB = { op: 'eq', field: 7, value: 'b' };
        expect(await client.count(byB)).toEqual({ count: 3 });
        const upd = await client.updateMetadata([1001, 999999], [{ 7: 'b' }, { 7: 'b' }]);
        expect(upd).toMatchObject({ accepted: 1, rejected: 1 });
        expect(upd.rejections[0].id).toBe(999999);
        expect(await client.count(byB)).toEqual({ count: 4 });
        expect(await client.count({ op: 'eq', field: 300, value: 1 })).toEqual({ count: 0 });
        const page1 = await client.find(byB, { limit: 3 });
        expect(page1).toEqual({ ids: [1001, 1002, 1003], next_after: 1003 });
        expect(await client.find(byB, { after: page1.next_after, limit: 3 })).toEqual({ ids: [1004], next_after: null });
        const all = await client.find(null, { limit: 100000 });
        expect(all.ids).toEqual([...all.ids].sort((a, b) => a - b));
        expect(all.ids.length).toBe((await client.count()).count);
        const badOpt = await client.compact({ ioBytesPerSec: 5 }).catch((e) => e);
        expect(badOpt).toBeInstanceOf(RvfServerError);
        expect(badOpt.codeName).toBe('InvalidOptions');
        expect(badOpt.message).toContain('ioBytesPerSecond');
        expect(await client.compact({ ioBudgetBytes: 1 })).toMatchObject({ complete: false });
        expect(await client.compact({ ioBytesPerSecond: 1e9 })).toMatchObject({ complete: true });
        expect((await client.find(byB)).ids).toEqual([1001, 1002, 1003, 1004]);
        // Bad arguments reject the promise; nothing throws synchronously.
        const p = client.ingest(null, null);
        expect(p).toBeInstanceOf(Promise);
        await expect(p).rejects.toThrow();
        await expect(client.query([1, 0, 0, 0], 1, { topK: 3 })).rejects.toMatchObject({ codeName: 'InvalidOptions' });
    });

    it('speaks the binary TCP protocol, SUBSCRIBE included', async () => {
        const t = new TcpPeer(ports.tcp);
        await t.connected();
        await tcpAuth(t);
        const ack = await t.request(0x02, 0x0a0b0c, ingestPayload([[100, [9, 9, 9, 9]], [101, [8, 8, 8, 8]]]));
        expect(ack.type).toBe(0x82);
        expect(ack.id).toBe(0x0a0b0c);
        expect(ack.payload.readBigUInt64LE(0)).toBe(2n);
        const res = await t.request(0x01, 2, queryPayload(1, [9, 9, 9, 9]));
        expect(res.type).toBe(0x81);
        expect(res.payload.readUInt32LE(0)).toBe(1);
        expect(res.payload.readBigUInt64LE(4)).toBe(100n);
        const st = await t.request(0x04, 3);
        expect(st.type).toBe(0x84);
        expect(st.payload.length).toBe(26);
        const epoch = st.payload.readUInt32LE(0);
        expect(st.payload.readBigUInt64LE(4)).toBe(BigInt((await client.status()).total_vectors));

        const sub = new TcpPeer(ports.tcp);
        await sub.connected();
        const subPayload = Buffer.alloc(8); // min_epoch 0, flags 0 = all
        const subAck = await sub.request(0x05, 7, subPayload);
        expect(subAck.type).toBe(0x84);
        expect(subAck.payload.readUInt32LE(0)).toBe(epoch);
        const del = await t.request(0x03, 4, Buffer.concat([Buffer.from([1, 0, 0, 0]), Buffer.from(new BigUint64Array([101n]).buffer)]));
        expect(del.type).toBe(0x83);
        const note = await sub.next();
        expect(note.type).toBe(0x85);
        expect(note.id).toBe(7);
        expect(note.payload.length).toBe(20);
        expect(note.payload.readUInt32LE(0)).toBe(epoch + 1);
        expect(note.payload.readUInt8(4)).toBe(1); // delete
        expect(note.payload.readUInt32LE(8)).toBe(1);
        sub.end();
        t.end();
    });

    it('answers malformed frames with ERROR and closes on an oversized one', async () => {
        const t = new TcpPeer(ports.tcp);
        await t.connected();
        await tcpAuth(t);
        const unknown = await t.request(0x42, 1);
        expect(unknown.type).toBe(0xff);
        expect(errorOf(unknown).code).toBe(0x0107);
        const short = await t.request(0x01, 2, Buffer.from([1, 0]));
        expect(errorOf(short).code).toBe(0xff04);
        const wrongDim = await t.request(0x02, 3, ingestPayload([[5, [1, 2, 3]]]));
        expect(errorOf(wrongDim).code).toBe(0x0200);
        expect((await t.request(0x04, 4)).type).toBe(0x84); // the connection still works
        const huge = Buffer.alloc(8);
        huge.writeUInt32BE(64 << 20, 0);
        huge.writeUInt8(0x02, 4);
        t.sock.write(huge);
        const refused = await t.next();
        expect(errorOf(refused).code).toBe(0x0104);
        expect(await t.next()).toBeNull(); // then closed
        expect(await client.health()).toEqual({ status: 'ok' });
    });

    it('needs the token for writes (HTTP 401, TCP ERROR 0x0109), refuses foreign Origins, keeps reads open', async () => {
        const anon = new RvfServerClient(client.baseUrl, { token: '' });
        const before = (await anon.status()).total_vectors;
        const w = await anon.ingest([500], [[1, 1, 1, 1]]).catch((e) => e);
        expect(w).toBeInstanceOf(RvfServerError);
        expect(w.httpStatus).toBe(401);
        expect(w.message).toMatch(/Authorization: Bearer/);
        const wrong = await new RvfServerClient(client.baseUrl, { token: 'nope' }).compact().catch((e) => e);
        expect(wrong.httpStatus).toBe(401);
        expect((await anon.query([1, 0, 0, 0], 1)).results.length).toBe(1);
        // A page on another origin: a "simple" text/plain POST is refused before any handler runs.
        const res = await fetch(`${client.baseUrl}/v1/delete`, {
            method: 'POST', body: '{"ids":[1,2,3]}',
            headers: { 'content-type': 'text/plain', origin: 'http://attacker.example', authorization: `Bearer ${TOKEN}` },
        });
        expect(res.status).toBe(403);
        expect(res.headers.get('access-control-allow-origin')).toBeNull();
        expect((await anon.status()).total_vectors).toBe(before);
        // TCP: INGEST before AUTH is refused, the connection stays usable.
        const t = new TcpPeer(ports.tcp);
        await t.connected();
        const refused = await t.request(0x02, 1, ingestPayload([[500, [1, 1, 1, 1]]]));
        expect(errorOf(refused).code).toBe(0x0109);
        expect((await t.request(0x04, 2)).type).toBe(0x84);
        t.end();
        // RVF_SERVE_TOKEN in the environment is the client's default.
        const saved = process.env.RVF_SERVE_TOKEN;
        process.env.RVF_SERVE_TOKEN = TOKEN;
        try {
            const viaEnv = new RvfServerClient(client.baseUrl);
            expect((await viaEnv.ingest([500], [[1, 1, 1, 1]])).accepted).toBe(1);
            expect((await viaEnv.delete([500])).deleted).toBe(1);
        } finally {
            if (saved === undefined) delete process.env.RVF_SERVE_TOKEN;
            else process.env.RVF_SERVE_TOKEN = saved;
        }
    });

    it('generates a token and prints it once on stderr when none is given', async () => {
        const other = startServer(path.join(work, 'generated.rvf'), ['--dimension', '4'], { token: null });
        try {
            const p = await other.ready;
            const deadline = Date.now() + 5000;
            let m;
            while (!(m = /rvf serve: token ([0-9a-f]{64})/.exec(await other.stderrSoFar())) && Date.now() < deadline)
                await new Promise((r) => setTimeout(r, 20));
            expect(m).not.toBeNull();
            const c = new RvfServerClient(`http://127.0.0.1:${p.http}`, { token: m[1] });
            expect((await c.ingest([1], [[1, 0, 0, 0]])).accepted).toBe(1);
        } finally {
            other.child.kill('SIGTERM');
            await other.exited;
        }
    });

    it('shuts down cleanly on SIGTERM; the file verifies and reopens with every write', async () => {
        const before = await client.status();
        server.child.kill('SIGTERM');
        const { code, out } = await server.exited;
        expect(code).toBe(0);
        expect(out).toMatch(/closed .* with \d+ vectors/);
        const verify = execFileSync(bin, ['verify', file], { encoding: 'utf8' });
        expect(verify).toMatch(/^OK/m);
        server = startServer(file, ['--readonly']);
        ports = await server.ready;
        client = new RvfServerClient(`http://127.0.0.1:${ports.http}`, { token: TOKEN });
        const after = await client.status();
        expect(after.total_vectors).toBe(before.total_vectors);
        expect(after.read_only).toBe(true);
        const w = await client.ingest([77], [[1, 2, 3, 4]]).catch((e) => e);
        expect(w.codeName).toBe('ReadOnly');
        server.child.kill('SIGTERM');
        expect((await server.exited).code).toBe(0);
    });
});
