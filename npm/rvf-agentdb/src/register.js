// `import '@ruvector/rvf-agentdb/register'` before using agentdb: installs the RVF fixes on
// agentdb's RvfBackend (index.js) so `new AgentDB({ vectorBackend: 'rvf' })` picks them up.
import { installRvfBackend } from './index.js';

await installRvfBackend();
