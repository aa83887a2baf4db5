// browser-tests/lib/server.mjs — a small static HTTP/1.1 server for the browser tests and the
// progressive-open benchmark: 127.0.0.1, an ephemeral port, single-range requests done right
// (206 + Content-Range, 416 + `bytes */size`, suffix ranges, If-Range, If-Match → 412), strong
// ETags, Accept-Ranges, `application/wasm`, no caching of data files — plus fault switches.
//
// Mounts map a URL prefix to a directory: startServer({ '/pkg/': dir, ... }).
// Fault switches ride on the URL's query, so every test case gets its own URL and its own state:
//   ?fault=404                      every request 404
//   ?fault=416                      every Range request 416 (a server that rejects all ranges)
//   ?fault=norange                  Range ignored: 200 with the whole body, no Accept-Ranges
//   ?fault=change&after=K&to=FILE   after K answered requests the URL serves FILE (a name in the
//                                   same directory) instead: another size, another ETag
//   ?fault=corrupt&at=OFF[&len=L]   bytes OFF..OFF+L-1 (default L 1) are inverted in every
//                                   response covering them; ETag and length unchanged
//   ?fault=drop&after=K             after K answered requests each response sends its headers
//                                   and half the body, then the connection is destroyed
//   ?fault=absolute-suffix          a suffix range `bytes=-N` is answered from the start of the
//                                   file (206, bytes 0-(N-1)/size), as some servers do
// Any other query parameter (e.g. a nonce) only makes the URL distinct.
// `log` holds one entry per request for a file under a data mount: {key, method, range, status,
// bytes (body bytes actually sent), ms}; `requests(key)` filters it by URL (path + query).
import { createHash } from 'node:crypto';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import path from 'node:path';

const types = {
    '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
    '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.png': 'image/png',
    '.rvf': 'application/octet-stream', '.ts': 'text/plain; charset=utf-8',
};

/** Parse one `bytes=` range against size: {start, end} (inclusive), 'ignore' (serve 200) or null (416). */
export function parseRange(header, size) {
    const m = /^bytes=\s*(\d*)\s*-\s*(\d*)\s*$/.exec(header);
    if (!m)
        return 'ignore'; // several ranges or another unit: answering 200 with the whole body is allowed
    if (m[1] === '' && m[2] === '')
        return 'ignore';
    let start, end;
    if (m[1] === '') { // suffix: the last N bytes
        const n = Number(m[2]);
        if (n === 0)
            return null;
        start = Math.max(0, size - n);
        end = size - 1;
    } else {
        start = Number(m[1]);
        end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
        if (m[2] !== '' && Number(m[2]) < start)
            return 'ignore'; // syntactically invalid: ignore the header
    }
    if (start >= size || size === 0)
        return null;
    return { start, end };
}

/** Strong ETag from size, mtime and the first/last 64 KB (cheap for large files, changes with any rewrite). */
function etagOf(file, st) {
    const fd = openSync(file, 'r');
    try {
        const h = createHash('sha1').update(`${st.size}:${st.mtimeMs}`);
        const n = Math.min(65536, st.size);
        const head = Buffer.alloc(n), tail = Buffer.alloc(n);
        readSync(fd, head, 0, n, 0);
        readSync(fd, tail, 0, n, st.size - n);
        return `"${h.update(head).update(tail).digest('hex').slice(0, 20)}"`;
    } finally {
        closeSync(fd);
    }
}

function readSlice(file, start, len) {
    const fd = openSync(file, 'r');
    try {
        const buf = Buffer.alloc(len);
        let done = 0;
        while (done < len) {
            const n = readSync(fd, buf, done, len - done, start + done);
            if (n === 0)
                break;
            done += n;
        }
        return buf.subarray(0, done);
    } finally {
        closeSync(fd);
    }
}

