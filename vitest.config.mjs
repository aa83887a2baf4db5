// Vitest runs only the JS tests under tests/js/ (tests/data/ holds upstream .mjs scripts and
// browser-tests/ holds Playwright specs; neither is a Vitest suite).
import { defineConfig } from 'vitest/config';

export default defineConfig({
    test: {
        include: ['tests/js/**/*.test.{mjs,js,ts}'],
        testTimeout: 30000,
        globalSetup: ['tests/js/helpers/global_setup.mjs'],
    },
});
