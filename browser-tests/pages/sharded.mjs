// browser-tests/pages/sharded.mjs — RvfShardedCollection.open(rootUrl) in the page (issue 21): the
// collection's shards loaded over HTTP Range in parallel, exact queries merged, and what failed.
// Returns plain JSON; the runner runs the same function in Node with the same package and
// requires the browsers' answers to equal Node's.

/** args: {url, queries: number[][], k}. Returns {status, answers, error}. */
export async function shardedCase(rvf, args) {
    const out = { status: null, answers: [], error: null };
    let c;
    try {
        c = await rvf.RvfShardedCollection.open(args.url, { timeoutMs: 120000 });
        const st = c.status();
        out.status = {
            totalVectors: st.totalVectors,
            shards: st.shards.map((s) => ({ shardId: s.shardId, state: s.state, error: s.error ? s.error.name : null })),
        };
        for (const q of args.queries) {
            const r = c.query(Float32Array.from(q), args.k, { exact: true });
            out.answers.push({
                neighbors: r.neighbors.map((h) => ({ id: Number(h.id), distance: h.distance })),
                partial: r.partial,
                failed: r.failed.map((f) => ({ shardId: f.shardId, shard: f.shard, name: f.error.name, code: f.error.code,
                                               isRvfError: f.error instanceof rvf.RvfError, namesShard: f.error.message.includes(`shard ${f.shardId} (`) })),
                shardsQueried: r.shardsQueried,
                shardsSkipped: r.shardsSkipped,
            });
        }
    } catch (e) {
        out.error = { name: e?.name ?? null, message: String(e?.message ?? e).slice(0, 300) };
    } finally {
        c?.close();
    }
    return out;
}
