// A loopback HTTP server for one file with Range support (206 + Content-Range + ETag), for the
// tests of the HTTP Range readers. It counts the body bytes it sends; `ignoreRange` makes it
// answer every request with 200 and the whole file (as servers without Range support do); any
// path other than the file's is 404.
import { createServer } from 'node:http';

/** Serve `file` (a Buffer) at http://127.0.0.1:PORT/<name>; resolves to the server's handle. */
export async function serveRanges(file, name = 'store.rvf') {
    const state = { ignoreRange: false, requests: [], bytesSent: 0 };
    const http = createServer((req, res) => {
        state.requests.push(req.headers.range ?? null);
        if (req.url !== `/${name}`)
            return res.writeHead(404).end('not found');
        const range = req.headers.range;
        if (!range || state.ignoreRange) {
            state.bytesSent += file.length;
            return res.writeHead(200, { 'Content-Length': file.length, ETag: '"v1"' }).end(file);
        }
        const m = /^bytes=(\d*)-(\d*)$/.exec(range);
        let start, end;
        if (!m) {
            return res.writeHead(416, { 'Content-Range': `bytes */${file.length}` }).end();
        } else if (m[1] === '') { // suffix: the last n bytes
            start = Math.max(0, file.length - Number(m[2]));
            end = file.length - 1;
        } else {
            start = Number(m[1]);
            end = m[2] === '' ? file.length - 1 : Math.min(Number(m[2]), file.length - 1);
        }
        if (start >= file.length || end < start)
            return res.writeHead(416, { 'Content-Range': `bytes */${file.length}` }).end();
        state.bytesSent += end - start + 1;
        res.writeHead(206, {
            'Content-Range': `bytes ${start}-${end}/${file.length}`,
            'Content-Length': end - start + 1,
            'Accept-Ranges': 'bytes',
            ETag: '"v1"',
        }).end(file.subarray(start, end + 1));
    });
    await new Promise((r) => http.listen(0, '127.0.0.1', r));
    const base = `http://127.0.0.1:${http.address().port}`;
    return {
        state,
        url: `${base}/${name}`,
        missing: `${base}/missing.rvf`,
        reset() {
            state.ignoreRange = false;
            state.requests = [];
            state.bytesSent = 0;
        },
        close: () => new Promise((r) => http.close(r)),
    };
}
