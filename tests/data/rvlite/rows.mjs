// What make-samples.mjs stores through rvlite's CLI, and what tests/js/sdk/cli_import.test.mjs
// expects `rvf import rvlite` to bring over. Row 2 is inserted without an id (rvlite makes one).
export const DIM = 4;
export const ROWS = [
    { id: 'doc-1', vector: [0.1, 0.2, 0.3, 0.4], metadata: { title: 'first', n: 1 } },
    { id: 'doc-2', vector: [0.5, -0.25, 1, 0], metadata: { title: 'second', tags: ['a', 'b'] } },
    { vector: [1, 1, 0, -1], metadata: { title: 'no id' } },
    { id: 'doc-4', vector: [-0.75, 0.5, 0.125, 2] },
];
// One RDF triple is added too (`rvlite triple`): counted by the import, not stored.
export const TRIPLES = 1;
