// @ruvector/rvf-claude-flow-memory — @claude-flow/memory's IMemoryBackend on RVF files.
export { RvfMemoryBackend } from './backend.js';
export { namespaceFileName, namespaceOfFileName } from './namespace-files.js';
export { hashEmbedder } from './hash-embedder.js';
export { readClaudeFlowSnapshot, isClaudeFlowSnapshot } from './snapshot-reader.js';
