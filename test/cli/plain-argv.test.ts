// plain-argv.ts reads a plain command line without loading yargs. For every command line it
// reads, the argv must be the one yargs gives (the same object, aliases and camelCase keys
// included); every other line it must leave to yargs, so that errors stay yargs' own: a line
// yargs refuses is never read here.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMANDS, type CommandName } from '../../src/cli/commands.js';
import { STDIN_ARG } from '../../src/cli/options.js';
import { parser } from '../../src/cli/parser.js';
import { plainArgv } from '../../src/cli/plain-argv.js';

/** What yargs gives for the words after `hidlog` when they name a command first, as main.ts asks it. */
async function yargsArgv(args: readonly string[]): Promise<{ argv?: Record<string, unknown>; error?: string }> {
  try {
    return { argv: { ...(await parser(args, args[0] as CommandName).parseAsync()) } };
  } catch (error) {
    return { error: (error as Error).message };
  }
}

/** plainArgv's argv for `args`, after checking it against yargs'; undefined when it leaves them to yargs. */
async function checkedAgainstYargs(args: readonly string[]): Promise<Record<string, unknown> | undefined> {
  const plain = plainArgv(args, {});
  if (plain === undefined) return undefined;
  expect(plain.command).toBe(args[0]);
  const yargs = await yargsArgv(args);
  expect(yargs.error, `yargs refuses ${JSON.stringify(args)}`).toBeUndefined();
  expect(plain.argv, JSON.stringify(args)).toStrictEqual(yargs.argv);
  return plain.argv;
}

const PARTIALS = Array.from({ length: 8 }, (_, i) => `bench/.work/corpus-v2-1000000.shard-${i}.hidpart`);

describe('the command lines it reads', () => {
  it.each([
    ['report', '--merge', ...PARTIALS],
    ['report', '--merge', '--format', 'json', '--top', '100000', ...PARTIALS],
    ['report', '--partial', '-o', 'd1.hidpart', 'd1.ndjson.gz'],
    ['report', 'auth.ndjson.gz', '--since', '2h', '--by', 'client_id', '--by=tenant', '-o', 'incident.html', '-q'],
    ['report', STDIN_ARG, '--tz', 'Europe/Berlin', '--bucket', '5m', '--time-field', 'ts'],
    ['count', 'auth-1.ndjson.gz', 'auth-2.ndjson.gz', '--workers', '0', '--label', 'tenant=ctx.tenant', '--no-zero-series'],
    ['annotate', '-F', '/var/log/hid/*.log', '--state-file', 'state.json', '--format', 'pretty', '-o', 'out.ndjson', '--metrics-listen', ':9464'],
    ['annotate', 'app.log', '--no-builtin-fields', '--field', 'failure=payload.reasonCode', '--max-line-bytes=65536'],
    ['codes', '--kind', 'failure', '--category', 'risk', '--json'],
    ['explain', '400'],
    ['mixin', '--out', 'monitoring', '--selector', 'job="hid-auth"', '--label', 'tenant', '--min-rate', '0.5'],
    ['report'],
  ])('%s %s …: read here, as yargs reads it', async (...args) => {
    expect(await checkedAgainstYargs(args)).toBeDefined();
  });
});

describe('the command lines it leaves to yargs', () => {
  it.each([
    [['report', '--top', '0', 'a.log'], 'a value its option refuses'],
    [['report', '--format', 'xml'], 'a value outside the choices'],
    [['report', '--quiet', 'true'], 'a flag followed by true or false'],
    [['report', '--quiet=false'], 'a flag with a value attached'],
    [['report', '-qo', 'r.html'], 'short options run together'],
    [['report', '--', 'a.log'], '--'],
    [['report', '--maxLineBytes', '5'], 'a camelCase name'],
    [['report', '--by', '"x"'], 'a quoted value'],
    [['report', '--by', ''], 'an empty value'],
    [['report', '--by'], 'a missing value'],
    [['report', '--since', '-2h'], 'a value that starts with -'],
    [['report', '--top', '1', '--top', '2'], 'an option given twice that takes one value'],
    [['report', '--tops', '1'], 'an unknown option'],
    [['report', '--config', 'c.json'], '--config'],
    [['report', '--help'], '--help'],
    [['report', '-h'], '-h'],
    [['report', '--version'], '--version'],
    [['mixin', '--name', 'prod'], 'a missing required option'],
    [['explain', '400', '401'], 'a second code'],
    [['explain'], 'no code'],
    [['codes', 'failure'], 'a positional where none is taken'],
    [['completion'], 'completion'],
    [['app.log'], 'no command named'],
    [[], 'nothing'],
  ])('%j: %s', (args) => {
    expect(plainArgv(args, {})).toBeUndefined();
  });

  it('any line while a HIDLOG_* variable is set (yargs reads options from them)', () => {
    expect(plainArgv(['report', '--merge', 'a.hidpart'], { HIDLOG_TOP: '5' })).toBeUndefined();
    expect(plainArgv(['report', '--merge', 'a.hidpart'], { PATH: '/usr/bin' })).toBeDefined();
  });
});

