// Kubernetes CRI container logs (containerd, CRI-O): `<RFC3339Nano> <stdout|stderr> <tag> <message>`,
// where the tag is `F` for a full line or `P` for a part of one the runtime split (its buffer is
// 16 KiB); more tags may follow after a `:` (`F:x`), which readers ignore.

export interface CriLine {
  /** Where the runtime's time of the line (RFC 3339 with nanoseconds, from the line's start) ends. */
  timeEnd: number;
  stream: 'stdout' | 'stderr';
  /** A part of a message: joined with the lines after it up to one tagged `F`. */
  partial: boolean;
  /** Where the message starts in the line's bytes. */
  message: number;
}

const SPACE = 32;
const isDigit = (c: number | undefined) => c !== undefined && c >= 48 && c <= 57;
const STDOUT = Buffer.from('stdout ');
const STDERR = Buffer.from('stderr ');
const spells = (b: Buffer, at: number, word: Buffer) => b.compare(word, 0, word.length, at, at + word.length) === 0;

/** The CRI prefix of `b[start, end)`, or undefined when the line has none. */
export function readCriLine(b: Buffer, start: number, end: number): CriLine | undefined {
  // The time: `YYYY-MM-DDThh:mm:ss[.fraction](Z|±hh:mm)`, at least 20 bytes.
  if (end - start < 28 || !isDigit(b[start]) || b[start + 4] !== 45 /* - */ || b[start + 10] !== 84 /* T */) return undefined;
  const timeEnd = b.indexOf(SPACE, start + 19);
  if (timeEnd < 0 || timeEnd > start + 40 || timeEnd + 9 > end) return undefined;
  let at = timeEnd + 1;
  let stream: CriLine['stream'];
  if (spells(b, at, STDOUT)) stream = 'stdout';
  else if (spells(b, at, STDERR)) stream = 'stderr';
  else return undefined;
  at += 7;
  const tag = b[at];
  if (tag !== 80 /* P */ && tag !== 70 /* F */) return undefined;
  let tagEnd = at + 1;
  if (b[tagEnd] === 58 /* : */) while (tagEnd < end && b[tagEnd] !== SPACE) tagEnd++;
  if (tagEnd < end && b[tagEnd] !== SPACE) return undefined;
  return { timeEnd, stream, partial: tag === 80, message: Math.min(tagEnd + 1, end) };
}
