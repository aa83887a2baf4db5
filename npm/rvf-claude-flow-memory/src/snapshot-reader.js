// Reads @claude-flow/memory's own "rvf" file: not RVF but a snapshot of JSON records — magic
// "RVF\0", u32 LE header length, header JSON ({entryCount, dimensions, ...}), then per entry a
// u32 LE length and the entry's JSON (embedding as a number array). Used by `rvf memory import`.
import { adapterError } from './errors.js';

export const SNAPSHOT_MAGIC = [0x52, 0x56, 0x46, 0x00];

export function isClaudeFlowSnapshot(bytes) {
    return bytes.length >= 8 && SNAPSHOT_MAGIC.every((b, i) => bytes[i] === b);
}

/** {header, entries} of a snapshot's bytes; a truncated or malformed one is InvalidArgument. */
export function readClaudeFlowSnapshot(bytes, name = 'snapshot') {
    if (!isClaudeFlowSnapshot(bytes))
        throw adapterError('InvalidArgument', `${name} is not a @claude-flow/memory snapshot (no "RVF\\0" magic)`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const text = new TextDecoder('utf-8', { fatal: true });
    const json = (at, len, what) => {
        if (at + len > bytes.length)
            throw adapterError('InvalidArgument', `${name}: ${what} runs past the end of the file (truncated?)`);
        try {
            return JSON.parse(text.decode(bytes.subarray(at, at + len)));
        } catch (e) {
            throw adapterError('InvalidArgument', `${name}: ${what} is not valid JSON: ${e.message}`);
        }
    };
    const headerLen = view.getUint32(4, true);
    const header = json(8, headerLen, 'the header');
    if (!Number.isInteger(header?.entryCount))
        throw adapterError('InvalidArgument', `${name}: the header has no entryCount`);
    const entries = [];
    let at = 8 + headerLen;
    for (let i = 0; i < header.entryCount; i++) {
        if (at + 4 > bytes.length)
            throw adapterError('InvalidArgument', `${name}: entry ${i} of ${header.entryCount} is missing (truncated?)`);
        const len = view.getUint32(at, true);
        const e = json(at + 4, len, `entry ${i}`);
        if (Array.isArray(e.embedding))
            e.embedding = Float32Array.from(e.embedding);
        entries.push(e);
        at += 4 + len;
    }
    return { header, entries };
}
