// bench/open-first-query/proc_stats.mjs — what a child process reads about itself from /proc
// around the open and the first query: resident memory split into anonymous and file-backed pages
// (an index mapped in place shows up as RssFile, one copied into the heap as RssAnon), the bytes
// it read (read_bytes: from the block device, so a page-cache hit counts 0; rchar: every read()
// call, hit or miss, but no mmap faults) and its major page faults (mmap reads that went to disk).
import { readFileSync } from 'node:fs';

/** The number after `key:` at the start of a line (kB in status, a count in io). */
function field(text, key) {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) : null;
}

/** One snapshot; every memory figure in bytes. Fields missing on this kernel are null. */
export function procSnapshot() {
    const status = readFileSync('/proc/self/status', 'utf8');
    let io = '';
    try {
        io = readFileSync('/proc/self/io', 'utf8'); // absent without CONFIG_TASK_IO_ACCOUNTING
    } catch { /* leave the io fields null */ }
    // /proc/self/stat: the fields after the command name's closing parenthesis start at field 3
    // (state); minflt is field 10 and majflt field 12 (proc(5)).
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const bytes = (v) => (v === null ? null : v * 1024);
    return {
        rss: process.memoryUsage().rss,
        vm_rss: bytes(field(status, 'VmRSS')),
        vm_hwm: bytes(field(status, 'VmHWM')),
        rss_anon: bytes(field(status, 'RssAnon')),
        rss_file: bytes(field(status, 'RssFile')),
        read_bytes: field(io, 'read_bytes'),
        rchar: field(io, 'rchar'),
        minflt: Number(rest[7]),
        majflt: Number(rest[9]),
    };
}

/** b - a for the counters (io, faults); the memory figures of b as they are. */
export function procDelta(a, b) {
    const d = (k) => (a[k] === null || b[k] === null ? null : b[k] - a[k]);
    return { read_bytes: d('read_bytes'), rchar: d('rchar'), minflt: d('minflt'), majflt: d('majflt') };
}
