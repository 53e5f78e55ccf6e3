// docker's json-file driver: `{"log":"<text>\n","stream":"stdout","time":"<RFC3339Nano>"}` a line,
// keys in that order (Go marshals its struct so). A message over 16 KiB is written as several
// entries; all but the last have a `log` without the trailing newline.

const LOG_KEY = Buffer.from('{"log":"');
const AFTER_LOG = Buffer.from('","stream":"');

/** Whether `b[start, end)` is a docker entry whose `log` is a part of a message, not its end. */
export function isDockerPartial(b: Buffer, start: number, end: number): boolean {
  // Byte by byte: every JSON line of an input is asked, and most fail at the third byte.
  if (end - start < 24) return false;
  for (let i = 0; i < LOG_KEY.length; i++) if (b[start + i] !== LOG_KEY[i]) return false;
  const logEnd = b.lastIndexOf(AFTER_LOG, end - 1);
  if (logEnd < start + LOG_KEY.length) return false;
  // The log ends in a newline when it ends in `\n` written with an odd number of backslashes.
  if (b[logEnd - 1] !== 110 /* n */) return true;
  let backslashes = 0;
  for (let i = logEnd - 2; i >= start + LOG_KEY.length && b[i] === 92; i--) backslashes++;
  return backslashes % 2 === 0;
}

export interface DockerEntry {
  log: string;
  stream: unknown;
  time: unknown;
  /** The entry's other keys (`attrs`), kept as they were. */
  rest: Record<string, unknown>;
}

/** A docker entry's parts, or undefined if the line is not one. */
export function parseDockerEntry(text: string): DockerEntry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const { log, stream, time, ...rest } = value as Record<string, unknown>;
  return typeof log === 'string' ? { log, stream, time, rest } : undefined;
}
