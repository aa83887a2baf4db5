// SDK filter → the runtime's filter JSON (rvf/filter.hpp, parsed and validated by the runtime).
// The SDK only renames: a field given by name becomes its field id (keys.js) and JS literals
// become typed literals ({f64: 3}, {string: 'x'}, ...). Shapes it does not recognise are passed
// through unchanged, so the runtime reports them (FilterParseError / InvalidArgument). A field no
// row has is not an error: the runtime matches nothing there (ne: every row).
//
// Accepted forms (upstream's spellings too):
//   {op: 'eq'|'ne'|'lt'|'le'|'gt'|'ge', field | fieldId, value}
//   {op: 'in', field | fieldId, values: [...]}
//   {op: 'range', field | fieldId, low, high}          (low ≤ v < high)
//   {op: 'and'|'or', exprs | children: [...]}   {op: 'not', expr | child}
import { rvfError } from './errors.js';
import { typedValue } from './keys.js';

const LEAF = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

// The runtime's limits (runtime/include/rvf/filter.hpp): 64 filter levels, and the JSON of the
// deepest valid filter nests 2 × 64 + 2 levels (node objects, "children" arrays, typed literals).
export const MAX_FILTER_DEPTH = 64;
export const MAX_FILTER_JSON_DEPTH = 2 * MAX_FILTER_DEPTH + 2;

/** Translate a filter object (or pass a JSON string through) for the runtime. */
export function translateFilter(filter, fields) {
    if (typeof filter === 'string')
        return filter; // the runtime measures a text's depth before parsing it
    if (filter === null || typeof filter !== 'object' || Array.isArray(filter))
        throw rvfError('FilterParseError', 'a filter is an object such as {op: "eq", field: "genre", value: "news"}');
    // Measured first, without recursion: node() and JSON.stringify recurse once per level, and a
    // 100,000-level object would otherwise end in a RangeError (stack overflow), not an RvfError.
    if (nestsDeeperThan(filter, MAX_FILTER_JSON_DEPTH))
        throw rvfError('FilterParseError', `filter nests deeper than ${MAX_FILTER_JSON_DEPTH} object/array levels (a filter has at most ${MAX_FILTER_DEPTH} levels: split it)`);
    return JSON.stringify(node(filter, fields, '$'));
}

/**
 * True when objects/arrays inside `value` nest more than `limit` levels (a cyclic value does).
 * An explicit stack, no recursion; shared subtrees are walked once per path, like
 * JSON.stringify writes them.
 */
export function nestsDeeperThan(value, limit) {
    const stack = [[value, 1]];
    while (stack.length) {
        const [v, depth] = stack.pop();
        if (v === null || typeof v !== 'object' || ArrayBuffer.isView(v))
            continue;
        if (depth > limit)
            return true;
        for (const child of Array.isArray(v) ? v : Object.values(v))
            stack.push([child, depth + 1]);
    }
    return false;
}

function node(f, fields, path) {
    if (f === null || typeof f !== 'object' || Array.isArray(f))
        return f; // the runtime names what is wrong
    const out = { ...f };
    const op = typeof f.op === 'string' ? f.op.toLowerCase() : f.op;
    const fieldKey = f.field !== undefined ? 'field' : f.fieldId !== undefined ? 'fieldId' : undefined;
    if (fieldKey && (LEAF.has(op) || op === 'in' || op === 'range')) {
        delete out.fieldId;
        out.field = typeof f[fieldKey] === 'string' || typeof f[fieldKey] === 'number' ? fields.id(f[fieldKey]) : f[fieldKey];
        delete out.valueType; // upstream's form: the SDK types literals itself
        // Errors name the field as the caller wrote it (its name), never the hashed field id.
        const lit = (v, where) => (v === undefined ? v : typedValue(literal(v, f.valueType), `${path}.${where} of field ${JSON.stringify(f[fieldKey])}`));
        if (LEAF.has(op))
            out.value = lit(f.value, 'value');
        else if (op === 'in')
            out.values = Array.isArray(f.values) ? f.values.map((v, i) => lit(v, `values[${i}]`)) : f.values;
        else {
            out.low = lit(f.low, 'low');
            out.high = lit(f.high, 'high');
        }
    } else if (op === 'and' || op === 'or') {
        const kids = f.children ?? f.exprs;
        delete out.exprs;
        out.children = Array.isArray(kids) ? kids.map((c, i) => node(c, fields, `${path}.children[${i}]`)) : kids;
    } else if (op === 'not') {
        const kid = f.child ?? f.expr;
        delete out.expr;
        out.child = node(kid, fields, `${path}.child`);
    }
    return out;
}

/** Upstream's {valueType, value: "string"} literal as a typed literal. */
function literal(v, valueType) {
    if (valueType === undefined || typeof v !== 'string')
        return v;
    switch (valueType) {
    case 'u64':
        return { u64: v };
    case 'i64':
        return { i64: v };
    case 'f64':
        return { f64: Number(v) };
    case 'bool':
        return { bool: v === 'true' };
    default:
        return v;
    }
}
