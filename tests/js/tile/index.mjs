// Tile simulator (spec §7.6): a Node harness that runs a microkernel .wasm as a Cognitum tile
// behind the hub ↔ tile message protocol. Used by tests/js/microkernel*.test.mjs and by
// bench/wasm/. Start with loadTileModule(), then `new Hub({ tileModule })`.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { TileModule } from './tile.mjs';

export * from './codec.mjs';
export * from './dataset.mjs';
export * from './hub.mjs';
export * from './layout_s.mjs';
export * from './protocol.mjs';
export * from './tile.mjs';
export { injectUnreachable } from './wasm_patch.mjs';

export const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** Path of our microkernel build ('scalar' | 'simd'); RVF_MICROKERNEL_DIR overrides the directory. */
export function microkernelPath(variant) {
    const dir = process.env.RVF_MICROKERNEL_DIR ?? path.join(repoRoot, 'build/microkernel/microkernel');
    const p = path.join(dir, variant === 'simd' ? 'rvf_microkernel_simd.wasm' : 'rvf_microkernel.wasm');
    if (!existsSync(p))
        throw new Error(`${p} not found: build it with \`cmake --preset microkernel && cmake --build --preset microkernel\``);
    return p;
}

/** Path of upstream's module (@ruvector/rvf-wasm 0.1.9, installed as the devDependency upstream-rvf-wasm). */
export function upstreamPath() {
    const require = createRequire(import.meta.url);
    return path.join(path.dirname(require.resolve('upstream-rvf-wasm/wasm')), 'rvf_wasm_bg.wasm');
}

/** 'scalar' | 'simd' | 'upstream' → TileModule. */
export async function loadTileModule(which) {
    return which === 'upstream'
        ? TileModule.fromFile(upstreamPath(), 'upstream')
        : TileModule.fromFile(microkernelPath(which), 'rvf');
}
