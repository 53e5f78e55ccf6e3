// The commands as data: what each is called, says, takes and shows as examples. main.ts builds the
// parser from this table and reference.ts the tables of docs/cli.md.
import type { Options, PositionalOptions } from 'yargs';
import { MIXIN_OPTIONS } from './mixin-options.js';
import {
  ANNOTATE_OPTIONS,
  CATALOG_OPTIONS,
  CODES_OPTIONS,
  EXPLAIN_OPTIONS,
  FILES,
  FOLLOW_OPTIONS,
  INPUT_OPTIONS,
  METRICS_OPTIONS,
  REPORT_OPTIONS,
  SERVE_OPTIONS,
} from './options.js';

export const EXIT_CODES = 'Exit codes: 0 ok; 1 an unreadable input, or a bad line under --strict; 2 a usage error.';

export interface CommandSpec {
  /** As yargs reads it: the name, then its positionals. */
  usage: string;
  /** Other ways to call it (`$0` for the default command). */
  aliases?: readonly string[];
  describe: string;
  positional?: { name: string; options: PositionalOptions };
  /** The option groups it takes, in the order --help lists them. */
  options: readonly Readonly<Record<string, Options>>[];
  examples: readonly (readonly [command: string, meaning: string])[];
  epilogue?: string;
}

export const COMMAND_NAMES = ['annotate', 'count', 'report', 'codes', 'explain', 'mixin', 'completion'] as const;
export type CommandName = (typeof COMMAND_NAMES)[number];

export const COMMANDS: Readonly<Record<CommandName, CommandSpec>> = {
  annotate: {
    usage: 'annotate [files..]',
    aliases: ['$0 [files..]'],
    describe: 'Annotate HID Authentication Service log records with the meaning of every status and code',
    positional: { name: 'files', options: FILES },
    options: [INPUT_OPTIONS, ANNOTATE_OPTIONS, METRICS_OPTIONS, SERVE_OPTIONS, FOLLOW_OPTIONS, CATALOG_OPTIONS],
    examples: [
      ['$0 annotate auth.ndjson.gz -o annotated.ndjson', 'annotate a gzipped log into a file'],
      ['tail -f auth.log | $0 --format pretty', 'read stdin, one human line a record'],
      ['$0 annotate --field failure=payload.reasonCode app.log', 'read hid_failure codes from a field of your own'],
      ['$0 annotate --metrics-listen :9464 --label tenant=ctx.tenant -', 'annotate stdin and serve /metrics'],
      [
        "$0 annotate --follow '/var/log/hid/*.log' --state-file /var/lib/hidlog/state.json -o /var/log/hid/annotated.ndjson --metrics-listen :9464",
        'follow production logs through rotation',
      ],
    ],
    epilogue: EXIT_CODES,
  },
  count: {
    usage: 'count [files..]',
    describe: 'Count every status and code as Prometheus metrics, without writing records (like mtail --one_shot)',
    positional: { name: 'files', options: FILES },
    options: [INPUT_OPTIONS, METRICS_OPTIONS, CATALOG_OPTIONS],
    examples: [
      ['$0 count auth-*.ndjson.gz', 'print the exposition of a batch to stdout'],
      ['$0 count auth.ndjson --textfile /var/lib/node_exporter/hidlog.prom', "for node_exporter's textfile collector"],
    ],
    epilogue: EXIT_CODES,
  },
  report: {
    usage: 'report [files..]',
    describe: 'Summarise a batch for an incident review: outcomes, top codes with their meaning, a timeline, who is affected',
    positional: { name: 'files', options: FILES },
    options: [INPUT_OPTIONS, REPORT_OPTIONS, CATALOG_OPTIONS],
    examples: [
      ['$0 report auth-*.ndjson.gz', 'a table on the terminal'],
      ['$0 report auth.ndjson.gz --since 2h --by client_id -o incident.html', 'the last two hours of the log as a page, with the clients hit most'],
      ['$0 report --format markdown --bucket 5m auth.ndjson', 'to paste into a ticket'],
      ['$0 report --partial -o d1.hidpart d1.ndjson.gz', "a shard's partial, to merge later…"],
      ['$0 report --merge -o month.html d*.hidpart', '…into the report of all the shards'],
    ],
    epilogue: EXIT_CODES,
  },
  codes: {
    usage: 'codes',
    describe: 'List the catalog of codes',
    options: [CODES_OPTIONS, CATALOG_OPTIONS],
    examples: [['$0 codes --kind failure --category risk', 'the failure reasons of risk management']],
    epilogue: EXIT_CODES,
  },
  explain: {
    usage: 'explain <code>',
    describe: 'What a code means, in every kind that has it',
    positional: { name: 'code', options: { type: 'string', describe: 'The code, e.g. 1200 or -1' } },
    options: [EXPLAIN_OPTIONS, CATALOG_OPTIONS],
    examples: [['$0 explain 400', 'HTTP 400 (BAD REQUEST) and hid_error 400 (a RADIUS error)']],
    epilogue: EXIT_CODES,
  },
  mixin: {
    usage: 'mixin',
    describe: 'Write Grafana dashboards, Prometheus rules and provisioning files, fitted to your setup',
    options: [MIXIN_OPTIONS],
    examples: [['$0 mixin --out ./monitoring --selector \'job="hid-auth"\' --label tenant', 'your own copies, for the targets of job hid-auth']],
    epilogue: 'Exit codes: 0 ok; 1 the folder cannot be written; 2 a usage error.',
  },
  // A command of our own rather than yargs' .completion(), which prints the script even for
  // `completion --help`; yargs answers --get-yargs-completions (what the script calls) either way.
  completion: {
    usage: 'completion',
    describe: 'Print a bash or zsh completion script (hidlog completion >> ~/.bashrc)',
    options: [],
    examples: [['$0 completion >> ~/.bashrc', 'complete commands and options in bash (zsh: >> ~/.zshrc)']],
  },
};
