import type { Catalog } from '../catalog/catalog.js';
import type { LineResult } from '../core/annotate.js';
import type { JsonObject } from '../common/json.js';

const TIME_KEYS = ['@timestamp', 'timestamp', 'time', 'ts', 'date', 'time_local', '__REALTIME_TIMESTAMP'] as const;
const PREVIEW_CHARS = 120;

const COLOURS = { red: '\x1b[31m', yellow: '\x1b[33m', green: '\x1b[32m', dim: '\x1b[2m', reset: '\x1b[0m' } as const;
type Colour = keyof typeof COLOURS;

// An epoch time's unit, told by its size: each unit's range covers the years 1973 to 5138.
const EPOCH_UNITS_TO_MS = [
  [1e11, 1e3], // seconds
  [1e14, 1], // milliseconds
  [1e17, 1e-3], // microseconds
  [Infinity, 1e-6], // nanoseconds
] as const;

/** An epoch time (seconds, milliseconds, micro- or nanoseconds, by its size) in ISO 8601, UTC. */
function epochToIso(value: number): string | undefined {
  const [, toMs] = EPOCH_UNITS_TO_MS.find(([below]) => Math.abs(value) < below)!;
  const date = new Date(value * toMs);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

const EPOCH_TEXT = /^\d{9,19}$/;

/** The record's own time, else its envelope's (a CRI or syslog line's), as a person reads it. */
function timeOf(record: JsonObject, envelopeTime: string | undefined): string {
  for (const key of TIME_KEYS) {
    const value = record[key];
    if (typeof value === 'string') return EPOCH_TEXT.test(value) ? (epochToIso(Number(value)) ?? value) : value;
    if (typeof value === 'number') return epochToIso(value) ?? String(value);
  }
  return envelopeTime ?? '-';
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
