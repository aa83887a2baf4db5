// Type declarations of @ruvector/rvf-wasm (src/index.js). RvfStatus / RvfStatusName are
// generated from the runtime's status list into dist/status.d.ts by scripts/build.mjs.
import type { RvfStatusName } from './dist/status.js';

export { RvfStatus, RvfStatusName } from './dist/status.js';

/** Input id: a non-negative safe integer or a bigint below 2^64. */
export type RvfIdInput = number | bigint;
/** Output id: a number, or a bigint when above Number.MAX_SAFE_INTEGER. */
export type RvfId = number | bigint;

export type RvfMetric = 'l2' | 'cosine' | 'ip' | 'dotproduct' | 'inner_product' | 'hamming';
export type RvfStorage = 'f32' | 'f16' | 'i8';

export interface RvfCreateOptions {
    /** 1..65535 (0 is rejected by the runtime with InvalidManifest, as upstream). */
    dimensions: number;
    /** Deprecated spelling of `dimensions`. */
    dimension?: number;
    metric?: RvfMetric;
    storage?: RvfStorage;
    /** Codec of VEC segments (default 'none'). */
    compression?: 'none' | 'lz4' | 'zstd';
    /** HNSW parameters recorded in the store (default 16 / 200). */
    m?: number;
    efConstruction?: number;
    /** compact() also writes the partition map (needs an index and ≥ 4096 rows), so openProgressive
     *  readers fetch only the partitions near a query (ProgressiveRvfStore.prepare). Default false. */
    partitionOnCompact?: boolean;
    /** Chain a WITNESS entry into every commit (default true). */
    witness?: boolean;
    /** Domain profile id stored in the file: 0 generic (default) .. 4 rvvision, custom 16..239. */
    domainProfile?: number;
    /**
     * Temperature tiers (the runtime's TieringPolicy; stored in the file, so reopening keeps it).
     * LOSSY BY DESIGN: compact() keeps rows of rarely-read 1024-row blocks only as warm (u8
     * scalar) or cold (PQ or binary) codes. Giving the object turns tiering on. Unknown keys are
     * refused (InvalidOptions).
     */
    tiering?: RvfTieringOptions;
    /** Sign every commit (docs/signing.md); omitted or false: unsigned. */
    signing?: RvfSigningKey | false;
}

/** A metadata value: typed ({u64: 5n}) or shorthand by JavaScript type (see README). */
export type RvfMetaValueTyped =
    | { u64: bigint | number | string }
    | { i64: bigint | number | string }
    | { f64: number }
    | { string: string }
    | { bool: boolean }
    | { bytes: Uint8Array };
export type RvfMetaValue = RvfMetaValueTyped | string | number | bigint | boolean | Uint8Array;
/** One vector's metadata: field id (0..65535) → value. */
export type RvfMetadata = Record<number, RvfMetaValue>;
/** What metadata() returns: every value typed, u64/i64 as bigint. */
export type RvfStoredMetadata = Record<number,
    | { u64: bigint }
    | { i64: bigint }
    | { f64: number }
    | { string: string }
    | { bool: boolean }
    | { bytes: Uint8Array }>;

/** A filter literal: typed ({u64: 5} / {u64: "5"}, {f64: "NaN"}, ...) or shorthand. */
export type RvfFilterValue = RvfMetaValueTyped | { f64: number | string } | string | number | bigint | boolean;
/** The runtime's filter JSON form (rvf/filter.hpp); `fieldId`, `exprs`, `expr` and upstream's `valueType` form are accepted too. */
export type RvfFilter =
    | { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; field: number; value: RvfFilterValue }
    | { op: 'in'; field: number; values: RvfFilterValue[] }
    | { op: 'range'; field: number; low: RvfFilterValue; high: RvfFilterValue }
    | { op: 'and' | 'or'; children: RvfFilter[] }
    | { op: 'not'; child: RvfFilter }
    | Record<string, unknown>;

export interface RvfQueryOptions {
    /** Default 100. */
    efSearch?: number;
    /** A filter object, or its JSON text. */
    filter?: RvfFilter | string;
    /** 0 (default): the index. n: score exactly the rows of the n partitions nearest the query
     *  (a file compacted with partitionOnCompact; RvfError UnsupportedLayout otherwise). */
    nprobe?: number;
}

export interface RvfNeighbor {
    id: RvfId;
    distance: number;
}

