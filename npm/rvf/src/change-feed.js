// In-process change events: agents in one process that share an RvfDatabase learn of each
// other's commits the way agents in other processes learn of them from `rvf serve`
// (RvfServerClient.subscribe): the same event shapes — {type: 'subscribed', data: {epoch,
// total_vectors}} first, then {type: 'update', data: {epoch, event, affected_count, new_total, ids,
// ids_truncated}} per commit, and {type: 'overflow', data: {dropped, last_epoch}} (then the end)
// for a subscriber that fell further behind than its queue holds. Ids are as the writer gave
// them (strings, numbers or bigints). publish() never waits for a subscriber.
import { rvfError } from './errors.js';

export const MAX_EVENT_IDS = 4096; // as the server: an event's size stays bounded
const EVENTS = ['ingest', 'delete', 'compaction'];
const OPTION_KEYS = ['minEpoch', 'events', 'signal', 'capacity'];

class Subscriber {
    constructor(minEpoch, events, capacity) {
        this.minEpoch = minEpoch;
        this.events = events;
        this.capacity = capacity;
        this.queue = [];
        this.wake = null;
        this.dropped = 0;
        this.lastEpoch = 0;
        this.closed = false;
    }

    offer(data) {
        if (this.closed || data.epoch < this.minEpoch || !this.events.includes(data.event))
            return;
        if (this.dropped > 0 || this.queue.length >= this.capacity)
            this.dropped++;
        else
            this.queue.push(data);
        this.signal();
    }

    signal() {
        const w = this.wake;
        this.wake = null;
        w?.();
    }
}

export class ChangeFeed {
    #subs = new Set();
    #closed = false;

    get listening() {
        return this.#subs.size > 0;
    }

    /** data: {epoch, event, affected_count, new_total, ids, ids_truncated}. */
    publish(data) {
        for (const s of this.#subs)
            s.offer(data);
    }

    /** Ends every subscription (the store closed). */
    close() {
        this.#closed = true;
        for (const s of this.#subs) {
            s.closed = true;
            s.signal();
        }
        this.#subs.clear();
    }

    /**
     * An async iterator of events. `start` is {epoch, total_vectors} at the moment of subscribing;
     * options: {minEpoch, events: ('ingest'|'delete'|'compaction')[], signal, capacity (1024)}.
     */
    subscribe(start, options = {}) {
        if (options === null || typeof options !== 'object')
            throw rvfError('InvalidOptions', 'subscribe(): options must be an object {minEpoch, events, signal, capacity}');
        for (const k of Object.keys(options))
            if (!OPTION_KEYS.includes(k))
                throw rvfError('InvalidOptions', `subscribe(): unknown option '${k}' (known: ${OPTION_KEYS.join(', ')})`);
        const minEpoch = options.minEpoch ?? 0;
        if (!Number.isInteger(minEpoch) || minEpoch < 0)
            throw rvfError('InvalidOptions', `subscribe(): minEpoch must be a non-negative integer, got ${minEpoch}`);
        const events = options.events ?? EVENTS;
        if (!Array.isArray(events) || events.length === 0 || events.some((e) => !EVENTS.includes(e)))
            throw rvfError('InvalidOptions', `subscribe(): events must be a non-empty list of ${EVENTS.join(', ')}`);
        const capacity = options.capacity ?? 1024;
        if (!Number.isInteger(capacity) || capacity < 1)
            throw rvfError('InvalidOptions', `subscribe(): capacity must be a positive integer, got ${capacity}`);
        const sub = new Subscriber(minEpoch, events, capacity);
        sub.lastEpoch = start.epoch;
        if (this.#closed)
            sub.closed = true;
        else
            this.#subs.add(sub);
        const signal = options.signal;
        const onAbort = () => {
            sub.closed = true;
            this.#subs.delete(sub);
            sub.signal();
        };
        signal?.addEventListener('abort', onAbort, { once: true });
        const subs = this.#subs;
        return (async function* feed() {
            try {
                yield { type: 'subscribed', data: { epoch: start.epoch, total_vectors: start.total_vectors } };
                for (;;) {
                    if (sub.queue.length > 0) {
                        const data = sub.queue.shift();
                        sub.lastEpoch = data.epoch;
                        yield { type: 'update', data };
                        continue;
                    }
                    if (sub.dropped > 0) {
                        yield { type: 'overflow', data: { dropped: sub.dropped, last_epoch: sub.lastEpoch } };
                        return;
                    }
                    if (sub.closed || signal?.aborted)
                        return;
                    await new Promise((r) => (sub.wake = r));
                }
            } finally {
                sub.closed = true;
                subs.delete(sub);
                signal?.removeEventListener('abort', onAbort);
            }
        })();
    }
}

/** The first MAX_EVENT_IDS of a list of ids, and whether there were more. */
export function boundedIds(ids) {
    return ids.length > MAX_EVENT_IDS ? { ids: ids.slice(0, MAX_EVENT_IDS), ids_truncated: true } : { ids: [...ids], ids_truncated: false };
}
