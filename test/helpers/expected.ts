import { readFileSync } from 'node:fs';
import type { LineCounts } from '../../src/count/line-counts.js';
import type { LineEvent, Observer } from '../../src/pipeline/events.js';
import { fixture } from './cli.js';

export interface Expected {
  lines: number;
  results: Record<'annotated' | 'no_codes' | 'invalid' | 'too_long', number>;
  invalid: Record<string, number>;
  codes: Record<'http' | 'error' | 'failure' | 'response', Record<string, number>>;
  outcomes: Record<string, number>;
  maxLineBytes?: number;
}

export const FIXTURES = [
  'openid.ndjson',
  'gateway.ndjson',
  'ecs.ndjson',
  'docker.ndjson',
  'scim.ndjson',
  'audit.ndjson',
  'mixed.ndjson.gz',
  'openid-array.json',
  'hostile.ndjson',
];

export function expectedFor(name: string): Expected {
  return JSON.parse(readFileSync(fixture(name.replace(/\.(ndjson|json)(\.gz)?$/, '') + '.expected.json'), 'utf8'));
}

/** Tallies what a run saw, in the shape of the fixtures' expected files. */
export class Tally implements Observer<LineCounts> {
  readonly seen: Expected = {
    lines: 0,
    results: { annotated: 0, no_codes: 0, invalid: 0, too_long: 0 },
    invalid: {},
    codes: { http: {}, error: {}, failure: {}, response: {} },
    outcomes: { success: 0, failure: 0, error: 0, unknown: 0 },
  };
  bytesRead = 0;

  line(event: LineEvent): void {
    const seen = this.seen;
    seen.lines++;
    // A part of a record (CRI P, docker partial): the fixtures above hold none, so it has no row of its own.
    if (event.result === 'partial') throw new Error('a fixture line was read as a partial record');
    seen.results[event.result]++;
    if (event.result === 'invalid') seen.invalid[event.reason] = (seen.invalid[event.reason] ?? 0) + 1;
    if (event.result !== 'annotated') return;
    seen.outcomes[event.outcome] = (seen.outcomes[event.outcome] ?? 0) + 1;
    for (const [kind, code] of Object.entries(event.codes)) {
      const counts = seen.codes[kind as 'http'];
      counts[code] = (counts[code] ?? 0) + 1;
    }
  }

  bytes(count: number): void {
    this.bytesRead += count;
  }

  apply(counts: LineCounts): void {
    const seen = this.seen;
    for (const [result, n] of Object.entries(counts.results)) {
      seen.results[result as 'invalid'] += n;
      seen.lines += n;
    }
    for (const [reason, n] of counts.invalid) seen.invalid[reason] = (seen.invalid[reason] ?? 0) + n;
    for (const [outcome, n] of counts.outcomes) seen.outcomes[outcome] = (seen.outcomes[outcome] ?? 0) + n;
    for (const group of counts.groups) {
      for (const [kind, code, n] of group.codes) seen.codes[kind][code] = (seen.codes[kind][code] ?? 0) + n;
    }
  }
}
