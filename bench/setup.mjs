// bench/setup.mjs — makes everything `npm run bench` runs exist, idempotently; each step is
// skipped when its output is already there, and a step that fails only disables its engines.
//
//   bench/node_modules      npm --prefix bench install --ignore-scripts (bench/package.json;
//                           install scripts are skipped because faiss-node's downloads a prebuilt
//                           binary from GitHub, which this machine cannot reach)
//   hnswlib-node addon      node-gyp rebuild --nodedir=/usr (npm's own node-gyp)
//   usearch                 ships prebuilt N-API binaries (prebuilds/linux-x64): nothing to build
//   faiss-node addon        compiled here against Debian's libfaiss-dev 1.7.3 (apt-installed when
//                           missing), with a forced include for the one API difference
//   build/bench             Release, RVF_BUILD_BENCH=ON, RVF_BUILD_TESTS=OFF: rvf_bench_engine,
//                           rvf_bench_data, and the Node-API addon rvf_node.node (native/), which
//                           the rvf-node engine loads through RVF_NODE_ADDON (npm/rvf-node would
//                           otherwise pick the newest of the preset builds, possibly a Debug one)
//   build/bench-wasm        Emscripten Release: rvf_core_js, staged with npm/rvf-wasm into
//                           build/bench-wasm/pkg (the package as published, current sources)
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const benchDir = fileURLToPath(new URL('.', import.meta.url));
export const repoRoot = path.resolve(benchDir, '..');
const nm = path.join(benchDir, 'node_modules');

const log = (msg) => process.stderr.write(`[bench setup] ${msg}\n`);

