// Types of @ruvector/rvf-claude-flow-memory. The entry/query shapes are @claude-flow/memory's
// (structurally: this package does not import it); see its dist/types.d.ts.
export interface RvfMemoryBackendConfig {
    /** Folder holding one .rvf file per namespace (created when missing). */
    directory: string;
    /** Embedding dimension (default 1536, as @claude-flow/memory). */
    dimensions?: number;
    metric?: 'cosine' | 'euclidean' | 'dot';
    defaultNamespace?: string;
    backend?: 'auto' | 'native' | 'wasm';
    /** Turns a semantic query's `content` into an embedding. */
    embeddingGenerator?: (text: string) => Promise<Float32Array> | Float32Array;
    /** Delete expired entries this often (0: never; call sweepExpired()). */
    sweepIntervalMs?: number;
    efSearch?: number;
    /** Append an audit entry naming each write to the namespace file's witness chain (default true). */
    audit?: boolean;
}

export interface AuditReport {
    namespace: string;
    file: string;
    ok: boolean;
    witnessEntries: number;
    /** Audit entries (appended actions) in the file's witness chain. */
    auditEntries: number;
    epoch: number;
    problems: unknown[];
}

/** One audit entry: an appended action in a namespace file's witness chain. */
export interface AuditLogEntry {
    /** Position in the file's witness chain. */
    index: number;
    /** When it was appended (ms since the epoch). */
    timestamp: number;
    hash: string;
    prevHash: string;
    /** The adapter's own: {action: 'store'|'update'|'delete'|'clear'|'sweep'|'move-out'|'dedupe', count, ids, idsTruncated, at}; or a recordAction() record. */
    record: Record<string, unknown>;
}

/** @claude-flow/memory's IMemoryBackend on RVF files (entry types are @claude-flow/memory's). */
export declare class RvfMemoryBackend {
    constructor(config: RvfMemoryBackendConfig);
    readonly config: Required<Omit<RvfMemoryBackendConfig, 'embeddingGenerator'>> & Pick<RvfMemoryBackendConfig, 'embeddingGenerator'>;
    fileOf(namespace: string): string;
    initialize(): Promise<void>;
    shutdown(): Promise<void>;
    store(entry: any): Promise<void>;
    get(id: string): Promise<any | null>;
    getByKey(namespace: string, key: string): Promise<any | null>;
    update(id: string, update: any): Promise<any | null>;
    delete(id: string): Promise<boolean>;
    query(query: any): Promise<any[]>;
    search(embedding: Float32Array, options: { k: number; ef?: number; threshold?: number; metric?: string; filters?: any }): Promise<Array<{ entry: any; score: number; distance: number }>>;
    bulkInsert(entries: any[]): Promise<void>;
    bulkDelete(ids: string[]): Promise<number>;
    count(namespace?: string): Promise<number>;
    listNamespaces(): Promise<string[]>;
    clearNamespace(namespace: string): Promise<number>;
    getStats(): Promise<any>;
    healthCheck(): Promise<any>;
    sweepExpired(now?: number): Promise<number>;
    verifyAudit(): Promise<AuditReport[]>;
    recordAction(namespace: string | undefined, record: Record<string, unknown>): Promise<AuditLogEntry>;
    auditLog(namespace?: string, options?: { from?: number; limit?: number }): Promise<AuditLogEntry[]>;
}

export declare function namespaceFileName(namespace: string): string;
export declare function namespaceOfFileName(name: string): string | null;
