// One JSON document as input (`.json`): what upstream's `rvf ingest --input data.json` and its
// importer read — an array of records [{"id", "vector", "metadata"?}, …], an array of bare
// vectors, an HNSW dump {"vectors": [records…], "graph": …} (the graph is ignored: our index is
// rebuilt from the rows), or a single record. A `.json` file that is really JSON Lines (one
// record per line) is read as such. The document is parsed whole, so its size is bounded: past
// the bound the error says to convert it to JSON Lines, which streams.
import { entryOf, readJsonl } from './text.js';
import { InputError } from '../errors.js';

export const MAX_JSON_DOCUMENT_BYTES = 512 * 1024 * 1024;

async function readWhole(stream, counter, limit) {
    const chunks = [];
    let have = 0;
    for await (const chunk of stream) {
        const b = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        have += b.length;
        counter.consumed = have;
        if (have > limit)
            throw new InputError(`the JSON document is larger than ${limit} bytes, and a document is parsed whole: ` +
                'write it as JSON Lines (one {"id", "vector", "metadata"} object per line, extension .jsonl), which is streamed');
        chunks.push(b);
    }
    return Buffer.concat(chunks).toString('utf8');
}

function* fromLines(text) {
    yield Buffer.from(text, 'utf8');
}

/** The records of a parsed document, or null when it is not one of the shapes above. */
function recordsOf(doc) {
    if (Array.isArray(doc)) {
        // An array of numbers is one vector; an array of arrays/objects is many records.
        if (doc.length > 0 && doc.every((x) => typeof x === 'number'))
            return [doc];
        return doc;
    }
    if (doc !== null && typeof doc === 'object') {
        if (Array.isArray(doc.vectors))
            return doc.vectors;
        if (doc.vector !== undefined || doc.values !== undefined || doc.embedding !== undefined)
            return [doc];
    }
    return null;
}

export async function* readJsonDocument(stream, { batchSize = 1000, progress, maxBytes = MAX_JSON_DOCUMENT_BYTES } = {}) {
    const counter = { consumed: 0 };
    const text = await readWhole(stream, counter, maxBytes);
    let doc;
    try {
        doc = JSON.parse(text);
    } catch (e) {
        // Not one document: JSON Lines under a .json name is common; anything else keeps the
        // parse error (with its position) so the user can find the bad byte.
        if (text.trimEnd().includes('\n')) {
            yield* readJsonl(fromLines(text), { batchSize, progress });
            return;
        }
        throw new InputError(`not a JSON document (${e.message})`);
    }
    const records = recordsOf(doc);
    if (records === null)
        throw new InputError('the JSON document is neither an array of records [{"id", "vector", "metadata"}, …] nor ' +
            '{"vectors": [ … ]}: write one of those, or JSON Lines');
    let batch = [], dim = -1;
    for (let i = 0; i < records.length; i++) {
        const e = entryOf(records[i], `record ${i}`);
        if (dim === -1)
            dim = e.vector.length;
        batch.push(e);
        if (batch.length >= batchSize) {
            progress?.(counter.consumed);
            yield { dim, entries: batch };
            batch = [];
        }
    }
    progress?.(counter.consumed);
    if (batch.length > 0)
        yield { dim, entries: batch };
}
