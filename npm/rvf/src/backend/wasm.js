// The wasm backend: @ruvector/rvf-wasm (the C++ runtime via Emscripten) plus, in Node, the file.
//
// The wasm store is an in-memory, append-only .rvf image: every mutation is one commit appended
// to it. To keep a file in step, after each mutation this backend takes the image and
//   * appends the bytes past the persisted length (write at that offset + fsync), or
//   * when the image was rewritten (compaction, the first write to a Layout R file), writes it
//     to `<name>.rvf.compact.tmp`, fsyncs, renames it over the file and fsyncs the directory —
//     the runtime's own compaction protocol and temp name.
// The writer lock `<path>.lock` is the runtime's (lock.js). A failed file write reloads the
// store from the file, so memory never runs ahead of disk. All validation is the runtime's.
import { RvfStore, isIncompleteCreate, signingKeyId, verifyBytes } from '@ruvector/rvf-wasm';
import { rvfError } from '../errors.js';
import { syncDir } from '../dir-sync.js';

const EDGE = 64;
const isNode = typeof process === 'object' && !!(process.versions && process.versions.node);

let nodeFs = null;
async function fsModules() {
    if (!isNode)
        throw rvfError('BackendNotFound', 'file paths need Node (in a browser use RvfDatabase.fromBytes or openProgressive(url))');
    if (!nodeFs) {
        const [fs, path, lock] = await Promise.all([import('node:fs'), import('node:path'), import('./lock.js')]);
        nodeFs = { fs: fs.default, path: path.default, acquireWriterLock: lock.acquireWriterLock };
    }
    return nodeFs;
}

/** `<dir>/<stem>.rvf.compact.tmp`, the name the runtime uses (Path::with_extension rule). */
function tempPathFor(p, path) {
    const base = path.basename(p);
    const dot = base.lastIndexOf('.');
    const stem = dot > 0 ? base.slice(0, dot) : base;
    return path.join(path.dirname(p), `${stem}.rvf.compact.tmp`);
}

function ioError(what, p, e) {
    if (e && e.code === 'ENOSPC')
        return rvfError('DiskFull', `${what} ${p}: ${e.message}`);
    return rvfError('IoError', `${what} ${p}: ${e && e.message ? e.message : String(e)}`);
}

function createOptions(o) {
    return {
        dimensions: o.dimensions,
        metric: o.metric,
        storage: o.storage,
        compression: o.compression,
        m: o.m,
        efConstruction: o.efConstruction,
        witness: o.witness,
        domainProfile: o.domainProfile,
        profile: o.profile,
        tiering: o.tiering,
        signing: o.signing,
        partitionOnCompact: o.partitionOnCompact,
    };
}

export class WasmBackend {
    kind = 'wasm';
    #store;
    #readOnly;
    #epoch; // open({epoch}): the epoch this read-only store answers from (refresh keeps it)
    #file = null; // { fs, path, p, fd, lock } when backed by a file
    #roPath = null; // the file a read-only store was opened from (refresh() reads it again)
    #len = 0;     // bytes of the image already in the file
    #flush = null; // the pending #persist that writes made in this turn share (#persistSoon)
    #syncs = 0;   // fsyncs of the file this backend issued (status().syncs)
    #head = new Uint8Array(0); // first EDGE bytes of the persisted image
    #tail = new Uint8Array(0); // last EDGE bytes of the persisted image

    constructor(store, { readOnly = false, file = null } = {}) {
        this.#store = store;
        this.#readOnly = readOnly;
        this.#file = file;
    }

