// rvf import-upstream FILE: move the string ids of a store upstream's SDK (@ruvector/rvf 0.2.x)
// wrote — kept beside it in FILE.idmap.json — into FILE now, as the SDK otherwise does at the
// first write (src/idmap.js), and keep the sidecar as FILE.idmap.json.bak.
import { openDb, output } from './common.js';

export const spec = {
    usage: 'FILE [--json]',
    usageArgs: 'FILE',
    summary: "Move the string ids of an upstream @ruvector/rvf store (FILE.idmap.json) into FILE;\n" +
        "the sidecar is kept as FILE.idmap.json.bak. The store is then Layout S: give upstream\n" +
        "tools `rvf convert FILE OUT --layout r` (vectors only: string ids stay in FILE).",
    min: 1,
    max: 1,
    flags: {},
};

export async function run([file], opts, io) {
    const db = await openDb(file, opts);
    try {
        const r = await db.importUpstream();
        output(io, opts, { file, ...r }, () => (r.backup === null
            ? `${file}: no upstream id map (${file}.idmap.json) beside it; nothing to import`
            : `${file}: moved ${r.moved} string id(s) into the file; the sidecar is now ${r.backup}`));
        return 0;
    } finally {
        await db.close();
    }
}
