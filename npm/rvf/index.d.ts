// Type declarations of @ruvector/rvf (src/index.js). Errors and the status table come from
// @ruvector/rvf-wasm (generated from the runtime's one status list).
import type { RvfStatusName } from '@ruvector/rvf-wasm';

export { RvfError, RvfStatus, RvfStatusName } from '@ruvector/rvf-wasm';

export type RvfBackendName = 'auto' | 'native' | 'wasm';
export type RvfMetric = 'l2' | 'cosine' | 'dotproduct' | 'hamming';

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

export interface RvfCreateOptions {
    /** Vector dimension 1..65535 (required; `dimension` is accepted too). */
    dimensions: number;
    dimension?: number;
    /** Default 'l2'. */
    metric?: RvfMetric;
    /** How rows are stored (default 'f32'; 'i8' is scalar-quantised). */
    storage?: 'f32' | 'f16' | 'i8';
    /** 'lz4' or 'zstd' compresses VEC segments (both backends read and write both). */
    compression?: 'none' | 'lz4' | 'zstd';
    /** Upstream's hardware profile 0..3: validated, not stored. */
    profile?: 0 | 1 | 2 | 3;
    /** HNSW M (16) and efConstruction (200). */
    m?: number;
    efConstruction?: number;
    /** Witness entry per commit (default true). */
    witness?: boolean;
    backend?: RvfBackendName;
}

export interface RvfOpenOptions {
    backend?: RvfBackendName;
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

export interface RvfInsertResult {
    accepted: number;
    rejected: number;
    epoch: number;
    rejections: RvfRejection[];
}

export interface RvfQueryOptions {
    /** HNSW beam width (default 100). */
    efSearch?: number;
    filter?: RvfFilter | string;
    /** Add each hit's metadata (default false). */
    includeMetadata?: boolean;
}

export interface RvfSearchResult {
    /** The id as inserted: string, number (or bigint above 2^53). */
    id: string | number | bigint;
    distance: number;
    metadata?: Record<string, unknown>;
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
    /** Bytes the rewrite wrote (the new file's size when complete). */
    bytesWritten: number;
}

export interface RvfCompactOptions {
    /** 0 (default) = unlimited; otherwise a rewrite that would write more stops and changes nothing. */
    ioBudgetBytes?: number;
    /** 0 (default) = unthrottled; otherwise the rewrite writes the file at most about this many bytes per second. */
    ioBytesPerSecond?: number;
}

export interface RvfStatus {
    totalVectors: number;
    deletedVectors: number;
    totalSegments: number;
    fileSizeBytes: number;
    epoch: number;
    /** Domain profile id (0 generic, 1 rvdna, 2 rvtext, 3 rvgraph, 4 rvvision). */
    profileId: number;
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
    dimensions: number;
    metric: 'l2' | 'ip' | 'cosine' | 'hamming';
    storage: 'f32' | 'f16' | 'i8';
    domainProfile: string;
    /** Layout the file was opened in: 'S' (ours) or 'R' (upstream's). */
    layout: string;
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
    static create(path: string, options: RvfCreateOptions, backend?: RvfBackendName): Promise<RvfDatabase>;
    /** Open for writing (takes the writer lock). A string second argument is the backend. */
    static open(path: string, options?: RvfOpenOptions | RvfBackendName): Promise<RvfDatabase>;
    /** Open without the lock; writes fail with ReadOnly. */
    static openReadonly(path: string, options?: RvfOpenOptions | RvfBackendName): Promise<RvfDatabase>;
    /**
     * Verify a file without opening it (no lock): every check of verify(), plus the reason a
     * damaged file does not open, as one more problem. Throws only for a missing/unreadable file.
     */
    static verifyFile(path: string, options?: { backend?: RvfBackendName } | RvfBackendName): Promise<RvfVerifyReport>;
    /** Read-only store from a URL (http(s), file:, or a path in Node); downloads the whole file (wasm backend). */
    static openProgressive(url: string | URL, options?: Record<string, never>): Promise<RvfDatabase>;
    /** In-memory store over .rvf bytes (wasm backend). */
    static fromBytes(bytes: Uint8Array, options?: { readOnly?: boolean }): Promise<RvfDatabase>;

    readonly backend: 'native' | 'wasm';
    readonly isClosed: boolean;
    readonly dimensions: number;
    dimension(): number;

    /** One vector; a rejection (NaN, duplicate id, wrong dimension) throws RvfError. */
    insert(id: RvfId, vector: Float32Array | number[], metadata?: RvfMetadata | null): Promise<{ accepted: number; epoch: number }>;
    /** Many vectors in one commit; bad ones are rejected one by one. */
    insertBatch(entries: RvfEntry[]): Promise<RvfInsertResult>;
    /** Upstream's name for insertBatch. */
    ingestBatch(entries: RvfEntry[]): Promise<RvfInsertResult>;
    /** Insert-or-replace one entry in one commit; a rejection (NaN, wrong dimension) throws RvfError. */
    upsert(id: RvfId, vector: Float32Array | number[], metadata?: RvfMetadata | null): Promise<{ accepted: number; epoch: number }>;
    /** insertBatch, but a live id is replaced (vector and metadata) in the same commit instead of rejected. */
    upsertBatch(entries: RvfEntry[]): Promise<RvfInsertResult>;
    /** Replace a live entry's whole metadata record (null / {} clears it); not live → RvfError KeyNotFound. */
    updateMetadata(id: RvfId, metadata: RvfMetadata | null): Promise<{ epoch: number }>;
    /** Live entries, or those the filter matches (a field no row has matches none). */
    count(filter?: RvfFilter | string | null): Promise<number>;
    /** A query by metadata alone: matching entries in ascending u64 id order (as rows()). */
    find(filter: RvfFilter | string | null, options?: RvfFindOptions): Promise<RvfRow[]>;
    /** Read-only stores (openReadonly): re-read the file to see later commits; writable → RvfError InvalidArgument. */
    refresh(): Promise<void>;
    query(vector: Float32Array | number[], k: number, options?: RvfQueryOptions): Promise<RvfSearchResult[]>;
    queryBatch(vectors: Array<Float32Array | number[]>, k: number, options?: RvfQueryOptions): Promise<RvfSearchResult[][]>;
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
    /** The live vectors as a Layout R file (upstream 0.2.x opens it; no metadata). */
    exportLayoutR(): Promise<Uint8Array>;
    /** The live state as a fresh Layout S image. */
    exportLayoutS(): Promise<Uint8Array>;
    /** Idempotent; later calls throw RvfError StoreClosed. */
    close(): Promise<void>;
}

/** find()'s options: at most `limit` rows (default all), above the id `after`; metadata on, vectors off by default. */
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
