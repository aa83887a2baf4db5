// Type declarations of @ruvector/rvf-node: index.cjs (the loader, CommonJS). index.d.ts re-exports them for ES modules.
//
// `RvfDatabase` takes the runtime's names and argument order (README "One API", api/surface.json)
// and keeps upstream @ruvector/rvf-node 0.2.3's (spec §9.1) as aliases, and fixes what upstream gets wrong there: filters in every accepted JSON form work,
// metadata is stored (and persisted), status() fields are filled, errors carry a numeric code.
// Synchronous methods run on the calling thread; the *Async variants run on the libuv thread pool
// and return Promises. One handle may be used from the main thread and from several pending async
// calls at once: reads (query, status, …) share a per-handle lock, writes (ingest, delete,
// compact, buildIndex, close) take it exclusively, so a synchronous call made while an async
// write is running blocks until that write finishes.

/** A vector id: a non-negative safe integer or a bigint below 2^64. */
export type RvfId = number | bigint;
/** Ids come back as numbers, or as bigints when above Number.MAX_SAFE_INTEGER. */
export type RvfIdOut = number | bigint;
/** Any list of ids; a BigUint64Array is read without a copy. */
export type RvfIdList = ReadonlyArray<RvfId> | BigUint64Array;

/** Numeric status codes (u16, spec §8 + 0xFFxx binding codes), generated from the runtime's one list. */
export declare const RvfStatus: Readonly<Record<string, number>>;

/**
 * Every failure is a JS `Error` with:
 *  - `code`: the u16 status (e.g. 0x0300),
 *  - `name`: its name from the status list (e.g. "LockHeld"),
 *  - `message`: "RVF error 0x0300: LockHeld (detail)" — upstream's prefix form, so SDKs that
 *    take the first 0x[0-9a-f]{4} of the message keep working.
 * Argument type errors (not a Float32Array, …) use code InvalidArgument (0xFF04) or
 * InvalidOptions (0xFF03); a closed handle uses StoreClosed (0xFF02).
 */
export interface RvfNativeError extends Error {
    code: number;
    name: string;
}
/** True for errors thrown by this addon (an Error with a numeric `code` and an RVF message). */
export declare function isRvfError(e: unknown): e is RvfNativeError;

export type RvfMetricName =
    | 'l2' | 'L2'
    | 'cosine' | 'Cosine'
    | 'inner_product' | 'InnerProduct' | 'ip' | 'dotproduct'
    | 'hamming';

export interface RvfCreateOptions {
    /** Vector dimension 1..65535 (upstream's name). Either this or `dimensions` is required. */
    dimension?: number;
    /** Same as `dimension` (the SDK's name). */
    dimensions?: number;
    /** Default 'l2'. */
    metric?: RvfMetricName;
    /** How rows are stored: 'f32' (default), 'f16', 'i8' (scalar-quantised). */
    storage?: 'f32' | 'f16' | 'i8';
    /**
     * Upstream's option: 'None'/'none' (default) = f32 rows; 'Scalar'/'scalar' = storage 'i8';
     * 'lz4' = LZ4-compressed VEC segments (our extension). 'Product'/'product' is not
     * supported and fails with InvalidOptions (upstream accepts and ignores it).
     */
    compression?: 'None' | 'none' | 'Scalar' | 'scalar' | 'Product' | 'product' | 'lz4' | 'LZ4';
    /** Upstream's hardware profile hint 0..3: validated, not stored (upstream does not use it either). */
    profile?: number;
    /** Sign every commit (docs/signing.md); omitted or false: unsigned. */
    signing?: RvfSigningKey | false;
    /** HNSW M (default 16) and efConstruction (default 200). */
    m?: number;
    efConstruction?: number;
    /** Chain a WITNESS entry into every commit (default true). */
    witness?: boolean;
    /** 'auto' (default: HNSW once the store holds ≥ 1024 vectors) or 'off' (exact scans only). */
    index?: 'auto' | 'off';
    /**
     * Temperature tiers (the runtime's TieringPolicy; stored in the file, so reopening keeps it).
     * LOSSY BY DESIGN: compact() keeps rows of rarely-read 1024-row blocks only as warm (u8
     * scalar) or cold (PQ or binary) codes. Giving the object turns tiering on. Unknown keys are
     * refused (InvalidOptions).
     */
    tiering?: RvfTieringOptions;
}

