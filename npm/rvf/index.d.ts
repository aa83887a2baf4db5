// Type declarations of @ruvector/rvf (src/index.js). Errors and the status table come from
// @ruvector/rvf-wasm (generated from the runtime's one status list).
import type { RvfStatusName } from '@ruvector/rvf-wasm';

export { RvfError, RvfStatus, RvfStatusName } from '@ruvector/rvf-wasm';
export { RvfShardedCollection, RvfShardedOpenOptions, RvfShardedQueryOptions, RvfFanOutResult, RvfShardFailure, RvfShardInfo,
         RvfShardedStatus } from '@ruvector/rvf-wasm';

export type RvfBackendName = 'auto' | 'native' | 'wasm';
/** A metric as status() reports it and create() takes it. */
export type RvfMetric = 'l2' | 'cosine' | 'dotproduct' | 'hamming';
/** Domain profiles (stored in the file; status().domainProfile / profileId report them). */
export type RvfProfileName = 'generic' | 'rvdna' | 'rvtext' | 'rvgraph' | 'rvvision';
/** Hardware profiles (stored in the file; status().profile reports them). */
export type RvfHardwareProfile = 'generic' | 'core' | 'hot' | 'full';

/** One witness chain entry (appendWitness / witnessEntries). */
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

/**
 * An id: a string (stored in the reserved "_id" field, its u64 is FNV-1a 64 of the UTF-8
 * bytes), a non-negative safe integer, or a bigint below 2^64 (used as the u64 id itself).
 */
export type RvfId = string | number | bigint;

/**
 * A metadata value: string, boolean, number (stored as f64), bigint (u64 / i64), Uint8Array,
 * or typed ({u64: 5}, {i64: -1n}, {f64: 1.5}, {string: 's'}, {bool: true}, {bytes: u8}).
 */
export type RvfMetaValue =
    | string | number | boolean | bigint | Uint8Array
    | { u64: number | bigint | string } | { i64: number | bigint | string } | { f64: number }
    | { string: string } | { bool: boolean } | { bytes: Uint8Array };

/** Metadata by field: a name ('genre') or a numeric field id ('0'..'32767'). */
export type RvfMetadata = Record<string, RvfMetaValue | null | undefined>;

