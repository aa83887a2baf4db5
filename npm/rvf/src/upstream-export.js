// The Layout R export for upstream's SDK (@ruvector/rvf 0.2.x) of a store with string ids.
// Layout R has no metadata, so our in-file string ids ("_id", keys.js) cannot travel in it, and
// upstream's SDK reads row ids as JS numbers (an FNV u64 comes back rounded). Upstream keeps
// string ids the way idmap.js reads them: small labels 1, 2, 3, … in the file and the names in
// `<file>.idmap.json`. So such a store is exported the same way: rows renumbered 1..n in id
// order through an in-memory copy (wasm; memory ≈ the live vectors), plus that sidecar. A store
// without string ids exports as is (its own u64 ids, no sidecar).
import { WasmBackend } from './backend/wasm.js';
import { rvfError } from './errors.js';

const BATCH = 4096;

/**
 * { bytes: the Layout R image, sidecar: the `<out>.idmap.json` text, or null when the store has
 * no string ids }. `db` is an open RvfDatabase.
 */
export async function exportLayoutRForUpstream(db) {
    let anyString = false;
    for await (const r of db.rows({ withVectors: false, withMetadata: false, batch: 10000 }))
        if (typeof r.id === 'string') {
            anyString = true;
            break;
        }
    if (!anyString)
        return { bytes: await db.exportLayoutR(), sidecar: null };
    const s = await db.status();
    const copy = await WasmBackend.create(null, { dimensions: s.dimensions, metric: s.metric, witness: false });
    try {
        // Null prototypes: an id may be any string, '__proto__' included.
        const idToLabel = Object.create(null), labelToId = Object.create(null);
        let label = 0;
        let ids = [], vecs = [];
        const flush = async () => {
            if (ids.length === 0)
                return;
            const flat = new Float32Array(ids.length * s.dimensions);
            vecs.forEach((v, i) => flat.set(v, i * s.dimensions));
            await copy.ingest(BigUint64Array.from(ids), flat, null);
            ids = [];
            vecs = [];
        };
        for await (const r of db.rows({ withMetadata: false, batch: BATCH })) {
            label++;
            const name = typeof r.id === 'string' ? r.id : String(r.id); // upstream's ids are all strings
            if (name in idToLabel)
                throw rvfError('InvalidArgument', `the numeric id ${name} and the string id '${name}' would be one id in upstream's SDK (its ids are strings); delete or re-insert one under another id, then export again`);
            idToLabel[name] = label;
            labelToId[label] = name;
            ids.push(BigInt(label));
            vecs.push(r.vector);
            if (ids.length === BATCH)
                await flush();
        }
        await flush();
        return { bytes: copy.exportLayoutR(), sidecar: JSON.stringify({ idToLabel, labelToId, nextLabel: label + 1 }) };
    } finally {
        copy.close();
    }
}