/**
 * A metadata value. Typed: an object with exactly one key — {u64: bigint|number|"decimal"},
 * {i64: …}, {f64: number}, {string: string}, {bool: boolean}, {bytes: Uint8Array}. Shorthand by
 * JS type: string → string, boolean → bool, Uint8Array → bytes, bigint → u64 (≥ 0) or i64,
 * number → u64 when an integer ≥ 0, i64 when a negative integer, else f64 (the filter JSON's
 * shorthand rule, so a filter literal written the same way compares equal).
 */
export type RvfMetadataValue =
    | number | bigint | string | boolean | Uint8Array
    | { u64: number | bigint | string } | { i64: number | bigint | string } | { f64: number }
    | { string: string } | { bool: boolean } | { bytes: Uint8Array };

/** One vector's metadata: {fieldId (0..65535): value}. */
export type RvfMetadataRecord = Record<number | string, RvfMetadataValue>;

/**
 * Upstream's flat form (spec §9.1): the whole list is split evenly over the ids
 * (entries per id = list length / ids length, which must divide; consecutive groups).
 * `value` is a string read as `valueType` (a plain number/bigint/boolean is accepted too).
 */
export interface RvfUpstreamMetadataEntry {
    fieldId: number;
    valueType: 'u64' | 'i64' | 'f64' | 'string' | 'bool' | 'bytes';
    value: string | number | bigint | boolean;
}

/**
 * Metadata for a batch: either one entry per id (null/undefined = none), or upstream's flat
 * list of {fieldId, valueType, value} (told apart by the `valueType` key).
 */
export type RvfMetadataInput =
    | ReadonlyArray<RvfMetadataRecord | null | undefined>
    | ReadonlyArray<RvfUpstreamMetadataEntry>;

/**
 * Filter expression, as an object or its JSON text. Accepted forms (runtime rvf/filter.hpp):
 *  - ours:      {op:'eq'|'ne'|'lt'|'le'|'gt'|'ge', field, value}, {op:'in', field, values},
 *               {op:'range', field, low, high} (low ≤ v < high), {op:'and'|'or', children},
 *               {op:'not', child}; values typed ({u64: 5}) or shorthand (5, "x", true).
 *  - upstream:  {op, fieldId, valueType:'u64'|…, value:"<string>"} (and values/low/high).
 *  - TS SDK:    {op, fieldId, value}, {op:'and'|'or', exprs}, {op:'not', expr}.
 * bigint literals are allowed in the object form. A bad filter throws FilterParseError (0x0203);
 * a field no metadata row holds throws InvalidArgument.
 */
export type RvfFilter = string | Record<string, unknown>;

export interface RvfQueryOptions {
    /** HNSW beam width (default 100). */
    efSearch?: number;
    filter?: RvfFilter;
    /** Accepted for upstream compatibility; no effect (upstream ignores it too). */
    timeoutMs?: number;
    /** Force an exact scan even when an HNSW index exists. */
    exact?: boolean;
}

export interface RvfRejection {
    /** Position in the batch. */
    index: number;
    id: RvfIdOut;
    code: number;
    name: string;
    message: string;
}

export interface RvfIngestResult {
    accepted: number;
    rejected: number;
    epoch: number;
    /** Why each rejected vector was rejected (NaN component, duplicate id, …). */
    rejections: RvfRejection[];
}

export interface RvfSearchResult {
    id: RvfIdOut;
    distance: number;
}

export interface RvfDeleteResult {
    deleted: number;
    epoch: number;
}

export interface RvfCompactOptions {
    /** 0 = unlimited; a rewrite that would write more does nothing and returns complete: false. */
    ioBudgetBytes?: number;
}

