// One RVF file per namespace: `<directory>/<encoded namespace>.rvf`. A namespace may hold any
// character, so everything but [A-Za-z0-9_-] is written as %XX of its UTF-8 bytes (a '.' too, so
// no name becomes '.', '..' or a hidden file); decoding reverses it exactly.
const SAFE = /^[A-Za-z0-9_-]$/;
export const SUFFIX = '.rvf';

export function namespaceFileName(namespace) {
    let out = '';
    for (const ch of namespace) {
        if (SAFE.test(ch)) {
            out += ch;
            continue;
        }
        for (const b of new TextEncoder().encode(ch))
            out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    return out + SUFFIX;
}

/** The namespace a file name holds, or null for a name this adapter did not write. */
export function namespaceOfFileName(name) {
    if (!name.endsWith(SUFFIX) || name.length === SUFFIX.length)
        return null;
    const stem = name.slice(0, -SUFFIX.length);
    if (!/^(?:[A-Za-z0-9_-]|%[0-9A-F]{2})+$/.test(stem))
        return null;
    try {
        return decodeURIComponent(stem);
    } catch {
        return null;
    }
}
