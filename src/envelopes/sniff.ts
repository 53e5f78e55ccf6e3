// What lines that are not records look like, for the notice that names a likelier reading
// (pipeline/input-survey.ts): the envelope readers' own tests on a few kept lines.
import { readCriLine } from './cri.js';
import { readSyslogLine } from './syslog.js';
import { readTextRecord } from './text.js';

/** What a line or a message holds: a JSON object, key=value tokens, text around a JSON object, another JSON value, or none of these. */
export type Content = 'json' | 'logfmt' | 'text-with-json' | 'json-value' | 'text';

export interface Shape {
  /** The envelope around the content, if the line has one. */
  envelope: 'cri' | 'syslog' | undefined;
  content: Content;
}

function contentOf(text: string): Content {
  const first = text.trimStart()[0];
  if (first === '{' || first === '[' || first === '"') {
    try {
      const value: unknown = JSON.parse(text);
      return typeof value === 'object' && value !== null && !Array.isArray(value) ? 'json' : 'json-value';
    } catch {
      // Not JSON whole: it may still hold key=value tokens or an object among its words.
    }
  }
  const record = readTextRecord(text);
  if (record === undefined) return 'text';
  return Object.keys(record).length === 1 && 'body' in record ? 'text-with-json' : 'logfmt';
}

/** The shape of one line (without its terminator). */
export function sniffLine(line: string): Shape {
  const bytes = Buffer.from(line);
  const cri = readCriLine(bytes, 0, bytes.length);
  if (cri) return { envelope: 'cri', content: contentOf(bytes.toString('utf8', cri.message)) };
  const syslog = readSyslogLine(line);
  if (syslog) return { envelope: 'syslog', content: contentOf(line.slice(syslog.message)) };
  return { envelope: undefined, content: contentOf(line) };
}

/** The shape most of `lines` have (the first seen among equals); undefined for none. */
export function sniff(lines: readonly string[]): Shape | undefined {
  const tally = new Map<string, { shape: Shape; count: number }>();
  for (const line of lines) {
    const shape = sniffLine(line);
    const key = `${shape.envelope ?? ''}/${shape.content}`;
    const seen = tally.get(key);
    if (seen) seen.count++;
    else tally.set(key, { shape, count: 1 });
  }
  let best: { shape: Shape; count: number } | undefined;
  for (const entry of tally.values()) if (!best || entry.count > best.count) best = entry;
  return best?.shape;
}
