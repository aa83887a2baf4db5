// browser-tests/pages/store_scenario.mjs — one RvfStore scenario that runs unchanged in Node and
// in a browser page: create, ingestBatch (with metadata and two rejected rows), query (plain,
// filtered, after delete), delete, toBytes → fromBytes round trip, metadata read-back, and the
// RvfError raised for a wrong dimension. Each step returns a JSON-safe value (bigints as "123n")
// so the runner can compare the browser's steps with Node's, value for value: the same .wasm
// computes the same floats in every engine (no relaxed SIMD), so equality is exact.
//
// 3000 rows × 16 dims: above the store's automatic index threshold (1024), so queries go through
// the HNSW graph built in the page, not only the exact scan.

/** mulberry32 uniform floats in [-1, 1), reproducible from a seed. */
function uniform(count, seed) {
    let a = seed >>> 0;
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++) {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
    }
    return out;
}

/** A JSON-safe deep copy: bigints become "<digits>n", typed arrays plain arrays. */
export function jsonSafe(value) {
    return JSON.parse(JSON.stringify(value, (_, v) => {
        if (typeof v === 'bigint')
            return `${v}n`;
        if (ArrayBuffer.isView(v) && !(v instanceof DataView))
            return Array.from(v, (x) => (typeof x === 'bigint' ? `${x}n` : x));
        return v;
    }));
}

/** What a thrown error looks like through the package's API. */
function describeError(rvf, e) {
    return { isRvfError: e instanceof rvf.RvfError, isError: e instanceof Error, code: e?.code ?? null,
             name: e?.name ?? null, expectedCode: rvf.RvfStatus[e?.name] ?? null,
             messageForm: /^RVF error 0x[0-9A-F]{4}: \w+/.test(String(e?.message)) };
}

function expectThrow(rvf, fn) {
    try {
        fn();
    } catch (e) {
        return describeError(rvf, e);
    }
    return { threw: false };
}

