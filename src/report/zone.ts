// The time zone a report is shown in (--tz): UTC, a fixed offset or an IANA name. Times in
// records that carry no offset are read in it too, so a report shows them as they were written.
import type { WallZone } from '../core/record-time.js';

export interface Zone extends WallZone {
  /** As given: `UTC`, `+05:30`, `Europe/Berlin`. */
  readonly name: string;
  /** Milliseconds to add to an instant to get the wall-clock time in this zone. */
  offsetAt(instant: number): number;
  /** The instant whose wall-clock time here is `wall` (a wall time in a DST gap moves forward). */
  instantOf(wall: number): number;
}

const MINUTE = 60_000;
// Offsets change on quarter hours at the finest: one Intl look-up serves each quarter hour.
const OFFSET_SLOT = 15 * MINUTE;

function fixedZone(name: string, offset: number): Zone {
  return { name, offsetAt: () => offset, instantOf: (wall) => wall - offset };
}

export const UTC: Zone = fixedZone('UTC', 0);

function ianaZone(name: string): Zone {
  const format = new Intl.DateTimeFormat('en-US', {
    timeZone: name,
    hourCycle: 'h23',
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
  });
  const offsets = new Map<number, number>();
  const offsetAt = (instant: number): number => {
    const slot = Math.floor(instant / OFFSET_SLOT);
    let offset = offsets.get(slot);
    if (offset === undefined) {
      const at = slot * OFFSET_SLOT;
      const parts: Record<string, number> = {};
      for (const part of format.formatToParts(at)) if (part.type !== 'literal') parts[part.type] = Number(part.value);
      offset = Date.UTC(parts.year!, parts.month! - 1, parts.day!, parts.hour!, parts.minute!) - at;
      offsets.set(slot, offset);
    }
    return offset;
  };
  return {
    name,
    offsetAt,
    instantOf(wall) {
      const guess = wall - offsetAt(wall);
      return wall - offsetAt(guess);
    },
  };
}

/** UTC (also `Z`, `GMT`), an offset such as `+05:30` or `-0800` (at most ±18:00), or an IANA zone name; undefined for anything else. */
export function parseZone(name: string): Zone | undefined {
  if (/^(utc|z|gmt)$/i.test(name)) return UTC;
  const offset = /^([+-])(\d{2}):?([0-5]\d)$/.exec(name);
  if (offset) {
    const minutes = Number(offset[2]) * 60 + Number(offset[3]);
    return minutes > 18 * 60 ? undefined : fixedZone(name, (offset[1] === '-' ? -1 : 1) * minutes * MINUTE);
  }
  try {
    return ianaZone(name);
  } catch {
    return undefined;
  }
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `+01:00`, or `Z` for no offset. */
function offsetText(offset: number): string {
  if (offset === 0) return 'Z';
  const minutes = Math.abs(offset) / MINUTE;
  return `${offset < 0 ? '-' : '+'}${pad(Math.floor(minutes / 60))}:${pad(minutes % 60)}`;
}

/** An instant as ISO 8601 in the zone, with its offset: `2026-11-28T10:00:00.000+01:00`. */
export function isoIn(zone: Zone, instant: number): string {
  const offset = zone.offsetAt(instant);
  return new Date(instant + offset).toISOString().slice(0, -1) + offsetText(offset);
}
