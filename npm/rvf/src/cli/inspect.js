// rvf inspect FILE: status, the latest manifest's segment directory and the verification verdict,
// all from the runtime (through the backend) — no format parsing here.
import { openDb, output, fmtBytes } from './common.js';

export const spec = {
    usage: 'FILE [--json]',
    usageArgs: 'FILE',
    summary: 'Show a store: configuration, counts, segments, and whether every hash verifies.',
    min: 1,
    max: 1,
    flags: {},
};

export async function run([file], opts, io) {
    const db = await openDb(file, opts, { readOnly: true });
    try {
        const status = await db.status();
        const segments = await db.segments();
        const verify = await db.verify();
        output(io, opts, { file, status, segments, verify }, () => {
            const s = status;
            const lines = [
                `file:       ${file} (${fmtBytes(s.fileSizeBytes)}, layout ${s.layout})`,
                `vectors:    ${s.totalVectors} live, ${s.deletedVectors} deleted (dead space ${(s.deadSpaceRatio * 100).toFixed(1)} %)`,
                `config:     dimension ${s.dimensions}, metric ${s.metric}, storage ${s.storage}, profile ${s.domainProfile}`,
                `epoch:      ${s.epoch}, ${segments.length} segments in the latest manifest`,
                '',
                '      id  type          offset     payload',
                ...segments.map((g) => `${String(g.id).padStart(8)}  ${String(g.segType).padEnd(10)} ${String(g.offset).padStart(9)} ${String(g.payloadLength).padStart(11)}`),
                '',
                verify.ok ? `verify:     OK (${verify.segmentsChecked} segments, ${verify.witnessEntriesChecked} witness entries, ${verify.manifestsChecked} manifests)`
                    : `verify:     ${verify.problems.length} problem(s):\n${verify.problems.map((p) => `  @${p.offset}: ${p.message}`).join('\n')}`,
                ...s.warnings.map((w) => `warning:    ${w}`),
            ];
            return lines.join('\n');
        });
        return 0;
    } finally {
        await db.close();
    }
}