export interface RvfCompactionResult {
    segmentsCompacted: number;
    bytesReclaimed: number;
    epoch: number;
    complete: boolean;
}

/** create()'s `tiering`: the runtime's TieringPolicy. */
export interface RvfTieringOptions {
    /** Default true (giving the object opts in). */
    enabled?: boolean;
    /** Codec of the cold tier: 'pq' (default; pqM bytes per row) or 'binary' (one bit per dimension). */
    coldCodec?: 'pq' | 'binary';
    /** PQ subspaces (cold bytes per row); 0 (default) = dimension / 4. */
    pqM?: number;
    /** A block whose access estimate is above this is hot (default 128). */
    hotThreshold?: number;
    /** Above this (and not hot) warm, else cold (default 16). */
    warmThreshold?: number;
}

/** Rows and the bytes of their vectors in one tier. */
export interface RvfTierInfo {
    rows: number;
    bytes: number;
}

/** One witness chain entry (witnessEntries / appendWitness). */
export interface RvfWitnessEntry {
    /** Position in the chain, 0 = oldest. */
    index: number;
    /** 1 provenance, 2 computation (the store's own commits); 3 delegation, 4 audit, 5 attestation (appended). */
    witnessType: number;
    timestampNs: bigint;
    /** Hex SHAKE-256 links: prevHash is the previous entry's hash (zeros for the first). */
    prevHash: string;
    hash: string;
    actionHash: string;
    /** An appended entry's payload; null for the store's own commit entries. */
    payload: Uint8Array | null;
}

export interface RvfStatusInfo {
    // Upstream's fields (spec §9.1), all filled.
    totalVectors: number;
    totalSegments: number;
    fileSize: number;
    currentEpoch: number;
    /** The domain profile id (0 generic, 1 rvdna, 2 rvtext, 3 rvgraph, 4 rvvision, custom 0x10..). */
    profileId: number;
    /** The hardware profile kept in the file (create's `profile`); 'core' holds the spec's tile limits. */
    profile: 'generic' | 'core' | 'hot' | 'full';
    /** Always 'idle': compaction runs inside compact()/compactAsync() under the handle's write lock. */
    compactionState: 'idle' | 'running' | 'emergency';
    deadSpaceRatio: number;
    readOnly: boolean;
    // Ours.
    deadBytes: number;
    /** Merge commits, automatic compactions and fsyncs this handle made. */
    merges: number;
    autoCompactions: number;
    syncs: number;
    deletedVectors: number;
    dimension: number;
    metric: 'l2' | 'ip' | 'cosine' | 'hamming';
    storage: 'f32' | 'f16' | 'i8';
    domainProfile: string;
    /** Layout the file had when opened: 'S' (ours) or 'R' (upstream's; the first write rewrites it as S). */
    layout: string;
    indexedVectors: number;
    /** Whether the store was created with tiering (create()'s `tiering`). */
    tiering: boolean;
    /** Live rows and their vector bytes per tier; without tiering every row is hot. */
    tiers: { hot: RvfTierInfo; warm: RvfTierInfo; cold: RvfTierInfo };
    warnings: string[];
}

export interface RvfSegmentInfo {
    id: number;
    offset: number;
    payloadLength: number;
    /** Lower-case type name ('vec', 'manifest', 'meta_idx', …) or 'unknown(0xNN)'. */
    segType: string;
}

export interface RvfIndexStats {
    /** Rows in the in-memory HNSW graph (0: queries scan exactly). */
    indexedVectors: number;
    /** INDEX_SEG layers on disk: 3 (A, B, C) when a persisted index exists, else 0. */
    layers: number;
    m: number;
    efConstruction: number;
    /** deadSpaceRatio > 0.3 (upstream's rule). */
    needsRebuild: boolean;
}

export interface RvfWitnessResult {
    /** The whole file re-verified: segment hashes, manifest chain, witness chain. */
    valid: boolean;
    /** Witness entries checked. */
    entries: number;
    /** The first problem, in the RVF error message form. */
    error?: string;
}

