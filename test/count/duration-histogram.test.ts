import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { DURATION_BUCKETS, emptyDurationCounts, observeDuration } from '../../src/count/duration-histogram.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { LineCountsRecorder, MetricsTally } from '../../src/count/tally.js';
import { parseExposition, type Sample } from '../helpers/exposition.js';

const annotator = createAnnotator();
const newTally = () => new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
const histogram = (samples: Sample[], outcome: string) => {
  const of = samples.filter((s) => s.labels.outcome === outcome);
  return {
    buckets: Object.fromEntries(of.filter((s) => s.name === 'hid_request_duration_seconds_bucket').map((s) => [s.labels.le, s.value])),
    sum: of.find((s) => s.name === 'hid_request_duration_seconds_sum')?.value,
    count: of.find((s) => s.name === 'hid_request_duration_seconds_count')?.value,
  };
};

describe('the duration buckets', () => {
  it('cover 1 ms to 60 s, each bound holding what equals it', () => {
    expect(DURATION_BUCKETS[0]).toBe(0.001);
    expect(DURATION_BUCKETS.at(-1)).toBe(60);
    const counts = emptyDurationCounts();
    for (const seconds of [0, 0.001, 0.0010001, 0.25, 60, 60.5, 3600]) observeDuration(counts, seconds);
    expect(counts.buckets[0]).toBe(2); // 0 and 0.001
    expect(counts.buckets[1]).toBe(1); // just over 1 ms
    expect(counts.buckets[DURATION_BUCKETS.indexOf(0.25)]).toBe(1);
    expect(counts.buckets[DURATION_BUCKETS.length - 1]).toBe(1); // 60
    expect(counts.buckets[DURATION_BUCKETS.length]).toBe(2); // above 60: only in +Inf
    expect(counts.count).toBe(7);
  });

  it('sum in whole microseconds: the same in any order', () => {
    const values = Array.from({ length: 1000 }, (_, i) => ((i * 7919) % 1000) / 1e4 + 1e-7);
    const forward = emptyDurationCounts();
    const backward = emptyDurationCounts();
    values.forEach((v) => observeDuration(forward, v));
    [...values].reverse().forEach((v) => observeDuration(backward, v));
    expect(forward).toEqual(backward);
    expect(Number.isInteger(forward.sumMicroseconds)).toBe(true);
  });
});

describe('hid_request_duration_seconds', () => {
  const lines = [
    '{"status":200,"duration_ms":3}',
    '{"status":200,"duration_ms":1}',
    '{"status":401,"hid_failure":13,"duration_ms":120}',
    '{"status":500,"took":"n/a"}',
    '{"status":200,"responseTime":-4}',
    '{"status":200}',
    '{"msg":"no codes","duration_ms":12}',
  ];

  it('is cumulative by outcome, with _sum and _count; invalid durations are counted apart', async () => {
    const tally = newTally();
    for (const line of lines) tally.line(annotator.annotateLine(line));
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    const success = histogram(samples, 'success');
    expect(success.buckets).toMatchObject({ '0.001': 1, '0.0025': 1, '0.005': 2, '60': 2, '+Inf': 2 });
    expect([success.sum, success.count]).toEqual([0.004, 2]);
    expect(histogram(samples, 'failure').buckets).toMatchObject({ '0.1': 0, '0.25': 1, '+Inf': 1 });
    expect(histogram(samples, 'error').count).toBe(0);
    expect(samples.find((s) => s.name === 'hidlog_invalid_durations_total')?.value).toBe(2);
  });

  it('shows every outcome at 0 from the start; --no-zero-series only those observed', async () => {
    const tally = newTally();
    const all = parseExposition((await new Exposition(tally, false).render()).body);
    expect(all.filter((s) => s.name === 'hid_request_duration_seconds_bucket').length).toBe(4 * (DURATION_BUCKETS.length + 1));
    tally.line(annotator.annotateLine(lines[2]!));
    const seen = parseExposition((await new Exposition(tally, false, { zeroSeries: false }).render()).body);
    expect(new Set(seen.filter((s) => s.name.startsWith('hid_request_duration_seconds')).map((s) => s.labels.outcome))).toEqual(new Set(['failure']));
  });

  it("counts alike on one thread and from workers' regions", async () => {
    const tally = newTally();
    const fromRegions = newTally();
    const recorder = new LineCountsRecorder([], annotator);
    for (const line of lines) tally.line(annotator.annotateLine(line));
    for (const line of lines.slice(0, 3)) recorder.line(annotator.annotateLine(line));
    fromRegions.apply(recorder.take());
    for (const line of lines.slice(3)) recorder.line(annotator.annotateLine(line));
    fromRegions.apply(recorder.take());
    const render = async (t: MetricsTally) => (await new Exposition(t, false).render()).body;
    expect(await render(fromRegions)).toBe(await render(tally));
  });
});
