// A progress bar on stderr (rate and ETA), shown when stderr is a terminal (or --progress), never
// with --json unless asked. Redraws at most 10 times a second.
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function clock(s) {
    if (!Number.isFinite(s) || s < 0)
        return '--:--';
    s = Math.round(s);
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return `${h ? `${h}:${String(m).padStart(2, '0')}` : m}:${String(sec).padStart(2, '0')}`;
}

/**
 * progress({label, total (units, 0 = unknown), unit, enabled}) → {update(done, units?), finish()}.
 * `done` is in the same measure as total (e.g. bytes read); `units` counts what the rate shows
 * (e.g. vectors).
 */
export function createProgress({ label, total = 0, unit = 'vec', enabled, stream = process.stderr }) {
    const on = enabled ?? !!stream.isTTY;
    const t0 = performance.now();
    let last = 0, units = 0, done = 0;
    const draw = (final) => {
        const secs = (performance.now() - t0) / 1000;
        const rate = secs > 0 ? units / secs : 0;
        const frac = total > 0 ? Math.min(1, done / total) : 0;
        const eta = frac > 0 ? secs * (1 - frac) / frac : NaN;
        const width = 24;
        const bar = total > 0 ? `[${'#'.repeat(Math.round(frac * width)).padEnd(width, '.')}] ${String(Math.floor(frac * 100)).padStart(3)}% ` : '';
        const tail = final ? `in ${clock(secs)}` : `ETA ${clock(eta)}`;
        const line = `${label} ${bar}${fmt(units)} ${unit}  ${fmt(rate)} ${unit}/s  ${tail}`;
        stream.write(stream.isTTY ? `\r${line}\x1b[K${final ? '\n' : ''}` : `${line}\n`);
    };
    return {
        update(d, u) {
            done = d;
            if (u !== undefined)
                units = u;
            const now = performance.now();
            if (on && (now - last > 100 || !stream.isTTY && now - last > 1000)) {
                last = now;
                draw(false);
            }
        },
        finish() {
            if (on)
                draw(true);
        },
    };
}
