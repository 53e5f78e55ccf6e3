/**
 * Prints a command's one answer (count's exposition, `codes`, `mixin`'s paths). A reader that went
 * away (`| head`) ends it quietly, as SIGPIPE ends a C tool; any other failure is said, exit 1.
 */
export function printAnswer(text: string): void {
  if (!process.stdout.listeners('error').includes(onAnswerError)) process.stdout.on('error', onAnswerError);
  process.stdout.write(text);
}

function onAnswerError(error: NodeJS.ErrnoException): void {
  if (error.code === 'EPIPE') return;
  process.stderr.write(`hidlog: cannot write stdout: ${error.message}\n`);
  process.exitCode = 1;
}
