// rvf import KIND SRC DEST: a new store DEST holding the rows of another library's file, with
// their ids and metadata. Kinds:
//   hnswlib  an hnswlib index (hnswlib-node writeIndex, agentdb's HNSWLibBackend.save), with
//            agentdb's SRC.mappings.json when present: string ids (labelToId), metadata, metric
//   json     one JSON document of {"id", "vector", "metadata"} records (the upstream CLI's
//            ingest input, or its {"vectors": [...]} dump)
// The file's first bytes must agree with KIND (a JSON file is not read as an index, or the
// reverse), so a wrong KIND is a clear error rather than rows of garbage.
import fs from 'node:fs';
import { RvfDatabase } from '../database.js';
import { backendOption, output } from './common.js';
import { readHnswlib, parseHnswlibHeader, HNSWLIB_HEADER_BYTES } from './input/hnswlib.js';
import { readJsonDocument } from './input/json-doc.js';
import { InputError, UsageError } from './errors.js';

export const KINDS = ['hnswlib', 'json'];

export const spec = {
    usage: 'KIND SRC DEST [options]   (KIND: hnswlib | json)',
    usageArgs: 'KIND, SRC and DEST',
    summary: 'Create DEST from another library\'s file, keeping ids and metadata:\n' +
        '  hnswlib  an hnswlib index (hnswlib-node, agentdb); SRC.mappings.json (agentdb) gives\n' +
        '           string ids, metadata and the metric; without it pass --metric\n' +
        '  json     an array of {"id", "vector", "metadata"} records, or {"vectors": [...]}',
    min: 3,
    max: 3,
    flags: {
        metric: { type: 'string', help: "hnswlib: the index's space, l2 | ip | cosine (default: the mappings file's)" },
        mappings: { type: 'string', help: 'hnswlib: agentdb id/metadata mappings (default: SRC.mappings.json when it exists)' },
        batch: { type: 'number', min: 1, help: 'rows per commit', default: 1000 },
    },
};

const HNSWLIB_METRICS = { l2: 'l2', ip: 'dotproduct', cosine: 'cosine' };

function sniff(src) {
    const fd = fs.openSync(src, 'r');
    try {
        const size = fs.fstatSync(fd).size;
        const head = Buffer.alloc(Math.min(size, HNSWLIB_HEADER_BYTES));
        fs.readSync(fd, head, 0, head.length, 0);
        const first = head.toString('latin1').trimStart()[0];
        if (first === '[' || first === '{')
            return { kind: 'json' };
        const h = parseHnswlibHeader(head, size);
        return h.error ? { kind: null, why: h.error } : { kind: 'hnswlib' };
    } finally {
        fs.closeSync(fd);
    }
}

function readMappings(file) {
    let m;
    try {
        m = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        throw new InputError(`${file}: not readable as agentdb mappings (${e.message})`);
    }
    if (m === null || typeof m !== 'object' || (m.labelToId !== undefined && typeof m.labelToId !== 'object'))
        throw new InputError(`${file}: expected agentdb mappings {"labelToId", "metadata", "config"}`);
    return { labelToId: m.labelToId ?? {}, metadata: m.metadata ?? {}, config: m.config ?? {} };
}

function idOfLabel(label, mappings, src) {
    const mapped = mappings?.labelToId[label.toString()];
    if (mapped !== undefined)
        return mapped;
    if (label > BigInt(Number.MAX_SAFE_INTEGER))
        throw new InputError(`${src}: label ${label} is above 2^53 and has no id in the mappings`);
    return Number(label);
}

async function* hnswlibEntries(src, mappings, batchSize, counts) {
    for await (const b of readHnswlib(src, { batchSize })) {
        counts.deleted += b.deleted;
        const entries = b.entries.map(({ label, vector }) => {
            const id = idOfLabel(label, mappings, src);
            const meta = mappings?.metadata[String(id)];
            return meta !== undefined && meta !== null ? { id, vector, metadata: meta } : { id, vector };
        });
        yield { dim: b.dim, entries };
    }
}

export async function run([kind, src, dest], opts, io) {
    if (!KINDS.includes(kind))
        throw new UsageError(`import: KIND must be one of ${KINDS.join(', ')}, got '${kind}'`);
    if (!fs.existsSync(src) || !fs.statSync(src).isFile())
        throw new InputError(`${src}: no such file`);
    if (fs.existsSync(dest))
        throw new UsageError(`import: ${dest} exists; import writes a new store: pass a new path (or ingest into the existing one)`);
    const seen = sniff(src);
    if (seen.kind !== kind)
        throw new InputError(`${src} is not ${kind === 'json' ? 'a JSON document' : 'an hnswlib index'}` +
            (seen.kind ? ` (it looks like ${seen.kind}: rvf import ${seen.kind} ${src} ${dest})` : ` (${seen.why})`));
    const counts = { imported: 0, rejected: 0, deleted: 0 };
    let metric = 'l2', batches, mappingsFile = null;
    if (kind === 'hnswlib') {
        mappingsFile = opts.mappings ?? (fs.existsSync(`${src}.mappings.json`) ? `${src}.mappings.json` : null);
        const mappings = mappingsFile ? readMappings(mappingsFile) : null;
        const space = opts.metric ?? mappings?.config.metric;
        if (space === undefined)
            throw new UsageError(`import: ${src} does not record its space and no mappings file gives it: pass --metric l2|ip|cosine ` +
                '(the space the index was created with)');
        if (!Object.hasOwn(HNSWLIB_METRICS, space))
            throw new UsageError(`import: --metric must be l2, ip or cosine (hnswlib's spaces), got '${space}'`);
        metric = HNSWLIB_METRICS[space];
        batches = hnswlibEntries(src, mappings, opts.batch, counts);
    } else {
        if (opts.metric !== undefined || opts.mappings !== undefined)
            throw new UsageError('import json: --metric and --mappings are for hnswlib; a JSON import is l2 (convert or create first for another metric)');
        batches = readJsonDocument(fs.createReadStream(src), { batchSize: opts.batch });
    }
    let db = null;
    const rejections = [];
    try {
        for await (const b of batches) {
            db ??= await RvfDatabase.create(dest, { dimensions: b.dim, metric, backend: backendOption(opts) });
            if (b.dim !== db.dimensions)
                throw new InputError(`${src}: rows have ${b.dim} components, the first had ${db.dimensions}`);
            if (b.entries.length === 0)
                continue;
            const r = await db.insertBatch(b.entries);
            counts.imported += r.accepted;
            counts.rejected += r.rejected;
            for (const rj of r.rejections)
                if (rejections.length < 20)
                    rejections.push(rj);
        }
        if (!db)
            throw new InputError(`${src}: no rows to import`);
        const s = await db.status();
        output(io, opts, { kind, source: src, dest, mappings: mappingsFile, dimensions: s.dimensions, metric: s.metric, ...counts, rejections },
            (v) => `${dest}: imported ${v.imported} rows from ${kind} ${src}` +
                `${mappingsFile ? ` (ids and metadata from ${mappingsFile})` : ''}; dimension ${v.dimensions}, metric ${v.metric}` +
                `${v.deleted ? `; ${v.deleted} rows marked deleted in the source were skipped` : ''}` +
                `${v.rejected ? `; ${v.rejected} rejected: ${rejections.map((x) => `${x.id}: ${x.message}`).join('; ')}` : ''}`);
        return counts.rejected > 0 && counts.imported === 0 ? 1 : 0;
    } finally {
        await db?.close();
    }
}
