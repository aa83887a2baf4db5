// rvf verify FILE: re-check every segment hash, the manifest chain and the witness chain.
// Exit 0 when everything verifies, 4 when the runtime reports problems.
import { openDb, output } from './common.js';
import { EXIT } from './errors.js';

export const spec = {
    usage: 'FILE [--json]',
    usageArgs: 'FILE',
    summary: 'Verify a store (exit 0: intact, 4: problems found).',
    min: 1,
    max: 1,
    flags: {},
};

export async function run([file], opts, io) {
    const db = await openDb(file, opts, { readOnly: true });
    try {
        const v = await db.verify();
        output(io, opts, { file, ...v }, () => (v.ok
            ? `OK: ${file}: ${v.segmentsChecked} segments, ${v.witnessEntriesChecked} witness entries, ${v.manifestsChecked} manifests verified${v.uncommitted.length ? ` (${v.uncommitted.length} uncommitted tail record(s) ignored)` : ''}`
            : `FAILED: ${file}:\n${v.problems.map((p) => `  @${p.offset}: ${p.message}`).join('\n')}`));
        return v.ok ? EXIT.ok : EXIT.verify;
    } finally {
        await db.close();
    }
}
