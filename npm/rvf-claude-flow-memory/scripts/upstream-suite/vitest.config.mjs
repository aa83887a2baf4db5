// Runs @claude-flow/memory's shipped tests (dist/**/*.test.js of the installed package, the
// vitest root given by --root); with RVF_SUBSTITUTE=1 through substitute.setup.mjs.
import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const setup = fileURLToPath(new URL('./substitute.setup.mjs', import.meta.url));
export default defineConfig({
    test: {
        include: ['dist/**/*.test.js'],
        testTimeout: 30000,
        setupFiles: process.env.RVF_SUBSTITUTE === '1' ? [setup] : [],
        // The package lives under node_modules, which vitest would hand to Node unprocessed, where
        // vi.mock cannot reach it (its own tests mock node:fs, agentdb, ...; and the substitution
        // mocks its database-provider.js): process it like source, in both runs.
        server: { deps: { inline: [/@claude-flow\/memory/] } },
    },
});
