// CLI error kinds and the documented exit codes (README "Exit codes").
import { RvfError } from '../errors.js';

export const EXIT = {
    ok: 0,
    rvf: 1,         // the runtime refused: RvfError (code and name printed)
    usage: 2,       // bad command line
    input: 3,       // input data unreadable or malformed
    verify: 4,      // verify found problems
    unavailable: 5, // a needed tool/backend is missing (serve without the C++ rvf, --backend native without the addon)
    interrupted: 130,
};

/** Bad command line: exit 2. */
export class UsageError extends Error {}
/** Bad input data (file format, parse error): exit 3. */
export class InputError extends Error {}
/** Every input row was rejected by the runtime (nothing committed): exit 1, like an RvfError. */
export class RejectedError extends Error {
    constructor(message, rejected) {
        super(message);
        this.rejected = rejected;
    }
}
/** Something needed is not installed: exit 5. */
export class UnavailableError extends Error {}

export function exitCodeFor(e) {
    if (e instanceof UsageError)
        return EXIT.usage;
    if (e instanceof InputError)
        return EXIT.input;
    if (e instanceof UnavailableError)
        return EXIT.unavailable;
    if (e instanceof RvfError)
        return e.name === 'BackendNotFound' ? EXIT.unavailable : EXIT.rvf;
    return EXIT.rvf;
}
