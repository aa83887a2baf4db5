// Which backend runs a store: 'native' (@ruvector/rvf-node), 'wasm' (@ruvector/rvf-wasm) or
// 'auto' (default): native when running in Node and the addon loads, else wasm. The
// environment variable RVF_BACKEND (native|wasm|auto) sets the default for 'auto'.
import { rvfError } from '../errors.js';
import { WasmBackend } from './wasm.js';

const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const NAMES = new Set(['auto', 'native', 'wasm', 'node']);

let nativeProbe = null; // Promise<NativeBackend class | Error>

function probeNative() {
    if (!nativeProbe) {
        nativeProbe = (async () => {
            if (!isNode)
                return new Error('not running in Node');
            try {
                const mod = await import('./native.js');
                await mod.loadNative();
                return mod.NativeBackend;
            } catch (e) {
                return e;
            }
        })();
    }
    return nativeProbe;
}

/** Is the native addon loadable here? {available, reason}. */
export async function nativeAvailability() {
    const r = await probeNative();
    return typeof r === 'function' ? { available: true } : { available: false, reason: r.message };
}

/** The backend class for a backend option. */
export async function backendClass(choice) {
    let name = choice ?? 'auto';
    if (typeof name !== 'string' || !NAMES.has(name))
        throw rvfError('InvalidOptions', `backend must be 'auto', 'native' or 'wasm', got ${String(choice)}`);
    if (name === 'auto' && isNode && process.env.RVF_BACKEND && NAMES.has(process.env.RVF_BACKEND))
        name = process.env.RVF_BACKEND;
    if (name === 'wasm')
        return WasmBackend;
    const native = await probeNative();
    if (typeof native === 'function')
        return native;
    if (name === 'auto')
        return WasmBackend;
    throw rvfError('BackendNotFound', `the native backend (@ruvector/rvf-node) cannot be loaded: ${native.message}`);
}