/** Field: a metadata name, '_id' (the string id), or a numeric field id. */
export type RvfField = string | number;
export type RvfFilter =
    | { op: 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge'; field?: RvfField; fieldId?: RvfField; value: RvfMetaValue }
    | { op: 'in'; field?: RvfField; fieldId?: RvfField; values: RvfMetaValue[] }
    | { op: 'range'; field?: RvfField; fieldId?: RvfField; low: RvfMetaValue; high: RvfMetaValue }
    | { op: 'and' | 'or'; exprs?: RvfFilter[]; children?: RvfFilter[] }
    | { op: 'not'; expr?: RvfFilter; child?: RvfFilter };

/**
 * create()'s options. Every key is checked at run time too: an unknown key, a wrong type or a
 * value this build cannot honour is refused with RvfError InvalidOptions naming the key.
 */
export interface RvfOptions {
    /** Vector dimension 1..65535 (required; `dimension` is accepted too). */
    dimensions: number;
    dimension?: number;
    /** Default 'l2'. 'ip' is accepted as an older name of 'dotproduct'. */
    metric?: RvfMetric | 'ip';
    /** How rows are stored (default 'f32'; 'i8' is scalar-quantised). */
    storage?: 'f32' | 'f16' | 'i8';
    /**
     * 'lz4' or 'zstd' compresses VEC segments (both backends read and write both); 'scalar'
     * (upstream's name) is storage 'i8'. Refused with InvalidOptions: 'product' (no PQ).
     */
    compression?: 'none' | 'lz4' | 'zstd' | 'scalar' | 'product';
    /**
     * Domain profile stored in the file: a name, or a custom id 16..239. Default: from the path's
     * extension. Or a hardware profile ('core', 'hot', 'full', or upstream's 0..3: 0 generic,
     * 1 core, 2 hot, 3 full), kept in the file and reported by status().profile (the domain
     * profile then comes from the extension, as in upstream). 'core' holds the spec's tile
     * limits: f16 ≤ 384 or i8 ≤ 768 dimensions (f16/i8 picked when storage is not given), no
     * compression, no tiering, no index (queries scan); anything else is InvalidOptions.
     */
    profile?: RvfProfileName | RvfHardwareProfile | 0 | 1 | 2 | 3 | number;
    /** Sign every commit with this key (docs/signing.md); omitted or false: unsigned. */
    signing?: false | RvfSigningOptions;
    /** HNSW M (16) and efConstruction (200). */
    m?: number;
    efConstruction?: number;
    /** compact() also writes the partition map (needs an index and ≥ 4096 rows), so openProgressive
     *  readers fetch only the partitions near each query. Default false. */
    partitionOnCompact?: boolean;
    /** Witness entry per commit (default true). */
    witness?: boolean;
    /** 'off' builds no HNSW index (queries scan; native backend only). Default 'auto'. */
    index?: 'auto' | 'off';
    /**
     * Temperature tiers (the runtime's TieringPolicy; stored in the file, so reopening keeps it).
     * LOSSY BY DESIGN: compact() keeps rows of rarely-read 1024-row blocks only as warm (u8
     * scalar) or cold (PQ or binary) codes. Giving the object turns tiering on. Unknown keys are
     * refused (InvalidOptions).
     */
    tiering?: RvfTieringOptions;
    backend?: RvfBackendName;
}

/**
 * A signing key: the algorithm and its 32-byte secret seed, as a Uint8Array or the 64 hex digits
 * `rvf keygen` writes (never stored in the file).
 */
export interface RvfSigningOptions {
    algorithm: 'ed25519' | 'ml-dsa-65';
    key: Uint8Array | string;
}

/** Older name of RvfOptions. */
export type RvfCreateOptions = RvfOptions;

export interface RvfOpenOptions {
    backend?: RvfBackendName;
    /** open() only: take no lock; writes fail with ReadOnly (same as openReadonly). */
    readOnly?: boolean;
    /** An earlier committed epoch, opened read-only (`rvf inspect FILE --epochs`); ManifestNotFound once compacted away. */
    epoch?: number;
    /** open() only: sign this handle's commits with this key. */
    signing?: false | RvfSigningOptions;
    /**
     * Refuse the file (UnknownSigner, InvalidSignature or UnsignedManifest, naming the first
     * offending segment) unless this key id signed every committed segment and manifest.
     */
    requireSignature?: string;
}

/** openReadonly()'s options. */
export interface RvfReadonlyOptions {
    backend?: RvfBackendName;
    /** An earlier committed epoch (`rvf inspect FILE --epochs`); ManifestNotFound once compacted away. */
    epoch?: number;
    /**
     * 'structural' (native default): open in O(1), rows and the HNSW graph read where they lie
     * in the file mapping, only the structure checked; 'full': hash every payload first. The wasm
     * backend always reads and checks the whole file. verify() checks everything on demand.
     */
    verify?: 'full' | 'structural';
    /** As RvfOpenOptions.requireSignature. */
    requireSignature?: string;
}

/** derive()'s options: the spec's DerivationType by name (default 'clone'). */
export interface RvfDeriveOptions {
    type?: 'clone' | 'filter' | 'merge' | 'quantize' | 'reindex' | 'transform' | 'snapshot' | 'user-defined';
}

export interface RvfEntry {
    id: RvfId;
    vector: Float32Array | number[];
    metadata?: RvfMetadata | null;
}

export interface RvfRejection {
    /** Position in the batch. */
    index: number;
    id: RvfId;
    code: number;
    name: RvfStatusName;
    message: string;
}

/** What insertBatch / upsertBatch return. */
export interface RvfIngestResult {
    accepted: number;
    rejected: number;
    epoch: number;
    rejections: RvfRejection[];
}

/** Older name of RvfIngestResult. */
export type RvfInsertResult = RvfIngestResult;

export interface RvfQueryOptions {
    /** HNSW beam width (default 100). */
    efSearch?: number;
    filter?: RvfFilter | string;
    /** Add each hit's metadata (default false). */
    includeMetadata?: boolean;
    /** 0 (default): the index. n: score exactly the rows of the n partitions nearest the query —
     *  a file compacted with partitionOnCompact (the cold path: a few MB read); UnsupportedLayout otherwise. */
    nprobe?: number;
}

/** indexStats(): the HNSW index as it is now. */
export interface RvfIndexStats {
    /** Rows in the in-memory HNSW graph (0: queries scan exactly). */
    indexedVectors: number;
    /** INDEX_SEG layers on disk: 3 when an index is persisted, else 0. */
    layers: number;
    m: number;
    efConstruction: number;
    /** deadSpaceRatio > 0.3. */
    needsRebuild: boolean;
}

/** verifyWitness(): the whole file re-verified. */
export interface RvfWitnessResult {
    valid: boolean;
    /** Witness entries checked. */
    entries: number;
    /** The first problem found. */
    error?: string;
}

/** One query hit. */
export interface RvfResult {
    /** The id as inserted: string, number (or bigint above 2^53). */
    id: string | number | bigint;
    distance: number;
    metadata?: Record<string, unknown>;
}

/** Older name of RvfResult. */
export type RvfSearchResult = RvfResult;

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
    /** Bytes the rewrite wrote (the new file's size when complete). */
    bytesWritten: number;
}

