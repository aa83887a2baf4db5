// Errors of the SDK: one class, RvfError, with the numeric code and name from the runtime's one
// status list (runtime/include/rvf/core/status.hpp). Both are re-used from @ruvector/rvf-wasm,
// whose status table is generated from that list; nothing here defines codes of its own.
import { RvfError, RvfStatus } from '@ruvector/rvf-wasm';

export { RvfError, RvfStatus };

const hex4 = (code) => code.toString(16).toUpperCase().padStart(4, '0');
const statusByName = new Map(Object.entries(RvfStatus));
const nameByCode = new Map(Object.entries(RvfStatus).map(([n, c]) => [c, n]));

/** An RvfError in the runtime's message form: "RVF error 0xFF04: InvalidArgument (detail)". */
export function rvfError(name, detail) {
    const code = RvfStatus[name];
    if (code === undefined)
        throw new Error(`internal: unknown status name ${name}`);
    return new RvfError(code, `RVF error 0x${hex4(code)}: ${name}${detail ? ` (${detail})` : ''}`);
}

/**
 * Any error a backend raised, as an RvfError. The native addon throws JS errors carrying the
 * status (numeric `code`, `'RVF_E_<NAME>'`-style code, or the runtime's message with
 * "0x…"); those keep their code. Anything else (a bug, a JS TypeError) is returned unchanged.
 */
export function toRvfError(e) {
    if (e instanceof RvfError)
        return e;
    if (!(e instanceof Error))
        return e;
    let code;
    if (typeof e.code === 'number' && nameByCode.has(e.code))
        code = e.code;
    else if (typeof e.rvfCode === 'number' && nameByCode.has(e.rvfCode))
        code = e.rvfCode;
    else if (typeof e.status === 'number' && nameByCode.has(e.status))
        code = e.status;
    else if (typeof e.code === 'string' && e.code.startsWith('RVF_E_'))
        code = codeFromUpperSnake(e.code.slice(6));
    if (code === undefined) {
        const m = /RVF error 0x([0-9a-fA-F]{4})/.exec(e.message);
        if (m)
            code = parseInt(m[1], 16);
    }
    if (code === undefined)
        return e;
    const out = new RvfError(code, e.message.startsWith('RVF error') ? e.message
        : `RVF error 0x${hex4(code)}: ${nameByCode.get(code) ?? 'Unknown'} (${e.message})`);
    out.cause = e;
    return out;
}

function codeFromUpperSnake(s) {
    const camel = s.toLowerCase().replace(/(^|_)([a-z0-9])/g, (_, __, c) => c.toUpperCase());
    return statusByName.get(camel);
}

/** Run fn, converting a backend error into an RvfError. */
export function mapErrors(fn) {
    try {
        return fn();
    } catch (e) {
        throw toRvfError(e);
    }
}

/** Await fn(), converting a backend error into an RvfError. */
export async function mapErrorsAsync(fn) {
    try {
        return await fn();
    } catch (e) {
        throw toRvfError(e);
    }
}
