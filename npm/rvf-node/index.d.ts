// @ruvector/rvf-node for ES modules: the loader is CommonJS (index.cjs, typed in index.d.cts) and
// index.js re-exports it, named and as the default export.
export * from './index.cjs';
declare const native: typeof import('./index.cjs');
export default native;
