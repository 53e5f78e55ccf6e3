// Options from the environment: yargs reads `HIDLOG_<OPTION>` (.env('HIDLOG')) and, being strict,
// refuses any variable of that prefix that names no option of the command run ("Unknown argument:
// serviceHost"). Not every such variable is a setting for hidlog: Kubernetes gives every pod in a
// namespace that has a Service named hidlog its service links (HIDLOG_SERVICE_HOST, HIDLOG_PORT,
// HIDLOG_PORT_9464_TCP, …), a wrapper may set an option of another command for all of them, and
// other tools keep their own settings under the name. Those are left out of what yargs reads, as
// Grafana leaves out the GF_ variables it does not know.
import { COMMANDS, type CommandName } from './commands.js';

const PREFIX = 'HIDLOG';

/** The variable an option is read from: `HIDLOG_` and its name in capitals, dashes as underscores. */
export const variableOf = (option: string): string => `${PREFIX}_${option.toUpperCase().replaceAll('-', '_')}`;

/** The variables of hidlog's prefix that name no option of `command` (nor its aliases, nor --config). */
export function strayOptionVariables(env: Readonly<Record<string, string | undefined>>, command: CommandName): string[] {
  const options = COMMANDS[command].options.flatMap((group) => Object.entries(group));
  const known = new Set(['config', ...options.flatMap(([name, option]) => [name, ...[option.alias ?? []].flat()])].map(variableOf));
  return Object.keys(env).filter((name) => name.startsWith(PREFIX) && !known.has(name));
}
