// docs/cli.md's table of options, generated from the option tables (commands.ts), so the
// reference says what --help says. `npm run docs:cli` writes it; test/docs.test.ts checks it.
import type { Options } from 'yargs';
import { COMMAND_NAMES, COMMANDS, type CommandName } from './commands.js';
import { CONFIG_DESCRIPTION } from './options.js';

export const REFERENCE_START = '<!-- options: generated from src/cli/options.ts by `npm run docs:cli`; do not edit -->';
export const REFERENCE_END = '<!-- end of options -->';

const cell = (text: string) => text.replace(/\|/g, '\\|');
const code = (text: string) => `\`${cell(text)}\``;

function optionCell(name: string, spec: Options): string {
  const aliases = [spec.alias ?? []].flat().map((alias) => (alias.length === 1 ? `-${alias}` : `--${alias}`));
  const negated = spec.type === 'boolean' && spec.default === true ? ` (\`--no-${name}\`)` : '';
  const choices = spec.choices ? ` ${[spec.choices].flat().join('|')}` : '';
  return `${code([...aliases, `--${name}`].join(', ') + choices)}${negated}`;
}

function defaultCell(spec: Options): string {
  if (spec.defaultDescription !== undefined) return spec.defaultDescription;
  const value: unknown = spec.default;
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return '';
  if (typeof value === 'boolean') return value ? 'on' : 'off';
  return code(Array.isArray(value) ? value.join(' ') : String(value));
}

/** The table: one row an option (an option shared by commands is one row), in the order the commands list them. */
export function optionsReference(): string {
  const rows = new Map<Options, { name: string; commands: CommandName[] }>();
  for (const command of COMMAND_NAMES) {
    for (const group of COMMANDS[command].options) {
      for (const [name, spec] of Object.entries(group)) {
        const row = rows.get(spec) ?? { name, commands: [] };
        row.commands.push(command);
        rows.set(spec, row);
      }
    }
  }
  const lines = ['| option | commands | default | meaning |', '|---|---|---|---|'];
  for (const [spec, { name, commands }] of rows)
    lines.push(`| ${optionCell(name, spec)} | ${commands.join(', ')} | ${defaultCell(spec)} | ${cell(spec.describe ?? '')} |`);
  lines.push(`| \`--config\` | all |  | ${cell(CONFIG_DESCRIPTION)} |`);
  return [REFERENCE_START, '', ...lines, '', REFERENCE_END].join('\n');
}
