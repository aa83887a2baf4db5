// @ruvector/rvf — the RVF SDK: one async API (RvfDatabase) over the native addon
// (@ruvector/rvf-node) or the WebAssembly build (@ruvector/rvf-wasm) of the same C++ runtime.
export { RvfDatabase } from './database.js';
export { RvfError, RvfStatus } from './errors.js';
export { nativeAvailability } from './backend/select.js';
export { fieldId, toU64 as idToU64, ID_FIELD, NAMES_FIELD } from './keys.js';
export { RvfServerClient, RvfServerError } from './server-client.js';
// A sharded collection read over HTTP (issue 21): the wasm package's reader as it is, so a
// browser or edge worker needs only the SDK.
export { RvfShardedCollection } from '@ruvector/rvf-wasm';
