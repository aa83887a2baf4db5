// rvlite's JSON databases, read for `rvf import rvlite`: its CLI database (.rvlite/db.json:
// {"vectors": {id: {"vector", "metadata", "norm"}}, "config": {"dimensions", "metric"},
// "triples", "graph", "nextId"}) and its "RVF1" envelope ({"magic": "RVF1", "dimensions",
// "distance_metric", "payload": <the same state>}), which is JSON, not RVF. Vectors and metadata
// come over; RDF triples and graph nodes have no place in a vector store and are counted in the
// report so nothing goes missing unnoticed. Parsed whole (bounded like any JSON document).
import fs from 'node:fs';
import { InputError } from '../errors.js';
import { MAX_JSON_DOCUMENT_BYTES } from './json-doc.js';

const METRICS = { cosine: 'cosine', euclidean: 'l2', l2: 'l2', dotproduct: 'dotproduct', dot: 'dotproduct', ip: 'dotproduct' };

/** Whether the first bytes of a JSON document look like an rvlite database or envelope. */
export function looksLikeRvlite(head) {
    return /"magic"\s*:\s*"RVF1"/.test(head) || /^\s*\{\s*"vectors"\s*:\s*\{/.test(head);
}

/** {dimension, metric, rows: [{id, vector, metadata?}], skipped: {triples, graphNodes, graphEdges}}. */
export function readRvlite(file) {
    const size = fs.statSync(file).size;
    if (size > MAX_JSON_DOCUMENT_BYTES)
        throw new InputError(`${file}: ${size} bytes is more than the ${MAX_JSON_DOCUMENT_BYTES} a JSON document may have here`);
    let doc;
    try {
        doc = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
        throw new InputError(`${file}: not JSON (${e.message})`);
    }
    const envelope = doc?.magic === 'RVF1';
    const state = envelope ? doc.payload : doc;
    if (state === null || typeof state !== 'object' || state.vectors === null || typeof state.vectors !== 'object' || Array.isArray(state.vectors))
        throw new InputError(`${file}: not an rvlite database (expected {"vectors": {id: {"vector", "metadata"}}} or an "RVF1" envelope)`);
    const space = (envelope ? doc.distance_metric : state.config?.metric) ?? 'cosine';
    const metric = METRICS[space];
    if (metric === undefined)
        throw new InputError(`${file}: rvlite metric '${space}' has no RVF counterpart (cosine, euclidean, dotproduct)`);
    const dimension = Number((envelope ? doc.dimensions : state.config?.dimensions) ?? 0) || undefined;
    const rows = Object.entries(state.vectors).map(([id, e]) => {
        if (!Array.isArray(e?.vector) || e.vector.some((x) => typeof x !== 'number'))
            throw new InputError(`${file}: vector '${id}' is not an array of numbers`);
        const row = { id, vector: Float32Array.from(e.vector) };
        // A metadata Map that rvlite's wasm exported as {} carries nothing: no metadata then.
        if (e.metadata !== null && typeof e.metadata === 'object' && !Array.isArray(e.metadata) && Object.keys(e.metadata).length > 0)
            row.metadata = e.metadata;
        return row;
    });
    return {
        dimension, metric, rows,
        skipped: {
            triples: Array.isArray(state.triples) ? state.triples.length : 0,
            graphNodes: Object.keys(state.graph?.nodes ?? {}).length,
            graphEdges: Object.keys(state.graph?.edges ?? {}).length,
        },
    };
}
