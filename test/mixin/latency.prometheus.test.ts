// The latency panel and the slow-requests rule against their truth: two real hidlogs follow a
// file each, a real Prometheus scrapes their zero histograms, then records whose durations are
// known are appended (in each built-in field and unit). The panel's percentiles, summed across
// the two instances, must fall in the bucket of the true percentile of all the records together.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { random } from '../../fixtures/shapes.mjs';
import { DURATION_BUCKETS } from '../../src/count/duration-histogram.js';
import { ROOT } from '../helpers/cli.js';
import { interpolate, type GrafanaPanel, type GrafanaVariable } from '../helpers/grafana.js';
import { Prometheus } from '../helpers/prometheus.js';
import { hasTool, waitFor } from '../helpers/tools.js';
import { serveHidlog, shippedPrometheusConfig, untilRead, type ServedHidlog } from './fleet.js';

const SCRAPE_SECONDS = 1;
const RECORDS_PER_INSTANCE = 400;
const PANEL = 'Request duration by outcome (p50, p95, p99)';

interface Dashboard {
  panels: GrafanaPanel[];
  templating: { list: GrafanaVariable[] };
}
const overview = JSON.parse(readFileSync(join(ROOT, 'dashboards', 'hidlog-overview.json'), 'utf8')) as Dashboard;

type Outcome = 'success' | 'failure';
interface Observed {
  outcome: Outcome;
  seconds: number;
}

/**
 * Records whose durations are known: log-uniform from 1 ms to 20 s (failures drawn slower), each
 * written in one of the fields hidlog reads without an option, in that field's unit.
 */
function records(seed: number): { text: string; observed: Observed[] } {
  const rnd = random(seed);
  const lines: string[] = [];
  const observed: Observed[] = [];
  for (let i = 0; i < RECORDS_PER_INSTANCE; i++) {
    const outcome: Outcome = rnd() < 0.7 ? 'success' : 'failure';
    const exponent = Math.log(0.001) + (outcome === 'failure' ? 0.3 + 0.7 * rnd() : rnd()) * (Math.log(20) - Math.log(0.001));
    const micros = Math.max(1, Math.round(Math.exp(exponent) * 1e6));
    const codes = outcome === 'success' ? '"status":200' : '"status":401,"hid_failure":{"reason":13}';
    const field = [
      `"duration_ms":${micros / 1000}`,
      `"took":${micros / 1000}`,
      `"responseTime":${micros / 1000}`,
      `"event":{"duration":${micros * 1000}}`,
      `"request_time":"${micros / 1e6}"`,
    ][i % 5];
    lines.push(`{${codes},${field}}`);
    observed.push({ outcome, seconds: micros / 1e6 });
  }
  return { text: lines.join('\n') + '\n', observed };
}

/** The q-quantile of `values` as histogram_quantile ranks it: the ceil(q·n)-th smallest. */
function trueQuantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(q * sorted.length) - 1)]!;
}

/** The bucket of hid_request_duration_seconds a duration falls in: [lower, upper]. */
function bucketOf(seconds: number): [number, number] {
  const upper = DURATION_BUCKETS.findIndex((bound) => seconds <= bound);
  if (upper < 0) return [DURATION_BUCKETS.at(-1)!, DURATION_BUCKETS.at(-1)!];
  return [upper === 0 ? 0 : DURATION_BUCKETS[upper - 1]!, DURATION_BUCKETS[upper]!];
}

const prometheusInstalled = hasTool('prometheus');
const dir = mkdtempSync(join(tmpdir(), 'hidlog-latency-'));
const parts = [records(2301), records(2302)];
const hidlogs: ServedHidlog[] = [];
let prometheus: Prometheus | undefined;
let appendedAt = 0;

