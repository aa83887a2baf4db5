// A real nginx (Debian's package) serving a directory on 127.0.0.1 for the duration of a test:
// sharded collections must be readable from an ordinary production HTTP server (Range and ETag
// are nginx's own). It runs as the current user in the foreground as a single process (`daemon
// off; master_process off;`), with its config, pid and temp paths in a fresh temp directory, so
// it needs no root and leaves nothing behind; stop() ends exactly the process it started.
//
// stall: paths (relative to the served root) answered at 1 byte/s (`limit_rate 1`), so a
// client's timeout fires mid-transfer.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/** The nginx binary, or an Error saying how to get it (never a silent skip). */
export function findNginx() {
    const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/usr/local/sbin', '/sbin'];
    for (const d of dirs) {
        const p = path.join(d, 'nginx');
        try {
            fs.accessSync(p, fs.constants.X_OK);
            return p;
        } catch { /* next */ }
    }
    throw new Error('nginx is not installed: run `bash scripts/setup.sh` (it installs the Debian nginx package)');
}

function freePort() {
    return new Promise((resolve, reject) => {
        const srv = net.createServer();
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', () => {
            const { port } = srv.address();
            srv.close(() => resolve(port));
        });
    });
}

function config({ tmp, root, port, stall }) {
    const q = (p) => JSON.stringify(p); // nginx accepts double-quoted strings
    const stalls = stall.map((p) => `        location = ${q('/' + p.replace(/^\/+/, ''))} { limit_rate 1; }\n`).join('');
    return `daemon off;
master_process off;
worker_processes 1;
pid ${q(path.join(tmp, 'nginx.pid'))};
error_log stderr warn;
events { worker_connections 512; }
http {
    access_log off;
    client_body_temp_path ${q(path.join(tmp, 'body'))};
    proxy_temp_path ${q(path.join(tmp, 'proxy'))};
    fastcgi_temp_path ${q(path.join(tmp, 'fastcgi'))};
    uwsgi_temp_path ${q(path.join(tmp, 'uwsgi'))};
    scgi_temp_path ${q(path.join(tmp, 'scgi'))};
    default_type application/octet-stream;
    sendfile on;
    keepalive_requests 100000;
    server {
        listen 127.0.0.1:${port};
        root ${q(root)};
${stalls}    }
}
`;
}

/**
 * Start nginx serving `root`. Resolves to { url, port, stop() } once it answers; rejects with
 * nginx's own stderr when it does not start.
 */
export async function startNginx({ root, stall = [] }) {
    const bin = findNginx();
    execFileSync(bin, ['-v'], { stdio: 'ignore' });
    let lastError = '';
    for (let attempt = 0; attempt < 5; attempt++) { // another process may take the port first
        const port = await freePort();
        const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-nginx-'));
        const conf = path.join(tmp, 'nginx.conf');
        fs.writeFileSync(conf, config({ tmp, root: path.resolve(root), port, stall }));
        const child = spawn(bin, ['-p', tmp, '-c', conf, '-e', 'stderr'], { stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr.on('data', (d) => { stderr += d; });
        const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
        const url = `http://127.0.0.1:${port}`;
        const deadline = Date.now() + 10000;
        let up = false;
        while (Date.now() < deadline) {
            const code = await Promise.race([exited, new Promise((r) => setTimeout(() => r(null), 50))]);
            if (code !== null)
                break;
            try {
                await fetch(url + '/', { method: 'HEAD' });
                up = true;
                break;
            } catch { /* not listening yet */ }
        }
        if (up) {
            return {
                url,
                port,
                async stop() {
                    if (child.exitCode === null && child.signalCode === null) {
                        child.kill('SIGQUIT'); // graceful: finish what is in flight, then exit
                        const t = setTimeout(() => child.kill('SIGKILL'), 3000);
                        await exited;
                        clearTimeout(t);
                    }
                    fs.rmSync(tmp, { recursive: true, force: true });
                },
            };
        }
        if (child.exitCode === null)
            child.kill('SIGKILL');
        await exited;
        fs.rmSync(tmp, { recursive: true, force: true });
        lastError = stderr.trim();
        if (!/Address already in use/.test(lastError))
            break;
    }
    throw new Error(`nginx did not start: ${lastError || 'no answer within 10 s'}`);
}
