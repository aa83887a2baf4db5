// Types for server-client.js — a client for `rvf serve`'s HTTP API.

export type Id = number | bigint | string;
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
    dead_space_ratio: number;
    read_only: boolean;
    deleted_vectors: number;
    dimension: number;
    metric: string;
    storage: string;
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

export declare class RvfServerClient {
    /**
     * token: the server's write token, sent as "Authorization: Bearer <token>" (default:
     * $RVF_SERVE_TOKEN in Node). Writes without it get RvfServerError httpStatus 401.
     */
    constructor(baseUrl: string, options?: { fetch?: typeof fetch; headers?: Record<string, string>; token?: string });
    readonly baseUrl: string;
    health(): Promise<{ status: 'ok' }>;
    status(): Promise<ServerStatus>;
    ingest(vectors: ArrayLike<number>[], ids: Id[], metadata?: MetadataRow[] | { field_id: number; value: MetadataValue }[]): Promise<IngestReply>;
    query(vector: ArrayLike<number>, k: number, options?: { efSearch?: number; filter?: FilterJson; exact?: boolean }):
        Promise<{ results: { id: number; distance: number }[] }>;
    delete(ids: Id[]): Promise<{ deleted: number; epoch: number }>;
    deleteByFilter(filter: FilterJson): Promise<{ deleted: number; epoch: number }>;
    compact(): Promise<{ segments_compacted: number; bytes_reclaimed: number; epoch: number; complete: boolean }>;
    fetchFile(options?: { range?: [number, number] | { suffix: number }; ifRange?: string; ifNoneMatch?: string; head?: boolean }):
        Promise<FileReply>;
    subscribe(options?: { minEpoch?: number; events?: ('ingest' | 'delete' | 'compaction')[]; signal?: AbortSignal }):
        AsyncGenerator<ServerEvent, void, undefined>;
}
