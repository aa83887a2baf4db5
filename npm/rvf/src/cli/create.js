// rvf create FILE --dimensions N [--metric ...]: a new empty store.
import { RvfDatabase } from '../database.js';
import { backendOption, output } from './common.js';

export const spec = {
    usage: 'FILE --dimensions N [options]',
    usageArgs: 'FILE',
    summary: 'Create a new, empty .rvf store (fails if FILE exists).',
    min: 1,
    max: 1,
    flags: {
        dimensions: { type: 'number', alias: 'd', min: 1, help: 'vector dimension (required)' },
        metric: { type: 'string', help: 'l2 | cosine | dotproduct | hamming', default: 'l2' },
        storage: { type: 'string', help: 'f32 | f16 | i8', default: 'f32' },
        compression: { type: 'string', help: 'none | lz4 | zstd', default: 'none' },
        m: { type: 'number', min: 1, help: 'HNSW M', default: 16 },
        'ef-construction': { type: 'number', min: 1, help: 'HNSW efConstruction', default: 200 },
        witness: { type: 'boolean', help: 'witness chain entry per commit (--no-witness to skip)', default: true },
    },
};

/** The create options for an output store from CLI flags. */
export function storeOptions(opts, dimensions) {
    return {
        dimensions,
        metric: opts.metric ?? 'l2',
        storage: opts.storage ?? 'f32',
        compression: opts.compression ?? 'none',
        m: opts.m ?? 16,
        efConstruction: opts.efConstruction ?? 200,
        witness: opts.witness ?? true,
        backend: backendOption(opts),
    };
}

export async function run([file], opts, io) {
    if (opts.dimensions === undefined) {
        const { UsageError } = await import('./errors.js');
        throw new UsageError('create: --dimensions is required (e.g. rvf create db.rvf --dimensions 128)');
    }
    const db = await RvfDatabase.create(file, storeOptions(opts, opts.dimensions));
    const s = await db.status();
    await db.close();
    output(io, opts, { file, ...s }, () => `created ${file}: dimension ${s.dimensions}, metric ${s.metric}, storage ${s.storage}, ${s.fileSizeBytes} bytes (${s.backend} backend)`);
    return 0;
}
