// Prepended (--extern-pre-js) to the ES-module build: Emscripten 3.1.6's Node branch of the
// ES6 glue still uses CommonJS `require` and `__dirname`, which an ES module lacks.
// Both come from process.getBuiltinModule (Node >= 20.16), synchronously: a top-level await
// here made the module unloadable by require() (ERR_REQUIRE_ASYNC_MODULE) and by CJS bundles,
// and a static `import 'node:…'` would break browser bundles. Declaring `require` also keeps
// bundlers from resolving the glue's require("fs") for a browser build.
const __isNode = typeof process === 'object' && !!(process.versions && process.versions.node) &&
                 typeof process.getBuiltinModule === 'function';
const require = __isNode ? (id) => process.getBuiltinModule(id) : undefined;
const __dirname = __isNode ? require('node:path').dirname(require('node:url').fileURLToPath(import.meta.url)) : undefined;
