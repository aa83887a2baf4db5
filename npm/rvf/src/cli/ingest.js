// rvf ingest FILE INPUT... : add vectors from .fvecs/.bvecs/.npy/.jsonl/.json/.csv files or stdin ("-").
// FILE is created (dimension from the input) when it does not exist.
// Each batch is one commit. When an input fails part way (a truncated .fvecs, a bad line), the
// batches before it stay committed and the error says how many vectors that was. A run whose
// every vector was rejected (e.g. the same file ingested twice) commits nothing and exits 1.
import fs from 'node:fs';
import { RvfDatabase } from '../database.js';
import { openInput } from './input/index.js';
import { createProgress } from './progress.js';
import { backendOption, output } from './common.js';
import { storeOptions, spec as createSpec } from './create.js';
import { InputError, RejectedError, UsageError } from './errors.js';

export const spec = {
    usage: 'FILE INPUT... [options]   (INPUT: .fvecs .bvecs .npy .jsonl .json .csv, or - for stdin)',
    usageArgs: 'FILE and INPUT',
    summary: 'Add vectors to FILE (created when missing). Binary formats and id-less text rows get\nids --id-start, --id-start+1, ...; JSONL rows may carry "id" and "metadata". A .json file is one\ndocument: an array of {"id", "vector", "metadata"} records (the input of the upstream CLI ingest) or {"vectors": [...]}.',
    min: 2,
    flags: {
        format: { type: 'string', alias: 'f', help: 'input format when the extension does not tell (stdin: jsonl)' },
        batch: { type: 'number', min: 1, help: 'vectors per commit', default: 1000 },
        'id-start': { type: 'number', min: 0, help: 'first id for rows without one', default: 0 },
        limit: { type: 'number', min: 1, help: 'stop after this many vectors' },
        ...Object.fromEntries(Object.entries(createSpec.flags).filter(([n]) => n !== 'dimensions')),
    },
};

export async function run([file, ...inputs], opts, io) {
    if (inputs.filter((i) => i === '-').length > 1)
        throw new UsageError('ingest: stdin (-) can be read once');
    const opened = inputs.map((i) => openInput(i, opts.format));
    const total = opened.reduce((a, o) => a + o.size, 0);
    const progress = createProgress({ label: 'ingest', total, enabled: opts.progress ?? (!opts.json && undefined) });
    let db = fs.existsSync(file) ? await RvfDatabase.open(file, { backend: backendOption(opts) }) : null;
    const created = db === null;
    let nextId = opts.idStart, accepted = 0, rejected = 0, epoch = 0, doneBytes = 0, seen = 0;
    const rejections = [];
    const t0 = performance.now();
    try {
        try {
            outer: for (let k = 0; k < opened.length; k++) {
                const input = opened[k];
                for await (const b of input.batches({ batchSize: opts.batch, progress: (c) => progress.update(doneBytes + c, accepted) })) {
                    if (!db)
                        db = await RvfDatabase.create(file, storeOptions(opts, b.dim));
                    if (b.dim !== db.dimensions)
                        throw new InputError(`${inputs[k]}: vectors have ${b.dim} components, ${file} has dimension ${db.dimensions}`);
                    let entries = b.entries ?? b.rows.map((vector) => ({ vector }));
                    if (opts.limit !== undefined && seen + entries.length > opts.limit)
                        entries = entries.slice(0, opts.limit - seen);
                    for (const e of entries)
                        if (e.id === undefined)
                            e.id = nextId++;
                    seen += entries.length;
                    const r = await db.insertBatch(entries);
                    accepted += r.accepted;
                    rejected += r.rejected;
                    epoch = r.epoch;
                    for (const rj of r.rejections)
                        if (rejections.length < 20)
                            rejections.push({ input: inputs[k], ...rj });
                    if (opts.limit !== undefined && seen >= opts.limit)
                        break outer;
                }
                doneBytes += input.size;
            }
        } catch (e) {
            // What was committed before the failure stays: say how much, so a rerun can skip it.
            if (e instanceof Error && accepted > 0)
                e.message += ` (${accepted} vectors before this point were committed to ${file}, epoch ${epoch}${
                    rejected ? `, ${rejected} rejected` : ''}; the rest were not: rerun on the repaired input to add them, the committed ids are then rejected as duplicates)`;
            else if (e instanceof Error && db && seen > 0)
                e.message += ` (nothing was committed to ${file}: all ${rejected} vectors read before this point were rejected)`;
            throw e;
        }
        if (!db)
            throw new InputError(`no vectors in ${inputs.join(', ')}`);
        progress.update(total, accepted);
        progress.finish();
        const s = await db.status();
        const seconds = (performance.now() - t0) / 1000;
        const result = { file, created, accepted, rejected, epoch, totalVectors: s.totalVectors, fileSizeBytes: s.fileSizeBytes,
            seconds: +seconds.toFixed(3), vectorsPerSecond: Math.round(accepted / Math.max(seconds, 1e-9)), backend: db.backend, rejections };
        output(io, opts, result, () => [
            `${created ? 'created' : 'updated'} ${file}: +${accepted} vectors (${s.totalVectors} total, ${s.fileSizeBytes} bytes, epoch ${epoch}) in ${seconds.toFixed(2)} s, ${result.vectorsPerSecond} vec/s [${db.backend}]`,
            ...(rejected ? [`${rejected} rejected:`, ...rejections.map((r) => `  ${r.input} #${r.index} id ${String(r.id)}: ${r.message}`)] : []),
        ].join('\n'));
        if (accepted === 0 && rejected > 0) // the summary above lists the reasons
            throw new RejectedError(`${rejected === 1 ? 'the 1 vector read was' : `all ${rejected} vectors were`} rejected: nothing was committed, ${file} ${created ? 'holds no vectors' : 'is unchanged'}`, rejected);
        return 0;
    } finally {
        await db?.close();
    }
}
