// Type declarations of @ruvector/rvf-agentdb (src/index.js).

/**
 * Install the RVF fixes on agentdb's RvfBackend class (found from the installed agentdb unless
 * given): unique temp files for a missing storagePath or ':memory:', a close() that returns its
 * promise, named metadata filters, metadata in search results. Idempotent; returns the class.
 */
export function installRvfBackend<T extends Function>(RvfBackendClass?: T): Promise<T>;

/** Resolves once this process's pending close of the store at `storagePath` has finished. */
export function whenClosed(storagePath: string): Promise<void>;

/**
 * agentic-flow's ReasoningBank (agentdb's controller) over an initialized AgentDB opened with
 * vectorBackend 'rvf': pattern embeddings live in the RVF file beside episodes and skills. The
 * pattern id map and vector counter agentdb keeps in memory are restored from the file, so a
 * reopened bank neither reuses a stored vector id nor loses its patterns' vectors.
 */
export function reasoningBankFor(agentdb: { vectorBackend: unknown; db: unknown; embedder: unknown }, options?: Record<string, unknown>): Promise<any>;
