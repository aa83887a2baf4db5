// @ruvector/rvf-node — loads the native addon (the RVF C++ runtime, built by native/ in this
// repository) and re-exports it. index.js is the ES module face of this file.
//
// Where the .node file comes from, first match wins:
//   1. $RVF_NODE_ADDON — an explicit path (an error if it does not exist).
//   2. Inside this repository only (npm/rvf-node with ../../CMakePresets.json beside it): the
//      newest of build/{native-release,native-debug,node}/native/rvf_node.node, the CMake
//      outputs of `cmake --build --preset native-debug` etc., so a fresh build is used
//      without copying it into the platform package.
//   3. The platform package @ruvector/rvf-node-<platform> (an optional dependency holding
//      rvf-node.<platform>.node), platform = linux-x64-gnu, linux-arm64-gnu, darwin-x64,
//      darwin-arm64 or win32-x64-msvc.
// Otherwise: an Error naming the package to install.
'use strict';

const { existsSync, statSync } = require('node:fs');
const path = require('node:path');

const PLATFORMS = ['linux-x64-gnu', 'linux-arm64-gnu', 'darwin-x64', 'darwin-arm64', 'win32-x64-msvc'];

function linuxLibc() {
    // glibcVersionRuntime is only reported by a glibc build of Node.
    const report = typeof process.report?.getReport === 'function' ? process.report.getReport() : null;
    return report?.header?.glibcVersionRuntime ? 'gnu' : 'musl';
}

/** The platform triple of this process, as the platform packages are named. */
function platformTriple() {
    const { platform, arch } = process;
    if (platform === 'linux')
        return `linux-${arch}-${linuxLibc()}`;
    if (platform === 'win32')
        return `win32-${arch}-msvc`;
    return `${platform}-${arch}`;
}

function repoBuildCandidate() {
    const repoRoot = path.resolve(__dirname, '../..');
    if (!existsSync(path.join(repoRoot, 'CMakePresets.json')) || !existsSync(path.join(repoRoot, 'native')))
        return null;
    let best = null;
    for (const dir of ['native-release', 'native-debug', 'node']) {
        const p = path.join(repoRoot, 'build', dir, 'native', 'rvf_node.node');
        if (existsSync(p) && (!best || statSync(p).mtimeMs > best.mtime))
            best = { path: p, mtime: statSync(p).mtimeMs };
    }
    return best && best.path;
}

function load() {
    const explicit = process.env.RVF_NODE_ADDON;
    if (explicit) {
        if (!existsSync(explicit))
            throw new Error(`@ruvector/rvf-node: RVF_NODE_ADDON=${explicit} does not exist`);
        return { addon: require(path.resolve(explicit)), file: path.resolve(explicit) };
    }
    const local = repoBuildCandidate();
    if (local)
        return { addon: require(local), file: local };
    const triple = platformTriple();
    const pkg = `@ruvector/rvf-node-${triple}`;
    if (!PLATFORMS.includes(triple))
        throw new Error(`@ruvector/rvf-node: no prebuilt addon for ${triple} (published: ${PLATFORMS.join(', ')}); ` +
                        'build it from source (native/ in the RVF repository) and set RVF_NODE_ADDON to its path');
    let file;
    try {
        file = require.resolve(pkg);
    } catch (e) {
        throw new Error(`@ruvector/rvf-node: the native addon package ${pkg} is not installed ` +
                        `(npm install ${pkg}; optional dependencies may have been skipped, e.g. --no-optional), ` +
                        'or set RVF_NODE_ADDON to the path of an rvf_node.node file', { cause: e });
    }
    return { addon: require(file), file };
}

const { addon, file } = load();

/** True for errors raised by the addon: an Error with a numeric `code` and an "RVF error 0x…" message. */
function isRvfError(e) {
    return e instanceof Error && typeof e.code === 'number' && /^RVF error 0x[0-9A-F]{4}: /.test(e.message);
}

module.exports = {
    RvfDatabase: addon.RvfDatabase,
    RvfShardedCollection: addon.RvfShardedCollection,
    Progressive: addon.Progressive,
    RvfStatus: addon.RvfStatus,
    version: addon.version,
    verifyFile: addon.verifyFile,
    signingKeyId: addon.signingKeyId,
    isRvfError,
    addonPath: file,
    platformTriple,
};
