// rvf convert IN OUT --layout r|s: write the live state as Layout S (ours) or Layout R (the file
// upstream's runtime opens). Both images come from the runtime (exportLayoutS / exportLayoutR).
import fs from 'node:fs';
import { openDb, output, writeFileAtomic } from './common.js';
import { exportLayoutRForUpstream } from '../upstream-export.js';
import { UsageError } from './errors.js';

export const spec = {
    usage: 'IN OUT --layout r|s [--force]',
    usageArgs: 'IN and OUT',
    summary: 'Convert a store: --layout s (fresh Layout S image) or --layout r (upstream 0.2.x layout;\nvectors only — metadata and the witness chain have no Layout R form; a store with string ids\nalso gets OUT.idmap.json, the sidecar in which upstream\'s SDK keeps them).',
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
        const idmap = `${out}.idmap.json`;
        if (layout === 'r' && !opts.force && fs.existsSync(idmap))
            throw new UsageError(`${idmap} exists (pass --force to overwrite)`);
        const { bytes, sidecar } = layout === 'r' ? await exportLayoutRForUpstream(db) : { bytes: await db.exportLayoutS(), sidecar: null };
        writeFileAtomic(out, bytes, opts.force);
        if (sidecar !== null)
            writeFileAtomic(idmap, sidecar, true);
        else if (layout === 'r')
            fs.rmSync(idmap, { force: true }); // an older export's names would mislabel these rows
        output(io, opts, { input, output: out, layout: layout.toUpperCase(), bytes: bytes.length, ...(sidecar !== null && { idmap }) },
            () => `wrote ${out}: Layout ${layout.toUpperCase()}, ${bytes.length} bytes${sidecar !== null ? ` (string ids in ${idmap})` : ''}`);
        return 0;
    } finally {
        await db.close();
    }
}