export interface RvfProblem {
    offset: number;
    code: number;
    name: string;
    message: string;
}

export interface RvfVerifyReport {
    ok: boolean;
    segmentsChecked: number;
    witnessEntriesChecked: number;
    manifestsChecked: number;
    problems: RvfProblem[];
    /** Bytes after the latest valid manifest (an interrupted write): not a failure. */
    uncommitted: RvfProblem[];
    /** Every committed segment's signature state, in file order (docs/signing.md). */
    signatures: RvfSegmentSignature[];
    /** Key ids of the file's CRYPTO_SEG signing keys. */
    signingKeys: string[];
}

export type RvfSigningAlgorithm = 'ed25519' | 'ml-dsa-65';

/** A signing key: the algorithm and its 32-byte secret seed (never stored in the file). */
export interface RvfSigningKey {
    algorithm: RvfSigningAlgorithm;
    key: Uint8Array;
}

export interface RvfSegmentSignature {
    segmentId: number;
    offset: number;
    segType: string | number;
    state: 'valid' | 'unsigned' | 'invalid';
    /** valid: the signer's key id (32 hex digits). */
    keyId?: string;
    algorithm?: RvfSigningAlgorithm | 'slh-dsa-128s';
    /** invalid: why. */
    what?: string;
}

/** Typed form {fieldId: {u64: bigint} | {i64: bigint} | {f64} | {string} | {bool} | {bytes: Uint8Array}}. */
export type RvfStoredMetadata = Record<string, RvfMetadataValue>;

/** openReadonly / openReadonlyAsync options (issue 17). */
export interface RvfReadonlyOpenOptions {
    verify?: 'full' | 'structural';
}

export declare class RvfDatabase {
    private constructor();

    /** New file (fails with FsyncFailed/IoError if it exists, LockHeld if locked). */
    static create(path: string, options: RvfCreateOptions): RvfDatabase;
    /** Open for writing (takes the writer lock: LockHeld 0x0300 if another writer has it). */
    static open(path: string): RvfDatabase;
    /**
     * Open without the lock; every write fails with ReadOnly 0x0305. verify 'structural' (the
     * default) maps the file and uses rows and the HNSW graph where they lie, checking only its
     * structure (O(1) in the file size); 'full' hashes every payload first. Another value:
     * InvalidArgument.
     */
    static openReadonly(path: string, options?: RvfReadonlyOpenOptions): RvfDatabase;
    /** Read-only at an earlier committed epoch (`rvf inspect FILE --epochs`); ManifestNotFound when compacted away. */
    static openAtEpoch(path: string, epoch: number): RvfDatabase;
    static createAsync(path: string, options: RvfCreateOptions): Promise<RvfDatabase>;
    static openAsync(path: string): Promise<RvfDatabase>;
    static openReadonlyAsync(path: string, options?: RvfReadonlyOpenOptions): Promise<RvfDatabase>;

