// Text inputs. JSON Lines: one object per line, {"id": "a" | 7, "vector": [..], "metadata": {..}}
// ("values" or "embedding" are accepted for "vector"), or a bare array of numbers. CSV: one
// vector per line, numbers separated by commas; an optional header line names the columns:
// "id" is the id, "meta.<name>" columns are metadata, the rest are vector components.
import { lines } from './bytes.js';
import { InputError } from '../errors.js';

function toRow(v, where) {
    if (!Array.isArray(v) || v.length === 0)
        throw new InputError(`${where}: vector must be a non-empty array of numbers`);
    const out = new Float32Array(v.length);
    for (let i = 0; i < v.length; i++) {
        // JSON has no NaN/Infinity literals; strings like "NaN" pass through to the runtime's check.
        const x = typeof v[i] === 'string' ? Number(v[i]) : v[i];
        if (typeof x !== 'number')
            throw new InputError(`${where}: component ${i} is not a number`);
        out[i] = x;
    }
    return out;
}

/**
 * One record of a text input: a bare array of numbers, or an object {"id", "vector", "metadata"}
 * ("values" or "embedding" are accepted for "vector"). `where` names the record in errors.
 */
export function entryOf(o, where) {
    if (Array.isArray(o))
        return { vector: toRow(o, where) };
    if (o === null || typeof o !== 'object')
        throw new InputError(`${where}: expected an object {"id", "vector", "metadata"} or an array of numbers`);
    const out = { vector: toRow(o.vector ?? o.values ?? o.embedding, where) };
    if (o.id !== undefined) {
        if (typeof o.id !== 'string' && !Number.isSafeInteger(o.id))
            throw new InputError(`${where}: id must be a string or a non-negative integer below 2^53`);
        out.id = o.id;
    }
    if (o.metadata !== undefined)
        out.metadata = o.metadata;
    return out;
}

export async function* readJsonl(stream, { batchSize = 1000, progress } = {}) {
    const counter = { consumed: 0 };
    let batch = [], n = 0, dim = -1;
    for await (const line of lines(stream, counter)) {
        n++;
        if (line.trim() === '')
            continue;
        let o;
        try {
            o = JSON.parse(line);
        } catch (e) {
            throw new InputError(`line ${n}: not JSON (${e.message})`);
        }
        const out = entryOf(o, `line ${n}`);
        if (dim === -1)
            dim = out.vector.length;
        batch.push(out);
        if (batch.length >= batchSize) {
            progress?.(counter.consumed);
            yield { dim, entries: batch };
            batch = [];
        }
    }
    progress?.(counter.consumed);
    if (batch.length > 0)
        yield { dim, entries: batch };
}

function splitCsv(line) {
    const out = [];
    let cur = '', q = false;
    for (let i = 0; i < line.length; i++) {
        const c = line[i];
        if (q) {
            if (c === '"' && line[i + 1] === '"') {
                cur += '"';
                i++;
            } else if (c === '"')
                q = false;
            else
                cur += c;
        } else if (c === '"')
            q = true;
        else if (c === ',') {
            out.push(cur);
            cur = '';
        } else
            cur += c;
    }
    out.push(cur);
    return out.map((s) => s.trim());
}

const numeric = (s) => s !== '' && !Number.isNaN(Number(s));
// NaN/Inf cells are numbers too (the runtime rejects such vectors one by one, with the reason).
const numberLike = (s) => numeric(s) || /^[-+]?(nan|inf(inity)?)$/i.test(s);

export async function* readCsv(stream, { batchSize = 1000, progress } = {}) {
    const counter = { consumed: 0 };
    let batch = [], n = 0, dim = -1, cols = null;
    for await (const line of lines(stream, counter)) {
        n++;
        if (line.trim() === '')
            continue;
        const cells = splitCsv(line);
        if (cols === null) {
            if (!cells.every(numberLike) || cells.some((c) => /^(id|meta\..+)$/i.test(c))) {
                cols = cells.map((c) => (/^id$/i.test(c) ? { id: true } : /^meta\./i.test(c) ? { meta: c.slice(5) } : { vec: true }));
                continue; // a header line
            }
            cols = cells.map(() => ({ vec: true }));
        }
        if (cells.length !== cols.length)
            throw new InputError(`line ${n}: ${cells.length} columns, expected ${cols.length}`);
        const vec = [], entry = {};
        cells.forEach((c, i) => {
            const col = cols[i];
            if (col.id)
                entry.id = /^(0|[1-9][0-9]*)$/.test(c) && Number.isSafeInteger(Number(c)) ? Number(c) : c;
            else if (col.meta !== undefined)
                (entry.metadata ??= {})[col.meta] = numeric(c) ? Number(c) : c === 'true' ? true : c === 'false' ? false : c;
            else {
                if (!numberLike(c))
                    throw new InputError(`line ${n}, column ${i + 1}: '${c}' is not a number`);
                vec.push(Number(/^[-+]?inf/i.test(c) ? c.replace(/inf(inity)?/i, 'Infinity') : c));
            }
        });
        entry.vector = Float32Array.from(vec);
        if (dim === -1)
            dim = vec.length;
        batch.push(entry);
        if (batch.length >= batchSize) {
            progress?.(counter.consumed);
            yield { dim, entries: batch };
            batch = [];
        }
    }
    progress?.(counter.consumed);
    if (batch.length > 0)
        yield { dim, entries: batch };
}
