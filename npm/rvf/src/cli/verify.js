// rvf verify FILE: re-check every segment hash, the manifest chain and the witness chain.
// Exit 0 when everything verifies, 4 when the runtime reports problems.
import { RvfDatabase } from '../database.js';
import { backendOption, output } from './common.js';
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
    // verifyFile, not an open: a damaged file does not open, and its problems must still be listed.
    const v = await RvfDatabase.verifyFile(file, { backend: backendOption(opts) });
    output(io, opts, { file, ...v }, () => (v.ok
        ? `OK: ${file}: ${v.segmentsChecked} segments, ${v.witnessEntriesChecked} witness entries, ${v.manifestsChecked} manifests verified${v.uncommitted.length ? ` (${v.uncommitted.length} uncommitted tail record(s) ignored)` : ''}`
        : `FAILED: ${file}: ${v.problems.length} problem(s)\n${v.problems.map((p) => `  @${p.offset}: ${p.message}`).join('\n')}`));
    return v.ok ? EXIT.ok : EXIT.verify;
}
