// `rvf keygen [--algorithm ed25519|ml-dsa-65]`, `rvf sign FILE --key KEYFILE` and `rvf verify FILE --key KEYFILE|KEYID` against a
// file the SDK signed with the key file's seed (the 64 hex digits after the algorithm prefix):
// a key file works across the CLI and the SDK, and verify --key refuses unsigned and
// foreign-signed files. Needs the native `rvf` binary (skipped, saying so, without it).
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RvfDatabase } from '@ruvector/rvf';
import { findServeBinary } from './helpers/serve_binary.mjs';

const bin = findServeBinary();
let dir;
beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rvf-cli-signing-'));
});
afterAll(() => {
    fs.rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!bin)('rvf keygen / verify --key (build the native rvf: cmake --build --preset native-debug --target rvf)', () => {
    it.each(['ed25519', 'ml-dsa-65'])('%s: a key file signs through the SDK and passes verify --key', async (algorithm) => {
        const keyFile = path.join(dir, `${algorithm}.key`);
        const out = execFileSync(bin, ['keygen', '--algorithm', algorithm, keyFile], { encoding: 'utf8' });
        const keyId = /key id ([0-9a-f]{32})/.exec(out)[1];
        expect(out).toContain(`algorithm ${algorithm}`);
        expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
        const text = fs.readFileSync(keyFile, 'utf8').trim();
        const hex = algorithm === 'ed25519' ? text : text.replace(/^ml-dsa-65 /, '');
        expect(hex).toMatch(/^[0-9a-f]{64}$/);
        expect(await RvfDatabase.signingKeyId({ algorithm, key: hex }, 'wasm')).toBe(keyId);

        const file = path.join(dir, `${algorithm}.rvf`);
        const db = await RvfDatabase.create(file, { dimensions: 4, signing: { algorithm, key: hex }, backend: 'wasm' });
        await db.insertBatch([{ id: 1, vector: [1, 0, 0, 0] }]);
        await db.close();
        const ok = spawnSync(bin, ['verify', file, '--key', keyFile], { encoding: 'utf8' });
        expect(ok.status, ok.stdout + ok.stderr).toBe(0);
        expect(ok.stdout).toContain(`every segment and manifest is signed by ${keyId}`);

        const plain = path.join(dir, `${algorithm}-plain.rvf`);
        await (await RvfDatabase.create(plain, { dimensions: 4, backend: 'wasm' })).close();
        const refused = spawnSync(bin, ['verify', plain, '--key', keyId], { encoding: 'utf8' });
        expect(refused.status).toBe(4);
        expect(refused.stdout).toMatch(/signature policy FAILED: .*UnsignedManifest \(segment 1 /);
        const foreign = spawnSync(bin, ['verify', file, '--key', '0'.repeat(32)], { encoding: 'utf8' });
        expect(foreign.status).toBe(4);
        expect(foreign.stdout).toMatch(/UnknownSigner \(segment 1 \(crypto\) at 0x0 is signed by key [0-9a-f]{32}/);
    });

    it.each(['ed25519', 'ml-dsa-65'])('%s: rvf sign rewrites an unsigned file so that verify --key passes, rows kept', async (algorithm) => {
        const keyFile = path.join(dir, `sign-${algorithm}.key`);
        const keyId = /key id ([0-9a-f]{32})/.exec(execFileSync(bin, ['keygen', '--algorithm', algorithm, keyFile], { encoding: 'utf8' }))[1];
        const file = path.join(dir, `sign-${algorithm}.rvf`);
        const db = await RvfDatabase.create(file, { dimensions: 4, backend: 'native' });
        await db.insertBatch([1, 2, 3].map((id) => ({ id, vector: [id, 0, 0, 1], metadata: { tag: `t${id}` } })));
        await db.close();
        expect(spawnSync(bin, ['verify', file, '--key', keyId], { encoding: 'utf8' }).status).toBe(4); // unsigned so far
        const signed = spawnSync(bin, ['sign', file, '--key', keyFile], { encoding: 'utf8' });
        expect([signed.status, signed.stderr]).toEqual([0, '']);
        expect(signed.stdout).toContain(`by ${algorithm} key ${keyId}`);
        const ok = spawnSync(bin, ['verify', file, '--key', keyFile], { encoding: 'utf8' });
        expect(ok.status, ok.stdout + ok.stderr).toBe(0);
        const back = await RvfDatabase.openReadonly(file, { backend: 'native', requireSignature: keyId });
        expect((await back.query([2, 0, 0, 1], 1))[0].id).toBe(2);
        expect(await back.count()).toBe(3);
        await back.close();
        const bad = spawnSync(bin, ['sign', file, '--key', path.join(dir, 'missing.key')], { encoding: 'utf8' });
        expect(bad.status).toBe(2);
        expect(bad.stderr).toMatch(/rvf sign: /);
    });

    it('refuses an algorithm it does not implement, naming it', () => {
        const r = spawnSync(bin, ['keygen', '--algorithm', 'slh-dsa-128s', path.join(dir, 'x.key')], { encoding: 'utf8' });
        expect(r.status).toBe(2);
        expect(r.stderr).toMatch(/--algorithm slh-dsa-128s is not implemented: use ed25519 or ml-dsa-65/);
        expect(fs.existsSync(path.join(dir, 'x.key'))).toBe(false);
    });
});
