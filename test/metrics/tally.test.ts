import { describe, expect, it } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { MetricsTally } from '../../src/metrics/tally.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';

const annotator = createAnnotator();
const feed = (tally: MetricsTally, lines: string[]) => lines.forEach((line) => tally.line(annotator.annotateLine(line)));

describe('MetricsTally', () => {
  it('starts every catalog code at 0, so rate() works from the first scrape', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    const errors = samples.filter((s) => s.name === 'hid_errors_total');
    expect(errors.length).toBe(304);
    expect(errors.every((s) => s.value === 0)).toBe(true);
    expect(samples.filter((s) => s.name === 'hid_failures_total').length).toBe(54);
    expect(samples.find((s) => s.name === 'hid_responses_total' && s.labels.code === '2')?.labels.result).toBe('failed');
  });

  it('caps unknown codes per kind, then counts them as code="other", and counts the overflow', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 3, maxLabelValues: 50 });
    feed(tally, Array.from({ length: 10 }, (_, i) => `{"hid_error":${100000 + i}}`));
    feed(tally, ['{"hid_error":100000}', '{"hid_error":1200}']);
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual({ '100000': 2, '100001': 1, '100002': 1, other: 7, '1200': 1 });
    expect(samples.find((s) => s.name === 'hid_errors_total' && s.labels.code === 'other')?.labels.category).toBe('unknown');
    expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ code: 7 });
  });

  it('adds record labels, capped at max-label-values, then "other"', async () => {
    const tally = new MetricsTally({ labels: [{ name: 'tenant', path: ['ctx', 'tenant'] }], maxUnknownCodes: 100, maxLabelValues: 2 });
    feed(tally, ['a', 'b', 'c', 'd', 'a'].map((tenant) => JSON.stringify({ ctx: { tenant }, hid_failure: 13 })));
    feed(tally, ['{"hid_failure":13}']);
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    const failures = samples.filter((s) => s.name === 'hid_failures_total');
    expect(failures.map((s) => [s.labels.tenant, s.value]).sort()).toEqual([['a', 2], ['b', 1], ['other', 3]].sort());
    expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ tenant: 3 });
  });

  it('serves OpenMetrics and Prometheus text from the same counts', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    feed(tally, ['{"status":401,"hid_failure":13}']);
    const exposition = new Exposition(tally, false);
    const openMetrics = await exposition.render('openmetrics');
    expect(openMetrics.contentType).toMatch(/^application\/openmetrics-text/);
    expect(openMetrics.body).toMatch(/^# TYPE hid_failures counter$/m);
    expect(openMetrics.body).toMatch(/^hid_failures_total\{code="13",category="credential_mismatch"\} 1$/m);
    expect(openMetrics.body.endsWith('# EOF\n')).toBe(true);
    const prometheus = await exposition.render('prometheus');
    expect(prometheus.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(prometheus.body).toMatch(/^# TYPE hid_failures_total counter$/m);
    expect(prometheus.body).toMatch(/^hid_failures_total\{code="13",category="credential_mismatch"\} 1$/m);
  });
});