    /** A new store: at `path` (Node) or in memory when path is null. */
    static async create(path, options) {
        const store = await RvfStore.create(createOptions(options));
        if (path === null)
            return new WasmBackend(store);
        try {
            const { fs, path: pathMod, acquireWriterLock } = await fsModules();
            const lock = await acquireWriterLock(path);
            let fd, staged = false;
            const staging = `${path}.create.tmp`; // under the lock: any one found is a killed creator's
            try {
                // The path must be free, except for what a create killed before its first commit
                // left there (the runtime judges the bytes): that holds no data and is replaced.
                let replace = false;
                if (fs.existsSync(path)) {
                    // Only a small file can be such remains (at most 64 KiB): never read a real store to refuse it.
                    replace = fs.statSync(path).size <= 64 * 1024 && await isIncompleteCreate(readFile(fs, path));
                    if (!replace)
                        throw rvfError('FileExists', `${path} already exists; open it, or delete it first to create a new store there`);
                }
                // The first commit is written and synced under a staging name, then linked into
                // place: the path never names a file without a commit (as the runtime's create).
                fs.rmSync(staging, { force: true });
                const sfd = fs.openSync(staging, 'wx', 0o644);
                staged = true;
                try {
                    const image = store.toBytes();
                    writeAll(fs, sfd, image, 0);
                    fs.fsyncSync(sfd);
                } finally {
                    fs.closeSync(sfd);
                }
                try {
                    if (replace)
                        fs.renameSync(staging, path);
                    else
                        fs.linkSync(staging, path);
                } catch (e) {
                    if (e.code === 'EEXIST')
                        throw rvfError('FileExists', `${path} already exists; open it, or choose another path`);
                    throw e;
                }
                fs.rmSync(staging, { force: true });
                staged = false;
                syncDir(fs, pathMod.dirname(path));
                fd = fs.openSync(path, 'r+');
                const b = new WasmBackend(store, { file: { fs, path: pathMod, p: path, fd, lock } });
                b.#remember(store.toBytes());
                return b;
            } catch (e) {
                if (fd !== undefined)
                    fs.closeSync(fd);
                if (staged)
                    fs.rmSync(staging, { force: true });
                lock.release();
                throw typeof e.code === 'number' ? e : ioError('create', path, e);
            }
        } catch (e) {
            store.close();
            throw e;
        }
    }

    /** The key id of a signing key {algorithm, key}. */
    static async signingKeyId(signing) {
        return signingKeyId(signing.algorithm, signing.key);
    }

    /** verify() of a file that may not even open: every check, problems listed, no lock. */
    static async verifyFile(path) {
        const { fs } = await fsModules();
        return verifyBytes(readFile(fs, path));
    }

    /** Open a file: for writing (takes the lock, drops a torn tail) or read-only (no lock). */
    static async open(path, { readOnly = false, epoch } = {}) {
        const { fs, path: pathMod, acquireWriterLock } = await fsModules();
        if (!fs.existsSync(path))
            throw rvfError('ManifestNotFound', `no such file: ${path}`);
        if (readOnly || epoch !== undefined) { // an earlier epoch is history: always read-only
            const bytes = readFile(fs, path);
            const b = new WasmBackend(await fromFileBytes(bytes, path, { readOnly: true, epoch }), { readOnly: true });
            b.#roPath = path;
            b.#epoch = epoch;
            return b;
        }
        const lock = await acquireWriterLock(path);
        let store, fd;
        try {
            fs.rmSync(tempPathFor(path, pathMod), { force: true }); // an interrupted compaction's leftover
            const bytes = readFile(fs, path);
            store = await fromFileBytes(bytes, path);
            try {
                fd = fs.openSync(path, 'r+');
            } catch (e) {
                throw ioError('open', path, e);
            }
            const b = new WasmBackend(store, { file: { fs, path: pathMod, p: path, fd, lock } });
            const image = store.toBytes();
            b.#remember(image);
            if (image.length < bytes.length) { // a torn tail: never committed, a writer drops it
                try {
                    fs.ftruncateSync(fd, image.length);
                    fs.fsyncSync(fd);
                } catch (e) {
                    throw ioError('truncate', path, e);
                }
            }
            return b;
        } catch (e) {
            if (fd !== undefined)
                fs.closeSync(fd);
            store?.close();
            lock.release();
            throw e;
        }
    }