    /**
     * The canonical order (ids, vectors, metadata), as every surface (README "One API"): `ids`
     * n ids, `vectors` flat n × dimension (a Float32Array is read in place, no copy). Vectors with
     * a NaN/infinite component or an id already present are rejected one by one (see
     * `rejections`), the rest committed in one durable commit. vectors.length not n × dimension →
     * DimensionMismatch. Empty `ids` → {accepted 0, rejected 0, epoch current}.
     */
    ingestBatch(ids: RvfIdList, vectors: Float32Array | ReadonlyArray<number>, metadata?: RvfMetadataInput): RvfIngestResult;
    /** Upstream @ruvector/rvf-node's order, recognised by the Float32Array first. */
    ingestBatch(vectors: Float32Array, ids: RvfIdList, metadata?: RvfMetadataInput): RvfIngestResult;
    /** Same on the thread pool (either order). Do not modify `vectors` until the promise settles. */
    ingestBatchAsync(ids: RvfIdList, vectors: Float32Array | ReadonlyArray<number>, metadata?: RvfMetadataInput): Promise<RvfIngestResult>;
    ingestBatchAsync(vectors: Float32Array, ids: RvfIdList, metadata?: RvfMetadataInput): Promise<RvfIngestResult>;
    /** Alias of ingestBatch in the canonical order (ids first), kept from earlier releases. */
    insertBatch(ids: RvfIdList, vectors: Float32Array, metadata?: RvfMetadataInput): RvfIngestResult;
    /** One vector; a rejection (NaN, duplicate id, wrong length) is thrown as an error. */
    insert(id: RvfId, vector: Float32Array, metadata?: RvfMetadataRecord | null): RvfIngestResult;
    /** insertBatch's order (ids first); a live id is replaced (vector and metadata) in the same commit. */
    upsertBatch(ids: RvfIdList, vectors: Float32Array, metadata?: RvfMetadataInput): RvfIngestResult;
    /** One vector, insert-or-replace; a rejection (NaN, wrong length) is thrown as an error. */
    upsert(id: RvfId, vector: Float32Array, metadata?: RvfMetadataRecord | null): RvfIngestResult;
    /** Replace live ids' metadata (one record per id; null or [] clears); ids not live are rejected (KeyNotFound). */
    updateMetadata(ids: RvfIdList, metadata?: RvfMetadataInput | null): RvfIngestResult;
    /** Live vectors, or those the filter matches (a field no row has matches none). */
    count(filter?: RvfFilter | null): number;
    /** Up to `limit` live ids the filter (null: any) matches above `after`, ascending; [] at the end. */
    findIds(filter: RvfFilter | null, after: RvfId | null, limit: number): RvfId[];
    /** Read-only handles (openReadonly): re-read the file to see later commits; writable → error. */
    refresh(): void;

    /** k nearest live vectors, nearest first. */
    query(vector: Float32Array, k: number, options?: RvfQueryOptions): RvfSearchResult[];
    queryAsync(vector: Float32Array, k: number, options?: RvfQueryOptions): Promise<RvfSearchResult[]>;
    /**
     * Many queries: `vectors` flat n × dimension or an array of Float32Array. Sync runs them on
     * the calling thread; Async on the pool (one task). A failure fails the whole batch.
     */
    queryBatch(vectors: Float32Array | ReadonlyArray<Float32Array>, k: number, options?: RvfQueryOptions): RvfSearchResult[][];
    queryBatchAsync(vectors: Float32Array | ReadonlyArray<Float32Array>, k: number, options?: RvfQueryOptions): Promise<RvfSearchResult[][]>;

    /** Unknown or already-deleted ids are ignored. */
    remove(ids: RvfIdList): RvfDeleteResult;
    removeByFilter(filter: RvfFilter): RvfDeleteResult;
    /** Upstream's name for remove(ids). */
    delete(ids: RvfIdList): RvfDeleteResult;
    /** Upstream's name for removeByFilter(filter). */
    deleteByFilter(filter: RvfFilter): RvfDeleteResult;

    /** Build and persist the HNSW index now (even below 1024 vectors). */
    buildIndex(): void;
    buildIndexAsync(): Promise<void>;
    /**
     * Write a checkpoint (a full manifest) now if commits were made since the last one. Commits
     * in between end with a small COMMIT record and one fsync; close() writes a checkpoint too.
     */
    checkpoint(): void;
    compact(options?: RvfCompactOptions): RvfCompactionResult;
    compactAsync(options?: RvfCompactOptions): Promise<RvfCompactionResult>;

