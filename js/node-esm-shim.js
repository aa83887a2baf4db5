// Prepended (--extern-pre-js) to the ES-module build: Emscripten 3.1.6's Node branch of the
// ES6 glue still uses CommonJS `require` and `__dirname`, which an ES module lacks.
const __isNode = typeof process === 'object' && !!(process.versions && process.versions.node);
const require = __isNode ? (await import('node:module')).createRequire(import.meta.url) : undefined;
const __dirname = __isNode ? require('node:path').dirname(require('node:url').fileURLToPath(import.meta.url)) : undefined;