export interface RvfRejection {
    /** Position in the batch. */
    index: number;
    id: RvfId;
    code: number;
    name: RvfStatusName;
    /** "RVF error 0xFF04: InvalidArgument (vector has a NaN or infinite component)". */
    message: string;
}

export interface RvfIngestResult {
    accepted: number;
    rejected: number;
    epoch: number;
    rejections: RvfRejection[];
}

export interface RvfDeleteResult {
    deleted: number;
    epoch: number;
}

export interface RvfCompactResult {
    segmentsCompacted: number;
    bytesReclaimed: number;
    epoch: number;
    /** False when ioBudgetBytes stopped the rewrite (nothing changed). */
    complete: boolean;
    /** Bytes the rewrite wrote (the new image's size when complete). */
    bytesWritten: number;
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
    totalVectors: number;
    deletedVectors: number;
    totalSegments: number;
    fileSize: number;
    currentEpoch: number;
    dimension: number;
    /** Alias of `dimension` (the SDK's spelling). */
    dimensions: number;
    /** The domain profile id (0 generic, 1 rvdna, 2 rvtext, 3 rvgraph, 4 rvvision, custom 0x10..). */
    profileId: number;
    /** The hardware profile kept in the file (create's `profile`); 'core' holds the spec's tile limits. */
    profile: 'generic' | 'core' | 'hot' | 'full';
    metric: 'l2' | 'ip' | 'cosine' | 'hamming';
    storage: RvfStorage;
    /** 'generic', 'rvdna', 'rvtext', 'rvgraph', 'rvvision' or 'custom:N'. */
    domainProfile: string;
    deadSpaceRatio: number;
    deadBytes: number;
    merges: number;
    autoCompactions: number;
    syncs: number;
    readOnly: boolean;
    /** Layout the image was opened in: 'S' (ours), 'R' (upstream runtime). */
    layout: string;
    /** Whether the store was created with tiering (create()'s `tiering`). */
    tiering: boolean;
    /** Live rows and their vector bytes per tier; without tiering every row is hot. */
    tiers: { hot: RvfTierInfo; warm: RvfTierInfo; cold: RvfTierInfo };
    warnings: string[];
    /** The file's identity (manifest root), 32 lower-case hex characters. */
    fileId: string;
    /** Rows in the in-memory HNSW graph (0: queries scan exactly). */
    indexedVectors: number;
    /** Rows the persisted INDEX_SEG layers cover (0: none on disk). */
    persistedIndex: number;
    /** The HNSW parameters the store builds its index with. */
    hnswM: number;
    hnswEfConstruction: number;
}

export interface RvfSegment {
    id: number;
    /** Lower-case type name ('vec', 'manifest', ...), or the numeric code when unknown. */
    segType: string | number;
    offset: number;
    payloadLength: number;
}

export interface RvfProblem {
    offset: number;
    code: number;
    name: RvfStatusName;
    message: string;
}