export async function startServer(mounts, { dataMounts = [] } = {}) {
    const log = [];
    const state = new Map(); // URL key → {served}
    const etags = new Map(); // file → {mtimeMs, size, etag}

    const etag = (file) => {
        const st = statSync(file);
        const c = etags.get(file);
        if (c && c.mtimeMs === st.mtimeMs && c.size === st.size)
            return c.etag;
        const e = etagOf(file, st);
        etags.set(file, { mtimeMs: st.mtimeMs, size: st.size, etag: e });
        return e;
    };

    const resolve = (pathname) => {
        for (const [prefix, dir] of Object.entries(mounts)) {
            if (!pathname.startsWith(prefix))
                continue;
            const rel = decodeURIComponent(pathname.slice(prefix.length));
            const file = path.resolve(dir, rel);
            if (file !== dir && !file.startsWith(dir + path.sep))
                return null; // no escaping the mount
            return { file, dir, data: dataMounts.includes(prefix) };
        }
        return null;
    };

    const server = createServer((req, res) => {
        const t0 = performance.now();
        const url = new URL(req.url, 'http://x');
        const key = url.pathname + url.search;
        const q = url.searchParams;
        const fault = q.get('fault');
        const target = resolve(url.pathname);
        let entry = null;
        const finish = (status, bytes) => {
            if (entry) {
                entry.status = status;
                entry.bytes = bytes;
                entry.ms = +(performance.now() - t0).toFixed(2);
            }
        };
        const plain = (status, text, headers = {}) => {
            res.writeHead(status, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text),
                                    'Cache-Control': 'no-store', ...headers });
            res.end(req.method === 'HEAD' ? undefined : text);
            finish(status, req.method === 'HEAD' ? 0 : Buffer.byteLength(text));
        };
        if (req.method !== 'GET' && req.method !== 'HEAD')
            return plain(405, 'method not allowed', { Allow: 'GET, HEAD' });
        if (!target)
            return plain(404, 'not found');
        if (target.data) {
            entry = { key, method: req.method, range: req.headers.range ?? null, status: 0, bytes: 0, ms: 0 };
            log.push(entry);
        }
        const st0 = state.get(key) ?? { served: 0 };
        state.set(key, st0);
        const nth = st0.served++;
        const after = Number(q.get('after') ?? 1);

        if (fault === '404')
            return plain(404, 'not found (fault switch)');
        let file = target.file;
        if (fault === 'change' && nth >= after && q.get('to')) {
            file = path.resolve(path.dirname(target.file), q.get('to'));
            if (!file.startsWith(target.dir + path.sep))
                return plain(404, 'not found');
        }
        let st;
        try {
            st = statSync(file);
        } catch {
            return plain(404, 'not found');
        }
        if (!st.isFile())
            return plain(404, 'not found');
        const size = st.size;
        const tag = etag(file);
        const type = types[path.extname(file)] ?? 'application/octet-stream';
        const base = { 'Content-Type': type, ETag: tag, 'Cache-Control': 'no-store' };
        if (fault !== 'norange')
            base['Accept-Ranges'] = 'bytes';

        const ifMatch = req.headers['if-match'];
        if (ifMatch && ifMatch !== '*' && !ifMatch.split(',').map((s) => s.trim()).includes(tag))
            return plain(412, 'precondition failed: the file changed', { ETag: tag });

        let range = null;
        if (req.headers.range && fault !== 'norange') {
            if (fault === '416')
                return plain(416, 'range not satisfiable (fault switch)', { 'Content-Range': `bytes */${size}` });
            const ifRange = req.headers['if-range'];
            if (!ifRange || ifRange === tag) {
                range = parseRange(req.headers.range, size);
                if (range === null)
                    return plain(416, 'range not satisfiable', { 'Content-Range': `bytes */${size}` });
                if (range === 'ignore')
                    range = null;
                else if (fault === 'absolute-suffix' && /^bytes=\s*-/.test(req.headers.range))
                    range = { start: 0, end: range.end - range.start };
            }
        }
        const start = range ? range.start : 0;
        const end = range ? range.end : size - 1;
        const len = size === 0 ? 0 : end - start + 1;
        const headers = { ...base, 'Content-Length': len };
        if (range)
            headers['Content-Range'] = `bytes ${start}-${end}/${size}`;
        const status = range ? 206 : 200;
        if (req.method === 'HEAD') {
            res.writeHead(status, headers);
            res.end();
            return finish(status, 0);
        }
        const body = len > 0 ? readSlice(file, start, len) : Buffer.alloc(0);
        if (fault === 'corrupt') {
            const at = Number(q.get('at')), n = Number(q.get('len') ?? 1);
            for (let o = Math.max(at, start); o < Math.min(at + n, end + 1); o++)
                body[o - start] ^= 0xff;
        }
        res.writeHead(status, headers);
        if (fault === 'drop' && nth >= after) {
            const half = body.subarray(0, Math.floor(body.length / 2));
            res.write(half, () => res.socket?.destroy());
            return finish(`${status}+drop`, half.length);
        }
        res.end(body);
        finish(status, body.length);
    });
    // Idle keep-alive sockets are left for the client to close (Node's fetch closes them after
    // 4 s): a server closing one just as the client reuses it fails that request ("other side
    // closed"), which happened when the runner's event loop was busy for a few seconds.
    server.keepAliveTimeout = 120000;
    await new Promise((ok, fail) => {
        server.once('error', fail);
        server.listen(0, '127.0.0.1', ok);
    });
    const origin = `http://127.0.0.1:${server.address().port}`;
    return {
        origin,
        log,
        requests: (key) => log.filter((e) => e.key === key),
        close: () => new Promise((ok) => {
            server.closeAllConnections?.();
            server.close(() => ok());
        }),
    };
}
