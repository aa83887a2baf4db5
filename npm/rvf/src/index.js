// @ruvector/rvf — the RVF SDK: one async API (RvfDatabase) over the native addon
// (@ruvector/rvf-node) or the WebAssembly build (@ruvector/rvf-wasm) of the same C++ runtime.
export { RvfDatabase } from './database.js';
export { RvfError, RvfStatus } from './errors.js';
export { nativeAvailability } from './backend/select.js';
export { fieldId, toU64 as idToU64, ID_FIELD, NAMES_FIELD } from './keys.js';
export { RvfServerClient, RvfServerError } from './server-client.js';
