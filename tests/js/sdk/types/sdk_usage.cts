// The CommonJS face (index.d.cts, generated from index.d.ts): the seed's type names and strict
// options resolve through require() too. Compiled by sdk_types.test.mjs, never run.
import rvf = require('@ruvector/rvf');
import type { RvfOptions, RvfResult, RvfIngestResult, RvfProgressiveReader } from '@ruvector/rvf';

export async function commonJs(path: string): Promise<number> {
    const options: RvfOptions = { dimensions: 3, profile: 'rvgraph', compression: 'lz4' };
    const db = await rvf.RvfDatabase.create(path, options);
    const ingest: RvfIngestResult = await db.insertBatch([{ id: 1, vector: [1, 2, 3] }]);
    const hits: RvfResult[] = await db.query([1, 2, 3], 1);
    const reader: RvfProgressiveReader = await rvf.RvfDatabase.openProgressive(path);
    // @ts-expect-error: 'metirc' is not an option of create()
    await rvf.RvfDatabase.create(path, { dimensions: 3, metirc: 'cosine' });
    await reader.close();
    await db.close();
    return ingest.accepted + hits.length;
}
