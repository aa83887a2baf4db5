// Shortest decimal text that reads back as the same f32: export writes 0.00044, not the
// f64 expansion of its f32 (0.0004400000034365803) that String() gives.
//
// toPrecision(p) is correctly rounded, and a p-digit rounding that reads back as x stays within
// x's f32 rounding interval for larger p too, so: 7 digits usually suffice (try 8, then 9, which
// always does); when 7 does, shorten while it still reads back. Starting at 7 costs ~3 calls per
// value instead of up to 9 from p = 1.
export function f32Text(x) {
    if (x === 0)
        return Object.is(x, -0) ? '-0' : '0';
    if (!Number.isFinite(x))
        return String(x); // not storable (ingest refuses them); shown rather than hidden
    let s = x.toPrecision(7);
    if (Math.fround(+s) !== x) {
        s = x.toPrecision(8);
        if (Math.fround(+s) !== x)
            s = x.toPrecision(9);
        return String(+s);
    }
    for (let p = 6; p >= 1; p--) {
        const t = x.toPrecision(p);
        if (Math.fround(+t) !== x)
            break;
        s = t;
    }
    return String(+s); // "4.4e-4" style from toPrecision → the JSON number form "0.00044"
}

/** A JSON array of f32 values, each in its shortest form. */
export function f32ArrayJson(v) {
    let out = '[';
    for (let i = 0; i < v.length; i++)
        out += (i ? ',' : '') + f32Text(v[i]);
    return `${out}]`;
}
