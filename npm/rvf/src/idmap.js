// Stores written by upstream's SDK (@ruvector/rvf 0.2.x) with string ids. Upstream gives each
// string id a small numeric label (1, 2, 3, … in insertion order), stores the vector under that
// label and keeps the string ↔ label map in a sidecar `<file>.idmap.json`:
//   {"idToLabel": {"a": 1, …}, "labelToId": {"1": "a", …}, "nextLabel": 4}
// Our SDK keeps string ids inside the file instead (keys.js: u64 = FNV-1a 64 of the string, the
// string in the reserved "_id" field). This module reads the sidecar so such a store answers with
// its string ids at once (read-only handles too), and moves the ids into the file on the first
// write ("migration"): the rows are re-inserted under their FNV ids with "_id" set, then the
// label rows are deleted (two commits: the runtime has no single commit that renames ids), and
// only after both are durable is the sidecar renamed to `<file>.idmap.json.bak`. A crash anywhere
// leaves the sidecar in place and the next write finishes the job: rows already moved are
// recognised by their "_id" and only their label rows are deleted.
import { rvfError } from './errors.js';
import { syncDir } from './dir-sync.js';
import { ID_FIELD, rowStringId, toU64 } from './keys.js';

export const SIDECAR_SUFFIX = '.idmap.json';
/** Upstream writes ~40 bytes per id (twice); 256 MiB is ≈ 3M ids, far more than its stores hold. */
export const MAX_SIDECAR_BYTES = 256 << 20;
const MAX_LABEL = BigInt(Number.MAX_SAFE_INTEGER); // upstream's labels are JS numbers
const MOVE_BATCH = 4096; // rows re-inserted per commit: bounds the memory of a migration
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

/** The sidecar's path for a store path. */
export const sidecarPath = (storePath) => `${storePath}${SIDECAR_SUFFIX}`;

function damaged(file, why) {
    return rvfError('InvalidArgument', `${file} (upstream @ruvector/rvf's string-id map) is damaged: ${why}. ` +
        'Restore it from a backup, or move it aside to open the store with its numeric labels as ids');
}

const isPlainObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * Check a parsed sidecar strictly and return label → id (bigint → string). Both directions must
 * be present and exact inverses (which also makes the ids and the labels unique).
 */
export function parseSidecar(raw, file) {
    if (!isPlainObject(raw))
        throw damaged(file, 'it is not a JSON object');
    for (const k of Object.keys(raw))
        if (!['idToLabel', 'labelToId', 'nextLabel'].includes(k))
            throw damaged(file, `unexpected key '${k}' (expected idToLabel, labelToId, nextLabel)`);
    const { idToLabel, labelToId, nextLabel } = raw;
    if (!isPlainObject(idToLabel) || !isPlainObject(labelToId))
        throw damaged(file, 'idToLabel and labelToId must both be objects');
    const byLabel = new Map();
    let maxLabel = 0n;
    for (const [key, id] of Object.entries(labelToId)) {
        if (!/^(0|[1-9][0-9]{0,15})$/.test(key) || BigInt(key) > MAX_LABEL)
            throw damaged(file, `labelToId key ${JSON.stringify(key)} is not a label (a decimal integer below 2^53)`);
        if (typeof id !== 'string' || id.length === 0)
            throw damaged(file, `labelToId["${key}"] must be a non-empty string id`);
        const label = BigInt(key);
        byLabel.set(label, id);
        if (label > maxLabel)
            maxLabel = label;
    }
    const ids = Object.keys(idToLabel);
    if (ids.length !== byLabel.size)
        throw damaged(file, `idToLabel has ${ids.length} ids but labelToId has ${byLabel.size} labels (an id or a label appears twice)`);
    for (const id of ids) {
        const label = idToLabel[id];
        if (!Number.isSafeInteger(label) || label < 0)
            throw damaged(file, `idToLabel[${JSON.stringify(id)}] is not a label (a non-negative integer)`);
        if (byLabel.get(BigInt(label)) !== id)
            throw damaged(file, `idToLabel[${JSON.stringify(id)}] = ${label} but labelToId["${label}"] is ${JSON.stringify(byLabel.get(BigInt(label)) ?? null)}`);
    }
    if (nextLabel !== undefined && !(Number.isSafeInteger(nextLabel) && BigInt(nextLabel) > maxLabel))
        throw damaged(file, `nextLabel ${JSON.stringify(nextLabel)} must be an integer above every label (${maxLabel})`);
    return byLabel;
}

