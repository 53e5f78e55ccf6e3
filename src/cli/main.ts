// The command line: parse (yargs, from the tables in commands.ts), turn argv into the command's
// options (*-argv.ts), refuse the slips that cost a log, then one call into app/. Each command's
// conversion and run are loaded for it alone: `codes` or `report --merge` load nothing that
// reading logs needs.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Refusal } from '../app/refusal.js';
import type { AnnotateArgv, CountArgv } from './annotate-argv.js';
import type { CodesArgv, ExplainArgv } from './codes-argv.js';
import type { MixinArgv } from './mixin-argv.js';
import type { ReportArgv } from './report-argv.js';
import { refuseMistypedCommand } from './command-slip.js';
import { COMMAND_NAMES, COMMANDS, type CommandName } from './commands.js';
import { readConfigFile } from './config-file.js';
import { CONFIG_DESCRIPTION, STDIN_ARG, UsageError } from './options.js';
import { refuseOutputsOverInputs } from './same-file.js';
import { refuseSwallowedFiles } from './swallowed-file.js';

const EXIT_USAGE = 2;

function usageFailure(message: string, hint = true): void {
  process.stderr.write(`hidlog: ${message}\n${hint ? "Run 'hidlog --help' for usage.\n" : ''}`);
  process.exitCode = EXIT_USAGE;
}

const args = hideBin(process.argv).map((arg) => (arg === '-' ? STDIN_ARG : arg));

const isCommand = (name: unknown): name is CommandName => (COMMAND_NAMES as readonly unknown[]).includes(name);
// What yargs answers itself, from the parser of every command.
const ANSWERED_BY_YARGS = new Set(['--help', '-h', '--version', '--get-yargs-completions']);

/**
 * The parser of every command; or, for a run of one command named first (`hidlog report …`), of
 * that command alone, as the default command of the words after its name. yargs renders the
 * whole help text whenever it runs a named command (to show it should the command fail,
 * yargs/yargs#1865), and never for the default command: ~30 ms of every run, and more on a
 * loaded machine. Help, version and completions come from the parser of every command.
 */
function parser(named: CommandName | undefined): Argv {
  let cli = yargs(named ? args.slice(1) : args)
    .scriptName('hidlog')
    // Numbers stay as typed until their option's check reads them, so a bad one is repeated as typed;
    // a repeatable option takes one value each time, not the files after it.
    .parserConfiguration({ 'parse-numbers': false, 'greedy-arrays': false })
    .env('HIDLOG')
    .config('config', CONFIG_DESCRIPTION, readConfigFile);
  for (const name of named ? [named] : COMMAND_NAMES) {
    const spec = COMMANDS[name];
    const usages = named ? [`$0${spec.usage.slice(name.length)}`] : [spec.usage, ...(spec.aliases ?? [])];
    cli = cli.command(usages, spec.describe, (command) => {
      if (spec.positional) command.positional(spec.positional.name, spec.positional.options);
      for (const group of spec.options) command.options(group);
      for (const [example, meaning] of spec.examples) command.example(example, meaning);
      if (spec.epilogue) command.epilogue(spec.epilogue);
      return command;
    });
  }
  return cli
    .strict()
    .help()
    .alias('h', 'help')
    .version()
    .wrap(Math.min(110, process.stdout.columns ?? 110))
    .fail((message, error) => {
      throw error ?? new UsageError(message);
    });
}

/** The files other than the inputs that a run reads. */
const readOptions = (argv: { catalog?: string | undefined; config?: unknown; 'web-config'?: string | undefined }) => ({
  '--catalog': argv.catalog,
  '--config': typeof argv.config === 'string' ? argv.config : undefined,
  '--web-config': argv['web-config'],
});

/** Runs the command yargs parsed (`named`: by its name, not as the default): its exit code. */
async function runCommand(command: CommandName, named: boolean, argv: Record<string, unknown>, cli: Argv): Promise<number> {
  switch (command) {
    case 'annotate': {
      refuseSwallowedFiles(args, ['key', 'job']);
      // The default command (no command named): its first file may be a command mistyped.
      if (!named) await refuseMistypedCommand((argv.files as unknown[]).map(String)[0]);
      const { follow, ...options } = (await import('./annotate-argv.js')).annotateOptions(argv as AnnotateArgv);
      await refuseOutputsOverInputs({
        inputs: options.files,
        reads: readOptions(argv),
        writes: { '--output': options.output, '--dead-letter': options.deadLetter, '--textfile': options.textfile, '--state-file': follow?.stateFile },
        writesStdout: options.output === undefined,
        follow: follow !== undefined,
      });
      if (follow) return (await import('../app/follow.js')).follow({ ...options, ...follow });
      return (await import('../app/annotate.js')).annotate(options);
    }
    case 'count': {
      refuseSwallowedFiles(args, ['job']);
      const options = (await import('./annotate-argv.js')).countOptions(argv as CountArgv);
      await refuseOutputsOverInputs({
        inputs: options.files,
        reads: readOptions(argv),
        writes: { '--textfile': options.textfile },
        writesStdout: options.textfile === undefined,
        follow: false,
      });
      return (await import('../app/count.js')).count(options);
    }
    case 'report': {
      refuseSwallowedFiles(args, ['by', 'time-field']);
      const options = (await import('./report-argv.js')).reportOptions(argv as ReportArgv);
      await refuseOutputsOverInputs({
        inputs: options.files,
        reads: readOptions(argv),
        writes: { '--output': options.output },
        writesStdout: options.output === undefined,
        follow: false,
      });
      if (options.merge) return (await import('../app/merge.js')).merge(options);
      return (await import('../app/report.js')).report(options);
    }
    case 'codes': {
      const options = (await import('./codes-argv.js')).codesOptions(argv as CodesArgv);
      return (await import('../app/codes.js')).codes(options);
    }
    case 'explain': {
      const options = (await import('./codes-argv.js')).explainOptions(argv as ExplainArgv);
      return (await import('../app/codes.js')).explain(options);
    }
    case 'mixin': {
      const options = (await import('./mixin-argv.js')).mixinOptions(argv as MixinArgv);
      return (await import('../app/mixin.js')).mixin(options);
    }
    case 'completion':
      cli.showCompletionScript();
      return 0;
  }
}

const alone = isCommand(args[0]) && !args.some((arg) => ANSWERED_BY_YARGS.has(arg)) ? args[0] : undefined;
const cli = parser(alone);
try {
  const argv = await cli.parseAsync();
  const named = alone ?? argv._[0];
  try {
    process.exitCode = await runCommand(isCommand(named) ? named : 'annotate', named !== undefined, argv, cli);
  } catch (error) {
    // A usage mistake is exit 2, anything else one line and exit 1.
    if (error instanceof UsageError || error instanceof Refusal) usageFailure(error.message, error.hint);
    else {
      process.stderr.write(`hidlog: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
} catch (error) {
  usageFailure((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim());
}
