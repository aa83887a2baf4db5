// The wasm heap after RvfStore.fromBytes / fromBytesReadonly of a large image (issue 17: "fromBytes
// of large images no longer copies twice"). Deterministic: the image is built from seeded rows in
// a child process (so its build leaves no high-water mark here), and a wasm heap only grows, so
// its size after the call is the call's peak. No timing.
//   node bench/wasm_frombytes_heap.mjs [MB=64]
// Prints, for fromBytes and fromBytesReadonly (each in a fresh process): image MB and heap MB
// before (runtime loaded, nothing opened) and after the call.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { RvfStore, init } from '../npm/rvf-wasm/src/index.js';

const self = fileURLToPath(import.meta.url);
const DIM = 256;
const MB = (n) => (n / 1048576).toFixed(1);

async function make(file, targetMb) {
    const rows = Math.floor((targetMb << 20) / (DIM * 4));
    let a = 12345;
    const rnd = () => ((a = (Math.imul(a, 1103515245) + 12345) >>> 0) / 4294967296) - 0.5;
    const src = await RvfStore.create({ dimensions: DIM, witness: false });
    for (let at = 0; at < rows; at += 4096) {
        const n = Math.min(4096, rows - at);
        const v = new Float32Array(n * DIM);
        for (let i = 0; i < v.length; i++)
            v[i] = rnd();
        src.ingestBatch(Array.from({ length: n }, (_, i) => at + i + 1), v);
    }
    writeFileSync(file, src.toBytes());
    src.close();
}

async function measure(file, how) {
    // The module's WebAssembly.Memory, whatever its export is named.
    let memory = null;
    const instantiate = WebAssembly.instantiate;
    WebAssembly.instantiate = async (...args) => {
        const r = await instantiate.apply(WebAssembly, args);
        memory ??= Object.values((r.instance ?? r).exports).find((e) => e instanceof WebAssembly.Memory) ?? null;
        return r;
    };
    await init();
    const bytes = new Uint8Array(readFileSync(file));
    const before = memory.buffer.byteLength;
    const store = await RvfStore[how](bytes);
    const after = memory.buffer.byteLength;
    console.log(`${how}: image ${MB(bytes.length)} MB, wasm heap ${MB(before)} MB before, ${MB(after)} MB after (+${MB(after - before)} MB = ${((after - before) / bytes.length).toFixed(2)} × the image)`);
    store.close();
}

const [mode, arg, how] = process.argv.slice(2);
if (mode === '--make') {
    await make(arg, Number(how));
} else if (mode === '--measure') {
    await measure(arg, how);
} else {
    const targetMb = Number(mode ?? 64);
    const file = path.join(os.tmpdir(), `rvf-frombytes-heap-${targetMb}mb.rvf`);
    if (!existsSync(file))
        execFileSync(process.execPath, [self, '--make', file, String(targetMb)], { stdio: 'inherit' });
    for (const h of ['fromBytes', 'fromBytesReadonly'])
        execFileSync(process.execPath, [self, '--measure', file, h], { stdio: 'inherit' });
}
