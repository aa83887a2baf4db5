// NumPy .npy (format versions 1–3): a 2-D C-order array of float32/float64/float16/int/uint
// elements, one vector per row. Yields batches of Float32Array rows.
import { ByteReader } from './bytes.js';
import { InputError } from '../errors.js';

const TYPES = {
    f4: (b, o) => b.readFloatLE(o), f8: (b, o) => b.readDoubleLE(o),
    i1: (b, o) => b.readInt8(o), u1: (b, o) => b.readUInt8(o),
    i2: (b, o) => b.readInt16LE(o), u2: (b, o) => b.readUInt16LE(o),
    i4: (b, o) => b.readInt32LE(o), u4: (b, o) => b.readUInt32LE(o),
    i8: (b, o) => Number(b.readBigInt64LE(o)), u8: (b, o) => Number(b.readBigUInt64LE(o)),
    f2: (b, o) => half(b.readUInt16LE(o)),
};

function half(h) {
    const s = h & 0x8000 ? -1 : 1, e = (h >> 10) & 0x1f, f = h & 0x3ff;
    if (e === 0)
        return s * 2 ** -14 * (f / 1024);
    if (e === 31)
        return f ? NaN : s * Infinity;
    return s * 2 ** (e - 15) * (1 + f / 1024);
}

function parseHeader(text) {
    const descr = /'descr'\s*:\s*'([<>|=])([a-z])(\d+)'/.exec(text);
    const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(text);
    const shape = /'shape'\s*:\s*\(([^)]*)\)/.exec(text);
    if (!descr || !fortran || !shape)
        throw new InputError(`npy header not understood: ${text.trim()}`);
    const [, order, kind, bytes] = descr;
    const code = `${kind}${bytes}`;
    if (!TYPES[code])
        throw new InputError(`npy element type '${order}${code}' is not supported (float16/32/64, int/uint 8–64)`);
    if (order === '>' && Number(bytes) > 1)
        throw new InputError('big-endian .npy files are not supported');
    if (fortran[1] === 'True')
        throw new InputError('Fortran-order .npy files are not supported (save with C order)');
    const dims = shape[1].split(',').map((s) => s.trim()).filter(Boolean).map(Number);
    if (dims.length === 1)
        dims.unshift(1); // a single vector
    if (dims.length !== 2 || dims.some((d) => !Number.isInteger(d) || d < 0))
        throw new InputError(`npy shape (${shape[1]}) is not a 2-D array of vectors`);
    return { code, size: Number(bytes), rows: dims[0], dim: dims[1] };
}

export async function* readNpy(stream, { batchSize = 1000, progress } = {}) {
    const r = new ByteReader(stream);
    const magic = await r.read(8, 'npy magic');
    if (magic === null || magic[0] !== 0x93 || magic.subarray(1, 6).toString('latin1') !== 'NUMPY')
        throw new InputError('not a .npy file (no \\x93NUMPY magic)');
    const major = magic[6];
    const lenBytes = await r.read(major >= 2 ? 4 : 2, 'npy header length');
    const hlen = major >= 2 ? lenBytes.readUInt32LE(0) : lenBytes.readUInt16LE(0);
    const h = parseHeader((await r.read(hlen, 'npy header')).toString(major >= 3 ? 'utf8' : 'latin1'));
    if (h.dim === 0 || h.dim > 65535)
        throw new InputError(`npy rows have ${h.dim} components (1..65535 allowed)`);
    const get = TYPES[h.code];
    let batch = [];
    for (let i = 0; i < h.rows; i++) {
        const b = await r.read(h.dim * h.size, `npy row ${i}`);
        if (b === null)
            throw new InputError(`npy data ends after ${i} of ${h.rows} rows`);
        const v = new Float32Array(h.dim);
        for (let j = 0; j < h.dim; j++)
            v[j] = get(b, j * h.size);
        batch.push(v);
        if (batch.length >= batchSize) {
            progress?.(r.consumed);
            yield { dim: h.dim, rows: batch, total: h.rows };
            batch = [];
        }
    }
    progress?.(r.consumed);
    if (batch.length > 0)
        yield { dim: h.dim, rows: batch, total: h.rows };
}
