// scripts/dual-package.mjs — the CommonJS face of our ES-module packages, generated at pack time
// from the ES sources (one source of truth; issue 15: require() of the packages failed).
//   buildCjs  bundles a package's ES entry into one .cjs file with esbuild. Other @ruvector/*
//             packages stay external (each has its own CJS face); node builtins stay requires.
//   writeDcts copies an ES .d.ts to a .d.cts: the same declarations typed as CommonJS, so a
//             `module: commonjs`/`.cts` consumer resolves them without TS1479. Relative
//             specifiers './x.js' become './x.cjs' so they find the sibling .d.cts copies.
// Used by npm/rvf/scripts/build.mjs and npm/rvf-wasm/scripts/build.mjs (prepack); esbuild is a
// root devDependency, so this only runs inside the repository, never in an installed package.
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

// `import.meta.url` has no CommonJS meaning: the bundle defines it from __filename, so
// `new URL('../dist/…', import.meta.url)` still points next to the installed file.
const META_URL = '__rvfImportMetaUrl';
const banner = `const ${META_URL} = require('node:url').pathToFileURL(__filename).href;`;

/** Bundle pkgDir/entry into pkgDir/outfile (CommonJS). Returns the output size in bytes. */
export async function buildCjs({ pkgDir, entry, outfile, external = [] }) {
    const { build } = await import('esbuild');
    const result = await build({
        entryPoints: [path.join(pkgDir, entry)],
        outfile: path.join(pkgDir, outfile),
        absWorkingDir: pkgDir,
        bundle: true,
        platform: 'node', // resolves package "imports"/"exports" with the node + require conditions
        format: 'cjs',
        target: 'node20',
        external: ['@ruvector/*', ...external],
        define: { 'import.meta.url': META_URL },
        banner: { js: `// Generated from the ES module sources by scripts/dual-package.mjs. Do not edit.\n${banner}` },
        logLevel: 'error',
        metafile: true,
    });
    return Object.values(result.metafile.outputs)[0].bytes;
}

/** Copy pkgDir/from (ES declarations) to pkgDir/to as CommonJS declarations. */
export async function writeDcts(pkgDir, from, to) {
    const text = await readFile(path.join(pkgDir, from), 'utf8');
    const head = `// Generated from ${path.basename(from)} by scripts/dual-package.mjs (CommonJS typing). Do not edit.\n`;
    await writeFile(path.join(pkgDir, to), head + text.replace(/(from\s+['"]\.{1,2}\/[^'"]+)\.js(['"])/g, '$1.cjs$2'));
}
