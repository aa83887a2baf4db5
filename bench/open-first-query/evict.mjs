// bench/open-first-query/evict.mjs — drops one file's pages from the page cache before a cold
// child, and says how it did it and whether it worked. Node has no posix_fadvise, so the first
// way is python3's os.posix_fadvise(POSIX_FADV_DONTNEED) after an fsync (only that file; other
// people's builds keep their cache), then `dd iflag=nocache` (coreutils' own DONTNEED), and only
// when the file is still resident, /proc/sys/vm/drop_caches (every clean page of the machine).
// `fincore` (util-linux) measures residency afterwards; without it the result is "unverified".
import { spawnSync } from 'node:child_process';
import { accessSync, constants, writeFileSync } from 'node:fs';

const PY = 'import os,sys\n' +
           'fd=os.open(sys.argv[1],os.O_RDONLY)\n' +
           'os.fsync(fd)\n' +
           'os.posix_fadvise(fd,0,0,os.POSIX_FADV_DONTNEED)\n' +
           'os.close(fd)\n';

/** Bytes of `file` in the page cache, or null when fincore is missing or fails. */
export function residentBytes(file) {
    const r = spawnSync('fincore', ['--bytes', '--noheadings', '--output', 'RES', file], { encoding: 'utf8' });
    if (r.status !== 0)
        return null;
    const v = Number(r.stdout.trim());
    return Number.isFinite(v) ? v : null;
}

function ok(cmd, args) {
    return spawnSync(cmd, args, { stdio: 'ignore' }).status === 0;
}

function dropCaches() {
    try {
        accessSync('/proc/sys/vm/drop_caches', constants.W_OK);
        spawnSync('sync');
        writeFileSync('/proc/sys/vm/drop_caches', '1\n');
        return true;
    } catch {
        return false;
    }
}

// A file counts as evicted when at most this share of it is still cached (fincore rounds to pages;
// the kernel may keep a page another process has mapped).
const RESIDENT_SLACK = 0.01;

/**
 * Evict `file`; returns {method, resident_before, resident_after, evicted} where method names the
 * way that worked ('posix_fadvise', 'dd-nocache', 'drop_caches') or 'none'.
 */
export function evictFile(file, { size, allowDropCaches = true } = {}) {
    const residentBefore = residentBytes(file);
    const gone = () => {
        const r = residentBytes(file);
        return { r, ok: r === null ? null : r <= (size ?? 0) * RESIDENT_SLACK };
    };
    const ways = [
        ['posix_fadvise', () => ok('python3', ['-c', PY, file])],
        ['dd-nocache', () => ok('dd', [`if=${file}`, 'iflag=nocache', 'count=0', 'status=none'])],
    ];
    if (allowDropCaches)
        ways.push(['drop_caches', dropCaches]);
    for (const [method, run] of ways) {
        if (!run())
            continue;
        const g = gone();
        // Unverifiable (no fincore): trust the first way that ran.
        if (g.ok !== false)
            return { method, resident_before: residentBefore, resident_after: g.r, evicted: g.ok };
    }
    const g = gone();
    return { method: 'none', resident_before: residentBefore, resident_after: g.r, evicted: g.ok };
}
