// @ruvector/rvf-node as an ES module: the loader is index.cjs (a .node file is loaded with require).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const native = require('./index.cjs');

export const { RvfDatabase, RvfShardedCollection, Progressive, RvfStatus, version, verifyFile, signingKeyId, isRvfError, addonPath, platformTriple } = native;
export default native;