    status(): RvfStatusInfo;
    /** Append an action of the caller's own to the witness chain (one durable commit); payload ≤ 65536 bytes (SegmentTooLarge beyond). */
    appendWitness(witnessType: 3 | 4 | 5 | 'delegation' | 'audit' | 'attestation', payload?: Uint8Array | string): RvfWitnessEntry;
    /** Chain entries oldest first: from position `from` (0), at most `limit` (all). */
    witnessEntries(from?: number, limit?: number): RvfWitnessEntry[];
    segments(): RvfSegmentInfo[];
    dimension(): number;
    /** 'l2' | 'inner_product' | 'cosine' | 'hamming' (upstream's spelling). */
    metric(): string;
    /** 32 lower-case hex chars. */
    fileId(): string;
    /** The parent's file id (32 hex chars); 32 zeros for a root file. */
    parentId(): string;
    /** 0 for a root file, parent's + 1 for a derive() child. */
    lineageDepth(): number;
    indexStats(): RvfIndexStats;
    verifyWitness(): RvfWitnessResult;
    /** The full verification report. */
    verify(): RvfVerifyReport;
    /** Sign this handle's later commits. */
    setSigningKey(signing: RvfSigningKey): void;
    /** Throws UnknownSigner / InvalidSignature / UnsignedManifest unless `keyId` signed everything. */
    requireSignature(keyId: string): void;
    /** A live id's metadata (typed form), or null. */
    metadata(id: RvfId): RvfStoredMetadata | null;
    /** A live id's stored vector (dequantised for f16/i8), or null. */
    vector(id: RvfId): Float32Array | null;
    /** Up to `limit` live ids above `after` (null: from the smallest), ascending; [] at the end. */
    idsAfter(after: RvfId | null, limit: number): RvfId[];
    /** The live vectors as a Layout R file upstream's runtime opens (no metadata/witness). */
    exportLayoutR(): Uint8Array;

    /**
     * Commit the frozen marker, release the lock and keep the handle open read-only (writes →
     * ReadOnly 0x0305). Every later writable open is refused with SnapshotFrozen. Returns the epoch.
     */
    freeze(): number;
    /** A compacted copy of the live rows at childPath naming this file as its parent; open for writing. */
    derive(childPath: string, options?: { type?: 'clone' | 'filter' | 'merge' | 'quantize' | 'reindex' | 'transform' | 'snapshot' | 'user-defined' }): RvfDatabase;
    /** Not supported: throws InvalidArgument. */
    branch(childPath: string): RvfDatabase;
    /** Not supported: throws InvalidArgument. */
    embedKernel(...args: unknown[]): number;
    /** Not supported: throws InvalidArgument. */
    extractKernel(): null;
    /** Not supported: throws InvalidArgument. */
    embedEbpf(...args: unknown[]): number;
    /** Not supported: throws InvalidArgument. */
    extractEbpf(): null;

    /**
     * Flush and release the lock. A second close() throws StoreClosed ("Store is already
     * closed", as upstream); every other method on a closed handle throws StoreClosed.
     */
    close(): void;
    /** True after close(). */
    readonly closed: boolean;
}

/** Absolute path of the .node file that was loaded. */
/** One shard of a sharded collection's root (SHARD_REFS, docs/format-shard-refs.md). */
export interface RvfShardInfo {
    shardId: number;
    /** As the root stores it: relative to the root's directory, or a URL. */
    name: string;
    /** Resolved local path ('' for a URL). */
    path: string;
    fileSize: number;
    liveRows: number;
    centroids: number;
}

/** A shard a fan-out query could not use; `error` is the typed RvfNativeError. */
export interface RvfShardFailure {
    shardId: number;
    shard: string;
    error: RvfNativeError;
}

export interface RvfFanOutResult {
    neighbors: RvfSearchResult[];
    /** True when `failed` is not empty: the answer lacks those shards' rows. */
    partial: boolean;
    failed: RvfShardFailure[];
    shardsQueried: number;
    /** Left out because their summaries prove they hold no neighbour, or by maxShards. */
    shardsSkipped: number;
    /** Shards written after the root was committed: always asked, never skipped. */
    stale: number[];
}

/**
 * A sharded collection over local files (rvf/sharded.hpp, issue 21): a root .rvf listing shard
 * stores. Writes route rows to shards (by id hash, or by centroid after split), queries fan out
 * and merge exactly; a missing or damaged shard is named in `failed`, never silently dropped.
 */