/** Run the scenario with the package module `rvf`; returns [{name, value}]. */
export async function storeScenario(rvf) {
    const steps = [];
    const step = (name, value) => steps.push({ name, value: jsonSafe(value) });
    const N = 3000, DIM = 16;
    const rows = uniform(N * DIM, 11);
    const queries = uniform(4 * DIM, 12);
    const q = (i) => queries.subarray(i * DIM, (i + 1) * DIM);

    const store = await rvf.RvfStore.create({ dimensions: DIM, metric: 'l2', storage: 'f32' });
    const pick = (s) => ({ totalVectors: s.totalVectors, deletedVectors: s.deletedVectors, dimensions: s.dimensions,
                          metric: s.metric, storage: s.storage, layout: s.layout });
    step('create: status', pick(store.status()));

    // Ids 0..N-1 with metadata {0: i % 4 (u64), 1: "row<i>"}, then a batch holding a NaN row and
    // an id already present: both rejected one by one, the third row accepted.
    const ids = Array.from({ length: N }, (_, i) => i);
    const meta = ids.map((i) => ({ 0: i % 4, 1: `row${i}` }));
    step('ingestBatch', store.ingestBatch(ids, rows, meta));
    const bad = new Float32Array(3 * DIM).fill(0.5);
    bad[DIM + 3] = NaN;
    const r = store.ingestBatch([N, N + 1, 5], bad, [null, null, null]);
    step('ingestBatch: rejections', { accepted: r.accepted, rejected: r.rejected,
                                      rejections: r.rejections.map((x) => ({ index: x.index, id: x.id, name: x.name })) });

    step('query k=10', [0, 1, 2, 3].map((i) => store.query(q(i), 10, { efSearch: 64 })));
    const eq2 = { op: 'eq', field: 0, value: 2 };
    const filtered = store.query(q(0), 10, { efSearch: 64, filter: eq2 });
    step('query with filter field0 == 2', { hits: filtered, allMatch: filtered.every((h) => h.id % 4 === 2) });
    step('query with filter (JSON text, range)',
         store.query(q(1), 5, { filter: JSON.stringify({ op: 'range', field: 0, low: 1, high: 3 }) }));

    const before = store.query(q(2), 5, { efSearch: 64 }).map((h) => h.id);
    const del = store.delete(before.slice(0, 2));
    const after = store.query(q(2), 5, { efSearch: 64 });
    step('delete', { deleted: del.deleted, after, deletedGone: after.every((h) => !before.slice(0, 2).includes(h.id)) });
    step('status after delete', pick(store.status()));

    const bytes = store.toBytes();
    const copy = await rvf.RvfStore.fromBytes(bytes);
    step('toBytes/fromBytes: status', pick(copy.status()));
    const same = [0, 1, 2, 3].map((i) => copy.query(q(i), 10, { efSearch: 64 }));
    step('toBytes/fromBytes: queries', { results: same,
                                         equalToOriginal: JSON.stringify(same) === JSON.stringify([0, 1, 2, 3].map((i) => store.query(q(i), 10, { efSearch: 64 }))) });
    step('toBytes/fromBytes: metadata(7)', copy.metadata(7));
    step('toBytes/fromBytes: verify', { ok: copy.verify().ok });

    step('RvfError: query with a wrong dimension', expectThrow(rvf, () => store.query(new Float32Array(DIM - 1), 3)));
    step('RvfError: ingestBatch with a wrong length', expectThrow(rvf, () => store.ingestBatch([9999], new Float32Array(DIM + 1))));
    step('RvfError: create with dimensions 0', await rvf.RvfStore.create({ dimensions: 0 }).then(
        () => ({ threw: false }), (e) => describeError(rvf, e)));
    copy.close();
    store.close();
    step('closed store: StoreClosed', expectThrow(rvf, () => store.query(q(0), 1)));

    // Signed stores (issue 20): each algorithm signs in the page, verifies its own image, honours
    // requireSignature, refuses a foreign key and reports a flipped byte in a signed segment.
    for (const algorithm of ['ed25519', 'ml-dsa-65']) {
        const key = Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + algorithm.length) & 255);
        const keyId = await rvf.signingKeyId(algorithm, key);
        const signed = await rvf.RvfStore.create({ dimensions: DIM, signing: { algorithm, key } });
        signed.ingestBatch([1, 2, 3], rows.subarray(0, 3 * DIM));
        const image = signed.toBytes();
        signed.close();
        const back = await rvf.RvfStore.fromBytes(image);
        const rep = back.verify();
        const states = {};
        for (const sig of rep.signatures)
            states[sig.state] = (states[sig.state] ?? 0) + 1;
        const valid = rep.signatures.filter((sig) => sig.state === 'valid');
        const ownKey = expectThrow(rvf, () => back.requireSignature(keyId));
        const foreign = expectThrow(rvf, () => back.requireSignature('00'.repeat(16)));
        back.close();
        // One byte of the last signed segment's payload flipped (64-byte header first).
        const target = valid[valid.length - 1];
        const damaged = image.slice();
        damaged[target.offset + 64 + 4] ^= 1;
        let flipped;
        try {
            const d = await rvf.RvfStore.fromBytes(damaged);
            const r2 = d.verify();
            flipped = { opened: true, ok: r2.ok, named: r2.problems.some((p) => p.offset === target.offset) ||
                                                        r2.signatures.some((sig) => sig.offset === target.offset && sig.state !== 'valid') };
            d.close();
        } catch (e) {
            flipped = { opened: false, error: describeError(rvf, e) };
        }
        step(`signing ${algorithm}`, { ok: rep.ok, states, allByKey: valid.every((sig) => sig.keyId === keyId && sig.algorithm === algorithm),
                                       keyListed: rep.signingKeys.includes(keyId), keyId, ownKey, foreign, flipped });
    }
    return steps;
}