    /** A store over bytes (in memory; writable unless readOnly). */
    static async fromBytes(bytes, { readOnly = false } = {}) {
        // Read-only images open as such in the runtime too, so a frozen image opens.
        return new WasmBackend(await (readOnly ? RvfStore.fromBytesReadonly(bytes) : RvfStore.fromBytes(bytes)), { readOnly });
    }

    get path() {
        return this.#file ? this.#file.p : null;
    }

    #remember(image) {
        this.#len = image.length;
        this.#head = image.slice(0, Math.min(EDGE, image.length));
        this.#tail = image.slice(Math.max(0, image.length - EDGE), image.length);
    }

    /** Does the store's image (`size` bytes) extend the persisted one (same first and last bytes)? */
    #extendsStore(store, size) {
        if (size < this.#len)
            return false;
        const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
        return same(this.#head, store.bytesRange(0, this.#head.length)) &&
            same(this.#tail, store.bytesRange(this.#len - this.#tail.length, this.#tail.length));
    }

    /** Remember a persisted image of `size` bytes by its edges, read from the store. */
    #rememberStore(store, size) {
        const edge = Math.min(EDGE, size);
        this.#len = size;
        this.#head = store.bytesRange(0, edge);
        this.#tail = store.bytesRange(size - edge, edge);
    }

    /**
     * Bring the file in step with the image: append what the commit added (read from the store
     * by range, so a commit costs O(its bytes), not O(file)), or rewrite atomically. One fsync: a
     * commit between checkpoints is its segments + a COMMIT record naming them by hash, which
     * recovery adopts only when all of it is on disk.
     */
    async #persist(rewrite, bytesPerSecond = 0) {
        const f = this.#file;
        if (!f)
            return;
        const store = this.#store;
        const size = store.status().fileSize;
        const appended = !rewrite && this.#extendsStore(store, size);
        if (appended && size === this.#len)
            return;
        const changed = this.#changedUnderneath();
        if (changed) {
            // Another process wrote or replaced the file (a broken lock): never append at our idea
            // of its end, never cut what it wrote. Memory is ahead of disk now: close the store.
            this.#store = null;
            store.close();
            throw rvfError('FileChanged', `${f.p} ${changed}: another process wrote to it (was the writer lock broken?). This commit was not written; reopen the store`);
        }
        try {
            if (appended) {
                // As the runtime does: the bytes before a checkpoint are durable before it is
                // written, so a crash can tear a checkpoint but never leave one naming lost data.
                let at = this.#len;
                for (const cp of store.checkpointsSince(this.#len)) {
                    if (cp <= at || cp >= size)
                        continue;
                    writeAll(f.fs, f.fd, store.bytesRange(at, cp - at), at);
                    f.fs.fsyncSync(f.fd);
                    this.#syncs++;
                    at = cp;
                }
                writeAll(f.fs, f.fd, store.bytesRange(at, size - at), at);
                f.fs.fsyncSync(f.fd);
                this.#syncs++;
                this.#rememberStore(store, size);
            } else {
                const image = store.toBytes();
                await this.#rewrite(image, bytesPerSecond);
                this.#remember(image);
            }
        } catch (e) {
            await this.#recover();
            throw typeof e.code === 'number' ? e : ioError('write', f.p, e);
        }
        f.lock.refresh?.(); // keeps the record fresh for writers on other hosts that judge by age
    }

    /**
     * Group commit: writes made in the same turn of the event loop (the SDK starts consecutive
     * writes together) are persisted by one #persist — one write and one fsync for all of them.
     * If it fails, #recover reloads the store from the file and every one of them fails.
     */
    #persistSoon() {
        if (!this.#file)
            return Promise.resolve();
        if (!this.#flush)
            this.#flush = new Promise((resolve) => setImmediate(resolve)).then(() => {
                this.#flush = null;
                return this.#persist(false);
            });
        return this.#flush;
    }

    /** close(): end the file with a checkpoint, so readers of only the latest manifest see every commit. */
    #flushCheckpoint(store) {
        const f = this.#file;
        store.checkpoint();
        const size = store.status().fileSize;
        if (size === this.#len || !this.#extendsStore(store, size) || this.#changedUnderneath())
            return;
        try {
            writeAll(f.fs, f.fd, store.bytesRange(this.#len, size - this.#len), this.#len);
            f.fs.fsyncSync(f.fd);
            this.#syncs++;
        } catch (e) {
            throw ioError('write', f.p, e); // the commits before it are on disk: the next open replays them
        }
        this.#rememberStore(store, size);
    }

    async #rewrite(image, bytesPerSecond = 0) {
        const f = this.#file;
        const tmp = tempPathFor(f.p, f.path);
        let fd;
        try {
            fd = f.fs.openSync(tmp, 'w', 0o644);
            if (bytesPerSecond > 0)
                await writeThrottled(f.fs, fd, image, bytesPerSecond);
            else
                writeAll(f.fs, fd, image, 0);
            f.fs.fsyncSync(fd);
            f.fs.closeSync(fd);
            fd = undefined;
            f.fs.renameSync(tmp, f.p);
        } catch (e) {
            if (fd !== undefined)
                f.fs.closeSync(fd);
            f.fs.rmSync(tmp, { force: true });
            throw ioError('rewrite', f.p, e);
        }
        syncDir(f.fs, f.path.dirname(f.p));
        // The old descriptor names the replaced file: switch to the new one.
        f.fs.closeSync(f.fd);
        f.fd = f.fs.openSync(f.p, 'r+');
    }

    /** Why the file is no longer what this writer left (size or identity), or null. */
    #changedUnderneath() {
        const f = this.#file;
        let mine, named;
        try {
            mine = f.fs.fstatSync(f.fd);
        } catch (e) {
            return `cannot be checked (${e.message})`;
        }
        if (mine.size !== this.#len)
            return `is ${mine.size} bytes but this writer left it at ${this.#len}`;
        try {
            named = f.fs.statSync(f.p);
        } catch {
            return 'was removed';
        }
        if (named.ino !== mine.ino || named.dev !== mine.dev)
            return 'was replaced';
        return null;
    }

    /** After a failed write: cut the file back to the last persisted commit, reload from it. */
    async #recover() {
        const f = this.#file;
        const old = this.#store;
        this.#store = null; // if the reload fails too, every later call reports StoreClosed
        old.close();
        try {
            f.fs.ftruncateSync(f.fd, this.#len);
            this.#store = await RvfStore.fromBytes(readFile(f.fs, f.p));
        } catch {
            // the file keeps its last good commit; the store stays closed
        }
    }

    #live() {
        if (!this.#store)
            throw rvfError('StoreClosed', 'the store is closed');
        return this.#store;
    }

    #writable() {
        const s = this.#live();
        if (this.#readOnly)
            throw rvfError('ReadOnly', 'the store was opened read-only');
        return s;
    }

    async ingest(ids, vectors, rows) {
        const r = this.#writable().ingestBatch(ids, vectors, rows);
        if (r.accepted > 0)
            await this.#persistSoon();
        return r;
    }

    query(vector, k, efSearch, filterJson, exact = false, nprobe = 0) {
        return this.#live().query(vector, k, { efSearch, filter: filterJson, nprobe });
    }

    async upsert(ids, vectors, rows) {
        const r = this.#writable().upsertBatch(ids, vectors, rows);
        if (r.accepted > 0)
            await this.#persistSoon();
        return r;
    }

    async updateMetadata(ids, rows) {
        const r = this.#writable().updateMetadata(ids, rows);
        if (r.accepted > 0)
            await this.#persistSoon();
        return r;
    }

    async appendWitness(type, payload) {
        const r = this.#writable().appendWitness(type, payload);
        await this.#persistSoon();
        return r;
    }

    witnessEntries(from, limit) {
        return this.#live().witnessEntries(from, limit);
    }

    count(filterJson) {
        return this.#live().count(filterJson);
    }

    findIds(filterJson, after, limit) {
        return this.#live().findIds(filterJson ?? null, after, limit);
    }

    /** Read-only file stores: load the file again (the store is an image in memory). */
    async refresh() {
        const s = this.#live();
        if (!this.#readOnly || !this.#roPath)
            throw rvfError('InvalidArgument', 'refresh() is for read-only stores opened from a file (openReadonly); a writable store already sees its commits');
        const { fs } = await fsModules();
        const fresh = await fromFileBytes(readFile(fs, this.#roPath), this.#roPath, { readOnly: true, epoch: this.#epoch });
        this.#store = fresh;
        s.close();
    }

    async delete(ids) {
        const r = this.#writable().delete(ids);
        if (r.deleted > 0)
            await this.#persistSoon();
        return r;
    }

    async deleteByFilter(filterJson) {
        const r = this.#writable().deleteByFilter(filterJson);
        if (r.deleted > 0)
            await this.#persistSoon();
        return r;
    }

    /**
     * The runtime rewrites the image in memory; the disk write is this backend's (#rewrite), so a
     * file-backed store throttles that write to ioBytesPerSecond, and an in-memory one passes the
     * throttle to the runtime.
     */
    async compact(options = {}) {
        const { ioBudgetBytes = 0, ioBytesPerSecond = 0 } = options;
        const onDisk = !!this.#file;
        const r = this.#writable().compact({ ioBudgetBytes, ioBytesPerSecond: onDisk ? 0 : ioBytesPerSecond });
        if (r.complete)
            await this.#persist(true, onDisk ? ioBytesPerSecond : 0);
        return r;
    }

    status() {
        const s = this.#live().status();
        // A file-backed store's fsyncs are this backend's (the image itself never syncs).
        return { ...s, readOnly: s.readOnly || this.#readOnly, syncs: this.#file ? this.#syncs : s.syncs };
    }

    segments() {
        return this.#live().segments();
    }

    /** From status() where rvf_core reports it; the wasm build does not yet (PlatformUnsupported). */
    fileId() {
        const id = this.#live().status().fileId;
        if (typeof id !== 'string')
            throw rvfError('PlatformUnsupported', 'fileId() needs the native backend: the wasm build does not report the file id yet (open with backend "native")');
        return id;
    }

    /** The FileIdentity: {fileId, parentId, parentHash, lineageDepth, frozen}. */
    lineage() {
        return this.#live().lineage();
    }

    /** derive(): the child image from the runtime, written create-new at childPath, opened for writing. */
    async derive(childPath, type) {
        const image = this.#live().deriveImage(childPath, type);
        const { fs } = await fsModules();
        let fd;
        try {
            fd = fs.openSync(childPath, 'wx');
        } catch (e) {
            if (e.code === 'EEXIST')
                throw rvfError('FileExists', `${childPath} already exists; derive() creates the child: pick a new path or delete that file first`);
            throw ioError('create', childPath, e);
        }
        try {
            writeAll(fs, fd, image, 0);
            fs.fsyncSync(fd);
        } finally {
            fs.closeSync(fd);
        }
        return WasmBackend.open(childPath);
    }

    /** freeze(): the runtime commits the frozen marker; the commit is written like any other. */
    async freeze() {
        this.#writable().freeze();
        await this.#persist(false);
        this.#readOnly = true;
        return this.#live().status().currentEpoch;
    }

    /** The addon's indexStats() rule, from status(). */
    indexStats() {
        const s = this.#live().status();
        if (typeof s.indexedVectors !== 'number')
            throw rvfError('PlatformUnsupported', 'indexStats() needs the native backend: the wasm build does not report index statistics yet (open with backend "native")');
        return { indexedVectors: s.indexedVectors, layers: s.persistedIndex > 0 ? 3 : 0, m: s.hnswM, efConstruction: s.hnswEfConstruction, needsRebuild: s.deadSpaceRatio > 0.3 };
    }

    verify() {
        return this.#live().verify();
    }

    requireSignature(keyId) {
        this.#live().requireSignature(keyId);
    }

    setSigningKey(signing) {
        this.#live().setSigningKey(signing);
    }

    metadata(id) {
        return this.#live().metadata(id);
    }

    vector(id) {
        return this.#live().vector(id);
    }

    idsAfter(after, limit) {
        return this.#live().idsAfter(after, limit);
    }

    toBytes() {
        return this.#live().toBytes();
    }

    exportLayoutR() {
        return this.#live().exportLayoutR();
    }

    /** The live state as a fresh Layout S image (compaction of a copy; this store is unchanged). */
    async exportLayoutS() {
        const copy = await RvfStore.fromBytes(this.#live().toBytes());
        try {
            copy.compact();
            return copy.toBytes();
        } finally {
            copy.close();
        }
    }

    close() {
        const s = this.#store;
        this.#store = null;
        try {
            if (s && this.#file && !this.#readOnly) // frozen: its last commit was a checkpoint
                this.#flushCheckpoint(s);
        } finally {
            try {
                // The runtime's close() flushes metadata indexes / HNSW layers into the image; the
                // binding gives no image after close, so those are rebuilt by the next open instead.
                s?.close();
            } finally {
                this.#closeFile();
            }
        }
    }

    #closeFile() {
        const f = this.#file;
        this.#file = null;
        if (f) {
            try {
                f.fs.closeSync(f.fd);
            } finally {
                f.lock.release();
            }
        }
    }
}

/** RvfStore.fromBytes of a file's bytes (read-only: fromBytesReadonly, at `epoch` when given);
 * the remains of an interrupted create are named as such. */
async function fromFileBytes(bytes, p, { readOnly = false, epoch } = {}) {
    try {
        return await (readOnly ? RvfStore.fromBytesReadonly(bytes, { epoch }) : RvfStore.fromBytes(bytes));
    } catch (e) {
        if (typeof e.code === 'number' && await isIncompleteCreate(bytes))
            throw new e.constructor(e.code, `${e.message.replace(/ \(.*\)$/, '')} (${p} holds no commit (${bytes.length} bytes): a create was interrupted before its first commit, so nothing was stored. Create the store again (create replaces this file).)`);
        throw e;
    }
}

function readFile(fs, p) {
    try {
        const b = fs.readFileSync(p);
        return new Uint8Array(b.buffer, b.byteOffset, b.length);
    } catch (e) {
        if (e.code === 'ENOENT')
            throw rvfError('ManifestNotFound', `no such file: ${p}`);
        throw ioError('read', p, e);
    }
}

function writeAll(fs, fd, bytes, position) {
    let done = 0;
    while (done < bytes.length) {
        const n = fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
        if (n <= 0)
            throw new Error('short write');
        done += n;
    }
}

/**
 * writeAll at most `bytesPerSecond`: 1 MiB chunks, each written only once the time its bytes are
 * due at that rate has come (the bucket starts empty), waiting with timers so the event loop runs.
 */
async function writeThrottled(fs, fd, bytes, bytesPerSecond) {
    const CHUNK = 1 << 20;
    const start = performance.now();
    for (let at = 0; at < bytes.length; at += CHUNK) {
        const n = Math.min(CHUNK, bytes.length - at);
        const wait = start + ((at + n) / bytesPerSecond) * 1000 - performance.now();
        if (wait > 0)
            await new Promise((resolve) => setTimeout(resolve, wait));
        writeAll(fs, fd, bytes.subarray(at, at + n), at);
    }
}

