// RvfDatabase.subscribe(): agents sharing one handle in one process hear of each other's commits
// in the event shapes RvfServerClient.subscribe() yields for a served file — the ids written (as
// the writer gave them, string ids included), the ids a delete named, the rows a filter matched,
// compaction; filters by kind and epoch; a slow subscriber gets 'overflow' and ends, never
// slowing the writer; close() and abort end the stream. On both backends.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase, nativeAvailability } from '@ruvector/rvf';

const native = await nativeAvailability();
let dir;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-subscribe-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

/** Take n events from an async iterator. */
async function take(it, n) {
    const out = [];
    while (out.length < n) {
        const { value, done } = await it.next();
        if (done) break;
        out.push(value);
    }
    return out;
}

describe.each(['native', 'wasm'])('subscribe() on the %s backend', (backend) => {
    const skip = backend === 'native' && !native.available;

    it.skipIf(skip)('names the rows each commit changed, in commit order', async () => {
        const db = await RvfDatabase.create(path.join(dir, `${backend}-a.rvf`), { dimensions: 4, backend });
        const events = db.subscribe();
        const [hello] = await take(events, 1);
        expect(hello).toEqual({ type: 'subscribed', data: { epoch: hello.data.epoch, total_vectors: 0 } });
        const w1 = await db.insertBatch([{ id: 'alpha', vector: [1, 0, 0, 0], metadata: { team: 'a' } },
            { id: 'beta', vector: [0, 1, 0, 0], metadata: { team: 'b' } }, { id: 'alpha', vector: [0, 0, 1, 0] }]);
        expect(w1.rejected).toBe(1); // 'alpha' twice in one batch: the second is a duplicate
        await db.updateMetadata('beta', { team: 'a' });
        await db.delete(['alpha', 'nobody']);
        await db.insertBatch([{ id: 7, vector: [0, 0, 0, 1], metadata: { team: 'c' } }, { id: 8, vector: [1, 1, 0, 0], metadata: { team: 'c' } }]);
        await db.deleteByFilter({ op: 'eq', field: 'team', value: 'c' });
        await db.compact();
        const got = (await take(events, 6)).map((e) => e.data);
        expect(got.map((d) => [d.event, d.ids])).toEqual([
            ['ingest', ['alpha', 'beta']], ['ingest', ['beta']], ['delete', ['alpha', 'nobody']],
            ['ingest', [7, 8]], ['delete', [7, 8]], ['compaction', []]]);
        expect(got[2]).toMatchObject({ affected_count: 1, new_total: 1, ids_truncated: false });
        for (let i = 1; i < got.length; i++)
            expect(got[i].epoch).toBeGreaterThan(got[i - 1].epoch);
        await db.close();
        expect((await events.next()).done).toBe(true); // close() ends the stream
    });

    it.skipIf(skip)('filters by kind and epoch; an overflowing subscriber ends without slowing the writer', async () => {
        const db = await RvfDatabase.create(path.join(dir, `${backend}-b.rvf`), { dimensions: 2, backend });
        const start = (await db.status()).currentEpoch;
        const deletes = db.subscribe({ events: ['delete'], minEpoch: start + 3 });
        const slow = db.subscribe({ capacity: 2 });
        const ac = new AbortController();
        const aborted = db.subscribe({ signal: ac.signal });
        await take(deletes, 1);
        await take(slow, 1);
        await take(aborted, 1);
        for (let i = 0; i < 4; i++)
            await db.insert(i, [i, 1]);                     // epochs start+1 .. start+4
        await db.delete([0]);                               // start+5: delivered
        const [del] = await take(deletes, 1);
        expect(del.data).toMatchObject({ event: 'delete', ids: [0] });
        const s = await take(slow, 4);
        expect(s.map((e) => e.type)).toEqual(['update', 'update', 'overflow']);
        expect(s[2].data).toEqual({ dropped: 3, last_epoch: s[1].data.epoch });
        ac.abort();
        await db.insert(9, [9, 1]); // after the abort: not delivered
        const rest = await take(aborted, 10); // what was queued before the abort, then the end
        expect(rest.map((e) => e.data.ids[0])).toEqual([0, 1, 2, 3, 0]);
        await db.close();
    });

    it.skipIf(skip)('refuses unknown options and a closed store', async () => {
        const db = await RvfDatabase.create(path.join(dir, `${backend}-c.rvf`), { dimensions: 2, backend });
        expect(() => db.subscribe({ since: 3 })).toThrow(/unknown option 'since'/);
        expect(() => db.subscribe({ events: ['upsert'] })).toThrow(/events must be/);
        await db.close();
        expect(() => db.subscribe()).toThrow(/closed/);
    });
});
