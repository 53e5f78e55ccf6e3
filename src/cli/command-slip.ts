// `hidlog anotate app.log` runs the default command (annotate) with the files `anotate` and
// `app.log`. A first file that is a plain word and names nothing on disk is taken for a command
// mistyped instead, and nothing is read; a file of that name that exists is read as before.
import { lstat } from 'node:fs/promises';
import { COMMAND_NAMES } from './commands.js';
import { UsageError } from './options.js';

// A file name with no dot, slash or wildcard: what a command looks like.
const WORD = /^[A-Za-z][A-Za-z0-9_-]*$/;

/** Edits (insert, delete, substitute, swap two neighbours) from one word to the other. */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = best;
    }
  }
  return rows[a.length]![b.length]!;
}

/** The command a word most likely meant: at most two edits away, or the start of one (`rep`). */
export function closestCommand(word: string): string | undefined {
  const typed = word.toLowerCase();
  const scored = COMMAND_NAMES.map((command) => ({ command, edits: typed.length >= 3 && command.startsWith(typed) ? 0 : distance(typed, command) }));
  const best = scored.reduce((a, b) => (b.edits < a.edits ? b : a));
  return best.edits <= Math.min(2, typed.length - 1) ? best.command : undefined;
}

/** Throws a one-line usage error when the default command's first file is a command mistyped (see above). */
export async function refuseMistypedCommand(firstFile: string | undefined): Promise<void> {
  if (firstFile === undefined || !WORD.test(firstFile)) return;
  if (
    await lstat(firstFile).then(
      () => true,
      () => false,
    )
  )
    return;
  const closest = closestCommand(firstFile);
  throw new UsageError(
    closest
      ? `unknown command '${firstFile}'; did you mean '${closest}'?`
      : `unknown command '${firstFile}', and no file of that name; the commands are ${COMMAND_NAMES.join(', ')}`,
    false,
  );
}
