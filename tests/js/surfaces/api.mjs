// The one table of names (api/surface.json) and the shared scenario (api/scenario.json), with the
// only two spelling rules any surface may apply to them: camelCase for JS, snake_case for C++ and
// HTTP JSON. Everything else a surface calls must be the table's name in the table's order.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const apiDir = fileURLToPath(new URL('../../../api/', import.meta.url));

export const surface = JSON.parse(readFileSync(apiDir + 'surface.json', 'utf8'));
export const scenario = JSON.parse(readFileSync(apiDir + 'scenario.json', 'utf8'));

/** ingest_batch → ingestBatch */
export const camel = (name) => name.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase());
/** ingestBatch → ingest_batch */
export const snake = (name) => name.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase());

export const operation = (cpp) => {
    const op = surface.operations.find((o) => o.cpp === cpp);
    if (!op) throw new Error(`api/scenario.json names '${cpp}', which api/surface.json does not list: add it there first`);
    return op;
};

/** A step's named arguments in the table's order (trailing absent ones dropped). */
export function positional(step) {
    const names = operation(step.op).args;
    for (const k of Object.keys(step.args))
        if (!names.includes(k)) throw new Error(`step ${step.op}: argument '${k}' is not one of ${names.join(', ')} (api/surface.json)`);
    const out = names.map((n) => step.args[n]);
    while (out.length && out[out.length - 1] === undefined) out.pop();
    return out;
}

/** A JS result as the scenario writes it: snake_case keys, bigints as numbers. */
export function toSnake(v) {
    if (typeof v === 'bigint') return Number(v);
    if (Array.isArray(v)) return v.map(toSnake);
    if (v && typeof v === 'object' && !ArrayBuffer.isView(v))
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), toSnake(x)]));
    return v;
}

/** The parts of `actual` that `expected` names: same shape, numbers within 1e-6. Returns problems. */
export function mismatches(actual, expected, where = '') {
    if (typeof expected === 'number')
        return typeof actual === 'number' && Math.abs(actual - expected) <= 1e-6 ? [] : [`${where}: ${JSON.stringify(actual)} ≠ ${expected}`];
    if (Array.isArray(expected)) {
        if (!Array.isArray(actual) || actual.length !== expected.length)
            return [`${where}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`];
        return expected.flatMap((e, i) => mismatches(actual[i], e, `${where}[${i}]`));
    }
    if (expected && typeof expected === 'object') {
        if (!actual || typeof actual !== 'object') return [`${where}: ${JSON.stringify(actual)} is not an object`];
        return Object.keys(expected).flatMap((k) =>
            k in actual ? mismatches(actual[k], expected[k], `${where}.${k}`) : [`${where}: no field '${k}' in ${JSON.stringify(actual)}`]);
    }
    return actual === expected ? [] : [`${where}: ${JSON.stringify(actual)} ≠ ${JSON.stringify(expected)}`];
}
