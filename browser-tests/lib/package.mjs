// browser-tests/lib/package.mjs — @ruvector/rvf-wasm as published (package.json "files": src/,
// dist/, …) staged into build/browser/pkg with a fresh dist/ from the wasm-release build (or
// $RVF_WASM_DIST), by the package's own scripts/build.mjs. The pages import it through an import
// map and Node imports the very same files, so both sides run identical code.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { defaultDirs, stagePackage } from '../../npm/rvf-wasm/scripts/build.mjs';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
export const buildDir = path.join(repoRoot, 'build/browser');
export const pkgDir = path.join(buildDir, 'pkg');

/** Stage the package and import it in Node: {rvf (the module), pkgDir, wasmFile, wasmDir}. */
export async function stageAndImport() {
    const dirs = { ...defaultDirs(), requireMicrokernel: false };
    await stagePackage(pkgDir, dirs);
    const rvf = await import(pathToFileURL(path.join(pkgDir, 'src/index.js')).href);
    return { rvf, pkgDir, wasmFile: path.join(pkgDir, 'dist/rvf_core.wasm'), wasmDir: dirs.wasmDir };
}
