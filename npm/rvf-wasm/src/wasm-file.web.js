// "#wasm-file" outside Node (browsers, workers, bundles for them): there is no file system, so
// init() fetches the .wasm by URL instead (see src/wasm-file.node.js for Node).
export const readWasmFile = null;
