import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.js';
import { parseSiteCatalog } from '../../src/catalog/site-catalog.js';
import { createAnnotator } from '../../src/core/annotate.js';
import { LineCountsRecorder, MetricsTally } from '../../src/count/tally.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { byLabel, parseExposition, type Sample } from '../helpers/exposition.js';

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
    feed(
      tally,
      Array.from({ length: 10 }, (_, i) => `{"hid_error":${100000 + i}}`),
    );
    feed(tally, ['{"hid_error":100000}', '{"hid_error":1200}']);
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual({ '100000': 2, '100001': 1, '100002': 1, other: 7, '1200': 1 });
    expect(samples.find((s) => s.name === 'hid_errors_total' && s.labels.code === 'other')?.labels.category).toBe('unknown');
    expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ code: 7 });
  });

  it('adds record labels, capped at max-label-values, then "other"', async () => {
    const tally = new MetricsTally({ labels: [{ name: 'tenant', paths: [['ctx', 'tenant']] }], maxUnknownCodes: 100, maxLabelValues: 2 });
    feed(
      tally,
      ['a', 'b', 'c', 'd', 'a'].map((tenant) => JSON.stringify({ ctx: { tenant }, hid_failure: 13 })),
    );
    feed(tally, ['{"hid_failure":13}']);
    const samples = parseExposition((await new Exposition(tally, false).render()).body);
    const failures = samples.filter((s) => s.name === 'hid_failures_total');
    expect(failures.map((s) => [s.labels.tenant, s.value]).sort()).toEqual(
      [
        ['a', 2],
        ['b', 1],
        ['other', 3],
      ].sort(),
    );
    expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ tenant: 3 });
  });

  describe('past --max-series', () => {
    const labels = [
      { name: 'tenant', paths: [['tenant']] },
      { name: 'region', paths: [['region']] },
    ];
    // Four tenants in two regions, each record with a status and a failure: 16 combinations of series.
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ tenant: `t${i % 4}`, region: `r${Math.floor(i / 4) % 2}`, status: 401, hid_failure: 13 }),
    );
    const codeSeries = (samples: Sample[]) => samples.filter((s) => s.name === 'hid_http_responses_total' || s.name === 'hid_failures_total');

    it('counts a new combination under its code with every label "other", keeps the old ones, and counts the overflow', async () => {
      const tally = new MetricsTally({ labels, maxUnknownCodes: 100, maxLabelValues: 50, maxSeries: 6 });
      feed(tally, lines);
      const samples = parseExposition((await new Exposition(tally, false).render()).body);
      const series = codeSeries(samples);
      // Six series of real combinations (three per code, made in the order records came), one overflow series per code.
      expect(series.length).toBe(8);
      const failures = Object.fromEntries(series.filter((s) => s.name === 'hid_failures_total').map((s) => [`${s.labels.tenant}/${s.labels.region}`, s.value]));
      expect(failures).toEqual({ 't0/r0': 5, 't1/r0': 5, 't2/r0': 5, 'other/other': 25 });
      expect(byLabel(samples, 'hid_http_responses_total', 'code')).toEqual({ '401': 40 });
      expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ series: 50 });
    });

    it("caps alike on one thread and from workers' regions", async () => {
      const fromRegions = new MetricsTally({ labels, maxUnknownCodes: 100, maxLabelValues: 50, maxSeries: 6 });
      const recorder = new LineCountsRecorder(labels, annotator);
      for (const line of lines) recorder.line(annotator.annotateLine(line));
      fromRegions.apply(recorder.take());
      const samples = parseExposition((await new Exposition(fromRegions, false).render()).body);
      expect(codeSeries(samples).length).toBe(8);
      expect(codeSeries(samples).reduce((sum, s) => sum + s.value, 0)).toBe(80);
      expect(byLabel(samples, 'hidlog_label_overflow_total', 'label').series).toBeGreaterThan(0);
    });

    it('shows the series overflow at 0 until it happens, and only with record labels', async () => {
      const labelled = parseExposition(
        (await new Exposition(new MetricsTally({ labels, maxUnknownCodes: 100, maxLabelValues: 50, maxSeries: 6 }), false).render()).body,
      );
      expect(labelled.find((s) => s.name === 'hidlog_label_overflow_total' && s.labels.label === 'series')?.value).toBe(0);
      // Without labels the code caps bound the series: every catalog code keeps its own, whatever --max-series says.
      const plain = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50, maxSeries: 1 });
      feed(plain, lines);
      const samples = parseExposition((await new Exposition(plain, false).render()).body);
      expect(samples.filter((s) => s.name === 'hid_errors_total').length).toBe(304);
      expect(byLabel(samples, 'hid_failures_total', 'code')).toEqual({ '13': 40 });
      expect(samples.filter((s) => s.name === 'hidlog_label_overflow_total').map((s) => s.labels.label)).toEqual(['code']);
    });
  });

  it("adds input labels after the record labels, per input, capped like them, alike on one thread and from workers' regions", async () => {
    const options = { labels: [{ name: 'tenant', paths: [['tenant']] }], inputLabels: ['namespace', 'pod'], maxUnknownCodes: 100, maxLabelValues: 2 };
    const lines = ['{"tenant":"t","hid_failure":13}', '{"hid_failure":13}'];
    const tally = new MetricsTally(options);
    const fromRegions = new MetricsTally(options);
    const recorder = new LineCountsRecorder(options.labels, annotator);
    for (const [namespace, pod] of [
      ['hid', 'a'],
      ['hid', 'b'],
      ['web', 'c'],
    ]) {
      const input = tally.forInput([namespace!, pod!]);
      for (const line of lines) input.line(annotator.annotateLine(line));
      for (const line of lines) recorder.line(annotator.annotateLine(line));
      fromRegions.forInput([namespace!, pod!]).apply(recorder.take());
    }
    // Counted without an input (stdin): empty values.
    feed(tally, ['{"hid_failure":13}']);
    recorder.line(annotator.annotateLine('{"hid_failure":13}'));
    fromRegions.apply(recorder.take());
    for (const counted of [tally, fromRegions]) {
      const samples = parseExposition((await new Exposition(counted, false).render()).body);
      const failures = samples.filter((s) => s.name === 'hid_failures_total').map((s) => [s.labels.tenant, s.labels.namespace, s.labels.pod, s.value]);
      // The third pod is past the cap of 2 values: counted under pod="other"; stdin's "" is a value too, past both caps.
      expect(failures.sort()).toEqual(
        [
          ['', 'hid', 'a', 1],
          ['', 'hid', 'b', 1],
          ['', 'web', 'other', 1],
          ['', 'other', 'other', 1],
          ['t', 'hid', 'a', 1],
          ['t', 'hid', 'b', 1],
          ['t', 'web', 'other', 1],
        ].sort(),
      );
      expect(byLabel(samples, 'hidlog_label_overflow_total', 'label')).toEqual({ namespace: 1, pod: 3 });
    }
  });

  it("counts error statuses without a reason code, alike on one thread and from workers' regions", async () => {
    const lines = [
      '{"status":401}',
      '{"status":503}',
      '{"status":401,"hid_error":2001}',
      '{"status":403,"hid_failure":13}',
      '{"status":400,"hid_response":2}',
      '{"status":200}',
      'not json',
    ];
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    feed(tally, lines);
    const fromRegions = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    const recorder = new LineCountsRecorder([], annotator);
    for (const line of lines.slice(0, 3)) recorder.line(annotator.annotateLine(line));
    fromRegions.apply(recorder.take());
    for (const line of lines.slice(3)) recorder.line(annotator.annotateLine(line));
    fromRegions.apply(recorder.take());
    for (const counted of [tally, fromRegions]) {
      const samples = parseExposition((await new Exposition(counted, false).render()).body);
      expect(samples.find((s) => s.name === 'hidlog_error_statuses_without_reason_total')?.value).toBe(2);
    }
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

describe('MetricsTally with a site catalog', () => {
  const site = Catalog.withSite(
    parseSiteCatalog(
      'entries: [{kind: error, code: 7777, description: Over the gateway quota, category: technical}, {kind: failure, code: 13, category: limit_reached}]',
    ),
  );
  const render = async (tally: MetricsTally) => parseExposition((await new Exposition(tally, false).render()).body);
  const series = (samples: Sample[], name: string, code: string) =>
    samples.filter((s) => s.name === name && s.labels.code === code).map((s) => [s.labels.category, s.value]);

  it('gives an added code its own code label, never other, and its hid_code_info series', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 0, maxLabelValues: 50, catalog: site });
    const annotator = createAnnotator({ catalog: site });
    for (const line of ['{"hid_error":7777}', '{"hid_error":7777}', '{"hid_error":7778}']) tally.line(annotator.annotateLine(line));
    const samples = await render(tally);
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual({ '7777': 2, other: 1 });
    expect(series(samples, 'hid_errors_total', '7777')).toEqual([['technical', 2]]);
    expect(samples.filter((s) => s.name === 'hid_code_info' && s.labels.code === '7777')).toEqual([
      { name: 'hid_code_info', labels: { kind: 'error', code: '7777', category: 'technical', description: 'Over the gateway quota' }, value: 1 },
    ]);
    expect(byLabel(samples, 'hidlog_catalog_entries', 'kind')).toEqual({ http: Catalog.vendor.size('http'), error: 305, failure: 54, response: 2 });
  });

  it('on a swap, keeps what was counted where it was, counts on under the new category, and shows the new table', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    const annotator = createAnnotator();
    const feedBoth = (lines: string[]) => lines.forEach((line) => tally.line(annotator.annotateLine(line)));
    feedBoth(['{"hid_failure":13}', '{"hid_failure":13}', '{"hid_error":7777}']);
    annotator.useCatalog(site);
    tally.useCatalog(site);
    feedBoth(['{"hid_failure":13}', '{"hid_error":7777}']);
    const samples = await render(tally);
    expect(series(samples, 'hid_failures_total', '13')).toEqual([
      ['credential_mismatch', 2],
      ['limit_reached', 1],
    ]);
    expect(series(samples, 'hid_errors_total', '7777')).toEqual([
      ['unknown', 1],
      ['technical', 1],
    ]);
    expect(samples.filter((s) => s.name === 'hid_code_info' && s.labels.code === '13' && s.labels.kind === 'failure').map((s) => s.labels.category)).toEqual([
      'limit_reached',
    ]);
    expect(samples.find((s) => s.name === 'hidlog_catalog_entries' && s.labels.kind === 'error')?.value).toBe(305);
  });

  it('on a swap, drops series still at 0 that the new table no longer has, and starts the new ones at 0', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
    tally.useCatalog(site);
    let samples = await render(tally);
    expect(series(samples, 'hid_failures_total', '13')).toEqual([['limit_reached', 0]]);
    expect(series(samples, 'hid_errors_total', '7777')).toEqual([['technical', 0]]);
    tally.useCatalog(Catalog.vendor);
    samples = await render(tally);
    expect(series(samples, 'hid_failures_total', '13')).toEqual([['credential_mismatch', 0]]);
    expect(series(samples, 'hid_errors_total', '7777')).toEqual([]);
    expect(samples.filter((s) => s.name === 'hid_errors_total').length).toBe(304);
  });

  it("counts a worker's region as its own table made it, whatever the table in force here", async () => {
    const recorder = new LineCountsRecorder([], createAnnotator({ catalog: site }));
    const worker = createAnnotator({ catalog: site });
    for (const line of ['{"hid_failure":13}', '{"hid_error":7777}']) recorder.line(worker.annotateLine(line));
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 }); // still the vendor's table
    tally.apply(recorder.take());
    tally.line(annotator.annotateLine('{"hid_failure":13}'));
    const samples = await render(tally);
    expect(series(samples, 'hid_failures_total', '13')).toEqual([
      ['credential_mismatch', 1],
      ['limit_reached', 1],
    ]);
    expect(series(samples, 'hid_errors_total', '7777')).toEqual([['technical', 1]]);
  });
});
