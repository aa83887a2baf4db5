// rvf compact FILE: rewrite the live data into a fresh file (drops deleted rows, old manifests).
import fs from 'node:fs';
import { openDb, output, fmtBytes } from './common.js';

export const spec = {
    usage: 'FILE [--io-bytes-per-second N] [--json]',
    usageArgs: 'FILE',
    summary: 'Compact a store in place (temp file, fsync, rename).',
    min: 1,
    max: 1,
    flags: {
        'io-bytes-per-second': { type: 'number', min: 0, help: 'write the new file at most this many bytes per second (0 = unthrottled)', default: 0 },
    },
};

export async function run([file], opts, io) {
    const db = await openDb(file, opts);
    try {
        const before = fs.statSync(file).size;
        const r = await db.compact({ ioBytesPerSecond: opts.ioBytesPerSecond ?? 0 });
        const after = fs.statSync(file).size;
        output(io, opts, { file, ...r, sizeBefore: before, sizeAfter: after }, () => `compacted ${file}: ${fmtBytes(before)} → ${fmtBytes(after)} (${r.segmentsCompacted} segments rewritten, epoch ${r.epoch})`);
        return 0;
    } finally {
        await db.close();
    }
}