export declare class RvfShardedCollection {
    private constructor();
    /** New root and `shards` empty shard stores in "<root>.shards/"; other keys as RvfDatabase.create. */
    static create(root: string, options: RvfCreateOptions & { shards: number; centroids?: number }): RvfShardedCollection;
    static open(root: string): RvfShardedCollection;
    static openReadonly(root: string): RvfShardedCollection;
    /** Copy the store at `source` into a new collection, by id hash or by k-means centroid. */
    static split(source: string, root: string, options: { shards: number; by?: 'id' | 'centroid'; centroids?: number }): RvfShardedCollection;
    ingestBatch(ids: RvfIdList, vectors: Float32Array | number[][], metadata?: unknown[]): RvfIngestResult;
    delete(ids: RvfIdList): RvfDeleteResult;
    query(vector: Float32Array | number[], k: number,
          options?: { efSearch?: number; exact?: boolean; filter?: unknown; maxShards?: number; requireAll?: boolean }): RvfFanOutResult;
    compact(): void;
    status(): { dimension: number; routing: 'id' | 'centroid'; epoch: number; totalVectors: number; readOnly: boolean; shards: RvfShardInfo[] };
    close(): void;
}

/** One ProgressiveStore state: {phase, layers, queryable, complete, ...} (rvf/progressive.hpp). */
export interface RvfProgressiveState {
    phase: 'tail' | 'directory' | 'hotset' | 'stream' | 'complete';
    layers: ('A' | 'B' | 'C')[];
    queryable: boolean;
    complete: boolean;
    wholeFile: boolean;
    bytesSupplied: number;
    fileSize: number;
    rowsExact: number;
    dimensions: number;
    bytesByPhase: { tail: number; directory: number; hotset: number; stream: number };
    warnings: string[];
}

/**
 * An .rvf file opened from partial bytes (rvf/progressive.hpp): the handle the HTTP Range driver
 * of @ruvector/rvf-wasm (RvfStore.openProgressive, the SDK's RvfDatabase.openProgressive) feeds.
 * Same methods and result shapes as @ruvector/rvf-wasm's core.Progressive, but errors are thrown
 * (RvfError-shaped: name, numeric code) instead of returned as outcome objects.
 */
export declare class Progressive {
    constructor();
    /** Start over for a file of `fileSize` bytes. */
    begin(fileSize: number): void;
    /** Byte ranges the current phase still needs, in priority order. */
    wanted(): { offset: number; length: number }[];
    /** Hand over file bytes [offset, offset + n) (n defaults to bytes.length); verified here. */
    supply(offset: number, bytes: Uint8Array, n?: number): void;
    state(): RvfProgressiveState;
    /** ids as little-endian u32 word pairs; filters only once complete (NotReady before). */
    query(vector: Float32Array | number[], n: number, k: number, efSearch: number, filter: string | object | null):
        { ids: Uint32Array; distances: Float32Array; layers: ('A' | 'B' | 'C')[]; exact: boolean; distanceEvals: number };
    /** The whole file once complete (NotReady before). */
    toBytes(): Uint8Array;
    /** The complete store as an RvfDatabase; this handle closes (NotReady before completion). */
    finish(): RvfDatabase;
    close(): void;
    /** = close() (the Embind handle's name). */
    delete(): void;
}

export declare const addonPath: string;

/** The runtime library version ("0.1.0"). */
export declare const version: string;
/**
 * Verify a file without opening it as a store (no lock): every check of RvfDatabase#verify, and
 * when the file does not even open, the reason as one more problem. Never throws for damage.
 */
export declare function verifyFile(path: string): RvfVerifyReport;
/** Key id (32 hex digits) of `algorithm`'s key with this 32-byte seed. */
export declare function signingKeyId(algorithm: RvfSigningAlgorithm, key: Uint8Array): string;
/** This process's platform triple ('linux-x64-gnu', 'darwin-arm64', …) as the platform packages are named. */
export declare function platformTriple(): string;
