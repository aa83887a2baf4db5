// rvf export FILE [-o OUT] [--format jsonl|fvecs]: every live vector, with its id and metadata
// (JSONL: {"id","vector","metadata"} per line, ids ascending) — the input format of `rvf ingest`.
import fs from 'node:fs';
import { openDb, toJson } from './common.js';
import { createProgress } from './progress.js';
import { UsageError } from './errors.js';

export const spec = {
    usage: 'FILE [-o OUT] [--format jsonl|fvecs]',
    usageArgs: 'FILE',
    summary: 'Write every live vector (JSONL with ids and metadata, or fvecs vectors only) to OUT or stdout.',
    min: 1,
    max: 1,
    flags: {
        output: { type: 'string', alias: 'o', help: 'output file (default stdout)' },
        format: { type: 'string', help: 'jsonl | fvecs', default: 'jsonl' },
        force: { type: 'boolean', help: 'overwrite OUT' },
    },
};

const order = (a, b) => (typeof a === typeof b ? (a < b ? -1 : a > b ? 1 : 0) : typeof a === 'string' ? 1 : -1);

export async function run([file], opts, io) {
    if (!['jsonl', 'fvecs'].includes(opts.format))
        throw new UsageError("export: --format must be 'jsonl' or 'fvecs'");
    if (opts.output && !opts.force && fs.existsSync(opts.output))
        throw new UsageError(`${opts.output} exists (pass --force to overwrite)`);
    const db = await openDb(file, opts, { readOnly: true });
    const sink = opts.output ? fs.createWriteStream(opts.output) : io.stdout;
    try {
        const ids = (await db.ids()).sort(order);
        const progress = createProgress({ label: 'export', total: ids.length, enabled: opts.progress ?? (opts.output ? undefined : false) });
        let n = 0;
        for (const id of ids) {
            const e = await db.get(id);
            if (opts.format === 'jsonl')
                await write(sink, `${toJson({ id: e.id, vector: Array.from(e.vector), metadata: e.metadata })}\n`);
            else {
                const rec = Buffer.alloc(4 + 4 * e.vector.length);
                rec.writeInt32LE(e.vector.length, 0);
                Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).copy(rec, 4);
                await write(sink, rec);
            }
            progress.update(++n, n);
        }
        progress.finish();
        if (opts.output)
            io.stderr.write(`exported ${n} vectors to ${opts.output}\n`);
        return 0;
    } finally {
        if (opts.output)
            await new Promise((resolve) => sink.end(resolve));
        await db.close();
    }
}

function write(stream, chunk) {
    return stream.write(chunk) ? undefined : new Promise((resolve) => stream.once('drain', resolve));
}
