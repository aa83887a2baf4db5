// Types for server-client.js — a client for `rvf serve`'s HTTP API.

/** An id: a number, a bigint, or its decimal string (the server refuses any other string). */
export type Id = number | bigint | `${bigint}`;
export type MetadataValue = string | number | boolean | { u64: number | string } | { i64: number | string } |
    { f64: number | string } | { string: string } | { bool: boolean } | { bytes: string };
export type MetadataRow = Record<string, MetadataValue> | { field_id: number; value: MetadataValue }[] | null;
export type FilterJson = Record<string, unknown>;

export declare class RvfServerError extends Error {
    readonly httpStatus: number;
    /** RVF status code (e.g. 0x0200 DimensionMismatch, 0xFF04 InvalidArgument). */
    readonly code: number;
    /** RVF status name ("DimensionMismatch"). */
    readonly codeName: string;
}

export interface ServerStatus {
    total_vectors: number;
    total_segments: number;
    file_size: number;
    current_epoch: number;
    profile_id: number;
    /** The hardware profile kept in the file. */
    profile: 'generic' | 'core' | 'hot' | 'full';
    dead_space_ratio: number;
    dead_bytes: number;
    read_only: boolean;
    deleted_vectors: number;
    dimension: number;
    metric: string;
    storage: string;
    /** Whether the store was created with tiering. */
    tiering: boolean;
    /** Live rows and their vector bytes per tier; without tiering every row is hot. */
    tiers: { hot: { rows: number; bytes: number }; warm: { rows: number; bytes: number }; cold: { rows: number; bytes: number } };
}

export interface IngestReply {
    accepted: number;
    rejected: number;
    epoch: number;
    rejections: { index: number; id: number; code: number; name: string; message: string }[];
}

export interface UpdateData {
    epoch: number;
    event: 'ingest' | 'delete' | 'compaction';
    affected_count: number;
    new_total: number;
    /** Rows the commit wrote or named for deletion (at most 4,096; empty for compaction). */
    ids: number[];
    /** More rows changed than `ids` lists: re-read what you need (find / idsAfter). */
    ids_truncated: boolean;
}

export type ServerEvent =
    | { type: 'subscribed'; data: { epoch: number; total_vectors: number } }
    | { type: 'update'; data: UpdateData }
    | { type: 'overflow'; data: { dropped: number; last_epoch: number } };

export interface FileReply {
    status: number;
    etag: string | null;
    contentRange: string | null;
    size: number | null;
    bytes: Uint8Array;
}

/** One witness chain entry as `rvf serve` sends it: hashes and payload in hex, the time as a decimal string. */
export interface WitnessEntry {
    index: number;
    witness_type: number;
    timestamp_ns: string;
    prev_hash: string;
    hash: string;
    action_hash: string;
    /** An entry appendWitness wrote; null for the store's own commit entries. */
    payload: string | null;
}

export declare class RvfServerClient {
    /**
     * token: the server's write token, sent as "Authorization: Bearer <token>" (default:
     * $RVF_SERVE_TOKEN in Node). Writes without it get RvfServerError httpStatus 401.
     */
    constructor(baseUrl: string, options?: { fetch?: typeof fetch; headers?: Record<string, string>; token?: string });
    readonly baseUrl: string;
    health(): Promise<{ status: 'ok' }>;
    status(): Promise<ServerStatus>;
    /** The runtime's order: ids, vectors, metadata. (vectors, ids, metadata) is a deprecated alias. */
    ingest(ids: Id[], vectors: ArrayLike<number>[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    /** @deprecated the earlier order; use ingest(ids, vectors, metadata). */
    ingest(vectors: ArrayLike<number>[], ids: Id[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    /** ingest, but a live id is replaced in the same commit instead of rejected. */
    upsert(ids: Id[], vectors: ArrayLike<number>[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    /** Replace the metadata of live ids (null clears it); ids that are not live are rejected. */
    updateMetadata(ids: Id[], metadata: MetadataRow[]): Promise<IngestReply>;
    /** Live rows, or the live rows the filter matches. */
    count(filter?: FilterJson | null): Promise<{ count: number }>;
    /** A filter-only query, one page of ascending ids; without a filter, every live row. */
    find(filter: FilterJson | null, options?: { after?: Id; limit?: number }): Promise<{ ids: number[]; next_after: number | null }>;
    query(vector: ArrayLike<number>, k: number, options?: { efSearch?: number; filter?: FilterJson; exact?: boolean }):
        Promise<{ results: { id: number; distance: number }[] }>;
    delete(ids: Id[]): Promise<{ deleted: number; epoch: number }>;
    deleteByFilter(filter: FilterJson): Promise<{ deleted: number; epoch: number }>;
    compact(options?: { ioBudgetBytes?: number; ioBytesPerSecond?: number }): Promise<{ segments_compacted: number; bytes_reclaimed: number; epoch: number; complete: boolean }>;
    /** The audit trail (needs the token): witnessType 3 | 4 | 5 or its name (default 'audit'); payload ≤ 64 KiB. */
    appendWitness(witnessType: 3 | 4 | 5 | 'delegation' | 'audit' | 'attestation', payload: Uint8Array | string): Promise<WitnessEntry>;
    appendWitness(payload: Uint8Array | string): Promise<WitnessEntry>;
    /** Witness chain entries oldest first (limit ≤ 100000, default 1000). */
    witnessEntries(options?: { from?: number; limit?: number }): Promise<WitnessEntry[]>;
    // The runtime's names (README "One API"); replies are the HTTP JSON as above.
    ingestBatch(ids: Id[], vectors: ArrayLike<number>[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    upsertBatch(ids: Id[], vectors: ArrayLike<number>[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    /** One page of find: the ids only. */
    findIds(filter: FilterJson | null, after: Id | null, limit: number): Promise<number[]>;
    idsAfter(after: Id | null, limit: number): Promise<number[]>;
    remove(ids: Id[]): Promise<{ deleted: number; epoch: number }>;
    removeByFilter(filter: FilterJson): Promise<{ deleted: number; epoch: number }>;
    fetchFile(options?: { range?: [number, number] | { suffix: number }; ifRange?: string; ifNoneMatch?: string; head?: boolean }):
        Promise<FileReply>;
    subscribe(options?: { minEpoch?: number; events?: ('ingest' | 'delete' | 'compaction')[]; signal?: AbortSignal }):
        AsyncGenerator<ServerEvent, void, undefined>;
}
