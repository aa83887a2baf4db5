// rvf convert IN OUT --layout r|s: write the live state as Layout S (ours) or Layout R (the file
// upstream's runtime opens). Both images come from the runtime (exportLayoutS / exportLayoutR).
import { openDb, output, writeFileAtomic } from './common.js';
import { UsageError } from './errors.js';

export const spec = {
    usage: 'IN OUT --layout r|s [--force]',
    usageArgs: 'IN and OUT',
    summary: 'Convert a store: --layout s (fresh Layout S image) or --layout r (upstream 0.2.x layout;\nvectors only — metadata and the witness chain have no Layout R form).',
    min: 2,
    max: 2,
    flags: {
        layout: { type: 'string', alias: 'l', help: 'r | s (required)' },
        force: { type: 'boolean', help: 'overwrite OUT' },
    },
};

export async function run([input, out], opts, io) {
    const layout = String(opts.layout ?? '').toLowerCase();
    if (layout !== 'r' && layout !== 's')
        throw new UsageError('convert: --layout r or --layout s is required');
    if (input === out)
        throw new UsageError('convert: OUT must differ from IN (use `rvf compact` to rewrite in place)');
    const db = await openDb(input, opts, { readOnly: true });
    try {
        const bytes = layout === 'r' ? await db.exportLayoutR() : await db.exportLayoutS();
        writeFileAtomic(out, bytes, opts.force);
        output(io, opts, { input, output: out, layout: layout.toUpperCase(), bytes: bytes.length }, () => `wrote ${out}: Layout ${layout.toUpperCase()}, ${bytes.length} bytes`);
        return 0;
    } finally {
        await db.close();
    }
}
