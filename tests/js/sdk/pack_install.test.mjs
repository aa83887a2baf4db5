// Issue 7's install check: `npm pack` each package (@ruvector/rvf-wasm, @ruvector/rvf-node, the
// linux-x64-gnu platform package with the built addon staged in, @ruvector/rvf), install the
// tarballs into an empty project with `npm install --offline`, then run `npx rvf --version` and a
// ten-line script that writes with the native backend and reads back with the wasm one.
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { nativeAvailability } from '@ruvector/rvf';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const native = await nativeAvailability();
const packages = ['rvf-wasm', 'rvf-node', 'rvf-node-linux-x64-gnu', 'rvf'];

function run(cmd, args, cwd) {
    const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: 120000, env: { ...process.env, RVF_NODE_ADDON: '' } });
    return { code: r.status, out: r.stdout ?? '', err: r.stderr ?? '' };
}

const script = `import { RvfDatabase } from '@ruvector/rvf';
const file = new URL('./demo.rvf', import.meta.url).pathname;
const db = await RvfDatabase.create(file, { dimensions: 3, metric: 'l2', backend: 'native' });
await db.insertBatch([{ id: 'a', vector: [1, 0, 0], metadata: { tag: 'x' } }, { id: 'b', vector: [0, 1, 0], metadata: { tag: 'y' } }]);
const first = await db.query([0, 0.9, 0], 1);
await db.close();
const again = await RvfDatabase.open(file, { backend: 'wasm' });
const second = await again.query([0, 0.9, 0], 2, { filter: { op: 'eq', field: 'tag', value: 'x' } });
await again.close();
console.log(JSON.stringify({ first, second }));
`;

describe.skipIf(!native.available || process.platform !== 'linux' || process.arch !== 'x64')('npm pack + offline install', () => {
    let dir;
    beforeAll(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-pack-')); });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('packs only package files, installs offline, and the CLI and SDK work', () => {
        const stage = run(process.execPath, ['npm/rvf-node/scripts/stage-addon.mjs'], root);
        expect(stage.code, stage.err).toBe(0);
        for (const p of packages) {
            const r = run('npm', ['pack', '--json', '--pack-destination', dir], path.join(root, 'npm', p));
            expect(r.code, r.err).toBe(0);
            const files = JSON.parse(r.out)[0].files.map((f) => f.path);
            for (const f of files) // no build trees, tests or scripts in any tarball
                expect(f).not.toMatch(/^(build|node_modules|scripts|test|tests|native)\//);
        }
        const tarballs = fs.readdirSync(dir).filter((f) => f.endsWith('.tgz')).map((f) => path.join(dir, f));
        expect(tarballs).toHaveLength(packages.length);

        const app = path.join(dir, 'app');
        fs.mkdirSync(app);
        fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
        const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', ...tarballs], app);
        expect(install.code, install.err).toBe(0);

        const version = run('npx', ['--offline', 'rvf', '--version'], app);
        expect(version.code, version.err).toBe(0);
        expect(version.out).toMatch(/^rvf 0\.4\.0 .*backends: native, wasm/);

        fs.writeFileSync(path.join(app, 'demo.mjs'), script);
        const r = run(process.execPath, ['demo.mjs'], app);
        expect(r.code, r.err).toBe(0);
        const { first, second } = JSON.parse(r.out);
        expect(first).toEqual([{ id: 'b', distance: expect.closeTo(0.01, 5) }]);
        expect(second.map((h) => h.id)).toEqual(['a']); // metadata filter survived the reopen on the other backend
    }, 180000);
});