export interface RvfCompactOptions {
    /** 0 (default) = unlimited; otherwise a rewrite that would write more stops and changes nothing. */
    ioBudgetBytes?: number;
    /** 0 (default) = unthrottled; otherwise the rewrite writes the file at most about this many bytes per second. */
    ioBytesPerSecond?: number;
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
export interface RvfTierStatus {
    rows: number;
    bytes: number;
}

export interface RvfStatus {
    totalVectors: number;
    deletedVectors: number;
    totalSegments: number;
    fileSize: number;
    currentEpoch: number;
    /** Upstream SDK 0.2.3's name for fileSize (an alias, README "One API"). */
    fileSizeBytes: number;
    /** Upstream SDK 0.2.3's name for currentEpoch (an alias). */
    epoch: number;
    /** Domain profile id (0 generic, 1 rvdna, 2 rvtext, 3 rvgraph, 4 rvvision). */
    profileId: number;
    /** The hardware profile kept in the file (create's profile 'core' / 1 …). */
    profile: RvfHardwareProfile;
    compactionState: 'idle' | 'running' | 'emergency';
    /** dead bytes / file size: what a compaction would drop (deleted rows, merged-away segments, commit records). */
    deadSpaceRatio: number;
    deadBytes: number;
    /** Merge commits and automatic compactions this handle made (README "Format decisions"). */
    merges: number;
    autoCompactions: number;
    /** fsyncs this handle issued: one per commit, two per checkpoint, fewer when concurrent writes share them. */
    syncs: number;
    readOnly: boolean;
    dimension: number;
    /** Alias of dimension. */
    dimensions: number;
    /** As create() takes it ('dotproduct', never 'ip'). */
    metric: RvfMetric;
    storage: 'f32' | 'f16' | 'i8';
    /** The domain profile's name ('custom:<id>' for a custom id); profileId is its id. */
    domainProfile: RvfProfileName | `custom:${number}`;
    /** Layout the file was opened in: 'S' (ours) or 'R' (upstream's). */
    layout: string;
    /** Whether the store was created with tiering (create()'s `tiering`). */
    tiering: boolean;
    /** Live rows and their vector bytes per tier; without tiering every row is hot. */
    tiers: { hot: RvfTierStatus; warm: RvfTierStatus; cold: RvfTierStatus };
    warnings: string[];
    backend: 'native' | 'wasm';
    /** null for in-memory stores. */
    path: string | null;
}

export interface RvfSegment {
    id: number;
    segType: string | number;
    offset: number;
    payloadLength: number;
}

export interface RvfVerifyReport {
    ok: boolean;
    segmentsChecked: number;
    witnessEntriesChecked: number;
    manifestsChecked: number;
    problems: { offset: number; code: number; name: RvfStatusName; message: string }[];
    uncommitted: { offset: number; code: number; name: RvfStatusName; message: string }[];
    /** Every committed segment's signature state, in file order (docs/signing.md). */
    signatures: RvfSegmentSignature[];
    /** Key ids of the file's CRYPTO_SEG signing keys. */
    signingKeys: string[];
}

export interface RvfSegmentSignature {
    segmentId: number;
    offset: number;
    segType: string | number;
    state: 'valid' | 'unsigned' | 'invalid';
    /** valid: the signer's key id (32 hex digits). */
    keyId?: string;
    algorithm?: 'ed25519' | 'ml-dsa-65' | 'slh-dsa-128s';
    /** invalid: why. */
    what?: string;
}

export interface RvfRowsOptions {
    /** Include each row's vector (default true). */
    withVectors?: boolean;
    /** Include each row's metadata by name (default true). */
    withMetadata?: boolean;
    /** Rows fetched per step (default 1000). */
    batch?: number;
}

export interface RvfRow {
    id: string | number | bigint;
    vector?: Float32Array;
    metadata?: Record<string, unknown>;
}

export declare class RvfDatabase {
    private constructor();
    /** New file (FsyncFailed if it exists, LockHeld if another writer holds `<path>.lock`). */
    static create(path: string, options: RvfOptions, backend?: RvfBackendName): Promise<RvfDatabase>;
    /** Open for writing (takes the writer lock). A string second argument is the backend. */
    static open(path: string, options?: RvfOpenOptions | RvfBackendName): Promise<RvfDatabase>;
    /** Open without the lock; writes fail with ReadOnly. */
    static openReadonly(path: string, options?: RvfReadonlyOptions | RvfBackendName): Promise<RvfDatabase>;
    /** Key id (32 hex digits) of a signing key: what verify() names and requireSignature takes. */
    static signingKeyId(signing: RvfSigningOptions, backend?: RvfBackendName): Promise<string>;
    /**
     * Verify a file without opening it (no lock): every check of verify(), plus the reason a
     * damaged file does not open, as one more problem. Throws only for a missing/unreadable file.
     */
    static verifyFile(path: string, options?: { backend?: RvfBackendName } | RvfBackendName): Promise<RvfVerifyReport>;
    /**
     * Read-only store from a URL over HTTP Range requests on the chosen backend: resolves once
     * queries can be answered, then keeps loading (loaded(), progress()). Until loaded: unfiltered
     * queries only (a filter: NotReady), no metadata yet, whole-store reads NotReady. A path or
     * file: URL (Node) opens in place read-only.
     */
    static openProgressive(url: string | URL, options?: RvfOpenProgressiveOptions): Promise<RvfProgressiveReader>;
    /** In-memory store over .rvf bytes (wasm backend). */
    static fromBytes(bytes: Uint8Array, options?: RvfFromBytesOptions): Promise<RvfDatabase>;

