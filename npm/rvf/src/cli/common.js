// Helpers shared by the commands: opening a store, printing, writing output files.
import fs from 'node:fs';
import path from 'node:path';
import { RvfDatabase } from '../database.js';
import { UsageError, InputError } from './errors.js';

export const BACKENDS = ['auto', 'native', 'wasm'];

export function backendOption(opts) {
    const b = opts.backend ?? 'auto';
    if (!BACKENDS.includes(b))
        throw new UsageError(`--backend must be auto, native or wasm, got '${b}'`);
    return b;
}

export function openDb(file, opts, { readOnly = false } = {}) {
    const backend = backendOption(opts);
    return readOnly ? RvfDatabase.openReadonly(file, { backend }) : RvfDatabase.open(file, { backend });
}

/** JSON with bigints as numbers when safe, else decimal strings. */
export function toJson(value, indent) {
    return JSON.stringify(value, (k, v) => (typeof v === 'bigint' ? (v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v.toString()) : v), indent);
}

/** Print `value` as JSON (--json) or through `human(value)` lines. */
export function output(io, opts, value, human) {
    if (opts.json)
        io.stdout.write(`${toJson(value)}\n`);
    else
        io.stdout.write(`${human(value)}\n`);
}

/** Parse a vector given on the command line: JSON array or comma/space separated numbers. */
export function parseVector(text) {
    const t = text.trim();
    let arr;
    if (t.startsWith('[')) {
        try {
            arr = JSON.parse(t);
        } catch (e) {
            throw new UsageError(`--vector is not a JSON array: ${e.message}`);
        }
    } else {
        arr = t.split(/[\s,]+/).filter(Boolean).map(Number);
    }
    if (!Array.isArray(arr) || arr.length === 0 || arr.some((x) => typeof x !== 'number'))
        throw new UsageError('--vector must be a non-empty list of numbers, e.g. --vector "[0.1, 0.2, 0.3]"');
    return Float32Array.from(arr);
}

/** Parse --filter (JSON text or @file). */
export function parseFilter(text) {
    if (text === undefined)
        return undefined;
    let src = text;
    if (text.startsWith('@')) {
        try {
            src = fs.readFileSync(text.slice(1), 'utf8');
        } catch (e) {
            throw new InputError(`cannot read filter file ${text.slice(1)}: ${e.message}`);
        }
    }
    try {
        return JSON.parse(src);
    } catch (e) {
        throw new UsageError(`--filter is not JSON: ${e.message} (example: --filter '{"op":"eq","field":"genre","value":"news"}')`);
    }
}

/** Write bytes to `file` atomically (temp + fsync + rename); refuse to overwrite unless force. */
export function writeFileAtomic(file, bytes, force) {
    if (!force && fs.existsSync(file))
        throw new UsageError(`${file} exists (pass --force to overwrite)`);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
    const fd = fs.openSync(tmp, 'w', 0o644);
    try {
        fs.writeSync(fd, bytes);
        fs.fsyncSync(fd);
    } finally {
        fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
}

export const fmtBytes = (n) => (n < 1024 ? `${n} B` : n < 1 << 20 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / (1 << 20)).toFixed(1)} MiB`);

/** Percentile (nearest-rank) of sorted numbers. */
export function percentile(sorted, p) {
    if (sorted.length === 0)
        return NaN;
    const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
    return sorted[i];
}
