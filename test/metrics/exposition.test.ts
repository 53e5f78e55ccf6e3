import { Registry } from 'prom-client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createAnnotator } from '../../src/core/annotate.js';
import { Exposition } from '../../src/metrics/exposition.js';
import { MetricsTally } from '../../src/count/tally.js';

const annotator = createAnnotator();
const newTally = () => new MetricsTally({ labels: [], maxUnknownCodes: 100, maxLabelValues: 50 });
const annotated = (body: string) => /^hidlog_lines_total\{result="annotated"\} (\d+)$/m.exec(body)?.[1];

afterEach(() => {
  vi.restoreAllMocks();
});

describe('Exposition reuse', () => {
  it('a burst of requests within the window costs one rendering per format; after the window, a new one shows new counts', async () => {
    const collect = vi.spyOn(Registry.prototype, 'metrics');
    let clock = 1000;
    const tally = newTally();
    const exposition = new Exposition(tally, false, {}, { reuseMs: 1000, now: () => clock });
    tally.line(annotator.annotateLine('{"status":401}'));

    const burst = await Promise.all(Array.from({ length: 50 }, () => exposition.render('prometheus')));
    expect(collect).toHaveBeenCalledTimes(1);
    expect(new Set(burst.map((rendered) => rendered.body)).size).toBe(1);
    expect(annotated(burst[0]!.body)).toBe('1');

    tally.line(annotator.annotateLine('{"status":401}'));
    clock += 999;
    expect(annotated((await exposition.render('prometheus')).body)).toBe('1');
    expect((await exposition.render('openmetrics')).contentType).toMatch(/^application\/openmetrics-text/);
    expect(collect).toHaveBeenCalledTimes(2);

    clock += 1;
    expect(annotated((await exposition.render('prometheus')).body)).toBe('2');
    expect(collect).toHaveBeenCalledTimes(3);
  });

  it('the window starts when a rendering is done: requests during a rendering share it', async () => {
    let finish: (body: string) => void = () => undefined;
    const collect = vi.spyOn(Registry.prototype, 'metrics').mockImplementation(() => new Promise<string>((resolve) => (finish = resolve)));
    let clock = 0;
    const exposition = new Exposition(newTally(), false, {}, { reuseMs: 1000, now: () => clock });
    const first = exposition.render();
    clock = 5000;
    const during = exposition.render();
    finish('rendered once\n');
    expect([(await first).body, (await during).body]).toEqual(['rendered once\n', 'rendered once\n']);
    clock = 5999;
    expect((await exposition.render()).body).toBe('rendered once\n');
    expect(collect).toHaveBeenCalledTimes(1);
  });

  it('a failed rendering is not served again', async () => {
    const collect = vi.spyOn(Registry.prototype, 'metrics').mockRejectedValueOnce(new Error('collect failed'));
    const exposition = new Exposition(newTally(), false, {}, { reuseMs: 60_000, now: () => 0 });
    await expect(exposition.render()).rejects.toThrow('collect failed');
    expect(annotated((await exposition.render()).body)).toBe('0');
    expect(collect).toHaveBeenCalledTimes(2);
  });

  it('without a window, every request renders', async () => {
    const collect = vi.spyOn(Registry.prototype, 'metrics');
    const exposition = new Exposition(newTally(), false);
    await exposition.render();
    await exposition.render();
    expect(collect).toHaveBeenCalledTimes(2);
  });
});
