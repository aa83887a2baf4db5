// The writer lock `<path>.lock` (spec §11) for the wasm backend in Node. The C++ runtime takes
// this lock itself (runtime/src/io/writer_lock.cpp); the wasm build has no files, so the SDK
// takes the same lock around a wasm store it persists to disk. The record and the stale rules
// match the runtime's exactly, so a native writer and a wasm writer exclude each other (a
// record the runtime could not parse would be deleted by it as garbage).
import fs from 'node:fs';
import os from 'node:os';
import { randomBytes } from 'node:crypto';
import { rvfError } from '../errors.js';

const LOCK_SIZE = 104;
const MAGIC = 0x52564c46; // "RVLF"
const HOST_FIELD = 64, HOST_MAX_COPY = 62;
const SAME_HOST_STALE_NS = 30n * 1_000_000_000n;  // dead pid on this host and older than 30 s
const OTHER_HOST_STALE_NS = 300n * 1_000_000_000n; // another host and older than 300 s

const crcTable = (() => {
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
        let c = n;
        for (let k = 0; k < 8; k++)
            c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
        t[n] = c >>> 0;
    }
    return t;
})();

/** IEEE CRC32 (zlib), as the runtime's lock record uses. */
function crc32(bytes) {
    let c = 0xffffffff;
    for (let i = 0; i < bytes.length; i++)
        c = crcTable[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
}

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

const nowNs = () => BigInt(Date.now()) * 1_000_000n;

function encodeRecord(host, writerId) {
    const buf = Buffer.alloc(LOCK_SIZE);
    buf.writeUInt32LE(MAGIC, 0x00);
    buf.writeUInt32LE(process.pid >>> 0, 0x04);
    const h = Buffer.from(host, 'utf8').subarray(0, HOST_MAX_COPY);
    h.copy(buf, 0x08);
    buf.writeBigUInt64LE(nowNs(), 0x48);
    writerId.copy(buf, 0x50);
    buf.writeUInt32LE(1, 0x60);
    buf.writeUInt32LE(crc32(buf.subarray(0, 0x64)), 0x64);
    return buf;
}

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

/** 'retry' when the existing lock was stale (and removed) or is gone; else a holder description. */
function judgeExisting(lockPath, host) {
    let buf, st;
    try {
        st = fs.statSync(lockPath);
        buf = fs.readFileSync(lockPath);
    } catch (e) {
        if (e.code === 'ENOENT')
            return 'retry';
        throw rvfError('IoError', `read ${lockPath}: ${e.message}`);
    }
    if (buf.length < LOCK_SIZE || buf.readUInt32LE(0) !== MAGIC) {
        // A record being written right now by a writer that does not link (rare): give it a moment.
        if (Date.now() - st.mtimeMs < 200)
            return 'held by a writer that is still writing its lock record';
        removeIfSame(lockPath, st);
        return 'retry';
    }
    const pid = buf.readUInt32LE(0x04);
    const hostBytes = buf.subarray(0x08, 0x08 + HOST_FIELD);
    const end = hostBytes.indexOf(0);
    const lockHost = hostBytes.subarray(0, end < 0 ? HOST_FIELD : end).toString('utf8');
    const ts = buf.readBigUInt64LE(0x48);
    const now = nowNs();
    const age = now > ts ? now - ts : 0n;
    const sameHost = lockHost === Buffer.from(host, 'utf8').subarray(0, HOST_MAX_COPY).toString('utf8');
    const stale = sameHost ? age > SAME_HOST_STALE_NS && !pidAlive(pid) : age > OTHER_HOST_STALE_NS;
    if (stale) {
        removeIfSame(lockPath, st);
        return 'retry';
    }
    return `pid ${pid} on host '${lockHost}'${sameHost ? '' : ' (another host)'}, taken ${age / 1_000_000_000n} s ago`;
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
 * Take `<rvfPath>.lock` or throw RvfError LockHeld. Returns { release() }; release deletes the
 * lock only while it still holds this writer's id.
 */
export function acquireWriterLock(rvfPath) {
    const lockPath = `${rvfPath}.lock`;
    const host = localHostname();
    const writerId = randomBytes(16);
    for (let attempt = 0; attempt < 3; attempt++) {
        const rec = encodeRecord(host, writerId);
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
        if (created)
            return { path: lockPath, release: () => releaseLock(lockPath, writerId) };
        const verdict = judgeExisting(lockPath, host);
        if (verdict !== 'retry')
            throw rvfError('LockHeld', `${lockPath} is held by ${verdict}`);
    }
    throw rvfError('LockHeld', `${lockPath}: contended, gave up after 3 attempts`);
}

function releaseLock(lockPath, writerId) {
    try {
        const buf = fs.readFileSync(lockPath);
        if (buf.length >= LOCK_SIZE && buf.subarray(0x50, 0x60).equals(writerId))
            fs.unlinkSync(lockPath);
    } catch {
        // gone already, or unreadable: nothing of ours to remove
    }
}
