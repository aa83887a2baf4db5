// writerLockRules() of @ruvector/rvf-wasm: the runtime's lock record and stale rules (spec §11)
// as the SDK's wasm backend uses them (npm/rvf/src/backend/lock.js does only the file steps).
import { describe, expect, it } from 'vitest';
import { writerLockRules } from '@ruvector/rvf-wasm';

const id = Uint8Array.from({ length: 16 }, (_, i) => i + 1);
const SEC = 1e9;

describe('writerLockRules', async () => {
    const rules = await writerLockRules();
    const now = Date.now() * 1e6;

    it('writes the 104-byte record: magic, pid, host (62 bytes at most), writer id, version', () => {
        const r = rules.record(4242, 'h'.repeat(80), now, id);
        expect(r.length).toBe(104);
        const dv = new DataView(r.buffer, r.byteOffset);
        expect(dv.getUint32(0x00, true)).toBe(0x52564c46); // "RVLF"
        expect(dv.getUint32(0x04, true)).toBe(4242);
        expect(r[0x08 + 61]).toBe(0x68);
        expect(r[0x08 + 62]).toBe(0);
        expect(Array.from(r.subarray(0x50, 0x60))).toEqual(Array.from(id));
        expect(dv.getUint32(0x60, true)).toBe(1);
        expect(rules.hasWriter(r, id)).toBe(true);
        expect(rules.hasWriter(r, new Uint8Array(16))).toBe(false);
        expect(rules.hasWriter(r.subarray(0, 100), id)).toBe(false);
    });

    it('judges by the stale rules: held, stale (dead pid at once), other host, invalid', () => {
        const asked = [];
        const alive = (pid) => { asked.push(pid); return true; };
        const dead = (pid) => { asked.push(pid); return false; };
        const fresh = rules.record(7, 'here', now, id);
        const old = rules.record(7, 'here', now - 31 * SEC, id);
        const v = rules.judge(fresh, now, 'here', alive);
        expect(v.kind).toBe('held');
        expect(v.holder).toMatch(/^pid 7 on host 'here' \(running\), taken 0 s ago$/);
        expect(v.advice).toMatch(/close that writer first/);
        expect(v.osLocked).toBe(false); // JS writers hold no OS lock: version 1
        // A dead pid on this host is stale at once (issue 14 #4: restarts waited 30 s).
        expect(rules.judge(fresh, now, 'here', dead).kind).toBe('stale');
        expect(rules.judge(old, now, 'here', alive).kind).toBe('held');
        expect(rules.judge(old, now, 'here', dead).kind).toBe('stale');
        expect(asked).toEqual([7, 7, 7, 7]);
        const there = rules.judge(old, now, 'elsewhere', dead);
        expect(there.kind).toBe('held'); // another host: 300 s, and its pids mean nothing here
        expect(there.holder).toContain('another host');
        expect(there.advice).toMatch(/stale after 300 s without a refresh \(in 269 s\)/);
        expect(rules.judge(rules.record(7, 'x', now - 301 * SEC, id), now, 'elsewhere', alive).kind).toBe('stale');
        expect(rules.judge(new Uint8Array(50), now, 'here', alive).kind).toBe('invalid');
        const bad = fresh.slice();
        bad[0] ^= 1;
        expect(rules.judge(bad, now, 'here', alive).kind).toBe('invalid');
    });
});
