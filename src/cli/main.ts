import type { InputFormatOption } from '../envelopes/formats.js';
import yargs, { type Argv } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { refuseMistypedCommand } from './command-slip.js';
import { readConfigFile } from './config-file.js';
import { MIXIN_OPTIONS, mixinArgs } from './mixin-options.js';
import { ANNOTATE_OPTIONS, CATALOG_OPTIONS, FOLLOW_OPTIONS, INPUT_OPTIONS, METRICS_OPTIONS, REPORT_OPTIONS, SERVE_OPTIONS, UsageError, parseKind } from './options.js';
import { printAnswer } from './print-answer.js';
import { refuseOutputsOverInputs } from './same-file.js';
import { refuseSwallowedFiles } from './swallowed-file.js';

const EXIT_USAGE = 2;
const EXIT_CODES = 'Exit codes: 0 ok; 1 an unreadable input, or a bad line under --strict; 2 a usage error.';

function usageFailure(message: string, hint = true): void {
  process.stderr.write(`hidlog: ${message}\n${hint ? "Run 'hidlog --help' for usage.\n" : ''}`);
  process.exitCode = EXIT_USAGE;
}

/** Runs a command's work, turning a usage mistake into exit 2 and anything else into one line and exit 1. */
async function runCommand(work: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await work();
  } catch (error) {
    if (error instanceof UsageError) return usageFailure(error.message, error.hint);
    process.stderr.write(`hidlog: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  }
}

// yargs-parser drops a lone `-` positional; it stands in for stdin among the files, so it
// travels through yargs under another name.
const STDIN_ARG = '\u0000stdin';
const args = hideBin(process.argv).map((arg) => (arg === '-' ? STDIN_ARG : arg));

const FILES = { type: 'string', array: true, default: [], describe: 'NDJSON or JSON-array files, gzipped or not; - or none for stdin' } as const;

interface ParsedInput {
  files: readonly unknown[];
  field: readonly unknown[];
  'duration-field': readonly unknown[];
  'builtin-fields': boolean;
  strict: boolean;
  'input-format': string;
  'max-line-bytes': number;
  workers: number;
}
interface ParsedMetrics {
  label: readonly unknown[];
  'kubernetes-labels'?: string | undefined;
  'max-unknown-codes': number;
  'max-label-values': number;
  'max-series': number;
  'zero-series': boolean;
  textfile?: string | undefined;
  pushgateway?: string | undefined;
  job: string;
}

const inputArgs = (argv: ParsedInput) => ({
  files: argv.files.map((file) => (file === STDIN_ARG ? '-' : String(file))),
  field: argv.field.map(String),
  durationField: argv['duration-field'].map(String),
  builtinFields: argv['builtin-fields'],
  strict: argv.strict,
  maxLineBytes: argv['max-line-bytes'],
  workers: argv.workers,
  inputFormat: argv['input-format'] as InputFormatOption,
});
const metricsArgs = (argv: ParsedMetrics) => ({
  label: argv.label.map(String),
  kubernetesLabels: argv['kubernetes-labels'],
  maxUnknownCodes: argv['max-unknown-codes'],
  maxLabelValues: argv['max-label-values'],
  maxSeries: argv['max-series'],
  zeroSeries: argv['zero-series'],
  textfile: argv.textfile,
  pushgateway: argv.pushgateway,
  job: argv.job,
});

/** The files other than the inputs that a run reads. */
const readOptions = (argv: { catalog?: string | undefined; config?: unknown; 'web-config'?: string | undefined }) => ({
  '--catalog': argv.catalog,
  '--config': typeof argv.config === 'string' ? argv.config : undefined,
  '--web-config': argv['web-config'],
});

const cli: Argv = yargs(args)
  .scriptName('hidlog')
  // Numbers stay as typed until their option's check reads them, so a bad one is repeated as typed;
  // a repeatable option takes one value each time, not the files after it.
  .parserConfiguration({ 'parse-numbers': false, 'greedy-arrays': false })
  .env('HIDLOG')
  .config('config', 'A JSON file of options (keys as on the command line, e.g. "max-line-bytes")', readConfigFile)
  .command(
    ['annotate [files..]', '$0 [files..]'],
    'Annotate HID Authentication Service log records with the meaning of every status and code',
    (y) =>
      y
        .positional('files', FILES)
        .options(INPUT_OPTIONS)
        .options(ANNOTATE_OPTIONS)
        .options(METRICS_OPTIONS)
        .options(SERVE_OPTIONS)
        .options(FOLLOW_OPTIONS)
        .options(CATALOG_OPTIONS)
        .example('$0 annotate auth.ndjson.gz -o annotated.ndjson', 'annotate a gzipped log into a file')
        .example('tail -f auth.log | $0 --format pretty', 'read stdin, one human line a record')
        .example('$0 annotate --field failure=payload.reasonCode app.log', 'read hid_failure codes from a field of your own')
        .example('$0 annotate --metrics-listen :9464 --label tenant=ctx.tenant -', 'annotate stdin and serve /metrics')
        .example("$0 annotate --follow '/var/log/hid/*.log' --state-file /var/lib/hidlog/state.json -o /var/log/hid/annotated.ndjson --metrics-listen :9464", 'follow production logs through rotation')
        .epilogue(EXIT_CODES),
    (argv) =>
      runCommand(async () => {
        refuseSwallowedFiles(args, ['key', 'job']);
        // The default command (no command named): its first file may be a command mistyped.
        if (argv._.length === 0) await refuseMistypedCommand(argv.files.map(String)[0]);
        const annotateArgs = {
          ...inputArgs(argv),
          ...metricsArgs(argv),
          output: argv.output,
          format: argv.format as 'ndjson' | 'pretty',
          key: argv.key,
          deadLetter: argv['dead-letter'],
          metricsListen: argv['metrics-listen'],
          linger: argv.linger,
          webConfig: argv['web-config'],
          catalog: argv.catalog,
        };
        if (!argv.follow && argv['state-file'] !== undefined) throw new UsageError('--state-file applies with --follow');
        await refuseOutputsOverInputs({
          inputs: annotateArgs.files,
          reads: readOptions(argv),
          writes: { '--output': argv.output, '--dead-letter': argv['dead-letter'], '--textfile': argv.textfile, '--state-file': argv['state-file'] },
          writesStdout: argv.output === undefined,
          follow: argv.follow,
        });
        if (argv.follow) {
          const { followCommand } = await import('./follow-command.js');
          return followCommand({ ...annotateArgs, stateFile: argv['state-file'], startAt: argv['start-at'] as 'end' | 'beginning', pollInterval: argv['poll-interval'], watch: argv.watch });
        }
        const { annotateCommand } = await import('./annotate-command.js');
        return annotateCommand(annotateArgs);
      }),
  )
  .command(
    'count [files..]',
    'Count every status and code as Prometheus metrics, without writing records (like mtail --one_shot)',
    (y) =>
      y
        .positional('files', FILES)
        .options(INPUT_OPTIONS)
        .options(METRICS_OPTIONS)
        .options(CATALOG_OPTIONS)
        .example('$0 count auth-*.ndjson.gz', 'print the exposition of a batch to stdout')
        .example('$0 count auth.ndjson --textfile /var/lib/node_exporter/hidlog.prom', 'for node_exporter\'s textfile collector')
        .epilogue(EXIT_CODES),
    (argv) =>
      runCommand(async () => {
        refuseSwallowedFiles(args, ['job']);
        const countArgs = { ...inputArgs(argv), ...metricsArgs(argv), catalog: argv.catalog };
        await refuseOutputsOverInputs({ inputs: countArgs.files, reads: readOptions(argv), writes: { '--textfile': argv.textfile }, writesStdout: argv.textfile === undefined, follow: false });
        const { countCommand } = await import('./count-command.js');
        return countCommand(countArgs);
      }),
  )
  .command(
    'report [files..]',
    'Summarise a batch for an incident review: outcomes, top codes with their meaning, a timeline, who is affected',
    (y) =>
      y
        .positional('files', FILES)
        .options(INPUT_OPTIONS)
        .options(REPORT_OPTIONS)
        .options(CATALOG_OPTIONS)
        .example('$0 report auth-*.ndjson.gz', 'a table on the terminal')
        .example('$0 report auth.ndjson.gz --since 2h --by client_id -o incident.html', 'the last two hours of the log as a page, with the clients hit most')
        .example('$0 report --format markdown --bucket 5m auth.ndjson', 'to paste into a ticket')
        .example('$0 report --partial -o d1.hidpart d1.ndjson.gz', 'a shard\'s partial, to merge later…')
        .example('$0 report --merge -o month.html d*.hidpart', '…into the report of all the shards')
        .epilogue(EXIT_CODES),
    (argv) =>
      runCommand(async () => {
        refuseSwallowedFiles(args, ['by', 'time-field']);
        const input = inputArgs(argv);
        await refuseOutputsOverInputs({ inputs: input.files, reads: readOptions(argv), writes: { '--output': argv.output }, writesStdout: argv.output === undefined, follow: false });
        const { reportArgs, reportCommand } = await import('./report-command.js');
        return reportCommand({ ...input, ...reportArgs(argv), catalog: argv.catalog });
      }),
  )
  .command(
    'codes',
    'List the catalog of codes',
    (y) =>
      y
        .option('kind', { type: 'string', describe: 'Only this kind: http (or status), error, failure, response' })
        .option('category', { type: 'string', describe: 'Only this category, e.g. not_found' })
        .option('json', { type: 'boolean', default: false, describe: 'A JSON array of {kind, code, label?, description, category, site?}' })
        .options(CATALOG_OPTIONS)
        .example('$0 codes --kind failure --category risk', 'the failure reasons of risk management')
        .epilogue(EXIT_CODES),
    (argv) =>
      runCommand(async () => {
        const { codesCommand } = await import('./codes-command.js');
        const { catalog } = await (await import('./catalog-option.js')).loadCatalogOption(argv);
        printAnswer(codesCommand({ kind: parseKind(argv.kind), category: argv.category, json: argv.json, catalog }) + '\n');
        return 0;
      }),
  )
  .command(
    'explain <code>',
    'What a code means, in every kind that has it',
    (y) =>
      y
        .positional('code', { type: 'string', describe: 'The code, e.g. 1200 or -1' })
        .option('kind', { type: 'string', describe: 'Only this kind: http (or status), error, failure, response' })
        .options(CATALOG_OPTIONS)
        .example('$0 explain 400', 'HTTP 400 (BAD REQUEST) and hid_error 400 (a RADIUS error)')
        .epilogue(EXIT_CODES),
    (argv) =>
      runCommand(async () => {
        const text = String(argv.code);
        if (!/^-?\d+$/.test(text)) throw new UsageError(`explain ${text}: a code is a whole number`);
        const { explainCommand } = await import('./codes-command.js');
        const { catalog } = await (await import('./catalog-option.js')).loadCatalogOption(argv);
        const explained = explainCommand({ code: Number(text), kind: parseKind(argv.kind), catalog });
        if (explained === undefined) {
          process.stderr.write(`hidlog: ${text} is not in the catalog${argv.kind ? ` as ${argv.kind}` : ''}\n`);
          return 1;
        }
        printAnswer(explained + '\n');
        return 0;
      }),
  )
  .command(
    'mixin',
    'Write Grafana dashboards, Prometheus rules and provisioning files, fitted to your setup',
    (y) =>
      y
        .options(MIXIN_OPTIONS)
        .example('$0 mixin --out ./monitoring --selector \'job="hid-auth"\' --label tenant', 'your own copies, for the targets of job hid-auth')
        .epilogue('Exit codes: 0 ok; 1 the folder cannot be written; 2 a usage error.'),
    (argv) =>
      runCommand(async () => {
        const { mixinCommand } = await import('./mixin-command.js');
        return mixinCommand(mixinArgs(argv));
      }),
  )
  // A command of our own rather than yargs' .completion(), which prints the script even for
  // `completion --help`; yargs answers --get-yargs-completions (what the script calls) either way.
  .command(
    'completion',
    'Print a bash or zsh completion script (hidlog completion >> ~/.bashrc)',
    (y) => y.example('$0 completion >> ~/.bashrc', 'complete commands and options in bash (zsh: >> ~/.zshrc)'),
    () => void cli.showCompletionScript(),
  )
  .strict()
  .help()
  .alias('h', 'help')
  .version()
  .wrap(Math.min(110, process.stdout.columns ?? 110))
  .fail((message, error) => {
    throw error ?? new UsageError(message);
  });

// yargs renders the whole help text whenever a named command runs, to show it should the
// command's promise reject (yargs/yargs#1865). Ours never rejects (runCommand) and `.fail` prints
// one line, so that text is never shown: not rendering it saves ~30 ms of every `hidlog annotate`.
type YargsInternals = { getInternalMethods?(): { getUsageInstance?(): { cacheHelpMessage?: () => void } } };
const usage = (cli as unknown as YargsInternals).getInternalMethods?.().getUsageInstance?.();
if (usage?.cacheHelpMessage) usage.cacheHelpMessage = () => undefined;

try {
  await cli.parseAsync();
} catch (error) {
  usageFailure((error instanceof Error ? error.message : String(error)).replace(/\s*\n\s*/g, ' ').trim());
}
