// Where the JS tests find build outputs. Both builds come from CMake presets
// (scripts/build-all.sh); a missing artifact fails the test with the command that makes it.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

function artifact(envVar, defaultDir, file, preset) {
    const dir = process.env[envVar] ?? path.join(repoRoot, defaultDir);
    const p = path.join(dir, file);
    if (!existsSync(p))
        throw new Error(`${p} not found: build it with \`cmake --preset ${preset} && cmake --build --preset ${preset}\` ` +
                        `(or \`npm run build\`), or point ${envVar} at the directory holding it`);
    return p;
}

/// The Embind ES module, instantiated with its .wasm bytes (the 3.1.6 glue cannot fetch a path in Node).
export async function loadRvfCore() {
    const mjs = artifact('RVF_WASM_DIST', 'build/wasm-release/js/dist', 'rvf_core.mjs', 'wasm-release');
    const wasm = artifact('RVF_WASM_DIST', 'build/wasm-release/js/dist', 'rvf_core.wasm', 'wasm-release');
    const { default: createRvfCore } = await import(pathToFileURL(mjs).href);
    return createRvfCore({ wasmBinary: await readFile(wasm) });
}

/// A microkernel variant ('scalar' or 'simd'), instantiated with an empty import object.
export async function loadMicrokernel(variant) {
    const file = variant === 'simd' ? 'rvf_microkernel_simd.wasm' : 'rvf_microkernel.wasm';
    const p = artifact('RVF_MICROKERNEL_DIR', 'build/microkernel/microkernel', file, 'microkernel');
    const { instance } = await WebAssembly.instantiate(await readFile(p), {});
    return instance.exports;
}

/// The native `rvf` command-line tool (native-debug, else native-release, or $RVF_TOOL_DIR).
export function rvfTool() {
    for (const dir of ['build/native-debug/runtime', 'build/native-release/runtime']) {
        const p = path.join(process.env.RVF_TOOL_DIR ?? path.join(repoRoot, dir), 'rvf');
        if (existsSync(p))
            return p;
    }
    return artifact('RVF_TOOL_DIR', 'build/native-debug/runtime', 'rvf', 'native-debug');
}
