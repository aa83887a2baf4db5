// node check_wasm.mjs <module.wasm> <exports.txt> <budget-bytes> [max-pages]
// Structural gate for the microkernel (STYLE §19, spec §7.5): the module validates, has zero
// imports and no start function, exports exactly the names in exports.txt with the listed
// signatures, keeps its memory within the tile limit (initial and maximum pages), and is
// smaller than the budget. Reads the binary's sections itself, so it needs nothing beyond Node.
import { readFileSync } from 'node:fs';

const [wasmPath, exportsPath, budgetArg, maxPagesArg = '4'] = process.argv.slice(2);
if (!wasmPath || !exportsPath || !budgetArg) {
    console.error('usage: node check_wasm.mjs <module.wasm> <exports.txt> <budget-bytes> [max-pages]');
    process.exit(2);
}
const bytes = readFileSync(wasmPath);
const budget = Number(budgetArg);
const maxPages = Number(maxPagesArg);
// exports.txt lines: `name (i32,i64)->i32` for a function, a bare name for the memory.
const expected = new Map(
    readFileSync(exportsPath, 'utf8')
        .split('\n')
        .map((l) => l.replace(/#.*/, '').trim())
        .filter(Boolean)
        .map((l) => {
            const [name, sig = null] = l.split(/\s+/, 2);
            return [name, sig];
        }),
);

// Minimal reader (binary format §5: LEB128 u32, names as vec(byte)).
let pos = 0;
const u32 = () => {
    let result = 0, shift = 0, b;
    do {
        b = bytes[pos++];
        result |= (b & 0x7f) << shift;
        shift += 7;
    } while (b & 0x80);
    return result >>> 0;
};
const name = () => {
    const n = u32();
    const s = bytes.subarray(pos, pos + n).toString('utf8');
    pos += n;
    return s;
};
const valtype = { 0x7f: 'i32', 0x7e: 'i64', 0x7d: 'f32', 0x7c: 'f64', 0x7b: 'v128' };

const failures = [];
if (!WebAssembly.validate(bytes)) failures.push('module does not validate');
if (bytes.readUInt32LE(0) !== 0x6d736100) failures.push('missing \\0asm magic');

const imports = [];
const exports = []; // { name, kind, index }
const types = []; // signature strings
const funcTypes = []; // type index per defined function
const memories = []; // { min, max }
let hasStart = false;
pos = 8;
while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 1) {
        for (let n = u32(); n > 0; --n) {
            pos += 1; // 0x60 func type
            const params = Array.from({ length: u32() }, () => valtype[bytes[pos++]]);
            const results = Array.from({ length: u32() }, () => valtype[bytes[pos++]]);
            types.push(`(${params.join(',')})->${results.join(',')}`);
        }
    } else if (id === 2) {
        // Any import fails the check, so name the first one and skip the rest of the section.
        const count = u32();
        if (count > 0) imports.push(`${name()}.${name()}`, ...Array(count - 1).fill('…'));
    } else if (id === 3) {
        for (let n = u32(); n > 0; --n) funcTypes.push(u32());
    } else if (id === 5) {
        for (let n = u32(); n > 0; --n) {
            const flags = u32();
            const min = u32();
            memories.push({ min, max: flags & 1 ? u32() : Infinity });
        }
    } else if (id === 7) {
        for (let n = u32(); n > 0; --n) {
            const exportName = name();
            const kind = bytes[pos++];
            exports.push({ name: exportName, kind, index: u32() });
        }
    } else if (id === 8) {
        hasStart = true;
    }
    pos = end;
}

if (imports.length) failures.push(`has imports (first: ${imports[0]}); a tile module must import nothing`);
if (hasStart) failures.push('has a start function; the tile must need no initialisation call');
const names = exports.map((e) => e.name);
const missing = [...expected.keys()].filter((e) => !names.includes(e));
const extra = names.filter((e) => !expected.has(e));
if (missing.length) failures.push(`missing exports: ${missing.join(', ')}`);
if (extra.length) failures.push(`exports not listed in exports.txt: ${extra.join(', ')}`);
for (const e of exports) {
    const want = expected.get(e.name);
    if (want === undefined) continue;
    if (want === null) {
        if (e.kind !== 2) failures.push(`export ${e.name} is not a memory`);
        continue;
    }
    // Indices count imported functions first; there are none when the import check passes.
    const got = e.kind === 0 ? types[funcTypes[e.index]] : `kind ${e.kind}`;
    if (got !== want) failures.push(`export ${e.name} has signature ${got}, want ${want}`);
}
if (memories.length !== 1) failures.push(`defines ${memories.length} memories, want 1`);
else if (memories[0].min > maxPages || memories[0].max > maxPages)
    failures.push(`memory ${memories[0].min}..${memories[0].max} pages exceeds the tile limit of ${maxPages} pages`);
if (!(bytes.length < budget)) failures.push(`size ${bytes.length} B is not under the ${budget} B budget`);

const mem = memories[0] ? `memory ${memories[0].min}..${memories[0].max} pages` : 'no memory';
console.log(`${wasmPath}: ${bytes.length} B (budget ${budget} B), ${imports.length} imports, ${mem}, ` +
            `${exports.length} exports: ${names.join(' ')}`);
if (failures.length) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exit(1);
}
console.log('OK');
