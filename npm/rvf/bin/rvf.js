#!/usr/bin/env node
// `rvf` — the @ruvector/rvf command line (src/cli/main.js). Exit codes: see README.
import { main } from '../src/cli/main.js';

process.on('SIGINT', () => process.exit(130));
process.exitCode = await main(process.argv.slice(2));
