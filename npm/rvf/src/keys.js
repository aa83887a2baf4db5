// How the SDK's string ids and named metadata fields are kept inside the .rvf file (no sidecar).
//
// The runtime stores u64 ids and metadata keyed by u16 field ids. The SDK maps onto that
// deterministically, so nothing but the .rvf itself is needed to reopen a store:
//
//  * id given as a number (safe integer ≥ 0) or bigint (< 2^64): used as the u64 id itself.
//  * id given as a string: u64 id = FNV-1a 64 of its UTF-8 bytes, and the string is stored in
//    the reserved metadata field 0xFFFF ("_id") of that row. Query results read it back, so
//    string ids survive reopen and work from any backend. A different string hashing to a u64
//    already in the store is refused (the existing row's "_id" is compared).
//  * metadata key "0".."32767" (a decimal integer): that field id itself (the runtime's and
//    upstream's numeric form, e.g. files written by the C++ `rvf` tool).
//  * any other metadata key (a name): field id 0x8000 + FNV-1a 32(name) mod 0x7FF0. The names
//    of a row's named fields are stored in the reserved field 0xFFFE ("_fields", a JSON array),
//    so get() can give them back by name. Two names of one store landing on the same field id
//    are refused when the SDK sees both (same process); see README "String ids and metadata".
//
// Values: string → string, boolean → bool, number → f64 (integers too, so a number filter
// always compares like with like), bigint → i64 (negative) / u64, Uint8Array → bytes; a typed
// object ({u64: 5}, {i64: -1n}, {f64: 1}, {string: 's'}, {bool: true}, {bytes: u8}) is kept.
import { rvfError } from './errors.js';

export const ID_FIELD = 0xffff;
export const NAMES_FIELD = 0xfffe;
export const MAX_EXPLICIT_FIELD = 0x7fff;
const NAMED_BASE = 0x8000, NAMED_SPAN = 0x7ff0; // 0x8000..0xFFEF
const MAX_U64 = (1n << 64n) - 1n;
const utf8 = new TextEncoder();

/** FNV-1a 64 of bytes as a bigint, computed in four 16-bit limbs (BigInt per byte is slow). */
export function fnv1a64(bytes) {
    let h0 = 0x2325, h1 = 0x8422, h2 = 0x9ce4, h3 = 0xcbf2; // offset basis 0xcbf29ce484222325
    for (let i = 0; i < bytes.length; i++) {
        h0 ^= bytes[i];
        // h * 0x100000001B3 mod 2^64 = h * 0x1B3 + (h << 40)
        const t0 = h0 * 0x1b3;
        const t1 = h1 * 0x1b3 + (t0 >>> 16);
        const t2 = h2 * 0x1b3 + (t1 >>> 16) + (h0 << 8);
        const t3 = h3 * 0x1b3 + Math.floor(t2 / 65536) + (h1 << 8);
        h0 = t0 & 0xffff;
        h1 = t1 & 0xffff;
        h2 = t2 & 0xffff;
        h3 = t3 & 0xffff;
    }
    return (BigInt(h3) << 48n) | (BigInt(h2) << 32n) | (BigInt(h1 * 65536 + h0));
}

/** FNV-1a 32 of bytes. */
export function fnv1a32(bytes) {
    let h = 0x811c9dc5;
    for (let i = 0; i < bytes.length; i++)
        h = Math.imul(h ^ bytes[i], 0x01000193) >>> 0;
    return h >>> 0;
}

/** The u64 id (bigint) of an SDK id; `string` tells whether "_id" must be stored. */
export function toU64(id, where = 'id') {
    if (typeof id === 'string') {
        if (id.length === 0)
            throw rvfError('InvalidArgument', `${where} is an empty string`);
        return fnv1a64(utf8.encode(id));
    }
    if (typeof id === 'number' && Number.isSafeInteger(id) && id >= 0)
        return BigInt(id);
    if (typeof id === 'bigint' && id >= 0n && id <= MAX_U64)
        return id;
    throw rvfError('InvalidArgument', `${where} must be a string, a non-negative safe integer or a bigint below 2^64, got ${typeof id === 'bigint' ? `${id}n` : String(id)}`);
}

/** Field id of a metadata key or filter field (number or name). */
export function fieldId(key) {
    if (typeof key === 'number') {
        if (Number.isInteger(key) && key >= 0 && key <= 0xffff)
            return key;
        throw rvfError('InvalidArgument', `field id ${key} is not an integer in 0..65535`);
    }
    if (typeof key !== 'string' || key.length === 0)
        throw rvfError('InvalidArgument', `a metadata field is a name or a field id, got ${String(key)}`);
    if (key === '_id')
        return ID_FIELD;
    if (/^(0|[1-9][0-9]{0,4})$/.test(key)) {
        const n = Number(key);
        if (n <= MAX_EXPLICIT_FIELD)
            return n;
    }
    return NAMED_BASE + (fnv1a32(utf8.encode(key)) % NAMED_SPAN);
}

