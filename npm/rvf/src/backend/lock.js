// The writer lock `<path>.lock` (spec §11) for the wasm backend in Node. The C++ runtime takes
// this lock itself (runtime/src/io/writer_lock.cpp); the wasm build has no files, so the SDK
// takes the same lock around a wasm store it persists to disk. This file does only the
// file-system steps and the pid probe: the record's bytes and the stale verdict come from the
// runtime (writerLockRules of @ruvector/rvf-wasm), so native and wasm writers exclude each other.
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { writerLockRules } from '@ruvector/rvf-wasm';
import { rvfError } from '../errors.js';

/** Hostname as the runtime reads it: $HOSTNAME as-is, else /etc/hostname trimmed, else os.hostname(). */
function localHostname() {
    if (process.env.HOSTNAME !== undefined)
        return process.env.HOSTNAME;
    try {
        return fs.readFileSync('/etc/hostname', 'utf8').trim();
    } catch {
        return os.hostname() || 'unknown';
    }
}

const nowNs = () => Date.now() * 1e6;

function pidAlive(pid) {
    if (pid <= 0 || pid > 0x7fffffff)
        return false;
    try {
        process.kill(pid, 0);
        return true;
    } catch (e) {
        return e.code === 'EPERM';
    }
}

/** 'retry' when the existing lock was stale or invalid (and removed) or is gone; else a holder description. */
function judgeExisting(rules, lockPath, host) {
    let buf, st;
    try {
        st = fs.statSync(lockPath);
        buf = fs.readFileSync(lockPath);
    } catch (e) {
        if (e.code === 'ENOENT')
            return 'retry';
        throw rvfError('IoError', `read ${lockPath}: ${e.message}`);
    }
    const v = rules.judge(buf, nowNs(), host, pidAlive);
    if (v.kind === 'held')
        return `${v.holder}. ${v.advice.charAt(0).toUpperCase()}${v.advice.slice(1)} (${lockPath})`;
    // A record being written right now by a writer that does not link (rare): give it a moment.
    if (v.kind === 'invalid' && Date.now() - st.mtimeMs < 200)
        return 'a writer that is still writing its lock record';
    removeIfSame(lockPath, st);
    return 'retry';
}

function removeIfSame(lockPath, judged) {
    try {
        const now = fs.statSync(lockPath);
        if (now.ino === judged.ino && now.dev === judged.dev)
            fs.unlinkSync(lockPath);
    } catch (e) {
        if (e.code !== 'ENOENT')
            throw rvfError('IoError', `remove stale lock ${lockPath}: ${e.message}`);
    }
}

/**
 * Take `<rvfPath>.lock` or throw RvfError LockHeld. Resolves to { path, release() }; release
 * deletes the lock only while it still holds this writer's id.
 */
export async function acquireWriterLock(rvfPath) {
    const rules = await writerLockRules();
    const lockPath = `${rvfPath}.lock`;
    const host = localHostname();
    const writerId = randomBytes(16);
    for (let attempt = 0; attempt < 3; attempt++) {
        const rec = rules.record(process.pid, host, nowNs(), writerId);
        // Write the whole record under a private name, then link it into place: the lock path
        // never shows a partial record (as the runtime does).
        const tmp = `${lockPath}.${writerId.subarray(0, 8).toString('hex')}.tmp`;
        let created = false;
        try {
            const fd = fs.openSync(tmp, 'wx', 0o644);
            try {
                fs.writeSync(fd, rec);
                fs.fsyncSync(fd);
            } finally {
                fs.closeSync(fd);
            }
            try {
                fs.linkSync(tmp, lockPath);
                created = true;
            } catch (e) {
                if (e.code !== 'EEXIST')
                    throw e;
            }
        } catch (e) {
            throw rvfError('IoError', `create ${lockPath}: ${e.message}`);
        } finally {
            try { fs.unlinkSync(tmp); } catch { /* already gone */ }
        }
        if (created) {
            let written = Date.now();
            return {
                path: lockPath,
                release: () => releaseLock(rules, lockPath, writerId),
                // This writer holds no OS lock (Node has none): keep the record's timestamp fresh
                // while it commits, so writers on other hosts never judge it stale by age.
                refresh: () => {
                    if (Date.now() - written < 10_000)
                        return;
                    written = Date.now();
                    refreshLock(rules, lockPath, writerId, host);
                },
            };
        }
        const verdict = judgeExisting(rules, lockPath, host);
        if (verdict !== 'retry')
            throw rvfError('LockHeld', `${lockPath} is held by ${verdict}`);
    }
    throw rvfError('LockHeld', `${lockPath}: contended, gave up after 3 attempts`);
}

function releaseLock(rules, lockPath, writerId) {
    try {
        if (rules.hasWriter(fs.readFileSync(lockPath), writerId))
            fs.unlinkSync(lockPath);
    } catch {
        // gone already, or unreadable: nothing of ours to remove
    }
}

function refreshLock(rules, lockPath, writerId, host) {
    try {
        if (!rules.hasWriter(fs.readFileSync(lockPath), writerId))
            return; // broken and taken by another writer: theirs now
        const fd = fs.openSync(lockPath, 'r+');
        try {
            fs.writeSync(fd, rules.record(process.pid, host, nowNs(), writerId), 0, 104, 0);
        } finally {
            fs.closeSync(fd);
        }
    } catch {
        // best effort: the record is information; the file-size check guards the data
    }
}
