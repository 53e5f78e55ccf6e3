// `--since` and `--until` as asked: read when the command line is, and again by a merge in the
// zone its partials were read in.
import { parseDuration } from './duration.js';
import { parseTime } from '../core/record-time.js';
import type { Bound, WindowBounds } from './window.js';
import type { Zone } from './zone.js';

/** A window that cannot be read: the message names the option and says what was expected. */
export class AskedWindowError extends Error {}

/** `--since` / `--until`: a time (read in the zone if it has no offset), or a duration before the latest record. */
function boundOf(name: string, text: string | undefined, zone: Zone): Bound | undefined {
  if (text === undefined) return undefined;
  const before = parseDuration(text);
  if (before !== undefined) return { before };
  const at = parseTime(text, zone);
  if (at === undefined)
    throw new AskedWindowError(`--${name} ${text}: expected an ISO 8601 time (2026-11-28T09:00:00Z) or a duration before the latest record (2h, 30m, 1d)`);
  return { at };
}

export function askedWindow(asked: { since?: string | undefined; until?: string | undefined }, zone: Zone): WindowBounds {
  const since = boundOf('since', asked.since, zone);
  const until = boundOf('until', asked.until, zone);
  if (since && until && 'at' in since && 'at' in until && since.at >= until.at)
    throw new AskedWindowError(`--since ${asked.since} is not before --until ${asked.until}`);
  if (since && until && 'before' in since && 'before' in until && since.before <= until.before)
    throw new AskedWindowError(`--since ${asked.since} is not before --until ${asked.until}: --since must reach further back`);
  return { since, until };
}