export interface RvfVerifyReport {
    ok: boolean;
    segmentsChecked: number;
    witnessEntriesChecked: number;
    manifestsChecked: number;
    problems: RvfProblem[];
    /** Bytes after the latest valid manifest: never committed, not a failure. */
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

/** Where init() gets the runtime's wasm (default: dist/rvf_core.wasm of this package). */
export interface RvfInitSource {
    module?: WebAssembly.Module;
    wasmBinary?: BufferSource;
    url?: string | URL;
    /** Same as url (the name bundler guides use). */
    wasmUrl?: string | URL;
}

/** A failed RVF operation: code and name from the one status list (RvfStatus). */
export declare class RvfError extends Error {
    constructor(code: number, message?: string);
    readonly code: number;
    /** The status name ('DimensionMismatch', ...); 'Unknown' for codes not in the list. */
    name: RvfStatusName | 'Unknown';
}

export type RvfProgressivePhase = 'tail' | 'directory' | 'hotset' | 'stream' | 'complete';
export type RvfIndexLayer = 'A' | 'B' | 'C';

export interface RvfProgress {
    bytesFetched: number;
    /** Batches of parallel requests so far (the first answer needs at most 7). */
    roundTrips: number;
    requests: number;
    fileSize: number;
    phase: RvfProgressivePhase;
    /** Index layers loaded. */
    layers: RvfIndexLayer[];
    queryable: boolean;
    complete: boolean;
    /** No usable index hotset (Layout R, a small store): everything is fetched before answers. */
    wholeFile: boolean;
    /** The file carries a partition map: call prepare(vector) before query(vector) until loaded. */
    partitioned: boolean;
    /** Partitions in the map (0 before it arrived, or without one). */
    partitions: number;
    /** Bytes the reader holds now (file bytes kept + decoded partition rows). */
    bytesHeld: number;
    bytesByPhase: { tail: number; directory: number; hotset: number; stream: number };
}

export interface RvfProgressiveOptions {
    /** Default: globalThis.fetch. Called as fetch(url, { headers: { Range }, signal }). */
    fetch?: (url: string | URL, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;
    onProgress?: (progress: RvfProgress) => void;
    signal?: AbortSignal;
    /** Parallel requests per round trip (default 6). */
    concurrency?: number;
    /** Partitions prepare() fetches per query on a partitioned file (1..65535, default 4). */
    nprobe?: number;
    /** false: a query-only reader — after the hotset only the partitions prepare() names are
     *  fetched, their bytes dropped once decoded; loaded() rejects (NotReady). Default true. */
    stream?: boolean;
    /** With stream: false, decoded partition rows kept at most (bytes; 0 = no bound): the least
     *  recently used are dropped and fetched again when a query needs them. */
    cacheBytes?: number;
}

export interface RvfQueryStats {
    /** Which index layers answered ([] for an exact scan). */
    layers: RvfIndexLayer[];
    exact: boolean;
    distanceEvals: number;
}

export interface RvfShardedOpenOptions {
    /** Default: globalThis.fetch (the root: one GET; each shard: HTTP Range requests). */
    fetch?: (url: string | URL, init: { headers?: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;
    /** Per shard, from its first request to `wait`'s point (default 30000): past it the shard fails with Timeout. */
    timeoutMs?: number;
    /** Shards loading at once (default 16). */
    concurrency?: number;
    /** Parallel Range requests per shard (default 4). */
    requestConcurrency?: number;
    /** 'loaded' (default): every shard's bytes in and verified; 'queryable': each can answer from its hotset. */
    wait?: 'loaded' | 'queryable';
    signal?: AbortSignal;
    /** Throw the first failed shard's error instead of opening without it. */
    requireAll?: boolean;
}

export interface RvfShardedQueryOptions {
    efSearch?: number;
    /** Each shard scans exactly: with L2 over f32 rows the merged answer is the exact top-k. */
    exact?: boolean;
    /** Ask only the n shards whose summaries are nearest (approximate). 0: every shard that may hold a neighbour. */
    maxShards?: number;
    /** Throw the first failed shard's error instead of a partial answer. */
    requireAll?: boolean;
}

/** A shard left out of an answer, and why (its RvfError's message names the shard). */
export interface RvfShardFailure {
    shardId: number;
    /** The shard's name as the root lists it. */
    shard: string;
    error: RvfError;
}

/** The same fields as the Node addon's RvfShardedCollection.query(). */
export interface RvfFanOutResult {
    /** Merged top-k, nearest first, ties by id. */
    neighbors: RvfNeighbor[];
    /** Some shard is missing from the answer (listed in `failed`). */
    partial: boolean;
    failed: RvfShardFailure[];
    /** Shards written after the root was committed: always asked, never skipped by their summaries. */
    stale: number[];
    shardsQueried: number;
    shardsSkipped: number;
}

export interface RvfShardInfo {
    shardId: number;
    name: string;
    /** The URL the shard was read from (its name resolved against the root's URL). */
    location: string;
    fileSize: number;
    liveRows: number;
    epoch: number;
    centroids: number;
    state: 'current' | 'stale' | 'failed';
    error?: RvfError;
}

export interface RvfShardedStatus {
    dimension: number;
    metric: string;
    storage: string;
    routing: 'id' | 'centroid';
    epoch: number;
    boundsExact: boolean;
    totalVectors: number;
    readOnly: true;
    shards: RvfShardInfo[];
    /** As of open(): bytes and requests in all, round trips (the root's plus the most one shard needed), wall time. */
    bytesFetched: number;
    requests: number;
    roundTrips: number;
    openMs: number;
}

/** A sharded collection read over HTTP (src/sharded.js); read-only. */
export declare class RvfShardedCollection {
    private constructor();
    /** Fetch the root at `rootUrl`, then open every shard (RvfStore.openProgressive) in parallel. */
    static open(rootUrl: string | URL, options?: RvfShardedOpenOptions): Promise<RvfShardedCollection>;
    query(vector: Float32Array | number[], k: number, options?: RvfShardedQueryOptions): RvfFanOutResult;
    status(): RvfShardedStatus;
    /** Resolves once every opened shard is fully loaded and verified, or failed (wait: 'queryable'). */
    loaded(): Promise<RvfShardedCollection>;
    readonly closed: boolean;
    /** Release every shard's memory. Idempotent. */
    close(): void;
}

/** A store being loaded by RvfStore.openProgressive. Filters are refused (NotReady) until loaded. */
export declare class ProgressiveRvfStore {
    private constructor();
    query(vector: Float32Array | number[], k: number, options?: RvfQueryOptions): RvfNeighbor[] & { readonly stats: RvfQueryStats };
    /** Partitioned files: fetch the nprobe partitions nearest to `vector` (one round trip) so the
     *  next query(vector) scores them exactly; resolves to the bytes fetched (0 for other files). */
    prepare(vector: Float32Array | number[], options?: { nprobe?: number }): Promise<number>;
    progress(): RvfProgress;
    /** Resolves once every byte is in and verified (full quality); rejects with RvfError. */
    loaded(): Promise<ProgressiveRvfStore>;
    /** The whole file once loaded. */
    toBytes(): Uint8Array;
    /** The vector dimension. */
    readonly dimensions: number;
    /** The complete store of a native handle (openProgressiveWith with @ruvector/rvf-node's Progressive); closes this one. */
    finish(): unknown;
    readonly closed: boolean;
    close(): void;
}

/**
 * RvfStore.openProgressive's HTTP driver over another handle class, e.g. @ruvector/rvf-node's
 * Progressive ({Progressive, throws: true, adoptError}); the SDK's RvfDatabase.openProgressive uses it.
 */
export declare function openProgressiveWith(url: string | URL, options?: RvfProgressiveOptions,
    handle?: { Progressive?: new () => unknown; throws?: boolean; adoptError?: (e: unknown) => unknown }): Promise<ProgressiveRvfStore>;

/** Load the runtime once; optional, create()/fromBytes() call it. Only the first call's source counts. */
export declare function init(source?: RvfInitSource): Promise<unknown>;
/** The runtime library version. */
export declare function version(): Promise<string>;

/** The runtime's writer-lock record and stale rules (spec §11), for JS writers doing the file I/O. */
export interface RvfWriterLockRules {
    record(pid: number, host: string, nowNs: number, writerId: Uint8Array): Uint8Array;
    judge(bytes: Uint8Array, nowNs: number, host: string, pidAlive: (pid: number) => boolean):
        { kind: 'invalid' | 'stale' | 'held'; pid: number; holder: string; advice: string; osLocked: boolean };
    hasWriter(bytes: Uint8Array, writerId: Uint8Array): boolean;
}
export declare function writerLockRules(): Promise<RvfWriterLockRules>;
/** Verify an image that may not open as a store (a damaged file): every check, never throws for damage. */
export declare function verifyBytes(bytes: Uint8Array): Promise<RvfVerifyReport>;
/** Key id (32 hex digits) of `algorithm`'s key with this 32-byte seed. */
export declare function signingKeyId(algorithm: RvfSigningAlgorithm, key: Uint8Array): Promise<string>;
/** True for the remains of a create killed before its first commit (no data; create replaces them). */
export declare function isIncompleteCreate(bytes: Uint8Array): Promise<boolean>;

export declare class RvfStore {
    private constructor();
    static create(options: RvfCreateOptions): Promise<RvfStore>;
    static fromBytes(bytes: Uint8Array): Promise<RvfStore>;
    /** Read-only; epoch: an earlier committed epoch the image holds (ManifestNotFound when compacted away). */
    static fromBytesReadonly(bytes: Uint8Array, options?: { epoch?: number }): Promise<RvfStore>;
    /**
     * Load an .rvf file over HTTP Range requests; resolves once queries can be answered (the
     * Level-0 root, directory and index hotset are in) and keeps loading in the background.
     */
    static openProgressive(url: string | URL, options?: RvfProgressiveOptions): Promise<ProgressiveRvfStore>;

    toBytes(): Uint8Array;
    /** Bytes [offset, offset + length) of the image (a copy), e.g. what a commit appended. */
    bytesRange(offset: number, length: number): Uint8Array;
    /** Write a checkpoint (full manifest) if commits were made since the last one; close() does this. */
    checkpoint(): void;
    /** File offsets of the checkpoints written at or after `offset`, in file order. */
    checkpointsSince(offset: number): number[];
    exportLayoutR(): Uint8Array;
    /** The image of a derive() child naming this store as its parent (a compacted copy of the live rows). */
    deriveImage(childName: string, type?: 'clone' | 'filter' | 'merge' | 'quantize' | 'reindex' | 'transform' | 'snapshot' | 'user-defined'): Uint8Array;
    /** Commit the frozen marker: read-only from now on; writable opens of the image fail with SnapshotFrozen. */
    freeze(): void;
    lineage(): { fileId: string; parentId: string; parentHash: string; lineageDepth: number; frozen: boolean };
    /** The canonical order (ids, vectors, metadata), as every surface (README "One API"). */
    ingestBatch(ids: ArrayLike<RvfIdInput> | BigUint64Array, vectors: Float32Array | number[],
                metadata?: Array<RvfMetadata | null | undefined> | null): RvfIngestResult;
    /** Upstream rvf-node's order, recognised by a Float32Array (or a list of vectors) first. */
    ingestBatch(vectors: Float32Array | ReadonlyArray<ArrayLike<number>>, ids: ArrayLike<RvfIdInput> | BigUint64Array,
                metadata?: Array<RvfMetadata | null | undefined> | null): RvfIngestResult;
    /** ingestBatch's arguments; a live id is replaced (vector and metadata) in the same commit. */
    upsertBatch(ids: ArrayLike<RvfIdInput> | BigUint64Array, vectors: Float32Array | number[],
                metadata?: Array<RvfMetadata | null | undefined> | null): RvfIngestResult;
    /** Replace live ids' metadata (one entry per id; null clears); ids not live are rejected (KeyNotFound). */
    updateMetadata(ids: ArrayLike<RvfIdInput> | BigUint64Array, metadata: Array<RvfMetadata | null | undefined>): RvfIngestResult;
    /** Live vectors, or those the filter matches. */
    count(filter?: RvfFilter | string | null): number;
    /** Up to `limit` live ids the filter (null: any) matches above `after`, ascending; [] at the end. */
    findIds(filter: RvfFilter | string | null, after: RvfIdInput | null, limit: number): RvfId[];
    query(vector: Float32Array | number[], k: number, options?: RvfQueryOptions): RvfNeighbor[];
    /** Delete ids (unknown or already deleted ids are ignored). */
    remove(ids: ArrayLike<RvfIdInput> | BigUint64Array): RvfDeleteResult;
    removeByFilter(filter: RvfFilter | string): RvfDeleteResult;
    /** Upstream's name for remove(ids). */
    delete(ids: ArrayLike<RvfIdInput> | BigUint64Array): RvfDeleteResult;
    /** Upstream's name for removeByFilter(filter). */
    deleteByFilter(filter: RvfFilter | string): RvfDeleteResult;
    /** ioBudgetBytes: stop (complete false) if the rewrite would write more; ioBytesPerSecond: throttle the rewrite (0 = off). */
    compact(options?: { ioBudgetBytes?: number; ioBytesPerSecond?: number }): RvfCompactResult;
    status(): RvfStatusInfo;
    /** Append an action of the caller's own to the witness chain (one durable commit); payload ≤ 65536 bytes (SegmentTooLarge beyond). */
    appendWitness(witnessType: 3 | 4 | 5 | 'delegation' | 'audit' | 'attestation', payload?: Uint8Array | string): RvfWitnessEntry;
    /** Chain entries oldest first: from position `from` (0), at most `limit` (all). */
    witnessEntries(from?: number, limit?: number): RvfWitnessEntry[];
    segments(): RvfSegment[];
    verify(): RvfVerifyReport;
    /** Sign this store's later commits. */
    setSigningKey(signing: RvfSigningKey): void;
    /** Throws UnknownSigner / InvalidSignature / UnsignedManifest unless `keyId` signed everything. */
    requireSignature(keyId: string): void;
    metadata(id: RvfIdInput): RvfStoredMetadata | null;
    vector(id: RvfIdInput): Float32Array | null;
    /** Up to `limit` live ids above `after` (null: from the smallest), ascending; [] at the end. */
    idsAfter(after: RvfIdInput | null, limit: number): RvfId[];
    readonly closed: boolean;
    close(): void;
    free(): void;
}
