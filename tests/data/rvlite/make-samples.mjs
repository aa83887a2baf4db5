// Writes the rvlite samples beside this file with rvlite 0.2.6 itself, once (committed; the
// test suite does not need rvlite):
//   mkdir /tmp/gen && cd /tmp/gen && npm pack rvlite@0.2.6 && tar xzf rvlite-0.2.6.tgz
//   (cd package && npm install --ignore-scripts --omit=optional)
//   node tests/data/rvlite/make-samples.mjs /tmp/gen/package
// db.json: rvlite's CLI database (`rvlite init`, `insert`, `triple`: its .rvlite/db.json format).
// data.rvf: rvlite's "RVF1" JSON envelope, written from db.json by its rvfMigrate
// (dist/cli-rvf.js: the `rvf-migrate` command's implementation).
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DIM, ROWS } from './rows.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = process.argv[2];
if (!pkg)
    throw new Error('usage: node make-samples.mjs RVLITE_PACKAGE_DIR (see the comment at the top)');
const db = path.join(here, 'db.json');
const cli = (...args) => execFileSync(process.execPath, [path.join(pkg, 'bin/cli.js'), ...args, '-p', db], { stdio: 'inherit' });
fs.rmSync(db, { force: true });
cli('init', '-d', String(DIM), '-m', 'cosine');
for (const r of ROWS)
    cli('insert', JSON.stringify(r.vector), ...(r.metadata ? ['-m', JSON.stringify(r.metadata)] : []), ...(r.id ? ['-i', r.id] : []));
cli('triple', 'http://example.org/doc-1', 'http://example.org/cites', 'http://example.org/doc-2');
const { rvfMigrate } = await import(pathToFileURL(path.join(pkg, 'dist/cli-rvf.js')));
const out = path.join(here, 'data.rvf');
fs.rmSync(out, { force: true });
console.log(await rvfMigrate(db, out, { verify: true }));
