// Fault injection at the code level: a copy of a module whose named export starts with the
// `unreachable` instruction, so the first call traps inside the wasm itself (not in JS).
// Parses just enough of the binary format (sections, imports, exports, code bodies) and
// rewrites the one body and the code section's size.

function leb(n) {
    const out = [];
    do {
        let b = n & 0x7f;
        n >>>= 7;
        if (n) b |= 0x80;
        out.push(b);
    } while (n);
    return out;
}

function reader(bytes, pos = 0) {
    return {
        get pos() {
            return pos;
        },
        set pos(p) {
            pos = p;
        },
        u8: () => bytes[pos++],
        u32() {
            let result = 0, shift = 0, b;
            do {
                b = bytes[pos++];
                result |= (b & 0x7f) << shift;
                shift += 7;
            } while (b & 0x80);
            return result >>> 0;
        },
        name() {
            const n = this.u32();
            const s = new TextDecoder().decode(bytes.subarray(pos, pos + n));
            pos += n;
            return s;
        },
    };
}

/** Module bytes with `unreachable` prepended to the body of export `exportName`. */
export function injectUnreachable(bytes, exportName) {
    bytes = new Uint8Array(bytes);
    const r = reader(bytes, 8);
    const sections = [];
    let importedFuncs = 0;
    let funcIndex = -1;
    while (r.pos < bytes.length) {
        const start = r.pos;
        const id = r.u8();
        const size = r.u32();
        const body = r.pos;
        sections.push({ id, start, body, end: body + size });
        if (id === 2) {
            for (let n = r.u32(); n > 0; --n) {
                r.name();
                r.name();
                const kind = r.u8();
                if (kind === 0) {
                    importedFuncs++;
                    r.u32();
                } else if (kind === 1) {
                    r.u8();
                    const f = r.u8();
                    r.u32();
                    if (f & 1) r.u32();
                } else if (kind === 2) {
                    const f = r.u8();
                    r.u32();
                    if (f & 1) r.u32();
                } else {
                    r.u8();
                    r.u8();
                }
            }
        } else if (id === 7) {
            for (let n = r.u32(); n > 0; --n) {
                const name = r.name();
                const kind = r.u8();
                const index = r.u32();
                if (kind === 0 && name === exportName) funcIndex = index;
            }
        }
        r.pos = body + size;
    }
    if (funcIndex < importedFuncs) throw new Error(`no defined function exported as ${exportName}`);
    const code = sections.find((s) => s.id === 10);
    r.pos = code.body;
    const count = r.u32();
    const parts = [leb(count)];
    for (let i = 0; i < count; i++) {
        const size = r.u32();
        const bodyStart = r.pos;
        let fn = bytes.subarray(bodyStart, bodyStart + size);
        if (i === funcIndex - importedFuncs) {
            const lr = reader(fn);
            for (let n = lr.u32(); n > 0; --n) {
                lr.u32();
                lr.u8();
            }
            fn = Uint8Array.from([...fn.subarray(0, lr.pos), 0x00, ...fn.subarray(lr.pos)]);
        }
        parts.push(leb(fn.length), fn);
        r.pos = bodyStart + size;
    }
    const payload = Uint8Array.from(parts.flatMap((p) => Array.from(p)));
    const out = Uint8Array.from([
        ...bytes.subarray(0, code.start),
        10,
        ...leb(payload.length),
        ...payload,
        ...bytes.subarray(code.end),
    ]);
    if (!WebAssembly.validate(out)) throw new Error('patched module does not validate');
    return out;
}
