// syncDir — fsync a directory so a rename or a new file in it survives a crash. Best effort:
// Windows cannot open a directory and some filesystems refuse a directory fsync; the rename
// itself is atomic there all the same.

/** @param {typeof import('node:fs')} fs @param {string} dir */
export function syncDir(fs, dir) {
    let fd;
    try {
        fd = fs.openSync(dir, 'r');
        fs.fsyncSync(fd);
    } catch {
        // see above: nothing more can be done, and the caller's step already happened
    } finally {
        if (fd !== undefined)
            fs.closeSync(fd);
    }
}
