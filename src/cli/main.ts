// The command line: parse (yargs, from the tables in commands.ts), turn argv into the command's
// options (argv.ts), refuse the slips that cost a log, then one call into app/, loaded for that
// command alone so that `codes` or `report --merge` do not load what reading logs needs.
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { Refusal } from '../app/refusal.js';
import { STDIN_ARG, annotateOptions, codesOptions, countOptions, explainOptions, mixinOptions, reportOptions, type AnnotateArgv, type CodesArgv, type CountArgv, type ExplainArgv, type MixinArgv, type ReportArgv } from './argv.js';
import { refuseMistypedCommand } from './command-slip.js';
import { COMMANDS, type CommandName } from './commands.js';
import { readConfigFile } from './config-file.js';
import { UsageError } from './options.js';
import { refuseOutputsOverInputs } from './same-file.js';
import { refuseSwallowedFiles } from './swallowed-file.js';

const EXIT_USAGE = 2;

function usageFailure(message: string, hint = true): void {
  process.stderr.write(`hidlog: ${message}\n${hint ? "Run 'hidlog --help' for usage.\n" : ''}`);
  process.exitCode = EXIT_USAGE;
}

const args = hideBin(process.argv).map((arg) => (arg === '-' ? STDIN_ARG : arg));

// Commands are declared without handlers: yargs renders the whole help text whenever a named
// command's handler runs (to show it should the handler fail, yargs/yargs#1865), ~30 ms of every
// run. The command is run below, after the parse, instead.
function parser(): Argv {
  let cli = yargs(args)
    .scriptName('hidlog')
    // Numbers stay as typed until their option's check reads them, so a bad one is repeated as typed;
    // a repeatable option takes one value each time, not the files after it.
    .parserConfiguration({ 'parse-numbers': false, 'greedy-arrays': false })
    .env('HIDLOG')
    .config('config', 'A JSON file of options (keys as on the command line, e.g. "max-line-bytes")', readConfigFile);
  for (const spec of Object.values(COMMANDS)) {
    cli = cli.command([spec.usage, ...('aliases' in spec ? spec.aliases : [])], spec.describe, (command) => {
      if ('positional' in spec) command.positional(spec.positional.name, spec.positional.options);
      for (const group of spec.options) command.options(group);
      for (const [example, meaning] of spec.examples) command.example(example, meaning);
      if ('epilogue' in spec) command.epilogue(spec.epilogue);
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

/** Runs the command yargs parsed: its exit code. */
async function runCommand(command: CommandName, argv: Record<string, unknown>, cli: Argv): Promise<number> {
  switch (command) {
    case 'annotate': {
      refuseSwallowedFiles(args, ['key', 'job']);
      // The default command (no command named): its first file may be a command mistyped.
      if ((argv._ as unknown[]).length === 0) await refuseMistypedCommand((argv.files as unknown[]).map(String)[0]);
      const { follow, ...options } = annotateOptions(argv as AnnotateArgv);
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
      const options = countOptions(argv as CountArgv);
      await refuseOutputsOverInputs({ inputs: options.files, reads: readOptions(argv), writes: { '--textfile': options.textfile }, writesStdout: options.textfile === undefined, follow: false });
      return (await import('../app/count.js')).count(options);
    }
    case 'report': {
      refuseSwallowedFiles(args, ['by', 'time-field']);
      const options = reportOptions(argv as ReportArgv);
      await refuseOutputsOverInputs({ inputs: options.files, reads: readOptions(argv), writes: { '--output': options.output }, writesStdout: options.output === undefined, follow: false });
      if (options.merge) return (await import('../app/merge.js')).merge(options);
      return (await import('../app/report.js')).report(options);
    }
    case 'codes':
      return (await import('../app/codes.js')).codes(codesOptions(argv as CodesArgv));
    case 'explain':
      return (await import('../app/codes.js')).explain(explainOptions(argv as ExplainArgv));
    case 'mixin':
      return (await import('../app/mixin.js')).mixin(mixinOptions(argv as MixinArgv));
    case 'completion':
      cli.showCompletionScript();
      return 0;
  }
}

const isCommand = (name: unknown): name is CommandName => typeof name === 'string' && Object.hasOwn(COMMANDS, name);

const cli = parser();
try {
  const argv = await cli.parseAsync();
  const named = argv._[0];
  try {
    process.exitCode = await runCommand(isCommand(named) ? named : 'annotate', argv, cli);
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
