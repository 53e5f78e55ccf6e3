import type { Catalog } from '../catalog/catalog.js';
import type { LineResult } from '../core/annotate.js';
import type { JsonObject } from '../common/json.js';
import { UTC_WALL, builtinTimeValue, isEpochText, parseTime } from '../core/record-time.js';

const PREVIEW_CHARS = 120;

const COLOURS = { red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;
type Colour = keyof typeof COLOURS;

/**
 * The record's own time, else its envelope's (a CRI or syslog line's), as a person reads it. The
 * time is the report's (core/record-time.ts): the first built-in time field whose value is text or
 * a number. Text is shown as written (an ISO 8601 or nginx time, or one that cannot be read); an
 * epoch, as a number or as digits in text, in ISO 8601 UTC when it is a time the report reads too,
 * else as written.
 */
function timeOf(record: JsonObject, envelopeTime: string | undefined): string {
  const value = builtinTimeValue(record);
  if (value === undefined) return envelopeTime ?? '-';
  if (typeof value === 'string' && !isEpochText(value)) return value;
  const time = parseTime(value, UTC_WALL);
  return time === undefined ? String(value) : new Date(time).toISOString();
}

/**
 * Builds the formatter for `--format pretty`: one line a record, for a person at a terminal:
 * time, HTTP status, outcome, then each reason code with its category and description, from the
 * annotator's catalog at that moment (a reload may swap it while lines flow).
 */
export function prettyFormatter(colour: boolean, annotator: { readonly catalog: Catalog }): (event: LineResult) => string {
  const paint = (name: Colour, text: string) => (colour ? `${COLOURS[name]}${text}${COLOURS.reset}` : text);

  return (event) => {
    if (event.result === 'invalid') {
      const preview = event.text.length > PREVIEW_CHARS ? `${event.text.slice(0, PREVIEW_CHARS)}…` : event.text;
      return paint('dim', `! ${event.reason}: ${preview}`);
    }
    const time = timeOf(event.record, event.envelopeTime);
    if (event.result === 'no_codes') return paint('dim', `${time} - no codes`);
    const { codes, outcome } = event;
    const { catalog } = annotator;
    const parts = [time];
    if (codes.http !== undefined) {
      const status = catalog.lookup('http', codes.http);
      parts.push(`${codes.http} ${status.label ?? ''}`.trimEnd());
    } else {
      parts.push('---');
    }
    parts.push(paint(outcome === 'success' ? 'green' : outcome === 'unknown' ? 'dim' : outcome === 'failure' ? 'yellow' : 'red', outcome));
    for (const kind of ['error', 'failure', 'response'] as const) {
      const code = codes[kind];
      if (code === undefined) continue;
      const entry = catalog.lookup(kind, code);
      parts.push(`${kind} ${code} [${entry.category}] ${entry.known ? entry.description : '(not in the catalog)'}`);
    }
    return parts.join('  ');
  };
}
