// bench/engines/rvf-database.mjs — the engine over upstream's RvfDatabase API, which both
// upstream @ruvector/rvf-node (Rust, N-API) and this project's npm/rvf-node addon implement:
// create(path, {dimension, metric, m, efConstruction}), ingestBatch(vectors, ids), close(),
// openReadonly(path), query(vector, k, {efSearch}). Used by upstream-rvf-node.mjs and rvf-node.mjs.
// This project's addon only (bench/open-first-query's rvf-node-nprobe): job.partition_on_compact
// (create option partitionOnCompact) and job.nprobe (queries answered from the partition map).
export function rvfDatabaseEngine({ name, api, version, RvfDatabase, threads }) {
    let db = null, ef = 64, buildJob = null, nprobe = 0;
    return {
        name,
        api,
        version,
        build(base, job) {
            buildJob = job;
            db = RvfDatabase.create(job.file, { dimension: base.dim, metric: 'l2', m: job.m ?? 16,
                                                efConstruction: job.ef_construction ?? 200,
                                                ...(job.partition_on_compact ? { partitionOnCompact: true } : {}) });
            const batch = job.batch ?? 10000;
            for (let at = 0; at < base.n; at += batch) {
                const n = Math.min(batch, base.n - at);
                const ids = Array.from({ length: n }, (_, i) => at + i);
                const r = db.ingestBatch(base.data.subarray(at * base.dim, (at + n) * base.dim), ids);
                if (r.rejected)
                    throw new Error(`rejected ${r.rejected} vectors`);
            }
            return { threads, durable: true };
        },
        save() {
            // job.compact (bench/open-first-query): rewrite to the final layout an open measures.
            if (buildJob?.compact && typeof db.compact === 'function')
                db.compact();
            db.close(); // the file is the store; close persists what is still in memory (index)
        },
        open(file, job) {
            nprobe = job?.nprobe ?? 0;
            db = RvfDatabase.openReadonly(file);
        },
        setEf(want) {
            ef = want;
        },
        prepareQuery: (row) => Float32Array.from(row),
        query: (q, k) => db.query(q, k, nprobe ? { nprobe } : { efSearch: ef }),
        ids: (r) => r.map((x) => Number(x.id)),
    };
}