beforeAll(async () => {
  if (!prometheusInstalled) return;
  for (const [i] of parts.entries()) {
    writeFileSync(join(dir, `${i}.log`), '');
    const hidlog = await serveHidlog(['--follow', '--poll-interval', '50', join(dir, `${i}.log`)]);
    hidlogs.push(hidlog);
    // Appended before the follower's first look, the records would be taken for what was there at the start, and skipped.
    await waitFor('the follower to follow its file', async () =>
      (await (await fetch(`http://${hidlog.instance}/metrics`)).text()).match(/^hidlog_follow_files 1$/m) ? true : undefined,
    );
  }
  prometheus = await Prometheus.start(dir, 'prometheus', {
    global: { scrape_interval: `${SCRAPE_SECONDS}s`, evaluation_interval: `${SCRAPE_SECONDS}s` },
    ...shippedPrometheusConfig(
      hidlogs.map((h) => h.instance),
      SCRAPE_SECONDS,
    ),
  });
  const server = prometheus;
  // Their histograms at 0 first: a rate() over the window then counts every record that follows.
  await waitFor(
    'three scrapes of both hidlogs',
    async () => (((await server.scalar('min(count_over_time(up{job="hidlog"}[1m]))')) ?? 0) >= 3 ? true : undefined),
    60_000,
  );
  appendedAt = Math.floor(Date.now() / 1000);
  parts.forEach((part, i) => appendFileSync(join(dir, `${i}.log`), part.text));
  for (const hidlog of hidlogs) await untilRead(hidlog.instance, RECORDS_PER_INSTANCE);
  await waitFor('Prometheus to scrape every record', async () =>
    (await server.scalar('sum(hid_request_duration_seconds_count)')) === 2 * RECORDS_PER_INSTANCE ? true : undefined,
  );
  await waitFor('the p99 recording rule', async () =>
    (await server.scalar('count(job:hid_request_duration_seconds:p99_rate5m >= 0)')) === 1 ? true : undefined,
  );
}, 180_000);

afterAll(async () => {
  await prometheus?.stop();
  await Promise.all(hidlogs.map((h) => h.stop()));
  rmSync(dir, { recursive: true, force: true });
});

describe.runIf(prometheusInstalled)('the latency histogram on a real Prometheus', () => {
  const observed = parts.flatMap((part) => part.observed);

  it('the corpus spans the buckets, in every built-in field', () => {
    for (const outcome of ['success', 'failure'] as const) expect(observed.filter((o) => o.outcome === outcome).length).toBeGreaterThan(50);
    expect(new Set(observed.map((o) => bucketOf(o.seconds)[1])).size).toBeGreaterThan(10);
  });

  it("the overview's p50, p95 and p99 by outcome, across both instances, fall in the bucket of the truth", async () => {
    const panel = overview.panels.find((p) => p.title === PANEL)!;
    // The panel's queries with a window from before the records came (the histograms at 0) to now.
    const window = `${Math.floor(Date.now() / 1000) - appendedAt + 10}s`;
    const quantiles = [0.5, 0.95, 0.99];
    expect(panel.targets!.length).toBe(quantiles.length);
    for (const [i, target] of panel.targets!.entries()) {
      const expr = interpolate(target.expr, overview.templating.list, {}, { __rate_interval: window });
      const { status, data } = await prometheus!.query(expr);
      expect(status, expr).toBe('success');
      const byOutcome = Object.fromEntries(data!.result.map((s) => [s.metric.outcome, Number(s.value![1])]));
      for (const outcome of ['success', 'failure'] as const) {
        const truth = trueQuantile(
          observed.filter((o) => o.outcome === outcome).map((o) => o.seconds),
          quantiles[i]!,
        );
        const [lower, upper] = bucketOf(truth);
        const shown = byOutcome[outcome]!;
        expect(shown, `p${quantiles[i]! * 100} ${outcome}: truth ${truth}`).toBeGreaterThanOrEqual(lower);
        expect(shown, `p${quantiles[i]! * 100} ${outcome}: truth ${truth}`).toBeLessThanOrEqual(upper);
      }
    }
  });

  it("the recording rule HIDAuthSlowRequests reads has the job's p99 of both instances, in the bucket of the truth", async () => {
    const truth = trueQuantile(
      observed.map((o) => o.seconds),
      0.99,
    );
    const [lower, upper] = bucketOf(truth);
    const p99 = (await prometheus!.scalar('job:hid_request_duration_seconds:p99_rate5m{job="hidlog"}'))!;
    expect(p99).toBeGreaterThanOrEqual(lower);
    expect(p99).toBeLessThanOrEqual(upper);
  });
});