// Words of every kind, for each command: its options in every spelling, and values and files
// good and bad.
const VALUES = [
  '0',
  '1',
  '10',
  '-1',
  '1.5',
  'abc',
  '',
  '"q"',
  "'q'",
  'true',
  'false',
  'x.y',
  'a=b',
  'failure=payload.code',
  'took:ms',
  'app.log',
  'd1.hidpart',
  STDIN_ARG,
  '2h',
  '5m',
  '2026-11-28T09:00:00Z',
  'UTC',
  '+02:00',
  'Europe/Berlin',
  ':9464',
  'json',
  'pretty',
  'html',
  'end',
  'ndjson',
  'namespace,pod',
];
const ODD = ['--', '-', '-5', '-qo', '--help', '-h', '--version', '--config', '--unknown', '--no-unknown', '-x', '--=x'];

/** Items of a command line for `command`: an option in any spelling with a value, or one word (a file, a value, something odd). */
function itemsOf(command: CommandName): fc.Arbitrary<string[]> {
  const spec = COMMANDS[command];
  const options = Object.entries(Object.assign({}, ...spec.options) as Record<string, (typeof spec.options)[number][string]>);
  const spellings = options.flatMap(([name, option]) => [
    `--${name}`,
    `--no-${name}`,
    `--${name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase())}`,
    ...[option.alias ?? []].flat().flatMap((alias) => [`-${alias}`, `--${alias}`]),
  ]);
  const values = [...VALUES, ...options.flatMap(([, option]) => [option.choices ?? []].flat().map(String))];
  const word = fc.constantFrom(...values, ...ODD, ...spellings);
  // An option as most users give it: its name, then a value or (a flag) nothing.
  const given = fc
    .tuple(fc.constantFrom(...options), fc.constantFrom(...values), fc.integer({ min: 0, max: 3 }), fc.constantFrom('true', 'false', 'app.log'))
    .map(([[name, option], value, form, afterFlag]) => {
      const choice = [option.choices ?? []].flat().map(String);
      const chosen = choice.length > 0 && form < 2 ? choice[form % choice.length]! : value;
      // A flag: alone, negated, or followed by a word (which yargs takes as its value when it is true or false).
      if (option.type === 'boolean') return [[`--${name}`], [`--no-${name}`], [`--${name}`, afterFlag], [`--${name}=${afterFlag}`]][form]!;
      return form === 3 ? [`--${name}=${chosen}`] : [`--${name}`, chosen];
    });
  return fc.oneof({ arbitrary: given, weight: 4 }, { arbitrary: word.map((w) => [w]), weight: 1 });
}

describe('against yargs, on command lines made of every kind of word', () => {
  const COMMANDS_READ: CommandName[] = ['annotate', 'count', 'report', 'codes', 'explain', 'mixin'];
  it.each(COMMANDS_READ)('%s', async (command) => {
    const items = itemsOf(command);
    // What the command needs (most of the time), somewhere among the rest.
    const needed = { mixin: ['--out', 'monitoring'], explain: ['400'] }[command as string] ?? [];
    let read = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(items, { maxLength: 5 }), fc.nat(5), fc.nat(3), async (rest, at, leftOut) => {
        if (leftOut > 0) rest.splice(at, 0, needed);
        if ((await checkedAgainstYargs([command, ...rest.flat()])) !== undefined) read++;
      }),
      { numRuns: 300, endOnFailure: true },
    );
    // Lines it reads came up (most items are options given well), so the comparison is not empty.
    expect(read).toBeGreaterThan(10);
  });
});
