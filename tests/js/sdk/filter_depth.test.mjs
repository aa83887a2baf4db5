// The SDK refuses over-deep filters with an RvfError (FilterParseError) before it walks or
// serialises them: a 100,000-level filter used to escape as a plain RangeError (stack overflow
// in the recursive translation / JSON.stringify), issue 14 #5. translateFilter is what every
// backend's query and deleteByFilter go through (database.js), so it is tested directly.
import { describe, it, expect } from 'vitest';
import { RvfError, RvfStatus } from '@ruvector/rvf';
import { translateFilter, nestsDeeperThan, MAX_FILTER_DEPTH, MAX_FILTER_JSON_DEPTH } from '../../../npm/rvf/src/filter.js';

// translateFilter only asks `fields` for ids of named fields.
const fields = { id: (f) => (typeof f === 'number' ? f : 1) };

function nots(levels) {
    let f = { op: 'eq', field: 1, value: 'x' };
    for (let i = 0; i < levels; i++) f = { op: 'not', child: f };
    return f;
}

function expectFilterParseError(fn) {
    let err;
    try {
        fn();
    } catch (e) {
        err = e;
    }
    expect(err).toBeInstanceOf(RvfError);
    expect(err.code).toBe(RvfStatus.FilterParseError);
    expect(err.message).toMatch(/nests deeper/);
}

describe('SDK filter depth', () => {
    it('refuses a 100,000-level filter with FilterParseError, not a RangeError', () => {
        expectFilterParseError(() => translateFilter(nots(100000), fields));
    });

    it('refuses deep literals and unknown shapes too (they are serialised as given)', () => {
        let arr = [];
        for (let i = 0; i < 100000; i++) arr = [arr];
        expectFilterParseError(() => translateFilter({ op: 'eq', field: 1, value: { u64: arr } }, fields));
        expectFilterParseError(() => translateFilter({ op: 'zz', junk: arr }, fields));
        const cyclic = { op: 'not' };
        cyclic.child = cyclic;
        expectFilterParseError(() => translateFilter(cyclic, fields));
    });

    it('still translates the deepest filter the runtime accepts', () => {
        let f = { op: 'in', field: 'tag', values: ['a', 'b'] };
        for (let i = 1; i < MAX_FILTER_DEPTH; i++) f = { op: 'and', children: [f] };
        const json = translateFilter(f, fields);
        expect(nestsDeeperThan(JSON.parse(json), MAX_FILTER_JSON_DEPTH)).toBe(false);
        expect(json.startsWith('{"op":"and","children":[{"op":"and"')).toBe(true);
    });

    it('measures depth without recursion', () => {
        expect(nestsDeeperThan([[1]], 2)).toBe(false);
        expect(nestsDeeperThan([[[1]]], 2)).toBe(true);
        expect(nestsDeeperThan({ a: new Float32Array(4) }, 1)).toBe(false);
        const shared = { u64: 5 };
        expect(nestsDeeperThan({ children: [shared, shared] }, 3)).toBe(false); // reuse is not depth
    });
});
