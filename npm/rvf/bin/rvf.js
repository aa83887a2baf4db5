#!/usr/bin/env node
// `rvf` — the @ruvector/rvf command line (src/cli/main.js). Exit codes: see README.
import { main } from '../src/cli/main.js';

// Ctrl-C ends the command (exit 130) unless the command handles SIGINT itself: `serve` forwards
// it to the native server and exits with the server's status once the store is closed.
process.on('SIGINT', () => {
    if (process.listenerCount('SIGINT') === 1)
        process.exit(130);
});
process.exitCode = await main(process.argv.slice(2));
