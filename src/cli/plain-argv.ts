// A plain command line (`hidlog report --merge -o month.html d1.hidpart d2.hidpart`) read without
// yargs. Loading yargs costs 60–80 ms of CPU at every start (string-width, which it imports
// for --help, builds an Intl.Segmenter and compiles Unicode property regexes), more than all
// the work of `report --merge`, `explain` or `codes`. This reads only the forms it is sure
// of and gives the argv yargs gives for them; anything else (help, --config, a HIDLOG_*
// variable, `--flag=true`, short options run together, a quoted value, a value that fails
// its option's check, an option it does not know) it leaves to yargs, so that every error and
// every unusual form is yargs' own. test/cli/plain-argv.test.ts checks it against yargs.
import type { Options } from 'yargs';
import { COMMANDS, type CommandName } from './commands.js';

/** The commands read here: every one but completion, which is yargs' own script. */
const PLAIN_COMMANDS: readonly CommandName[] = ['annotate', 'count', 'report', 'codes', 'explain', 'mixin'];

export interface PlainCommandLine {
  command: CommandName;
  /** What yargs' parseAsync() resolves to for the same words. */
  argv: Record<string, unknown>;
}

const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/**
 * The command and argv yargs would give for `args` (the words after `hidlog`, `-` already
 * replaced by STDIN_ARG), when they name a command first and use only plain forms; otherwise
 * undefined, and yargs is to read them.
 */
export function plainArgv(args: readonly string[], env: Readonly<Record<string, string | undefined>>): PlainCommandLine | undefined {
  // yargs reads options from HIDLOG* variables too (.env('HIDLOG')).
  if (Object.keys(env).some((name) => name.startsWith('HIDLOG'))) return undefined;
  const command = PLAIN_COMMANDS.find((name) => name === args[0]);
  if (command === undefined) return undefined;
  const spec = COMMANDS[command];
  const options: Record<string, Options> = Object.assign({}, ...spec.options);
  const has = (name: string) => Object.hasOwn(options, name);
  const shortNames = new Map<string, string>();
  for (const [name, option] of Object.entries(options)) {
    for (const alias of [option.alias ?? []].flat()) shortNames.set(alias, name);
  }
  const given = new Map<string, string | boolean | string[]>();
  const positionals: string[] = [];
  for (let i = 1; i < args.length; i++) {
    const arg = args[i]!;
    // An empty word, or a quoted one (yargs takes the quotes off some, as in `--by='x'`), is left to yargs.
    if (arg === '' || /^["']/.test(arg)) return undefined;
    if (!arg.startsWith('-')) {
      positionals.push(arg);
      continue;
    }
    let name: string | undefined;
    let attached: string | undefined;
    let negated = false;
    if (/^-[A-Za-z]$/.test(arg)) name = shortNames.get(arg[1]!);
    else if (arg.startsWith('--')) {
      const at = arg.indexOf('=');
      name = at === -1 ? arg.slice(2) : arg.slice(2, at);
      attached = at === -1 ? undefined : arg.slice(at + 1);
      if (attached === undefined && !has(name) && name.startsWith('no-') && options[name.slice(3)]?.type === 'boolean') {
        name = name.slice(3);
        negated = true;
      }
    }
    // `--`, `-5`, `-qo`, `--config`, `--help`, an unknown or camelCase name: yargs'.
    if (name === undefined || !has(name)) return undefined;
    const option = options[name]!;
    let value: string | boolean;
    if (option.type === 'boolean') {
      // yargs takes a `true` or `false` after a flag as its value.
      if (attached !== undefined || args[i + 1] === 'true' || args[i + 1] === 'false') return undefined;
      value = !negated;
    } else {
      const next = attached ?? args[++i];
      if (next === undefined || next === '' || /^[-"']/.test(next)) return undefined;
      if (option.choices !== undefined && !([option.choices].flat() as unknown[]).includes(next)) return undefined;
      value = next;
    }
    if (option.array) given.set(name, [...((given.get(name) as string[] | undefined) ?? []), value as string]);
    else if (given.has(name)) return undefined;
    else given.set(name, value);
  }

  const argv: Record<string, unknown> = { _: [] };
  for (const [name, option] of Object.entries(options)) {
    if (option.demandOption && !given.has(name)) return undefined;
    let value: unknown = given.has(name) ? given.get(name) : option.default;
    if (value === undefined) continue;
    if (option.coerce) {
      try {
        value = option.coerce(value);
      } catch {
        return undefined;
      }
    }
    for (const key of new Set([name, camelCase(name), ...[option.alias ?? []].flat()])) argv[key] = value;
  }
  const positional = spec.positional;
  if (positional === undefined) {
    if (positionals.length > 0) return undefined;
  } else if (positional.options.array) argv[positional.name] = positionals;
  else if (positionals.length === 1) argv[positional.name] = positionals[0];
  else return undefined;
  argv.$0 = 'hidlog';
  return { command, argv };
}