function run(cmd, args, opts = {}) {
    const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
    if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${(r.stderr || r.stdout || '').slice(-2000)}`);
    return r.stdout;
}

const mtime = (p) => (existsSync(p) ? statSync(p).mtimeMs : 0);

function have(cmd) {
    return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function installBenchDeps() {
    const stamp = path.join(nm, '.package-lock.json');
    if (existsSync(stamp) && mtime(stamp) >= mtime(path.join(benchDir, 'package.json')))
        return;
    log('npm --prefix bench install --ignore-scripts');
    run('npm', ['--prefix', benchDir, 'install', '--ignore-scripts', '--no-audit', '--no-fund'], { cwd: repoRoot });
}

/** npm's bundled node-gyp (npm 11 does not run install scripts for us here: see above). */
function nodeGyp() {
    const candidates = [];
    if (process.env.npm_execpath)
        candidates.push(path.join(path.dirname(process.env.npm_execpath), '../node_modules/node-gyp/bin/node-gyp.js'));
    try {
        candidates.push(path.join(run('npm', ['root', '-g']).trim(), 'npm/node_modules/node-gyp/bin/node-gyp.js'));
    } catch { /* no global npm root */ }
    return candidates.find((p) => existsSync(p));
}

function buildHnswlibNode() {
    const dir = path.join(nm, 'hnswlib-node');
    if (!existsSync(dir) || existsSync(path.join(dir, 'build/Release/addon.node')))
        return;
    const gyp = nodeGyp();
    if (!gyp)
        throw new Error('node-gyp not found (it ships with npm)');
    log('hnswlib-node: node-gyp rebuild');
    run(process.execPath, [gyp, 'rebuild', '--nodedir=/usr', '-j', '2'], { cwd: dir });
}

function ensureLibfaiss() {
    if (existsSync('/usr/include/faiss/index_factory.h'))
        return;
    log('apt-get install libfaiss-dev (for faiss-node)');
    const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
    const [cmd, ...args] = [...sudo, 'apt-get', 'install', '-y', '--no-install-recommends', 'libfaiss-dev'];
    run(cmd, args, { env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
}

function buildFaissNode() {
    const dir = path.join(nm, 'faiss-node');
    const out = path.join(dir, 'build/Release/faiss-node.node');
    if (!existsSync(dir) || existsSync(out))
        return;
    ensureLibfaiss();
    log('faiss-node: g++ against libfaiss-dev');
    run('mkdir', ['-p', path.dirname(out)]);
    run('g++', ['-O2', '-std=c++17', '-shared', '-fPIC', '-fopenmp', '-fexceptions', '-DNAPI_VERSION=8',
                '-DNAPI_CPP_EXCEPTIONS', '-I/usr/include/node', `-I${path.join(nm, 'node-addon-api')}`,
                '-include', path.join(benchDir, 'scripts/faiss-1.7.3-compat.h'), 'src/faiss.cc', '-o', out, '-lfaiss'],
        { cwd: dir });
}

function buildNative() {
    const b = path.join(repoRoot, 'build/bench');
    if (!existsSync(path.join(b, 'CMakeCache.txt'))) {
        log('cmake configure build/bench (Release, RVF_BUILD_BENCH=ON)');
        run('cmake', ['-S', repoRoot, '-B', b, '-DCMAKE_BUILD_TYPE=Release', '-DRVF_BUILD_BENCH=ON', '-DRVF_BUILD_TESTS=OFF']);
    }
    log('cmake --build build/bench (rvf_bench_engine rvf_bench_data)');
    run('cmake', ['--build', b, '-j2', '--target', 'rvf_bench_engine', 'rvf_bench_data']);
    return { engine: path.join(b, 'bench/rvf_bench_engine'), data: path.join(b, 'bench/rvf_bench_data') };
}

function buildNodeAddon() {
    const b = path.join(repoRoot, 'build/bench');
    log('cmake --build build/bench (rvf_node: the Node-API addon, Release)');
    run('cmake', ['--build', b, '-j2', '--target', 'rvf_node']);
    return path.join(b, 'native/rvf_node.node');
}

async function buildWasm() {
    if (!have('emcmake'))
        throw new Error('emcmake not found (apt-get install emscripten)');
    const b = path.join(repoRoot, 'build/bench-wasm');
    const env = { ...process.env, NODE_PATH: '/usr/share/nodejs' };
    if (!existsSync(path.join(b, 'CMakeCache.txt'))) {
        log('emcmake cmake build/bench-wasm (Release)');
        run('emcmake', ['cmake', '-S', repoRoot, '-B', b, '-DCMAKE_BUILD_TYPE=Release', '-DRVF_BUILD_TOOLS=OFF',
                        '-DRVF_BUILD_TESTS=OFF', '-DCMAKE_CROSSCOMPILING_EMULATOR=/usr/bin/node'], { env });
    }
    log('cmake --build build/bench-wasm (rvf_core_js)');
    run('cmake', ['--build', b, '-j2', '--target', 'rvf_core_js'], { env });
    const dist = path.join(b, 'js/dist');
    const pkg = path.join(b, 'pkg');
    if (mtime(path.join(pkg, 'dist/rvf_core.wasm')) < mtime(path.join(dist, 'rvf_core.wasm')) ||
        newestUnder(path.join(repoRoot, 'npm/rvf-wasm/src')) > mtime(path.join(pkg, 'package.json'))) {
        const { stagePackage } = await import(pathToFileURL(path.join(repoRoot, 'npm/rvf-wasm/scripts/build.mjs')).href);
        await stagePackage(pkg, { wasmDir: dist, microkernelDir: path.join(b, 'none'), requireMicrokernel: false });
    }
    return pkg;
}

function newestUnder(dir) {
    let t = 0;
    for (const e of existsSync(dir) ? readdirSync(dir, { withFileTypes: true }) : [])
        t = Math.max(t, e.isDirectory() ? newestUnder(path.join(dir, e.name)) : mtime(path.join(dir, e.name)));
    return t;
}

/**
 * Run every step; returns {native, nodeAddon, wasmPkg, problems}: paths of what was built and, per step
 * that failed, the message (the engines that need it are then reported as unavailable).
 */
export async function setup({ wasm = true } = {}) {
    const problems = {};
    const step = async (name, fn) => {
        try {
            return await fn();
        } catch (e) {
            problems[name] = String(e.message ?? e).split('\n').slice(0, 3).join(' ');
            log(`${name}: FAILED — ${problems[name]}`);
            return null;
        }
    };
    await step('bench-deps', installBenchDeps);
    await step('hnswlib-node', buildHnswlibNode);
    await step('faiss-node', buildFaissNode);
    const native = await step('native', buildNative);
    const nodeAddon = native ? await step('rvf-node', buildNodeAddon) : null;
    const wasmPkg = wasm ? await step('rvf-wasm', buildWasm) : null;
    return { native, nodeAddon, wasmPkg, problems };
}

export function gnuplotVersion() {
    try {
        return execFileSync('gnuplot', ['--version'], { encoding: 'utf8' }).trim();
    } catch {
        return null;
    }
}
