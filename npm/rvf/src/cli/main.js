// The `rvf` command line: dispatch, --version, help, and errors → exit codes (errors.js).
import fs from 'node:fs';
import { parseArgs, helpText } from './args.js';
import { EXIT, UsageError, exitCodeFor } from './errors.js';
import { RvfError } from '../errors.js';
import { nativeAvailability } from '../backend/select.js';

const COMMANDS = {
    create: () => import('./create.js'),
    ingest: () => import('./ingest.js'),
    query: () => import('./query.js'),
    inspect: () => import('./inspect.js'),
    verify: () => import('./verify.js'),
    compact: () => import('./compact.js'),
    convert: () => import('./convert.js'),
    export: () => import('./export.js'),
    import: () => import('./import.js'),
    'import-upstream': () => import('./import-upstream.js'),
    memory: () => import('./memory.js'),
    serve: () => import('./serve.js'),
    bench: () => import('./bench.js'),
    demo: () => import('./demo.js'),
};

const SUMMARY = `usage: rvf <command> [options]

commands:
  create FILE --dimensions N        new empty store
  ingest FILE INPUT...              add vectors (.fvecs .bvecs .npy .jsonl .json .csv, - for stdin)
  query FILE --vector V | --queries F   k nearest neighbours (--json: [{"id","distance"}])
  inspect FILE                      configuration, counts, segments, verification
  verify FILE                       check every hash and chain (exit 4 on problems)
  compact FILE                      rewrite without deleted rows
  convert IN OUT --layout r|s       Layout S (ours) or Layout R (upstream) copy
  export FILE [-o OUT]              every live vector as JSONL (or fvecs)
  import KIND SRC DEST              new store(s) from an hnswlib index, JSON records or agentdb SQLite
  import-upstream FILE              move an upstream store's string ids (FILE.idmap.json) into FILE
  memory store|search|list|import   key/value memories in RVF files, as \`claude-flow memory\` keeps them
  serve FILE [...]                  HTTP/TCP server (runs the native \`rvf serve\`)
  bench [FILE]                      recall@k, latency percentiles, QPS per backend
  demo [DIR]                        SIFT10K walk-through on both backends

common options: --json  --backend auto|native|wasm  --progress/--no-progress  --help
rvf --version;  rvf <command> --help for a command's options.
exit codes: 0 ok, 1 RVF error, 2 usage, 3 bad input, 4 verify failed, 5 tool/backend unavailable
`;

function packageVersion() {
    return JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')).version;
}

async function versionInfo() {
    const { version } = await import('@ruvector/rvf-wasm');
    const native = await nativeAvailability();
    return { sdk: packageVersion(), runtime: await version(), native: native.available, nativeReason: native.reason };
}

export async function main(argv, io = { stdout: process.stdout, stderr: process.stderr }) {
    const json = argv.includes('--json');
    try {
        const [cmd, ...rest] = argv;
        if (cmd === '--version' || cmd === '-V' || cmd === 'version') {
            const v = await versionInfo();
            io.stdout.write(json ? `${JSON.stringify(v)}\n`
                : `rvf ${v.sdk} (@ruvector/rvf; runtime ${v.runtime}; backends: ${v.native ? 'native, ' : ''}wasm)\n`);
            return EXIT.ok;
        }
        if (cmd === undefined || cmd === '--help' || cmd === '-h' || cmd === 'help') {
            if (cmd === 'help' && rest[0] && COMMANDS[rest[0]]) {
                const mod = await COMMANDS[rest[0]]();
                io.stdout.write(helpText(rest[0], mod.spec));
            } else
                io.stdout.write(SUMMARY);
            return cmd === undefined ? EXIT.usage : EXIT.ok;
        }
        const load = Object.hasOwn(COMMANDS, cmd) ? COMMANDS[cmd] : undefined;
        if (!load) {
            const near = Object.keys(COMMANDS).find((c) => c.startsWith(cmd.slice(0, 2)));
            throw new UsageError(`unknown command '${cmd}'${near ? ` (did you mean '${near}'?)` : ''}; see rvf --help`);
        }
        const mod = await load();
        if (mod.spec.raw) {
            if (rest.includes('--help') || rest.includes('-h')) {
                io.stdout.write(helpText(cmd, mod.spec) + (mod.spec.moreHelp?.() ?? ''));
                return EXIT.ok;
            }
            return await mod.run(rest, {}, io);
        }
        const { args, opts } = parseArgs(rest, mod.spec, cmd);
        if (opts.help) {
            io.stdout.write(helpText(cmd, mod.spec));
            return EXIT.ok;
        }
        return await mod.run(args, opts, io);
    } catch (e) {
        const code = exitCodeFor(e);
        if (json) {
            const err = e instanceof RvfError ? { code: e.code, name: e.name, message: e.message } : { name: e.constructor.name, message: e.message };
            io.stderr.write(`${JSON.stringify({ error: err, exitCode: code })}\n`);
        } else {
            io.stderr.write(`rvf: ${e.message}\n`);
            if (code === EXIT.rvf && !(e instanceof RvfError) && process.env.RVF_DEBUG)
                io.stderr.write(`${e.stack}\n`);
        }
        return code;
    }
}
