#!/usr/bin/env node
// npm/rvf-node/scripts/stage-addon.mjs — copies a built addon, and the `rvf` tool built beside it,
// into their platform package:
//   <from>                       → npm/rvf-node-<platform>/rvf-node.<platform>.node
//   <from>/../../runtime/rvf     → npm/rvf-node-<platform>/rvf   (`npx rvf serve` runs it)
//
//   node npm/rvf-node/scripts/stage-addon.mjs [--from FILE] [--tool FILE] [--platform TRIPLE]
// Defaults: --platform = this process's triple (linux-x64-gnu here); --from = the newest of
// build/{node-portable,native-release,native-debug,node}/native/rvf_node.node (CMake:
// RVF_BUILD_NODE_ADDON); --tool = the rvf of the same build tree. Publish from node-portable:
// only its binaries run on any glibc >= 2.28 with nothing else installed (scripts/check-portable.sh).
// A platform without the tool (no runtime/rvf beside the addon) is staged without it; an old
// copy is removed so a package never ships a tool from another build.
import { chmodSync, copyFileSync, existsSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const npmDir = fileURLToPath(new URL('../..', import.meta.url));
const repoRoot = path.resolve(npmDir, '..');

function arg(name) {
    const i = process.argv.indexOf(name);
    return i >= 0 ? process.argv[i + 1] : undefined;
}

function newestBuild() {
    const found = ['node-portable', 'native-release', 'native-debug', 'node']
        .map((d) => path.join(repoRoot, 'build', d, 'native', 'rvf_node.node'))
        .filter((p) => existsSync(p))
        .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
    if (!found.length)
        throw new Error('no build/*/native/rvf_node.node: run `cmake --preset native-release && cmake --build --preset native-release --target rvf_node`');
    return found[0];
}

const triple = arg('--platform') ?? (() => {
    // The triple logic of the loader, without loading an addon.
    const { platform, arch } = process;
    if (platform === 'linux')
        return `linux-${arch}-${process.report.getReport().header.glibcVersionRuntime ? 'gnu' : 'musl'}`;
    return platform === 'win32' ? `win32-${arch}-msvc` : `${platform}-${arch}`;
})();
const from = arg('--from') ?? newestBuild();
const pkgDir = path.join(npmDir, `rvf-node-${triple}`);
if (!existsSync(path.join(pkgDir, 'package.json')))
    throw new Error(`${pkgDir} is not a platform package`);
const pkg = require(path.join(pkgDir, 'package.json'));
const dest = path.join(pkgDir, pkg.main);
copyFileSync(from, dest);
console.log(`${from} → ${dest} (${statSync(dest).size} bytes)`);

const toolName = triple.startsWith('win32') ? 'rvf.exe' : 'rvf';
const tool = arg('--tool') ?? path.join(path.dirname(path.dirname(path.resolve(from))), 'runtime', toolName);
const toolDest = path.join(pkgDir, toolName);
if (existsSync(tool)) {
    copyFileSync(tool, toolDest);
    chmodSync(toolDest, 0o755);
    console.log(`${tool} → ${toolDest} (${statSync(toolDest).size} bytes)`);
} else if (arg('--tool')) {
    throw new Error(`--tool ${tool} does not exist`);
} else {
    rmSync(toolDest, { force: true });
    console.log(`no ${tool}: ${pkgDir} staged without the rvf tool (npx rvf serve will not find it there)`);
}
