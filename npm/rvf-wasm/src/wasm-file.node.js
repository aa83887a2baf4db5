// How Node reads rvf_core.wasm from a path or file: URL. Chosen by the "node" condition of the
// package's "#wasm-file" import (package.json "imports"), so a browser bundle never sees
// node:fs/promises and needs nothing marked external.
import { readFile } from 'node:fs/promises';

export const readWasmFile = (pathOrFileUrl) => readFile(pathOrFileUrl);