    readonly backend: 'native' | 'wasm';
    readonly isClosed: boolean;
    /** openProgressive(url)'s loading state (its last value once loaded); null for other stores. */
    progress(): RvfLoadProgress | null;
    /** Resolves to this database once an openProgressive(url) store is fully loaded; at once for others. */
    loaded(): Promise<this>;
    readonly dimensions: number;
    dimension(): number;

    /** One vector; a rejection (NaN, duplicate id, wrong dimension) throws RvfError. */
    insert(id: RvfId, vector: Float32Array | number[], metadata?: RvfMetadata | null): Promise<{ accepted: number; epoch: number }>;
    /** Many vectors in one commit; bad ones are rejected one by one. */
    insertBatch(entries: RvfEntry[]): Promise<RvfIngestResult>;
    /** Upstream's name for insertBatch. */
    ingestBatch(entries: RvfEntry[]): Promise<RvfIngestResult>;
    /** Insert-or-replace one entry in one commit; a rejection (NaN, wrong dimension) throws RvfError. */
    upsert(id: RvfId, vector: Float32Array | number[], metadata?: RvfMetadata | null): Promise<{ accepted: number; epoch: number }>;
    /** insertBatch, but a live id is replaced (vector and metadata) in the same commit instead of rejected. */
    upsertBatch(entries: RvfEntry[]): Promise<RvfIngestResult>;
    /** Replace a live entry's whole metadata record (null / {} clears it); not live → RvfError KeyNotFound. */
    updateMetadata(id: RvfId, metadata: RvfMetadata | null): Promise<{ epoch: number }>;
    /** Live entries, or those the filter matches (a field no row has matches none). */
    count(filter?: RvfFilter | string | null): Promise<number>;
    /** A query by metadata alone: matching entries in ascending u64 id order (as rows()). */
    find(filter: RvfFilter | string | null, options?: RvfFindOptions): Promise<RvfRow[]>;
    /** Read-only stores (openReadonly): re-read the file to see later commits; writable → RvfError InvalidArgument. */
    refresh(): Promise<void>;
    /**
     * This handle's commits as they happen (agents sharing it in one process), in the event shapes
     * RvfServerClient.subscribe() yields for a served file; ends at close() or on abort.
     */
    subscribe(options?: RvfSubscribeOptions): AsyncGenerator<RvfChangeEvent, void, void>;
    query(vector: Float32Array | number[], k: number, options?: RvfQueryOptions): Promise<RvfResult[]>;
    /** The options-object form of later upstream SDKs: query(vector, { k, ...options }). */
    query(vector: Float32Array | number[], options: RvfQueryOptions & { k: number }): Promise<RvfResult[]>;
    queryBatch(vectors: Array<Float32Array | number[]>, k: number, options?: RvfQueryOptions): Promise<RvfResult[][]>;
    /** {id, vector, metadata} of a live entry, or null. */
    get(id: RvfId): Promise<{ id: string | number | bigint; vector: Float32Array; metadata: Record<string, unknown> } | null>;
    /** Every live id, in ascending u64 id order (no size cap; see rows() for large stores). */
    ids(): Promise<Array<string | number | bigint>>;
    /**
     * Every live row in ascending u64 id order, `batch` rows (default 1000) fetched at a time;
     * vector and metadata are present unless withVectors / withMetadata is false.
     */
    rows(options?: RvfRowsOptions): AsyncGenerator<RvfRow, void, undefined>;
    delete(ids: RvfId | RvfId[]): Promise<RvfDeleteResult>;
    deleteByFilter(filter: RvfFilter | string): Promise<RvfDeleteResult>;
    compact(options?: RvfCompactOptions): Promise<RvfCompactResult>;
    status(): Promise<RvfStatus>;
    segments(): Promise<RvfSegment[]>;
    verify(): Promise<RvfVerifyReport>;
    /** The file's identity (manifest root): 32 lower-case hex characters (native backend). */
    fileId(): Promise<string>;
    /** The parent's file id (32 hex characters); zeros for a root file. */
    parentId(): Promise<string>;
    /** Lineage depth: 0 for a root file, the parent's + 1 for a derive() child. */
    lineageDepth(): Promise<number>;
    /** A compacted copy of the live rows at childPath naming this file as its parent; open for writing. */
    derive(childPath: string, options?: RvfDeriveOptions): Promise<RvfDatabase>;
    /** Commit the frozen marker: read-only from now on; later writable opens fail with SnapshotFrozen. Returns the epoch. */
    freeze(): Promise<number>;
    /** The metric as status().metric spells it; sync, the store as it is at the call. */
    metric(): RvfMetric;
    /** The HNSW index now (native backend); sync. */
    indexStats(): RvfIndexStats;
    /** Re-verify hashes, manifest chain and witness chain now; sync (verify() has the whole report). */
    verifyWitness(): RvfWitnessResult;
    /**
     * Append an action of your own to the witness chain (one durable commit, checked by verify()):
     * appendWitness(payload) is an 'audit' entry; payload ≤ 65536 bytes (SegmentTooLarge beyond).
     */
    appendWitness(payload: Uint8Array | string): Promise<RvfWitnessEntry>;
    appendWitness(type: 'audit' | 'delegation' | 'attestation' | 3 | 4 | 5, payload: Uint8Array | string): Promise<RvfWitnessEntry>;
    /** Witness chain entries oldest first: from position `from` (0), at most `limit` (all). */
    witnessEntries(options?: { from?: number; limit?: number }): Promise<RvfWitnessEntry[]>;
    /** The live vectors as a Layout R file (upstream 0.2.x opens it; no metadata). */
    exportLayoutR(): Promise<Uint8Array>;
    /** The live state as a fresh Layout S image. */
    exportLayoutS(): Promise<Uint8Array>;
    /**
     * A store upstream's SDK wrote with string ids (`<file>.idmap.json`): move the ids into the
     * file now rather than at the first write; `backup` is where the sidecar went (null: none).
     */
    importUpstream(): Promise<{ moved: number; backup: string | null }>;
    /** Idempotent; later calls throw RvfError StoreClosed. */
    close(): Promise<void>;
}

/** openProgressive()'s options (the HTTP driver's; unknown keys are InvalidOptions). */
export interface RvfOpenProgressiveOptions {
    backend?: RvfBackendName;
    /** A fetch function (default globalThis.fetch). */
    fetch?: (url: string | URL, init: { headers: Record<string, string>; signal?: AbortSignal }) => Promise<Response>;
    /** Range requests in flight at once (1..64, default 6). */
    concurrency?: number;
    onProgress?: (progress: RvfLoadProgress) => void;
    signal?: AbortSignal;
    /** Partitioned files (create's partitionOnCompact): partitions fetched before each query
     *  until loaded (1..65535, default 4). */
    nprobe?: number;
    /** false: a query-only reader (fetches only what queries need; loaded() rejects NotReady). */
    stream?: boolean;
    /** With stream: false, decoded partition rows kept at most (bytes; 0 = no bound). */
    cacheBytes?: number;
}

/** Loading state of openProgressive(url) (as @ruvector/rvf-wasm's ProgressiveRvfStore.progress()). */
export interface RvfLoadProgress {
    bytesFetched: number;
    roundTrips: number;
    requests: number;
    fileSize: number;
    phase: 'tail' | 'directory' | 'hotset' | 'stream' | 'complete';
    layers: Array<'A' | 'B' | 'C'>;
    queryable: boolean;
    complete: boolean;
    wholeFile: boolean;
    partitioned: boolean;
    partitions: number;
    bytesHeld: number;
    bytesByPhase: { tail: number; directory: number; hotset: number; stream: number };
}

/** fromBytes()'s options: readOnly (default false: the in-memory store is writable). */
export interface RvfFromBytesOptions {
    readOnly?: boolean;
}

/**
 * What openProgressive() gives: a read-only store (either backend), so the write methods are
 * left out of its type (at run time they fail with RvfError ReadOnly).
 */
export type RvfProgressiveReader = Omit<RvfDatabase,
    'insert' | 'insertBatch' | 'ingestBatch' | 'upsert' | 'upsertBatch' | 'updateMetadata' | 'delete' |
    'deleteByFilter' | 'compact'>;

/** find()'s options: at most `limit` rows (default all), above the id `after`; metadata on, vectors off by default. */
export interface RvfSubscribeOptions {
    /** Only commits with this epoch or later. */
    minEpoch?: number;
    events?: Array<'ingest' | 'delete' | 'compaction'>;
    signal?: AbortSignal;
    /** Events held for a slow subscriber before it gets 'overflow' and ends (1024). */
    capacity?: number;
}

export type RvfChangeEvent =
    | { type: 'subscribed'; data: { epoch: number; total_vectors: number } }
    | { type: 'update'; data: { epoch: number; event: 'ingest' | 'delete' | 'compaction'; affected_count: number; new_total: number; ids: RvfId[]; ids_truncated: boolean } }
    | { type: 'overflow'; data: { dropped: number; last_epoch: number } };

export interface RvfFindOptions {
    limit?: number;
    after?: RvfId | null;
    withVectors?: boolean;
    withMetadata?: boolean;
}

/** Whether the native addon loads here (and why not). */
export declare function nativeAvailability(): Promise<{ available: boolean; reason?: string }>;
/** The u64 id an SDK id is stored under. */
export declare function idToU64(id: RvfId): bigint;
/** The u16 field id of a metadata name or numeric key. */
export declare function fieldId(key: string | number): number;
/** Reserved field ids: the string id (0xFFFF) and a row's field names (0xFFFE). */
export declare const ID_FIELD: 0xffff;
export declare const NAMES_FIELD: 0xfffe;
export { RvfServerClient, RvfServerError } from './src/server-client.js';
