// Every @ruvector/rvf operation, typed against the published declarations (index.d.ts) under
// --strict. Compiled, never run: sdk_types.test.mjs runs tsc on it. Each `@ts-expect-error`
// line proves the types refuse that call (tsc fails if one of them compiles).
import {
    RvfDatabase, RvfError, RvfStatus, RvfServerClient, nativeAvailability, idToU64, fieldId, ID_FIELD, NAMES_FIELD,
} from '@ruvector/rvf';
import type {
    RvfOptions, RvfResult, RvfIngestResult, RvfProgressiveReader, RvfCreateOptions, RvfSearchResult, RvfInsertResult,
    RvfMetric, RvfProfileName, RvfQueryOptions, RvfRow, RvfVerifyReport, RvfCompactResult, RvfDeleteResult, RvfSegment,
    RvfFilter, RvfEntry, RvfStatusName, RvfTieringOptions,
} from '@ruvector/rvf';

export async function everyOperation(path: string, bytes: Uint8Array): Promise<number> {
    const options: RvfOptions = {
        dimensions: 4, metric: 'dotproduct', storage: 'f32', compression: 'none', profile: 'rvtext', signing: false,
        m: 16, efConstruction: 200, witness: true, index: 'auto', backend: 'auto',
    };
    const older: RvfCreateOptions = { dimensions: 4, metric: 'ip', compression: 'scalar', profile: 2 };
    const db = await RvfDatabase.create(path, options);
    await RvfDatabase.create(`${path}.2`, older, 'wasm');
    const rw = await RvfDatabase.open(path, { backend: 'native', readOnly: false });
    const ro = await RvfDatabase.openReadonly(path, 'wasm');
    const report: RvfVerifyReport = await RvfDatabase.verifyFile(path, { backend: 'auto' });
    const reader: RvfProgressiveReader = await RvfDatabase.openProgressive(new URL('file:///tmp/x.rvf'));
    const mem = await RvfDatabase.fromBytes(bytes, { readOnly: true });

    const backend: 'native' | 'wasm' = db.backend;
    const closed: boolean = db.isClosed;
    const dims: number = db.dimensions + db.dimension();
    const entries: RvfEntry[] = [{ id: 'a', vector: [1, 0, 0, 0], metadata: { genre: 'news', year: { u64: 2024 } } }];
    const one: { accepted: number; epoch: number } = await db.insert(1, Float32Array.of(0, 1, 0, 0), { tag: 'x' });
    const batch: RvfIngestResult = await db.insertBatch(entries);
    const ingested: RvfInsertResult = await db.ingestBatch([{ id: 2n, vector: [0, 0, 1, 0] }]);
    await db.upsert('a', [1, 1, 0, 0]);
    const upserted: RvfIngestResult = await db.upsertBatch(entries);
    const { epoch } = await db.updateMetadata('a', { genre: 'blog' });
    const filter: RvfFilter = { op: 'and', exprs: [{ op: 'eq', field: 'genre', value: 'blog' }, { op: 'range', field: 'year', low: 2000, high: 2030 }] };
    const n: number = await db.count(filter) + await db.count();
    const found: RvfRow[] = await db.find(filter, { limit: 10, after: null, withVectors: true, withMetadata: true });
    await ro.refresh();
    const qo: RvfQueryOptions = { efSearch: 64, filter, includeMetadata: true };
    const hits: RvfResult[] = await db.query([1, 0, 0, 0], 3, qo);
    const older2: RvfSearchResult[][] = await db.queryBatch([[1, 0, 0, 0]], 1, { efSearch: 10 });
    const got = await db.get('a');
    const ids: Array<string | number | bigint> = await db.ids();
    for await (const row of db.rows({ withVectors: false, withMetadata: true, batch: 100 }))
        void row.metadata;
    const del: RvfDeleteResult = await db.delete(['a', 1]);
    await db.deleteByFilter({ op: 'eq', field: 'genre', value: 'news' });
    const compacted: RvfCompactResult = await db.compact({ ioBudgetBytes: 0, ioBytesPerSecond: 1 << 20 });
    const status = await db.status();
    const metric: RvfMetric = status.metric;
    const again = await RvfDatabase.create(`${path}.3`, { dimensions: status.dimensions, metric: status.metric, storage: status.storage });
    const tiering: RvfTieringOptions = { enabled: true, coldCodec: 'pq', pqM: 4, hotThreshold: 128, warmThreshold: 16 };
    await RvfDatabase.create(`${path}.4`, { dimensions: 4, tiering });
    const tieredRows: number = (status.tiering ? status.tiers.warm.rows + status.tiers.cold.rows : 0) + status.tiers.hot.bytes;
    const segments: RvfSegment[] = await db.segments();
    const verified: RvfVerifyReport = await db.verify();
    const r: Uint8Array = await db.exportLayoutR();
    const s: Uint8Array = await db.exportLayoutS();
    const readerHits: RvfResult[] = await reader.query([1, 0, 0, 0], 1);
    const profile: RvfProfileName = 'rvvision';
    for (const x of [db, rw, ro, mem, again])
        await x.close();
    await reader.close();

    const avail = await nativeAvailability();
    const u: bigint = idToU64('a');
    const f: number = fieldId('genre') + ID_FIELD + NAMES_FIELD;
    const client = new RvfServerClient('http://127.0.0.1:8080');
    void client;
    try {
        await db.query([1], 1);
    } catch (e) {
        if (e instanceof RvfError) {
            const name: RvfStatusName = e.name as RvfStatusName;
            void name;
            void (e.code === RvfStatus.InvalidOptions);
        }
    }

    // Misspelled and unsupported options are type errors too, not just run-time ones.
    // @ts-expect-error: 'metirc' is not an option of create()
    await RvfDatabase.create(path, { dimensions: 4, metirc: 'cosine' });
    // @ts-expect-error: dimensions is required
    await RvfDatabase.create(path, { metric: 'l2' });
    // @ts-expect-error: no such metric
    await RvfDatabase.create(path, { dimensions: 4, metric: 'manhattan' });
    // @ts-expect-error: no such profile name
    await RvfDatabase.create(path, { dimensions: 4, profile: 'rvtxt' });
    // @ts-expect-error: no such compression
    await RvfDatabase.create(path, { dimensions: 4, compression: 'brotli' });
    // @ts-expect-error: signing takes {algorithm: 'ed25519' | 'ml-dsa-65', key}
    await RvfDatabase.create(path, { dimensions: 4, signing: { algorithm: 'rsa' } });
    // @ts-expect-error: 'topK' is not a query option (k is the second argument)
    await db.query([1, 0, 0, 0], 1, { topK: 3 });
    // @ts-expect-error: 'batchSize' is not a rows() option ('batch' is)
    db.rows({ batchSize: 10 });
    // @ts-expect-error: 'offset' is not a find() option ('after' is)
    await db.find(null, { offset: 1 });
    // @ts-expect-error: 'ioBytesPerSec' is not a compact() option
    await db.compact({ ioBytesPerSec: 1 });
    // @ts-expect-error: openReadonly() takes no readOnly
    await RvfDatabase.openReadonly(path, { readOnly: true });
    // @ts-expect-error: 'readonly' is misspelled
    await RvfDatabase.fromBytes(bytes, { readonly: true });
    // @ts-expect-error: openProgressive() takes no options
    await RvfDatabase.openProgressive('x.rvf', { rangeSize: 1 });
    // @ts-expect-error: a progressive reader is read-only
    await reader.insert(1, [0, 0, 0, 0]);
    // @ts-expect-error: the cold codec is 'pq' or 'binary'
    await RvfDatabase.create(path, { dimensions: 4, tiering: { coldCodec: 'opq' } });
    // @ts-expect-error: 'hot' is not a tiering option ('hotThreshold' is)
    await RvfDatabase.create(path, { dimensions: 4, tiering: { hot: 1 } });
    // @ts-expect-error: status().metric is never 'ip'
    const ip: 'ip' = status.metric;

    return tieredRows + dims + n + epoch + one.epoch + batch.accepted + ingested.accepted + upserted.accepted + found.length + hits.length +
        older2.length + (got ? 1 : 0) + ids.length + del.deleted + compacted.epoch + segments.length + (verified.ok ? 1 : 0) +
        r.length + s.length + readerHits.length + profile.length + (avail.available ? 1 : 0) + Number(u) + f +
        (report.ok ? 1 : 0) + metric.length + backend.length + (closed ? 1 : 0) + ip.length;
}
