// TEXMEX .fvecs / .bvecs / .ivecs: per record a little-endian int32 dimension, then that many
// float32 / uint8 / int32 values. Yields batches of Float32Array rows (ivecs: Int32Array).
// A file cut short inside a record yields the complete records before it, then throws the
// InputError: `rvf ingest` commits what is whole and reports how much.
import { ByteReader } from './bytes.js';
import { InputError } from '../errors.js';

const ELEM = { fvecs: 4, bvecs: 1, ivecs: 4 };

export async function* readVecs(stream, kind, { batchSize = 1000, progress } = {}) {
    const r = new ByteReader(stream);
    const size = ELEM[kind];
    let dim = -1;
    let batch = [];
    let row = 0;
    let failure = null;
    try {
        for (;;) {
            const head = await r.read(4, `${kind} record ${row} header`);
            if (head === null)
                break;
            const d = head.readInt32LE(0);
            if (d <= 0 || d > 65535)
                throw new InputError(`${kind} record ${row}: dimension ${d} is not in 1..65535 (is this a .${kind} file?)`);
            if (dim === -1)
                dim = d;
            else if (d !== dim)
                throw new InputError(`${kind} record ${row}: dimension ${d}, earlier records have ${dim}`);
            const body = await r.read(d * size, `${kind} record ${row}`);
            let v;
            if (kind === 'bvecs')
                v = Float32Array.from(body);
            else {
                const copy = new Uint8Array(body); // aligned copy for the typed view
                v = kind === 'fvecs' ? new Float32Array(copy.buffer, 0, d) : new Int32Array(copy.buffer, 0, d);
            }
            batch.push(v);
            row++;
            if (batch.length >= batchSize) {
                progress?.(r.consumed);
                yield { dim, rows: batch };
                batch = [];
            }
        }
    } catch (e) {
        if (!(e instanceof InputError))
            throw e;
        failure = e; // the whole records read so far still go out first
    }
    progress?.(r.consumed);
    if (batch.length > 0)
        yield { dim, rows: batch };
    if (failure)
        throw failure;
}