const isExplicit = (key) => /^(0|[1-9][0-9]{0,4})$/.test(key) && Number(key) <= MAX_EXPLICIT_FIELD;

/** A metadata value or filter literal in the runtime's typed form. */
export function typedValue(v, where) {
    switch (typeof v) {
    case 'string':
        return { string: v };
    case 'boolean':
        return { bool: v };
    case 'number':
        return { f64: v };
    case 'bigint':
        return v < 0n ? { i64: v.toString() } : { u64: v.toString() };
    default:
        break;
    }
    if (v instanceof Uint8Array)
        return { bytes: v };
    if (v !== null && typeof v === 'object') {
        const keys = Object.keys(v);
        if (keys.length === 1 && ['u64', 'i64', 'f64', 'string', 'bool', 'bytes'].includes(keys[0])) {
            const x = v[keys[0]];
            return typeof x === 'bigint' ? { [keys[0]]: x.toString() } : v;
        }
    }
    throw rvfError('InvalidArgument', `${where}: unsupported value ${String(v)} (string, number, boolean, bigint, Uint8Array or a typed {u64|i64|f64|string|bool|bytes: value})`);
}

/**
 * Per-store field-name bookkeeping: remembers which name each named field id came from, to
 * refuse two names sharing a field id.
 */
export class FieldNames {
    #byId = new Map();

    /** Field id of a name (or explicit key), recording the name. */
    id(key) {
        const fid = fieldId(key);
        if (typeof key === 'string' && fid >= NAMED_BASE && fid < NAMED_BASE + NAMED_SPAN) {
            const seen = this.#byId.get(fid);
            if (seen === undefined)
                this.#byId.set(fid, key);
            else if (seen !== key)
                throw rvfError('InvalidArgument', `metadata names '${seen}' and '${key}' map to the same field id 0x${fid.toString(16)}; rename one (or use numeric field ids)`);
        }
        return fid;
    }

    /** Name for a field id read back from the file, given the row's stored name list. */
    learn(names) {
        for (const n of names)
            this.id(n);
    }
}

/**
 * The runtime metadata row ({fieldId: typed}) of one SDK entry; `stringId` is the id when it
 * is a string.
 */
export function encodeRow(fields, metadata, stringId, where) {
    const row = {};
    let any = false;
    if (metadata !== undefined && metadata !== null) {
        if (typeof metadata !== 'object' || Array.isArray(metadata))
            throw rvfError('InvalidArgument', `${where}.metadata must be an object of field → value`);
        const names = [];
        for (const [key, value] of Object.entries(metadata)) {
            if (value === undefined || value === null)
                continue;
            if (key === '_id' || key === '_fields')
                throw rvfError('InvalidArgument', `${where}.metadata: '${key}' is reserved by the SDK`);
            const fid = fields.id(key);
            row[fid] = typedValue(value, `${where}.metadata.${key}`);
            any = true;
            if (!isExplicit(key))
                names.push(key);
        }
        if (names.length > 0)
            row[NAMES_FIELD] = { string: JSON.stringify(names) };
    }
    if (stringId !== undefined) {
        row[ID_FIELD] = { string: stringId };
        any = true;
    }
    return any ? row : null;
}

function plainValue(typed) {
    const [type, v] = Object.entries(typed)[0];
    if (type === 'u64' || type === 'i64')
        return typeof v === 'bigint' ? v : BigInt(v);
    return v;
}

/** A stored row ({fieldId: typed}) back in SDK form: { id?: string, metadata: {name: value} }. */
export function decodeRow(fields, row) {
    if (!row)
        return { stringId: undefined, metadata: {} };
    let names = [];
    if (row[NAMES_FIELD] && typeof row[NAMES_FIELD].string === 'string') {
        try {
            names = JSON.parse(row[NAMES_FIELD].string);
        } catch {
            names = [];
        }
        if (!Array.isArray(names))
            names = [];
    }
    const nameOf = new Map();
    for (const n of names)
        if (typeof n === 'string')
            nameOf.set(fieldId(n), n);
    fields.learn([...nameOf.values()]);
    const metadata = {};
    for (const [k, typed] of Object.entries(row)) {
        const fid = Number(k);
        if (fid === ID_FIELD || fid === NAMES_FIELD)
            continue;
        metadata[nameOf.get(fid) ?? String(fid)] = plainValue(typed);
    }
    const idTyped = row[ID_FIELD];
    return { stringId: idTyped && typeof idTyped.string === 'string' ? idTyped.string : undefined, metadata };
}

/** The stored "_id" of a row, if any. */
export function rowStringId(row) {
    const t = row && row[ID_FIELD];
    return t && typeof t.string === 'string' ? t.string : undefined;
}
