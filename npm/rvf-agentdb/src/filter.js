// agentdb's predicate DSL ({status: 'active', score: {$gt: 0.5}}) as an SDK filter that names
// its fields. agentdb's own FilterBuilder numbers each query's fields 0, 1, 2… in the order it
// meets them, while the rows were stored with the field *names* (our SDK maps each name to its
// own field id), so a numbered filter would look at fields no row has. Same operators as
// FilterBuilder; $range [low, high] is inclusive at both ends as FilterBuilder documents it
// (the SDK's 'range' excludes high, so it becomes ge + le).
const MAX_PREDICATES = 64; // FilterBuilder's bound

function predicate(field, val) {
    if (typeof val === 'string' || typeof val === 'number' || typeof val === 'boolean')
        return { op: 'eq', field, value: val };
    if (typeof val !== 'object')
        return null;
    for (const op of ['eq', 'ne', 'lt', 'le', 'gt', 'ge'])
        if (`$${op}` in val)
            return { op, field, value: val[`$${op}`] };
    if ('$in' in val)
        return { op: 'in', field, values: val.$in };
    if ('$range' in val) {
        const [low, high] = val.$range;
        return { op: 'and', exprs: [{ op: 'ge', field, value: low }, { op: 'le', field, value: high }] };
    }
    return null; // FilterBuilder ignores an object without a known operator too
}

/** The SDK filter of agentdb's predicates (null when they select nothing to filter on). */
export function namedFilter(predicates) {
    if (!predicates || typeof predicates !== 'object')
        return null;
    const exprs = [];
    for (const [field, val] of Object.entries(predicates)) {
        if (val === null || val === undefined)
            continue;
        const p = predicate(field, val);
        if (!p)
            continue;
        if (exprs.length >= MAX_PREDICATES)
            throw new Error(`Filter expression count exceeds maximum of ${MAX_PREDICATES}`);
        exprs.push(p);
    }
    if (exprs.length === 0)
        return null;
    return exprs.length === 1 ? exprs[0] : { op: 'and', exprs };
}
