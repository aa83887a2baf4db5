// rvf serve FILE [server options]: runs the C++ tool's `rvf serve` (HTTP + TCP server over the
// native runtime), passing every argument and the environment through. The tool is looked for in
// $RVF_NATIVE_TOOL, this repository's build trees, the platform package that also holds the
// addon (@ruvector/rvf-node-<platform>, file `rvf`), then PATH (native executables only).
// SIGINT/SIGTERM are forwarded to it and its exit status becomes ours, so the server always gets
// to close the store and release the writer lock (issue 15: the wrapper used to exit at once and
// orphan it, port and lock included).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { UnavailableError } from './errors.js';

export const spec = {
    usage: 'FILE [options of the native `rvf serve`, listed below]',
    summary: 'Serve a store over HTTP/TCP with the native `rvf serve` (shipped in @ruvector/rvf-node-<platform>).\n' +
        'Every option is passed through unchanged, and the environment too (RVF_SERVE_TOKEN).\n' +
        'SIGINT/SIGTERM are forwarded: the server closes the store and releases its lock, and its exit status is ours.\n' +
        'Set RVF_NATIVE_TOOL=/path/to/rvf to choose the executable.',
    raw: true,
    flags: {},
    // The native tool's own usage of `serve`, so `rvf serve --help` documents every option.
    moreHelp() {
        const tool = findServeTool();
        if (!tool)
            return `\n(the native tool was not found: ${MISSING})\n`;
        const help = spawnSync(tool, ['--help'], { encoding: 'utf8', timeout: 5000 });
        const lines = `${help.stdout}`.split('\n');
        const start = lines.findIndex((l) => /^\s*rvf serve /.test(l));
        const rest = start < 0 ? [] : lines.slice(start);
        // The serve block ends at the next command of the native usage (two-space indent, "rvf ").
        const end = rest.findIndex((l, i) => i > 0 && /^\s{0,2}rvf \S/.test(l));
        return `\nnative tool: ${tool}\n${(end < 0 ? rest : rest.slice(0, end)).join('\n')}\n`;
    },
};

const MISSING = 'serve needs the native `rvf` tool, which @ruvector/rvf-node-<platform> ships for linux-x64-gnu: ' +
    'npm install @ruvector/rvf-node (optional dependencies must not be skipped), or build it from the RVF repository ' +
    '(cmake --preset native-release && cmake --build --preset native-release --target rvf) and set RVF_NATIVE_TOOL=/path/to/rvf';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../..');
const require = createRequire(import.meta.url);

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

/** The platform packages' triple (the naming of @ruvector/rvf-node's loader, without loading an addon). */
function platformTriple() {
    const { platform, arch } = process;
    if (platform === 'linux')
        return `linux-${arch}-${process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
    return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
}

/** `rvf` inside the installed platform package, or null. It is a dependency of @ruvector/rvf-node,
 *  so it is resolved from there first (strict layouts such as pnpm), then from here (hoisted). */
export function platformPackageTool() {
    const pkg = `@ruvector/rvf-node-${platformTriple()}/package.json`;
    const from = [];
    try {
        from.push(createRequire(require.resolve('@ruvector/rvf-node')));
    } catch { /* rvf-node not installed: try our own resolution */ }
    from.push(require);
    for (const req of from) {
        let tool;
        try {
            tool = path.join(path.dirname(req.resolve(pkg)), os.platform() === 'win32' ? 'rvf.exe' : 'rvf');
        } catch {
            continue; // not resolvable from there
        }
        // npm keeps the tarball's mode bits; an installer that drops them would leave it unrunnable.
        try {
            fs.accessSync(tool, fs.constants.X_OK);
        } catch {
            try {
                fs.chmodSync(tool, 0o755);
            } catch { /* missing, or not ours to change: isNativeExecutable() skips it */ }
        }
        return tool;
    }
    return null;
}

/** Candidate C++ `rvf` executables, best first. */
export function nativeToolCandidates() {
    if (process.env.RVF_NATIVE_TOOL)
        return [process.env.RVF_NATIVE_TOOL]; // an explicit choice: nothing else is tried
    const out = [];
    for (const preset of ['native-release', 'native-debug', 'native-clang', 'node-portable'])
        out.push(path.join(repoRoot, 'build', preset, 'runtime', 'rvf'));
    const shipped = platformPackageTool();
    if (shipped)
        out.push(shipped);
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
        if (/^\s*rvf serve /m.test(`${help.stdout}${help.stderr}`))
            return p;
    }
    return null;
}

export async function run(argv, opts, io) {
    const tool = findServeTool();
    if (!tool && process.env.RVF_NATIVE_TOOL)
        throw new UnavailableError(`RVF_NATIVE_TOOL=${process.env.RVF_NATIVE_TOOL} is not a native \`rvf\` executable with the serve command`);
    if (!tool)
        throw new UnavailableError(MISSING);
    io.stderr.write(`rvf serve: running ${tool} serve ${argv.join(' ')}\n`);
    const child = spawn(tool, ['serve', ...argv], { stdio: 'inherit' });
    // While the child runs, these listeners replace the default "exit on SIGINT" (bin/rvf.js
    // leaves signals to a command whose spec is raw and has a child): we exit when it does.
    const forward = (sig) => {
        if (child.exitCode === null && child.signalCode === null)
            child.kill(sig);
    };
    process.on('SIGINT', forward);
    process.on('SIGTERM', forward);
    // Under `npx`, npm forwards SIGTERM to the `sh -c` that runs us, and sh dies without passing it
    // on: we are re-parented. A wrapper whose parent is gone stops the server the same way, rather
    // than leaving it (port and writer lock) to run unowned. (SIGINT sh defers until its child
    // exits: Ctrl-C in a terminal reaches every process of the group, the server included.)
    const parent = process.ppid;
    const orphanWatch = setInterval(() => {
        if (process.ppid !== parent)
            forward('SIGTERM');
    }, 250);
    try {
        return await new Promise((resolve) => {
            child.on('exit', (code, sig) => resolve(code ?? 128 + (os.constants.signals[sig] ?? 0)));
            child.on('error', (e) => {
                io.stderr.write(`rvf serve: cannot run ${tool}: ${e.message}\n`);
                resolve(5);
            });
        });
    } finally {
        clearInterval(orphanWatch);
        process.off('SIGINT', forward);
        process.off('SIGTERM', forward);
    }
}
