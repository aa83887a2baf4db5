#!/usr/bin/env node
// npm/rvf-node/scripts/stage-addon.mjs — copies a built addon into its platform package:
//   <from> → npm/rvf-node-<platform>/rvf-node.<platform>.node
//
//   node npm/rvf-node/scripts/stage-addon.mjs [--from FILE] [--platform TRIPLE]
// Defaults: --platform = this process's triple (linux-x64-gnu here); --from = the newest of
// build/{native-release,native-debug,node}/native/rvf_node.node (CMake: RVF_BUILD_NODE_ADDON).
// CI (.github/workflows/native-packages.yml) runs it after a Release build on each platform.
import { copyFileSync, existsSync, statSync } from 'node:fs';
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
    const found = ['native-release', 'native-debug', 'node']
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
