// Errors of this adapter are the SDK's RvfError with a status name from the runtime's list, so a
// caller handles one error type whether the adapter or the store refused something.
import { RvfError, RvfStatus } from '@ruvector/rvf';

/** An RvfError named `name` ('InvalidOptions', 'InvalidArgument', ...) whose message says what to do. */
export function adapterError(name, detail) {
    const code = RvfStatus[name];
    const hex = code.toString(16).toUpperCase().padStart(4, '0');
    return new RvfError(code, `RVF error 0x${hex}: ${name} (RvfMemoryBackend: ${detail})`);
}
