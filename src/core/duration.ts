import { isObject, parseEmbeddedObject, type JsonObject } from '../common/json.js';

/** The units a logged duration comes in, as Vector's and mtail's users write them. */
export const DURATION_UNITS = { s: 1, ms: 1e3, us: 1e6, ns: 1e9 } as const;
export type DurationUnit = keyof typeof DURATION_UNITS;

/** Where a record's duration is, and in what unit (`--duration-field PATH:UNIT`). */
export interface DurationField {
  path: readonly string[];
  unit: DurationUnit;
}

/**
 * Where real logs put a request's duration (docs/metrics.md, "Latency"), tried in this order: the
 * common `duration_ms`, Elasticsearch's `took` and pino-http's `responseTime` in milliseconds,
 * ECS `event.duration` in nanoseconds, nginx's `$request_time` in seconds.
 */
export const BUILTIN_DURATION_FIELDS: readonly DurationField[] = [
  { path: ['duration_ms'], unit: 'ms' },
  { path: ['took'], unit: 'ms' },
  { path: ['responseTime'], unit: 'ms' },
  { path: ['event', 'duration'], unit: 'ns' },
  { path: ['request_time'], unit: 's' },
];

/** A record's duration in seconds, or `invalid`: it has one that is not a finite number, 0 or more. */
export type DurationReading = number | 'invalid';

/** A duration written as text (nginx's `"$request_time"`, logfmt): a plain decimal number. */
const DECIMAL = /^\s*\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\s*$/;

/** `value` in seconds; undefined when absent (or null), `invalid` when it is anything but a finite number 0 or more. */
export function toSeconds(value: unknown, unit: DurationUnit): DurationReading | undefined {
  if (value === undefined || value === null) return undefined;
  const number = typeof value === 'number' ? value : typeof value === 'string' && DECIMAL.test(value) ? Number(value) : Number.NaN;
  // Dividing (rather than multiplying by 0.001) makes 250 ms exactly the 0.25 s a bucket bound is.
  const seconds = number / DURATION_UNITS[unit];
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 'invalid';
}

export interface DurationReaderOptions {
  /** Whether the built-in fields are tried after `fields` (the default; `--no-builtin-fields` with a `--duration-field`: they are not). */
  builtin?: boolean;
  /** How a wrapped record's text is read (the annotator's, which the search for codes used already); JSON.parse without it. */
  parseBody?: ((text: string) => JsonObject | undefined) | undefined;
}

export type DurationReader = (record: JsonObject) => DurationReading | undefined;

/**
 * Builds the function that reads a record's duration: the first of `fields`, then of the built-in
 * fields (as `builtin` allows), that the record has (not null) decides, valid or not. Without
 * `fields`, the built-in fields are always read, as a code kind without `--field` is.
 */
export function createDurationReader(
  fields: readonly DurationField[] = [],
  { builtin = true, parseBody = parseEmbeddedObject }: DurationReaderOptions = {},
): DurationReader {
  const given = fields.map(({ path, unit }) => ({ path, unit, flatKey: path.length > 1 ? path.join('.') : undefined }));
  const withBuiltin = fields.length === 0 || builtin;
  return (record) => {
    for (const { path, unit, flatKey } of given) {
      const seconds = toSeconds(valueAt(record, path, flatKey), unit);
      if (seconds !== undefined) return seconds;
    }
    return withBuiltin ? (builtinDuration(record) ?? wrappedDuration(record, parseBody)) : undefined;
  };
}

// A docker entry's `log`, a Filebeat document's `message`: the record they wrap, whose codes the
// search finds one level down, has its duration there too.
const ENVELOPE_BODIES = ['log', 'message'] as const;

function wrappedDuration(record: JsonObject, parseBody: (text: string) => JsonObject | undefined): DurationReading | undefined {
  for (const key of ENVELOPE_BODIES) {
    const body = record[key];
    const wrapped = typeof body === 'string' ? parseBody(body) : isObject(body) ? body : undefined;
    if (wrapped) return builtinDuration(wrapped);
  }
  return undefined;
}

// BUILTIN_DURATION_FIELDS, in their order, read with plain property access: this runs for every record with codes, and
// none of these names exists on Object.prototype, so a missing key reads as undefined.
function builtinDuration(record: JsonObject): DurationReading | undefined {
  return (
    toSeconds(record.duration_ms, 'ms') ??
    toSeconds(record.took, 'ms') ??
    toSeconds(record.responseTime, 'ms') ??
    toSeconds(record.event === undefined && record['event.duration'] === undefined ? undefined : valueAt(record, ECS_DURATION, 'event.duration'), 'ns') ??
    toSeconds(record.request_time, 's')
  );
}

const ECS_DURATION = ['event', 'duration'];

/** getPath's reading (through objects and JSON text met on the way, or the flat dotted key), its flat key made once: this runs for every record. */
function valueAt(record: JsonObject, path: readonly string[], flatKey: string | undefined): unknown {
  let value: unknown = record;
  for (const key of path) {
    if (typeof value === 'string') value = parseEmbeddedObject(value);
    if (!isObject(value) || !Object.hasOwn(value, key)) {
      value = undefined;
      break;
    }
    value = value[key];
  }
  return value === undefined && flatKey !== undefined && Object.hasOwn(record, flatKey) ? record[flatKey] : value;
}

/** The paths a duration reader reads: the byte scanner keeps their keys. */
export function durationPaths(fields: readonly DurationField[] = [], builtin = true): (readonly string[])[] {
  return [...fields, ...(fields.length === 0 || builtin ? BUILTIN_DURATION_FIELDS : [])].map((field) => field.path);
}

/**
 * `--duration-field PATH:UNIT` into a field; undefined if it is not one. The unit is required: a
 * bare number in a log says nothing of its unit, and a guess would be off by a factor of 1000.
 */
export function parseDurationField(spec: string): DurationField | undefined {
  const colon = spec.lastIndexOf(':');
  const unit = spec.slice(colon + 1);
  if (colon < 0 || !Object.hasOwn(DURATION_UNITS, unit)) return undefined;
  const path = spec.slice(0, colon).split('.');
  if (path.some((key) => key === '')) return undefined;
  return { path, unit: unit as DurationUnit };
}
