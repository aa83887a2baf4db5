// A small command-line parser: --flag value, --flag=value, -k 10, --no-flag; positionals.
import { UsageError } from './errors.js';

export const COMMON = {
    json: { type: 'boolean', help: 'print machine-readable JSON on stdout' },
    backend: { type: 'string', help: "'auto' (default), 'native' or 'wasm'" },
    progress: { type: 'boolean', help: 'progress bar on stderr (default: when stderr is a terminal)' },
    help: { type: 'boolean', alias: 'h', help: 'this help' },
};

/**
 * Parse argv for one command. spec: { flags: {name: {type, alias?, default?}}, min, max }.
 * Returns { args: [...positionals], opts: {camelCaseName: value} }.
 */
export function parseArgs(argv, spec, command) {
    const flags = { ...COMMON, ...spec.flags };
    const byAlias = new Map(Object.entries(flags).filter(([, f]) => f.alias).map(([n, f]) => [f.alias, n]));
    const opts = {};
    const args = [];
    for (let i = 0; i < argv.length; i++) {
        const a = argv[i];
        if (a === '--') {
            args.push(...argv.slice(i + 1));
            break;
        }
        let name, value;
        if (a.startsWith('--')) {
            const eq = a.indexOf('=');
            name = eq > 0 ? a.slice(2, eq) : a.slice(2);
            value = eq > 0 ? a.slice(eq + 1) : undefined;
        } else if (/^-[a-zA-Z]$/.test(a)) {
            name = byAlias.get(a.slice(1));
            if (!name)
                throw new UsageError(`${command}: unknown option ${a}`);
        } else {
            args.push(a);
            continue;
        }
        let f = flags[name];
        if (!f && name.startsWith('no-') && flags[name.slice(3)]?.type === 'boolean') {
            name = name.slice(3);
            f = flags[name];
            if (value !== undefined)
                throw new UsageError(`${command}: --no-${name} takes no value`);
            opts[camel(name)] = false;
            continue;
        }
        if (!f) {
            const near = Object.keys(flags).find((k) => k.startsWith(name.slice(0, 3)));
            throw new UsageError(`${command}: unknown option --${name}${near ? ` (did you mean --${near}?)` : ''}`);
        }
        if (f.type === 'boolean') {
            if (value !== undefined && !['true', 'false'].includes(value))
                throw new UsageError(`${command}: --${name} is a switch (true/false)`);
            opts[camel(name)] = value !== 'false';
            continue;
        }
        if (value === undefined) {
            if (i + 1 >= argv.length)
                throw new UsageError(`${command}: --${name} needs a value`);
            value = argv[++i];
        }
        opts[camel(name)] = f.type === 'number' ? toNumber(value, name, command, f) : value;
    }
    for (const [name, f] of Object.entries(flags))
        if (f.default !== undefined && opts[camel(name)] === undefined)
            opts[camel(name)] = f.default;
    if (!opts.help) {
        if (args.length < (spec.min ?? 0))
            throw new UsageError(`${command}: missing ${spec.usageArgs ?? 'arguments'} (see rvf ${command} --help)`);
        if (spec.max !== undefined && args.length > spec.max)
            throw new UsageError(`${command}: unexpected argument '${args[spec.max]}'`);
    }
    return { args, opts };
}

function toNumber(v, name, command, f) {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n) || (f.integer !== false && !Number.isInteger(n)) || (f.min !== undefined && n < f.min))
        throw new UsageError(`${command}: --${name} must be ${f.integer !== false ? 'an integer' : 'a number'}${f.min !== undefined ? ` ≥ ${f.min}` : ''}, got '${v}'`);
    return n;
}

const camel = (s) => s.replace(/-([a-z])/g, (_, c) => c.toUpperCase());

/** Help text for a command from its spec. */
export function helpText(command, spec) {
    const flags = { ...spec.flags, ...COMMON };
    const rows = Object.entries(flags).map(([n, f]) => {
        const left = `  ${f.alias ? `-${f.alias}, ` : '    '}--${n}${f.type === 'boolean' ? '' : ` <${f.type === 'number' ? 'n' : 'value'}>`}`;
        return `${left.padEnd(30)} ${f.help ?? ''}${f.default !== undefined ? ` (default ${f.default})` : ''}`;
    });
    // A raw command hands every argument to another program: the common options do not apply.
    if (spec.raw)
        return `usage: rvf ${command} ${spec.usage ?? ''}\n\n${spec.summary ?? ''}\n`;
    return `usage: rvf ${command} ${spec.usage ?? ''}\n\n${spec.summary ?? ''}\n\noptions:\n${rows.join('\n')}\n`;
}
