// node check_wasm.mjs <module.wasm> <exports.txt> <budget-bytes>
// Structural gate for the microkernel (STYLE §19, spec §7.5): the module validates, has zero
// imports, exports exactly the names in exports.txt, and is smaller than the budget.
// Reads the binary's import/export sections itself, so it needs nothing beyond Node.
import { readFileSync } from 'node:fs';

const [wasmPath, exportsPath, budgetArg] = process.argv.slice(2);
if (!wasmPath || !exportsPath || !budgetArg) {
    console.error('usage: node check_wasm.mjs <module.wasm> <exports.txt> <budget-bytes>');
    process.exit(2);
}
const bytes = readFileSync(wasmPath);
const budget = Number(budgetArg);
const expected = readFileSync(exportsPath, 'utf8')
    .split('\n')
    .map((l) => l.replace(/#.*/, '').trim())
    .filter(Boolean);

// Minimal reader for the two sections we judge (binary format §5: LEB128 u32, names as vec(byte)).
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

const failures = [];
if (!WebAssembly.validate(bytes)) failures.push('module does not validate');
if (bytes.readUInt32LE(0) !== 0x6d736100) failures.push('missing \\0asm magic');

const imports = [];
const exports = [];
pos = 8;
while (pos < bytes.length) {
    const id = bytes[pos++];
    const size = u32();
    const end = pos + size;
    if (id === 2) {
        // Any import fails the check, so name the first one and skip the rest of the section.
        const count = u32();
        if (count > 0) imports.push(`${name()}.${name()}`, ...Array(count - 1).fill('…'));
    } else if (id === 7) {
        for (let n = u32(); n > 0; --n) {
            exports.push(name());
            pos += 1; // export kind
            u32(); // index
        }
    }
    pos = end;
}

if (imports.length) failures.push(`has imports (first: ${imports[0]}); a tile module must import nothing`);
const missing = expected.filter((e) => !exports.includes(e));
const extra = exports.filter((e) => !expected.includes(e));
if (missing.length) failures.push(`missing exports: ${missing.join(', ')}`);
if (extra.length) failures.push(`exports not listed in exports.txt: ${extra.join(', ')}`);
if (!(bytes.length < budget)) failures.push(`size ${bytes.length} B is not under the ${budget} B budget`);

console.log(`${wasmPath}: ${bytes.length} B (budget ${budget} B), ${imports.length} imports, exports: ${exports.join(' ')}`);
if (failures.length) {
    for (const f of failures) console.error(`FAIL: ${f}`);
    process.exit(1);
}
console.log('OK');
