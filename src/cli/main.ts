// The command line: parse (plain-argv.ts for a plain command line, else yargs, both from the
// tables in commands.ts), turn argv into the command's options (*-argv.ts), refuse the slips that
// cost a log, then one call into app/. Each command's conversion and run are loaded for it alone:
// `codes` or `report --merge` load nothing that reading logs needs, and yargs is loaded only for
// what plain-argv.ts leaves to it.
import { Refusal } from '../app/refusal.js';
import { VERSION } from '../version.js';
import type { AnnotateArgv, CountArgv } from './annotate-argv.js';
import type { CodesArgv, ExplainArgv } from './codes-argv.js';
import type { MixinArgv } from './mixin-argv.js';
import type { ReportArgv } from './report-argv.js';
import { COMMAND_NAMES, type CommandName } from './commands.js';
import { STDIN_ARG, UsageError } from './options.js';
import { plainArgv } from './plain-argv.js';
import { strayOptionVariables } from './option-variables.js';
import { refuseOutputsOverInputs } from './same-file.js';
import { refuseSwallowedFiles } from './swallowed-file.js';

const EXIT_USAGE = 2;

function usageFailure(message: string, hint = true): void {
  process.stderr.write(`hidlog: ${message}\n${hint ? "Run 'hidlog --help' for usage.\n" : ''}`);
  process.exitCode = EXIT_USAGE;
}

const args = process.argv.slice(2).map((arg) => (arg === '-' ? STDIN_ARG : arg));

const isCommand = (name: unknown): name is CommandName => (COMMAND_NAMES as readonly unknown[]).includes(name);
// What yargs answers itself, from the parser of every command.
const ANSWERED_BY_YARGS = new Set(['--help', '-h', '--version', '--get-yargs-completions']);

/** The files other than the inputs that a run reads. */
const readOptions = (argv: { catalog?: string | undefined; config?: unknown; 'web-config'?: string | undefined }) => ({
  '--catalog': argv.catalog,
  '--config': typeof argv.config === 'string' ? argv.config : undefined,
  '--web-config': argv['web-config'],
});

/** Runs the command a parser read (`named`: by its name, not as the default): its exit code. */
async function runCommand(command: CommandName, named: boolean, argv: Record<string, unknown>, completionScript: () => void): Promise<number> {
  switch (command) {
    case 'annotate': {
      refuseSwallowedFiles(args, ['key', 'job']);
      // The default command (no command named): its first file may be a command mistyped.
      if (!named) await (await import('./command-slip.js')).refuseMistypedCommand((argv.files as unknown[]).map(String)[0]);
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
      completionScript();
      return 0;
  }
}

/** Runs the command a parser read; a mistake in its options is exit 2, anything else one line and exit 1. */
async function run(command: CommandName, named: boolean, argv: Record<string, unknown>, completionScript: () => void): Promise<void> {
  try {
    process.exitCode = await runCommand(command, named, argv, completionScript);
  } catch (error) {
    if (error instanceof UsageError || error instanceof Refusal) usageFailure(error.message, error.hint);
    else {
      process.stderr.write(`hidlog: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    }
  }
}

// Variables of hidlog's prefix that are not its options are not read (option-variables.ts).
for (const name of strayOptionVariables(process.env, isCommand(args[0]) ? args[0] : 'annotate')) delete process.env[name];

const plain = plainArgv(args, process.env);
if (plain) await run(plain.command, true, plain.argv, () => undefined);
// yargs' answer, without yargs: it prints the version in package.json, and VERSION is read from there.
else if (args.length === 1 && args[0] === '--version' && !Object.keys(process.env).some((name) => name.startsWith('HIDLOG')))
  process.stdout.write(`${VERSION}\n`);
else {
  const alone = isCommand(args[0]) && !args.some((arg) => ANSWERED_BY_YARGS.has(arg)) ? args[0] : undefined;
  const cli = (await import('./parser.js')).parser(args, alone);
  try {
    const argv = await cli.parseAsync();
    const named = alone ?? argv._[0];
    await run(isCommand(named) ? named : 'annotate', named !== undefined, argv, () => cli.showCompletionScript());
  } catch (error) {
    usageFailure((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim());
  }
}