/** Read `<storePath>.idmap.json`: an IdMap, or null when there is none (or not in Node). */
export async function loadIdMap(storePath, backend) {
    if (!isNode || typeof storePath !== 'string')
        return null;
    const fs = (await import('node:fs')).default;
    const file = sidecarPath(storePath);
    let text, fd;
    try {
        fd = fs.openSync(file, 'r');
        const st = fs.fstatSync(fd); // of the file read below, not of whatever the path names later
        if (!st.isFile())
            throw damaged(file, 'it is not a regular file');
        if (st.size > MAX_SIDECAR_BYTES)
            throw damaged(file, `it has ${st.size} bytes, more than the ${MAX_SIDECAR_BYTES} this SDK reads`);
        const buf = Buffer.alloc(st.size);
        const n = fs.readSync(fd, buf, 0, st.size, 0);
        text = buf.toString('utf8', 0, n);
    } catch (e) {
        if (e.code === 'ENOENT')
            return null;
        if (e.name === 'InvalidArgument')
            throw e;
        throw rvfError('IoError', `read ${file}: ${e.message}; make it readable (or move it aside to open the store with numeric ids)`);
    } finally {
        if (fd !== undefined)
            fs.closeSync(fd);
    }
    let raw;
    try {
        raw = JSON.parse(text);
    } catch (e) {
        throw damaged(file, `it is not JSON (${e.message})`);
    }
    return new IdMap(file, parseSidecar(raw, file), backend);
}

/**
 * A loaded sidecar. Labels whose id already has its in-file row (an interrupted migration moved
 * it) are not used to name rows, so a query never names one id twice; migrate() still deletes
 * their rows.
 */
export class IdMap {
    #all; // every label → id of the sidecar: what migrate() works through
    #byLabel;
    #byId = new Map();

    constructor(file, byLabel, b) {
        this.file = file;
        this.#all = byLabel;
        this.#byLabel = new Map();
        for (const [label, id] of byLabel) {
            if (IdMap.#inFile(b, id))
                continue;
            this.#byLabel.set(label, id);
            this.#byId.set(id, label);
        }
    }

    /** Does the id already have its own row in the file (u64 = FNV, "_id" = id)? */
    static #inFile(b, id) {
        const u = toU64(id);
        return !!b.vector(u) && rowStringId(b.metadata(u)) === id;
    }

    /** The string id of a label (undefined when the u64 is not a mapped label). */
    idOf(u) {
        return this.#byLabel.get(BigInt(u));
    }

    /** The u64 of an SDK id: a mapped string's label unless its in-file row exists by now. */
    u64(b, id, where) {
        const u = toU64(id, where);
        if (typeof id !== 'string')
            return u;
        const label = this.#byId.get(id);
        return label === undefined || IdMap.#inFile(b, id) ? u : label;
    }

    /**
     * Move every mapped id into the file (see the top of this file), then rename the sidecar to
     * a backup. Returns {moved, backup}. Throws, leaving the sidecar, when a target u64 is taken.
     */
    async migrate(b) {
        const fs = (await import('node:fs')).default;
        const dim = b.status().dimensions;
        const moves = [], stale = [];
        for (const [label, id] of this.#all) {
            const vector = b.vector(label);
            if (IdMap.#inFile(b, id)) { // moved by an interrupted migration
                if (vector)
                    stale.push(label);
                continue;
            }
            if (!vector)
                continue; // deleted in the file: nothing to move
            const u = toU64(id);
            if (b.vector(u)) {
                const held = rowStringId(b.metadata(u));
                throw rvfError('InvalidArgument', `cannot move upstream id ${JSON.stringify(id)} (label ${label}) into ${b.path}: its u64 ${u} is already held by ${held !== undefined ? JSON.stringify(held) : `numeric id ${u}`}; delete that row, then write again (or run \`rvf import-upstream\`)`);
            }
            moves.push({ label, u, id, vector });
        }
        for (let i = 0; i < moves.length; i += MOVE_BATCH) {
            const part = moves.slice(i, i + MOVE_BATCH);
            const ids = BigUint64Array.from(part.map((m) => m.u));
            const flat = new Float32Array(part.length * dim);
            const rows = part.map((m, j) => {
                flat.set(m.vector, j * dim);
                return { ...plainRow(b.metadata(m.label)), [ID_FIELD]: { string: m.id } };
            });
            const r = await b.ingest(ids, flat, rows);
            if (r.rejected > 0)
                throw rvfError('InvalidArgument', `moving upstream ids into ${b.path}: ${r.rejections[0].message}; nothing is lost (the sidecar ${this.file} is kept), fix the cause and write again`);
        }
        const labels = [...moves.map((m) => m.label), ...stale];
        if (labels.length > 0)
            await b.delete(BigUint64Array.from(labels));
        // Both commits are durable when they return: only now may the sidecar go.
        const backup = freeBackupPath(fs, this.file);
        fs.renameSync(this.file, backup);
        syncDir(fs, (await import('node:path')).dirname(this.file));
        this.#all.clear();
        this.#byLabel.clear();
        this.#byId.clear();
        return { moved: moves.length, backup };
    }
}

/** A metadata row as read back, in the form ingest takes (64-bit integers as decimal text). */
function plainRow(row) {
    const out = {};
    for (const [k, typed] of Object.entries(row ?? {})) {
        const [type, v] = Object.entries(typed)[0];
        out[k] = { [type]: typeof v === 'bigint' ? v.toString() : v };
    }
    return out;
}

/** `<sidecar>.bak`, or `.bak.2`, `.bak.3`, … when an older backup is there (never overwritten). */
function freeBackupPath(fs, file) {
    for (let n = 1; ; n++) {
        const p = n === 1 ? `${file}.bak` : `${file}.bak.${n}`;
        if (!fs.existsSync(p))
            return p;
    }
}

