// An option that takes free text (`--by DOT.PATH`, `--key NAME`) accepts any word, a file name
// too: `hidlog report --by app.log` would read a field app.log from stdin, and never app.log.
// Such a value, given as the next word and naming an existing file, is refused instead; the
// attached form (`--by=app.log`) says the value is meant and is taken as it is.
import { statSync } from 'node:fs';
import { UsageError } from './options.js';

const isFile = (path: string) => {
  try {
    return statSync(path, { throwIfNoEntry: false })?.isFile() === true;
  } catch {
    return false;
  }
};
const camelCase = (name: string) => name.replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Throws a one-line usage error when one of `options` took an existing file's name as its value, in `args` (the command line). */
export function refuseSwallowedFiles(args: readonly string[], options: readonly string[]): void {
  const end = args.includes('--') ? args.indexOf('--') : args.length;
  for (let i = 0; i < end - 1; i++) {
    const option = options.find((name) => args[i] === `--${name}` || args[i] === `--${camelCase(name)}`);
    const value = args[i + 1]!;
    if (option === undefined || value.startsWith('-') || !isFile(value)) continue;
    throw new UsageError(
      `--${option} ${value}: ${value} is a file, not a value for --${option}; put the files after the options' values, or write --${option}=${value} to mean the value`,
      false,
    );
  }
}
