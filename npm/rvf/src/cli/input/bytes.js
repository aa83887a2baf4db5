// Exact-length reads over a byte stream (file or stdin), for the binary input formats.
import { InputError } from '../errors.js';

export class ByteReader {
    #it;
    #chunks = [];
    #have = 0;
    #done = false;
    consumed = 0; // bytes handed out so far (for progress)

    constructor(stream) {
        this.#it = stream[Symbol.asyncIterator]();
    }

    async #fill(n) {
        while (this.#have < n && !this.#done) {
            const { value, done } = await this.#it.next();
            if (done) {
                this.#done = true;
                break;
            }
            const b = Buffer.isBuffer(value) ? value : Buffer.from(value);
            this.#chunks.push(b);
            this.#have += b.length;
        }
    }

    /** Exactly n bytes; null at a clean end of input; InputError when input ends inside a record. */
    async read(n, what) {
        await this.#fill(n);
        if (this.#have === 0 && this.#done)
            return null;
        if (this.#have < n)
            throw new InputError(`input ends inside ${what} (needed ${n} bytes, ${this.#have} left)`);
        let out;
        if (this.#chunks[0].length >= n) {
            out = this.#chunks[0].subarray(0, n);
            this.#chunks[0] = this.#chunks[0].subarray(n);
            if (this.#chunks[0].length === 0)
                this.#chunks.shift();
        } else {
            const all = Buffer.concat(this.#chunks);
            out = all.subarray(0, n);
            this.#chunks = all.length > n ? [all.subarray(n)] : [];
        }
        this.#have -= n;
        this.consumed += n;
        return out;
    }
}

/** Lines of a text stream (UTF-8), without the line ending; counts bytes for progress. */
export async function* lines(stream, counter) {
    let rest = '';
    const dec = new TextDecoder();
    for await (const chunk of stream) {
        counter.consumed += chunk.length;
        rest += dec.decode(chunk, { stream: true });
        let nl;
        while ((nl = rest.indexOf('\n')) >= 0) {
            yield rest.slice(0, nl).replace(/\r$/, '');
            rest = rest.slice(nl + 1);
        }
    }
    rest += dec.decode();
    if (rest.length > 0)
        yield rest.replace(/\r$/, '');
}
