// Input files for `rvf ingest` / `rvf query --queries`: format by extension (or --format),
// "-" for stdin. Every reader yields batches {dim, rows: Float32Array[]} (binary formats, no
// ids) or {dim, entries: [{id?, vector, metadata?}]} (text formats).
import fs from 'node:fs';
import { readVecs } from './vecs.js';
import { readNpy } from './npy.js';
import { readJsonl, readCsv } from './text.js';
import { readJsonDocument } from './json-doc.js';
import { InputError, UsageError } from '../errors.js';

export const FORMATS = ['fvecs', 'bvecs', 'ivecs', 'npy', 'jsonl', 'json', 'csv'];

export function formatOf(file, explicit) {
    if (explicit) {
        if (!FORMATS.includes(explicit))
            throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${explicit}'`);
        return explicit;
    }
    if (file === '-')
        return 'jsonl';
    const ext = /\.([a-z]+)$/i.exec(file)?.[1]?.toLowerCase();
    if (ext === 'ndjson')
        return 'jsonl';
    if (ext === 'tsv')
        throw new UsageError('tab-separated input is not supported: use .csv');
    if (!FORMATS.includes(ext))
        throw new UsageError(`cannot tell the format of '${file}' from its extension: pass --format ${FORMATS.join('|')}`);
    return ext;
}

/** Open an input: {format, size (bytes, or 0 when unknown), batches(options)}. */
export function openInput(file, explicitFormat) {
    const format = formatOf(file, explicitFormat);
    let size = 0, stream;
    if (file === '-') {
        stream = process.stdin;
    } else {
        try {
            const st = fs.statSync(file);
            if (!st.isFile())
                throw new InputError(`${file} is not a file`);
            size = st.size;
        } catch (e) {
            if (e instanceof InputError)
                throw e;
            throw new InputError(`cannot read ${file}: ${e.code === 'ENOENT' ? 'no such file' : e.message}`);
        }
        stream = fs.createReadStream(file, { highWaterMark: 1 << 20 });
    }
    const batches = (opts) => {
        switch (format) {
        case 'fvecs': case 'bvecs': case 'ivecs':
            return readVecs(stream, format, opts);
        case 'npy':
            return readNpy(stream, opts);
        case 'jsonl':
            return readJsonl(stream, opts);
        case 'json':
            return readJsonDocument(stream, opts);
        default:
            return readCsv(stream, opts);
        }
    };
    return { format, size, batches };
}

/** All rows of a (small) vector file, e.g. queries or ground truth. */
export async function readAllRows(file, explicitFormat) {
    const input = openInput(file, explicitFormat);
    const rows = [];
    for await (const b of input.batches({ batchSize: 4096 }))
        for (const r of b.rows ?? b.entries.map((e) => e.vector))
            rows.push(r);
    return rows;
}
