// agentdb's own RvfBackend (vectorBackend: 'rvf') already calls @ruvector/rvf; with our SDK in
// that place (an npm `overrides` entry, see README) four things still go wrong, and
// installRvfBackend() fixes them on agentdb's RvfBackend class, so `new AgentDB({ dbPath,
// vectorBackend: 'rvf' })` runs on our store unchanged:
//  1. no storagePath (every ':memory:' AgentDB) means `agentdb.rvf` in the current directory,
//     shared by every instance (LockHeld), and ':memory:' itself is taken as a file name:
//     both get a unique temp file, removed at close;
//  2. close() does not wait for the store to close, so an immediate reopen of the same file
//     meets its lock: close() now returns the close, and initialize()/load() of a path this
//     process is still closing waits for it;
//  3. FilterBuilder numbers each query's fields 0..n: searchAsync/deleteByFilter give the
//     SDK filters that name the fields instead (filter.js);
//  4. results need metadata: searchAsync asks the SDK for it (includeMetadata) and applies
//     `threshold` on the similarity itself (the SDK has no minScore option).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { namedFilter } from './filter.js';

export { reasoningBankFor } from './reasoning-bank.js';

const INSTALLED = Symbol.for('@ruvector/rvf-agentdb');
const closing = new Map(); // absolute path → promise of a close this process started

const keyOf = (p) => path.resolve(p);

/** Wait for this process's pending close of `p`, if any (its failure was reported by close()). */
async function closed(p) {
    await closing.get(keyOf(p))?.catch(() => {});
}

/**
 * Resolves once the close this process started of the store at `storagePath` has finished (its
 * lock released, a temp store's files removed); at once when none is pending. AgentDB.close()
 * does not wait for its vector backend, so call this before touching the file yourself.
 */
export async function whenClosed(storagePath) {
    await closed(storagePath);
}

/**
 * agentdb's RvfBackend class: the module its backend factory loads (dist/src/backends/rvf/
 * RvfBackend.js; agentdb does not export the class), resolved from `agentdb` as this package
 * sees it, so both import the same module.
 */
async function agentdbRvfBackend() {
    const require = createRequire(import.meta.url);
    let pkg;
    try {
        pkg = require.resolve('agentdb/package.json');
    } catch {
        throw new Error('@ruvector/rvf-agentdb: agentdb is not installed; npm install agentdb@^3.3.0');
    }
    const file = path.join(path.dirname(pkg), 'dist/src/backends/rvf/RvfBackend.js');
    if (!fs.existsSync(file))
        throw new Error(`@ruvector/rvf-agentdb: ${file} is missing; this adapter needs agentdb ^3.3.0`);
    return (await import(pathToFileURL(fs.realpathSync(file)).href)).RvfBackend;
}

/**
 * Patch agentdb's RvfBackend (found from the installed agentdb, or the class given) once;
 * idempotent. Returns the class.
 */
export async function installRvfBackend(RvfBackendClass) {
    const R = RvfBackendClass ?? (await agentdbRvfBackend());
    if (typeof R !== 'function' || typeof R.prototype.initialize !== 'function' || typeof R.prototype.searchAsync !== 'function')
        throw new TypeError('installRvfBackend(): not agentdb\'s RvfBackend class (agentdb ^3.3.0 is required)');
    if (R.prototype[INSTALLED])
        return R;
    const proto = R.prototype;
    const { initialize, load } = proto;

    proto.initialize = async function initializeOnRvf() {
        if (this.initialized)
            return;
        const given = this.config.storagePath;
        if (given === undefined || given === null || given === '' || given === ':memory:') {
            // A private store: agentdb would share ./agentdb.rvf (or create a file named ':memory:').
            this.rvfTempDir = fs.mkdtempSync(path.join(os.tmpdir(), 'agentdb-rvf-'));
            this.storagePath = path.join(this.rvfTempDir, 'vectors.rvf');
        }
        await closed(this.storagePath);
        return initialize.call(this);
    };

    proto.load = async function loadOnRvf(p) {
        await closed(p);
        return load.call(this, p);
    };

    proto.close = function closeOnRvf() {
        const db = this.db;
        const file = this.storagePath;
        const tempDir = this.rvfTempDir;
        this.db = null;
        this.pending = [];
        this.initialized = false;
        this.cachedCount = 0;
        this.rvfTempDir = undefined;
        const done = (async () => {
            try {
                if (db)
                    await db.close();
            } finally {
                if (tempDir)
                    fs.rmSync(tempDir, { recursive: true, force: true });
            }
        })();
        if (db && file) {
            const key = keyOf(file);
            const entry = done.finally(() => {
                if (closing.get(key) === entry)
                    closing.delete(key);
            });
            closing.set(key, entry);
            entry.catch((err) => console.warn(`[rvf-agentdb] close of ${file} failed: ${err.message}`));
        }
        return done;
    };

    proto.searchAsync = async function searchOnRvf(query, k, options) {
        this.ensureInitialized();
        if (!Number.isFinite(k) || k < 1)
            throw new Error('k must be a positive finite integer');
        const queryVec = query instanceof Float32Array ? query : new Float32Array(query);
        if (queryVec.length !== this.dim)
            throw new Error(`Query dimension ${queryVec.length} does not match expected ${this.dim}`);
        if (this.pending.length > 0)
            await this.flush();
        const start = performance.now();
        const opts = { includeMetadata: true };
        if (options?.efSearch)
            opts.efSearch = options.efSearch;
        const filter = options?.filter && typeof options.filter === 'object' ? namedFilter(options.filter) : null;
        if (filter)
            opts.filter = filter;
        const results = await this.db.query(queryVec, Math.min(Math.floor(k), 10000), opts);
        if (this.config.enableStats !== false) {
            this.stats.searchCount++;
            this.stats.searchTotalMs += performance.now() - start;
        }
        const out = [];
        for (const r of results) {
            const similarity = this.distanceToSimilarity(r.distance);
            if (options?.threshold && similarity < options.threshold)
                continue;
            out.push({ id: r.id, distance: r.distance, similarity, metadata: r.metadata });
        }
        return out;
    };

    const { deleteByFilter } = proto;
    proto.deleteByFilter = async function deleteByFilterOnRvf(filter) {
        // A raw SDK filter ({op, ...}) goes through as it is; predicates get their names.
        if (filter && typeof filter === 'object' && !('op' in filter)) {
            const named = namedFilter(filter);
            if (!named)
                throw new Error('Cannot build filter expression from provided predicates');
            return deleteByFilter.call(this, named);
        }
        return deleteByFilter.call(this, filter);
    };

    Object.defineProperty(proto, INSTALLED, { value: true });
    return R;
}
