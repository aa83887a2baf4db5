// Drives upstream's SDK (@ruvector/rvf 0.2.3, installed by the test in an isolated directory) in
// a child process, so its native addon never shares a process with ours and its dependency
// `@ruvector/rvf-node` resolves inside that directory, not to our workspace package.
// usage: node upstream_sdk.cjs INSTALL_DIR '<json request>'  → one JSON line on stdout.
// Requests: {op: 'create', path, dimensions, entries: [{id, vector}], deletes: [id], queries, k}
//           {op: 'query', path, queries, k}   (read-only open)
const { createRequire } = require('node:module');
const path = require('node:path');

const [installDir, json] = process.argv.slice(2);
const { RvfDatabase } = createRequire(path.join(installDir, 'package.json'))('@ruvector/rvf');
const req = JSON.parse(json);

async function answers(db) {
    const out = [];
    for (const q of req.queries ?? [])
        out.push(await db.query(Float32Array.from(q), req.k, { efSearch: 500 }));
    return out;
}

(async () => {
    let db, result;
    if (req.op === 'create') {
        db = await RvfDatabase.create(req.path, { dimensions: req.dimensions, metric: 'l2' }, 'node');
        await db.ingestBatch(req.entries.map((e) => ({ id: e.id, vector: Float32Array.from(e.vector) })));
        if (req.deletes?.length)
            await db.delete(req.deletes);
        result = { queries: await answers(db), status: await db.status() };
    } else if (req.op === 'query') {
        db = await RvfDatabase.openReadonly(req.path, 'node');
        result = { queries: await answers(db), status: await db.status() };
    } else {
        throw new Error(`unknown op ${req.op}`);
    }
    await db.close();
    process.stdout.write(`${JSON.stringify(result)}\n`);
})().catch((e) => {
    process.stderr.write(`${e.stack ?? e}\n`);
    process.exit(1);
});
