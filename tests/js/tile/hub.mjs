// The hub side of §7.6: splits a scan into jobs of consecutive blocks, pushes each job to a
// tile (RESET, LOAD_QUERY, [LOAD_PARAMS], then LOAD_BLOCK + COMPUTE per block, READ_TOPK),
// merges the tiles' top-K lists, and recovers from faults: a tile that answers ERROR is reset,
// a tile that trapped is replaced by a fresh instance, and the job is re-run from its start
// (spec §7.1 fault model: caught, marked faulted, work reassigned, restarted).
//
// Faults to inject, each fired once, the first time `block` is sent:
//   { kind: 'corrupt', block }         a byte of the block's rows flips on the link after the
//                                      hub computed the CRC (the tile's rvf_crc32c catches it)
//   { kind: 'badPointer', block, ptr } the tile firmware passes `ptr` to the next export call
//                                      while loading that block (out of range, negative, or
//                                      inside the tile's private memory)
//   { kind: 'unreachable', block, fn } just before COMPUTE of that block the tile's code is
//                                      swapped for a copy whose export `fn` (default
//                                      rvf_distances) starts with `unreachable`: a real trap
import * as P from './protocol.mjs';
import { crc32c } from './codec.mjs';
import { TileFirmware } from './tile.mjs';

const { MSG, TILE_ERROR } = P;

export class Hub {
    /**
     * @param tileModule  TileModule to run on every tile
     * @param tiles       number of tiles
     * @param faults      fault list (see above)
     * @param maxAttempts attempts per job before the scan fails
     */
    constructor({ tileModule, tiles = 1, faults = [], maxAttempts = 4 }) {
        this.tileModule = tileModule;
        this.faults = faults.map((f) => ({ ...f, fired: false }));
        this.maxAttempts = maxAttempts;
        this.msgId = 0;
        this.stats = { messages: 0, bytesToTiles: 0, errors: [], traps: 0, restarts: 0, resets: 0, reruns: 0, blocksComputed: 0 };
        this.tiles = Array.from({ length: tiles }, (_, i) => ({ no: i, fw: new TileFirmware(tileModule.instantiate()) }));
    }

    send(tile, msg) {
        this.stats.messages++;
        this.stats.bytesToTiles += msg.length;
        const reply = P.parseReply(tile.fw.handle(msg));
        const sent = P.decode(msg);
        if (reply.id !== sent.id) throw new Error(`reply id ${reply.id} for message ${sent.id}`);
        return reply;
    }

    restart(tile) {
        tile.fw = new TileFirmware(this.tileModule.instantiate());
        this.stats.restarts++;
    }

    faultFor(kind, blockNo) {
        const f = this.faults.find((x) => x.kind === kind && x.block === blockNo && !x.fired);
        if (f) f.fired = true;
        return f ?? null;
    }

    /**
     * Scan `blocks` for the k nearest to `query`.
     * @param query  { dim, qtype: 0 f16 | 1 i8, elements: Uint16Array | Int8Array }
     * @param params Float32Array of (min, max) pairs for LOAD_PARAMS, or null
     * @param blocks from makeBlocks()
     * @param onDistances optional (blockNo, Float32Array) callback with each block's distances
     * @returns { results: [{ id, dist }], stats }
     */
    search({ query, params = null, blocks, metric, k, blocksPerJob = 50, onDistances = null }) {
        const jobs = [];
        for (let i = 0; i < blocks.length; i += blocksPerJob) jobs.push({ no: jobs.length, blocks: blocks.slice(i, i + blocksPerJob), attempt: 0 });
        const queue = [...jobs];
        const partials = new Array(jobs.length);
        let turn = 0;
        while (queue.length) {
            const job = queue.shift();
            const tile = this.tiles[turn++ % this.tiles.length];
            const out = this.runJob(tile, job, { query, params, metric, k, onDistances });
            if (out.ok) {
                partials[job.no] = out.results;
                continue;
            }
            this.stats.errors.push({ job: job.no, attempt: job.attempt, tile: tile.no, ...out.error });
            if (out.error.code === TILE_ERROR.TileTrap || tile.fw.faulted) {
                this.stats.traps++;
                this.restart(tile);
            } else {
                this.stats.resets++; // the next job on this tile starts with RESET anyway
            }
            if (++job.attempt >= this.maxAttempts) throw new Error(`job ${job.no} failed ${job.attempt} times`);
            this.stats.reruns++;
            queue.push(job);
        }
        // Merge: by distance, then by job and position, so ties resolve as one tile scanning in order.
        const merged = partials
            .flatMap((list, j) => list.map((r, pos) => ({ ...r, j, pos })))
            .sort((a, b) => a.dist - b.dist || a.j - b.j || a.pos - b.pos)
            .slice(0, k)
            .map(({ id, dist }) => ({ id, dist }));
        return { results: merged, stats: this.stats };
    }

    runJob(tile, job, { query, params, metric, k, onDistances }) {
        const expect = (reply, type) => {
            if (reply.type === type) return null;
            if (reply.type === MSG.ERROR) return { code: reply.code, failedType: reply.failedType, detail: reply.detail };
            return { code: TILE_ERROR.TileInvalidMsg, failedType: 0, detail: -100 };
        };
        let err = expect(this.send(tile, P.reset(++this.msgId)), MSG.DONE);
        if (!err) err = expect(this.send(tile, P.loadQuery(++this.msgId, query)), MSG.DONE);
        if (!err && params) err = expect(this.send(tile, P.loadParams(++this.msgId, params)), MSG.DONE);
        for (const b of job.blocks) {
            if (err) break;
            const msg = P.loadBlock(++this.msgId, { ...b, rows: b.bytes }, crc32c);
            const corrupt = this.faultFor('corrupt', b.no);
            if (corrupt) msg[msg.length - 1 - ((b.no * 7919) % b.bytes.length)] ^= 0x10;
            const bad = this.faultFor('badPointer', b.no);
            if (bad) tile.fw.injectBadPointer(bad.ptr);
            err = expect(this.send(tile, msg), MSG.DONE);
            if (err) break;
            const trap = this.faultFor('unreachable', b.no);
            if (trap) tile.fw.instance = tile.fw.instance.transplant(this.tileModule.poisoned(trap.fn ?? 'rvf_distances'));
            tile.fw.captureDistances = !!onDistances;
            const r = this.send(tile, P.compute(++this.msgId, { metric, k }));
            err = expect(r, MSG.DONE);
            if (!err) {
                this.stats.blocksComputed++;
                if (onDistances) onDistances(b.no, tile.fw.lastDistances);
            }
        }
        if (err) return { ok: false, error: err };
        const top = this.send(tile, P.readTopK(++this.msgId));
        err = expect(top, MSG.TOPK_RESULT);
        return err ? { ok: false, error: err } : { ok: true, results: top.results };
    }
}
