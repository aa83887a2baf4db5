// rvf serve FILE [server options]: runs the C++ tool's `rvf serve` (HTTP + TCP server over the
// native runtime), passing every argument through. The tool is looked for in $RVF_NATIVE_TOOL,
// then this repository's build trees, then PATH (native executables only — not this script).
import fs from 'node:fs';
import path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from './errors.js';

export const spec = {
    usage: 'FILE [options passed to the C++ `rvf serve`]',
    summary: 'Serve a store over HTTP/TCP with the native `rvf serve` (built from runtime/).\n' +
        'Every option is passed through unchanged (--token-file, --no-auth, --allow-host, --cors-origin and the limits:\n' +
        'see the native `rvf --help`), and the environment too (RVF_SERVE_TOKEN).\n' +
        'Set RVF_NATIVE_TOOL=/path/to/rvf to choose the executable.',
    raw: true,
    flags: {},
};

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');

function isNativeExecutable(p) {
    try {
        const fd = fs.openSync(p, 'r');
        const head = Buffer.alloc(4);
        fs.readSync(fd, head, 0, 4, 0);
        fs.closeSync(fd);
        fs.accessSync(p, fs.constants.X_OK);
        return head[0] === 0x7f && head.subarray(1, 4).toString('latin1') === 'ELF' || head.readUInt32BE(0) === 0xcffaedfe || head.readUInt32BE(0) === 0xcefaedfe;
    } catch {
        return false;
    }
}

/** Candidate C++ `rvf` executables, best first. */
export function nativeToolCandidates() {
    if (process.env.RVF_NATIVE_TOOL)
        return [process.env.RVF_NATIVE_TOOL]; // an explicit choice: nothing else is tried
    const out = [];
    for (const preset of ['native-release', 'native-debug', 'native-clang'])
        out.push(path.join(repoRoot, 'build', preset, 'runtime', 'rvf'));
    for (const dir of (process.env.PATH ?? '').split(path.delimiter).filter(Boolean))
        out.push(path.join(dir, 'rvf'));
    return out;
}

/** The first candidate that is a native executable and knows the `serve` command, or null. */
export function findServeTool() {
    for (const p of nativeToolCandidates()) {
        if (!isNativeExecutable(p))
            continue;
        const help = spawnSync(p, ['--help'], { encoding: 'utf8', timeout: 5000 });
        if (`${help.stdout}${help.stderr}`.includes('serve'))
            return p;
    }
    return null;
}

export async function run(argv, opts, io) {
    const tool = findServeTool();
    if (!tool && process.env.RVF_NATIVE_TOOL)
        throw new UnavailableError(`RVF_NATIVE_TOOL=${process.env.RVF_NATIVE_TOOL} is not a native \`rvf\` executable with the serve command`);
    if (!tool)
        throw new UnavailableError('serve needs the native `rvf` tool with the serve command: build it (cmake --preset native-release && cmake --build --preset native-release --target rvf) or set RVF_NATIVE_TOOL=/path/to/rvf');
    io.stderr.write(`rvf serve: running ${tool} serve ${argv.join(' ')}\n`);
    const child = spawn(tool, ['serve', ...argv], { stdio: 'inherit' });
    const forward = (sig) => child.kill(sig);
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    const code = await new Promise((resolve) => {
        child.on('exit', (c, sig) => resolve(c ?? (sig === 'SIGINT' ? 130 : 1)));
        child.on('error', () => resolve(5));
    });
    process.off('SIGINT', forward);
    process.off('SIGTERM', forward);
    return code;
}
