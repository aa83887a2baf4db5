// rvf export FILE [-o OUT] [--format jsonl|fvecs]: every live vector, with its id and metadata
// (JSONL: {"id","vector","metadata"} per line, in ascending u64 id order — a string id sorts by
// the u64 it maps to) — the input format of `rvf ingest`. Rows stream from the store a page at
// a time (RvfDatabase.rows), so memory stays bounded whatever the store's size. Floats are
// written in the shortest form that reads back as the same f32 (f32-text.js). A reader that
// stops early (`rvf export f.rvf | head`) ends the export quietly with exit 0.
import fs from 'node:fs';
import { openDb, toJson } from './common.js';
import { createProgress } from './progress.js';
import { UsageError } from './errors.js';
import { f32ArrayJson } from './f32-text.js';

export const spec = {
    usage: 'FILE [-o OUT] [--format jsonl|fvecs] [--batch N]',
    usageArgs: 'FILE',
    summary: 'Write every live vector (JSONL with ids and metadata, or fvecs vectors only) to OUT or stdout, in id order.',
    min: 1,
    max: 1,
    flags: {
        output: { type: 'string', alias: 'o', help: 'output file (default stdout)' },
        format: { type: 'string', help: 'jsonl | fvecs', default: 'jsonl' },
        batch: { type: 'number', min: 1, help: 'rows read from the store per step', default: 1000 },
        force: { type: 'boolean', help: 'overwrite OUT' },
    },
};

export async function run([file], opts, io) {
    if (!['jsonl', 'fvecs'].includes(opts.format))
        throw new UsageError("export: --format must be 'jsonl' or 'fvecs'");
    if (opts.output && !opts.force && fs.existsSync(opts.output))
        throw new UsageError(`${opts.output} exists (pass --force to overwrite)`);
    const db = await openDb(file, opts, { readOnly: true });
    const sink = opts.output ? fs.createWriteStream(opts.output) : io.stdout;
    const out = new Output(sink);
    try {
        const total = (await db.status()).totalVectors;
        const progress = createProgress({ label: 'export', total, enabled: opts.progress ?? (opts.output ? undefined : false) });
        const jsonl = opts.format === 'jsonl';
        // Rows are gathered into chunks of ~64 KiB: one stream write per chunk, not per row.
        let n = 0, text = '', bins = [], binBytes = 0;
        const flush = async () => {
            if (jsonl && text) {
                await out.write(text);
                text = '';
            } else if (!jsonl && bins.length) {
                await out.write(Buffer.concat(bins, binBytes));
                bins = [];
                binBytes = 0;
            }
            progress.update(n, n);
        };
        for await (const e of db.rows({ withMetadata: jsonl, batch: opts.batch ?? 1000 })) {
            if (jsonl)
                text += `{"id":${toJson(e.id)},"vector":${f32ArrayJson(e.vector)},"metadata":${toJson(e.metadata)}}\n`;
            else {
                const rec = Buffer.alloc(4 + 4 * e.vector.length);
                rec.writeInt32LE(e.vector.length, 0);
                Buffer.from(e.vector.buffer, e.vector.byteOffset, e.vector.byteLength).copy(rec, 4);
                bins.push(rec);
                binBytes += rec.length;
            }
            n++;
            if (text.length >= 1 << 16 || binBytes >= 1 << 16)
                await flush();
            if (out.closed)
                break; // the reader went away (EPIPE): nothing more to write to
        }
        await flush();
        progress.finish();
        if (opts.output)
            io.stderr.write(`exported ${n} vectors to ${opts.output}\n`);
        return 0;
    } finally {
        out.detach();
        if (opts.output)
            await new Promise((resolve) => sink.end(resolve));
        await db.close();
    }
}

/**
 * Backpressure-aware writes, and EPIPE as "the reader is done": a closed pipe sets `closed`
 * and releases a pending drain wait instead of killing the process with an unhandled 'error'.
 * Other write errors are raised at the next write.
 */
class Output {
    closed = false;
    #stream;
    #error = null;
    #wake = null;
    #onError = (e) => {
        if (e && e.code === 'EPIPE')
            this.closed = true;
        else
            this.#error = e;
        this.#wake?.();
    };

    constructor(stream) {
        this.#stream = stream;
        stream.on('error', this.#onError);
    }

    async write(chunk) {
        if (this.#error)
            throw this.#error;
        if (this.closed)
            return;
        if (this.#stream.write(chunk))
            return;
        await new Promise((resolve) => {
            this.#wake = resolve;
            this.#stream.once('drain', resolve);
        });
        this.#stream.off('drain', this.#wake);
        this.#wake = null;
        if (this.#error)
            throw this.#error;
    }

    /** Stop listening for the export; a later EPIPE (stdout flushing at exit) stays quiet. */
    detach() {
        this.#stream.off('error', this.#onError);
        this.#stream.on('error', (e) => {
            if (!e || e.code !== 'EPIPE') {
                process.stderr.write(`rvf export: writing the output failed: ${e?.message ?? e} (check the disk or the receiving command)\n`);
                process.exitCode = 1;
            }
        });
    }
}
