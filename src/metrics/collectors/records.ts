// What was read: lines by result, invalid lines by reason, outcomes, error statuses without a
// reason, the latency histogram, durations that were none, bytes, and label overflows.
import { INVALID_REASONS } from '../../core/bad-lines.js';
import { OUTCOMES } from '../../core/outcome.js';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import type { MetricsTally } from '../../count/tally.js';
import { TallyHistogram } from './duration.js';
import { readCounter, type Registers } from './read.js';

/** The tally's counts of lines and records (`zeroSeries`: RegistryOptions'). */
export function recordMetrics(registers: Registers, tally: MetricsTally, zeroSeries: boolean | undefined): void {
  const counter = (name: string, help: string, label: string | undefined, read: () => Iterable<[string, number]> | number) =>
    readCounter(registers, name, help, label, read);
  counter(
    HIDLOG_METRICS.lines,
    'Lines read, by result: annotated (a status or code found), no_codes, invalid (not a record), too_long, partial (a part of a record the line after it ends: CRI P, docker partial).',
    'result',
    () => Object.entries(tally.lines),
  );
  counter(HIDLOG_METRICS.invalidLines, `Invalid lines by reason: ${INVALID_REASONS.join(', ')}.`, 'reason', () =>
    INVALID_REASONS.map((reason) => [reason, tally.invalidReasons.get(reason) ?? 0]),
  );
  counter(HIDLOG_METRICS.outcomes, `Annotated records by outcome: ${OUTCOMES.join(', ')}.`, 'outcome', () =>
    OUTCOMES.map((outcome) => [outcome, tally.outcomes.get(outcome) ?? 0]),
  );
  counter(
    HIDLOG_METRICS.errorStatusesWithoutReason,
    'Records with an HTTP status of 400 or more and no hid_error, hid_failure or response code: the HID body, if logged, is where hidlog does not search.',
    undefined,
    () => tally.errorStatusesWithoutReason,
  );
  new TallyHistogram(tally, zeroSeries !== false, registers);
  counter(
    HIDLOG_METRICS.invalidDurations,
    'Annotated records whose duration field held no duration: not a finite number, 0 or more (the histogram leaves them out).',
    undefined,
    () => tally.invalidDurations,
  );
  counter(HIDLOG_METRICS.bytes, 'Bytes read from the inputs, after decompression.', undefined, () => tally.bytesRead);
  counter(
    HIDLOG_METRICS.labelOverflow,
    'Observations counted under code="other" or a record label\'s "other" because the label\'s cap of distinct values was reached; label="series": under every record label "other" because the code counters reached --max-series series.',
    'label',
    () => tally.overflows().map(({ label, count }) => [label, count]),
  );
}
