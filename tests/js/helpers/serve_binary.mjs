// The native `rvf` binary with the serve command, for the tests that spawn `rvf serve`:
// $RVF_SERVE_BIN, else the `rvf` of build/native-debug, build/native-release or build/server;
// null when none of them has the serve command (the caller skips, saying how to build it).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

export function findServeBinary() {
    const candidates = process.env.RVF_SERVE_BIN
        ? [process.env.RVF_SERVE_BIN]
        : ['build/native-debug/runtime/rvf', 'build/native-release/runtime/rvf', 'build/server/runtime/rvf'].map((p) =>
              path.join(repoRoot, p));
    for (const p of candidates) {
        if (!existsSync(p)) continue;
        try {
            if (execFileSync(p, ['--help'], { encoding: 'utf8' }).includes('rvf serve')) return p;
        } catch {}
    }
    return null;
}
