// The yargs parser, built from the tables in commands.ts: for help, version, completions and
// every command line that plain-argv.ts leaves to it. Loaded only then (yargs costs 60–80 ms
// of CPU to load).
import yargs, { type Argv } from 'yargs';
import { COMMAND_NAMES, COMMANDS, type CommandName } from './commands.js';
import { readConfigFile } from './config-file.js';
import { CONFIG_DESCRIPTION, UsageError } from './options.js';

/**
 * The parser of every command; or, for a run of one command named first (`hidlog report …`), of
 * that command alone, as the default command of the words after its name. yargs renders the
 * whole help text whenever it runs a named command (to show it should the command fail,
 * yargs/yargs#1865), and never for the default command: ~30 ms of every run, and more on a
 * loaded machine. Help, version and completions come from the parser of every command.
 */
export function parser(args: readonly string[], named: CommandName | undefined): Argv {
  let cli = yargs(named ? args.slice(1) : [...args])
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
