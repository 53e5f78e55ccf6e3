import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, lines, runCli, startCli } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import { FIXTURES, expectedFor } from '../helpers/expected.js';
import { promql } from '../helpers/prometheus.js';
import { freePort, hasTool, startDaemon, stopDaemon, waitFor } from '../helpers/tools.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-metrics-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const countArgs = (name: string) => ['count', '--max-line-bytes', String(expectedFor(name).maxLineBytes ?? 1048576), fixture(name)];

describe('hidlog count', () => {
  it.each(FIXTURES)('%s: counts equal the fixture’s truth, per code and per line result', async (name) => {
    const result = await runCli(countArgs(name));
    expect(result.code).toBe(0);
    const samples = parseExposition(result.stdout.toString());
    const truth = expectedFor(name);
    expect(byLabel(samples, 'hid_http_responses_total', 'code')).toEqual(truth.codes.http);
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual(truth.codes.error);
    expect(byLabel(samples, 'hid_failures_total', 'code')).toEqual(truth.codes.failure);
    expect(byLabel(samples, 'hid_responses_total', 'code')).toEqual(truth.codes.response);
    expect(byLabel(samples, 'hidlog_invalid_lines_total', 'reason')).toEqual(truth.invalid);
    const results = Object.fromEntries(Object.entries(truth.results).filter(([, n]) => n > 0));
    expect(byLabel(samples, 'hidlog_lines_total', 'result')).toEqual(results);
    expect(byLabel(samples, 'hidlog_outcomes_total', 'outcome')).toEqual(Object.fromEntries(Object.entries(truth.outcomes).filter(([, n]) => n > 0)));
  });

  it('writes no process metrics into a finished run’s exposition', async () => {
    const result = await runCli(['count', fixture('audit.ndjson')]);
    expect(result.stdout.toString()).not.toMatch(/^process_/m);
    expect(result.stdout.toString()).toMatch(/^hidlog_build_info\{version="\d+\.\d+\.\d+"\} 1$/m);
  });

  it('--no-zero-series leaves out the catalog codes and latency outcomes not seen; the counts and hid_code_info stay', async () => {
    const codeCounters = /^hid_(http_responses|errors|failures|responses)_total\b/;
    const [all, seen] = await Promise.all([runCli(['count', fixture('audit.ndjson')]), runCli(['count', '--no-zero-series', fixture('audit.ndjson')])]);
    expect(seen).toMatchObject({ code: 0, stderr: '' });
    const [allSamples, seenSamples] = [parseExposition(all.stdout.toString()), parseExposition(seen.stdout.toString())];
    const counted = (samples: typeof allSamples) => samples.filter((s) => codeCounters.test(s.name));
    expect(counted(allSamples).some((s) => s.value === 0)).toBe(true);
    expect(counted(seenSamples).length).toBeGreaterThan(0);
    expect(counted(seenSamples)).toEqual(counted(allSamples).filter((s) => s.value > 0));
    // The fixture has no durations: the latency histogram's series are all at 0, and all left out.
    const durations = (samples: typeof allSamples) => samples.filter((s) => s.name.startsWith('hid_request_duration_seconds_'));
    expect(durations(allSamples).length).toBe(4 * 18);
    expect(durations(seenSamples)).toEqual([]);
    const zeroable = (name: string) => codeCounters.test(name) || name.startsWith('hid_request_duration_seconds_');
    expect(seenSamples.filter((s) => !zeroable(s.name))).toEqual(allSamples.filter((s) => !zeroable(s.name)));
  });

  it('writes --textfile atomically, and nothing to stdout', async () => {
    const textfile = join(dir, 'hidlog.prom');
    const result = await runCli(['count', '--textfile', textfile, fixture('scim.ndjson')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.length).toBe(0);
    const samples = parseExposition(readFileSync(textfile, 'utf8'));
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual(expectedFor('scim.ndjson').codes.error);
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it('caps cardinality under a stream of random unknown codes and label values', async () => {
    const input = Array.from({ length: 5000 }, (_, i) =>
      JSON.stringify({ tenant: `t${(i * 7919) % 1000}`, hid_error: 500000 + ((i * 104729) % 3000), status: 400 }),
    ).join('\n');
    const result = await runCli(['count', '--label', 'tenant=tenant', '--max-unknown-codes', '10', '--max-label-values', '5'], { input });
    expect(result.code).toBe(0);
    const samples = parseExposition(result.stdout.toString());
    const errorSeries = samples.filter((s) => s.name === 'hid_errors_total');
    const codes = new Set(errorSeries.map((s) => s.labels.code));
    const tenants = new Set(errorSeries.map((s) => s.labels.tenant));
    expect(codes.size).toBe(11);
    expect(tenants.size).toBe(6);
    expect(errorSeries.reduce((sum, s) => sum + s.value, 0)).toBe(5000);
    const overflow = byLabel(samples, 'hidlog_label_overflow_total', 'label');
    expect(overflow.code).toBe(5000 - errorSeries.filter((s) => s.labels.code !== 'other').reduce((sum, s) => sum + s.value, 0));
    expect(overflow.tenant).toBe(errorSeries.filter((s) => s.labels.tenant === 'other').reduce((sum, s) => sum + s.value, 0));
  });

  it.each(['1', '2'])('bounds the series of three --labels of 50 values each by --max-series (--workers %s)', async (workers) => {
    // Every tenant, region and client combined: 50 × 50 × 50 combinations, each label under its own cap of 50.
    const records = 20_000;
    const input = Array.from({ length: records }, (_, i) =>
      JSON.stringify({ tenant: `t${i % 50}`, region: `r${Math.floor(i / 50) % 50}`, client: `c${(i * 7) % 50}`, status: 401, hid_failure: 13 }),
    ).join('\n');
    const labels = ['--label', 'tenant=tenant', '--label', 'region=region', '--label', 'client=client'];
    const result = await runCli(['count', '--workers', workers, ...labels, '--max-series', '500'], { input });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const samples = parseExposition(result.stdout.toString());
    const codeSeries = samples.filter((s) => /^hid_.*_total$/.test(s.name));
    // The cap, and one series per code where the combinations past it go.
    expect(codeSeries.length).toBeLessThanOrEqual(502);
    expect(byLabel(samples, 'hid_failures_total', 'code')).toEqual({ '13': records });
    expect(byLabel(samples, 'hid_http_responses_total', 'code')).toEqual({ '401': records });
    const lumped = codeSeries.filter((s) => s.labels.tenant === 'other' && s.labels.region === 'other' && s.labels.client === 'other');
    expect(lumped.map((s) => s.name).sort()).toEqual(['hid_failures_total', 'hid_http_responses_total']);
    const overflow = byLabel(samples, 'hidlog_label_overflow_total', 'label');
    expect(overflow.series).toBeGreaterThan(0);
    expect(overflow.series).toBe(lumped.reduce((sum, s) => sum + s.value, 0));
    expect(overflow).not.toHaveProperty('tenant');
  });

  it.each([
    [['--label', 'bad-name=x'], /--label bad-name=x: bad-name is not a valid Prometheus label name/],
    [['--label', 'series=x'], /--label series=x: series is taken: hidlog_label_overflow_total\{label="series"\} counts what --max-series turns away/],
    [['--max-series', '10k'], /--max-series 10k: expected a whole number, 0 or more/],
    [['--label', 'code=x'], /--label code=x: code is a label hidlog sets itself/],
    [['--label', 'a=x', '--label', 'a=y.'], /--label a=y\.: expected NAME=DOT\.PATH/],
    [['--max-unknown-codes', '-1'], /--max-unknown-codes -1: expected a whole number/],
    [['--pushgateway', 'localhost:9091'], /--pushgateway localhost:9091: expected an http/],
    [['--kubernetes-labels', 'namespace,node'], /^hidlog: --kubernetes-labels namespace,node: "node" is not one of namespace, pod, container$/m],
    [['--kubernetes-labels', 'pod', '--label', 'pod=ctx.pod'], /^hidlog: --kubernetes-labels pod: pod is also a --label$/m],
  ])('refuses %j with exit 2', async (args, message) => {
    const result = await runCli(['count', ...args], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe('hidlog count --kubernetes-labels', () => {
  it("labels each file's counts by its path on a node, in one thread or several; stdin gets empty values", async () => {
    const podLog = join(dir, 'pods', 'hid_auth-0_0b9c6a4e', 'auth', '0.log');
    const containerLog = join(dir, 'containers', `auth-1_hid_auth-${'0123456789abcdef'.repeat(4)}.log`);
    mkdirSync(dirname(podLog), { recursive: true });
    mkdirSync(dirname(containerLog), { recursive: true });
    const failures = (n: number) =>
      Array.from({ length: n }, (_, i) => `2026-12-01T10:00:00.${String(i).padStart(9, '0')}Z stdout F {"status":401,"hid_failure":13}\n`).join('');
    writeFileSync(podLog, failures(3));
    // NDJSON, not CRI: with --workers 2 its lines are counted in worker threads.
    writeFileSync(containerLog, '{"status":401,"hid_failure":13}\n'.repeat(2));
    for (const workers of ['1', '2']) {
      const result = await runCli(['count', '--workers', workers, '--kubernetes-labels', 'namespace,pod,container', podLog, containerLog, '-'], {
        input: '{"status":401,"hid_failure":13}\n',
      });
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const series = parseExposition(result.stdout.toString())
        .filter((s) => s.name === 'hid_failures_total')
        .map((s) => [s.labels.namespace, s.labels.pod, s.labels.container, s.value]);
      expect(series).toEqual([
        ['', '', '', 1],
        ['hid', 'auth-0', 'auth', 3],
        ['hid', 'auth-1', 'auth', 2],
      ]);
    }
  });
});

describe('--label without a metrics output', () => {
  it('is still checked, and said once on stderr to have no effect; the records are written as without it', async () => {
    const input = '{"status":401,"ctx":{"tenant":"a"}}\n{"status":200,"ctx":{"tenant":"b"}}\n';
    const [labelled, plain] = await Promise.all([
      runCli(['annotate', '--label', 'tenant=ctx.tenant', '--label', 'app=ctx.app', '-'], { input }),
      runCli(['annotate', '-'], { input }),
    ]);
    expect(labelled.code).toBe(0);
    expect(labelled.stderr).toBe('hidlog: --label has no effect without --metrics-listen, --textfile or --pushgateway\n');
    expect(labelled.stdout.toString()).toBe(plain.stdout.toString());
  });

  it('nor --kubernetes-labels', async () => {
    const result = await runCli(['annotate', '--kubernetes-labels', 'namespace', '-'], { input: '{"status":200}\n' });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('hidlog: --kubernetes-labels has no effect without --metrics-listen, --textfile or --pushgateway\n');
  });

  it('a bad --label is a usage error even so', async () => {
    const result = await runCli(['annotate', '--label', 'bad-name=x', '-'], { input: '{"status":200}\n' });
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe('hidlog: --label bad-name=x: bad-name is not a valid Prometheus label name');
  });
});

describe('the exposition under promtool', () => {
  const promtool = hasTool('promtool');

  it.runIf(promtool).each(FIXTURES)('%s: passes promtool check metrics with no finding', async (name) => {
    const result = await runCli(countArgs(name));
    const check = spawnSync('promtool', ['check', 'metrics'], { input: result.stdout, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
    expect(check.status).toBe(0);
  });

  it.runIf(promtool)('the live endpoint, process metrics included, passes promtool too', async () => {
    const port = await freePort();
    const child = startCli(['--metrics-listen', `127.0.0.1:${port}`, '--linger', fixture('openid.ndjson')]);
    const done = collect(child);
    const body = await waitFor('the endpoint', async () => {
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      const text = await response.text();
      return text.includes('hidlog_lines_total{result="annotated"} 116') ? text : undefined;
    });
    child.kill('SIGTERM');
    await done;
    expect(body).toMatch(/^process_cpu_user_seconds_total /m);
    const check = spawnSync('promtool', ['check', 'metrics'], { input: body, encoding: 'utf8' });
    expect(check.stderr + check.stdout).toBe('');
  });
});

describe('the /metrics endpoint', () => {
  it('serves /metrics and /healthz, 404 elsewhere, 405 for other methods; closes at SIGTERM with exit 0', async () => {
    const port = await freePort();
    const child = startCli(['--metrics-listen', `127.0.0.1:${port}`, '--linger', fixture('audit.ndjson')]);
    const done = collect(child);
    const base = `http://127.0.0.1:${port}`;
    await waitFor('the endpoint', async () => ((await fetch(`${base}/healthz`)).ok ? true : undefined));
    const health = await fetch(`${base}/healthz`);
    expect([health.status, await health.text()]).toEqual([200, 'ok\n']);
    const metrics = await fetch(`${base}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toMatch(/^hid_responses_total\{code="1",result="succeeded"\} \d+$/m);
    const openMetrics = await fetch(`${base}/metrics`, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
    expect(openMetrics.headers.get('content-type')).toMatch(/^application\/openmetrics-text/);
    expect((await openMetrics.text()).endsWith('# EOF\n')).toBe(true);
    for (const path of ['/', '/metrics/', '/../etc/passwd', '/favicon.ico']) expect((await fetch(`${base}${path}`)).status).toBe(404);
    const post = await fetch(`${base}/metrics`, { method: 'POST', body: 'x' });
    expect([post.status, post.headers.get('allow')]).toEqual([405, 'GET, HEAD']);
    expect((await fetch(`${base}/metrics`, { method: 'HEAD' })).status).toBe(200);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(`hidlog: serving metrics on ${base}/metrics\n`);
    expect(lines(result.stdout).length).toBe(expectedFor('audit.ndjson').lines);
    await expect(fetch(`${base}/healthz`)).rejects.toThrow();
  });

  it('with --no-zero-series, serves only the codes seen', async () => {
    const port = await freePort();
    const child = startCli(['--metrics-listen', `127.0.0.1:${port}`, '--linger', '--no-zero-series', '-o', '/dev/null', fixture('audit.ndjson')]);
    const done = collect(child);
    const samples = await waitFor('the counts', async () => {
      const exposed = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      const read = exposed.filter((s) => s.name === 'hidlog_lines_total').reduce((sum, s) => sum + s.value, 0);
      return read === expectedFor('audit.ndjson').lines ? exposed : undefined;
    });
    child.kill('SIGTERM');
    await done;
    const counted = samples.filter((s) => /^hid_(http_responses|errors|failures|responses)_total$/.test(s.name));
    expect(byLabel(samples, 'hid_responses_total', 'code')).toEqual(expectedFor('audit.ndjson').codes.response);
    expect(counted.filter((s) => s.value === 0)).toEqual([]);
    expect(samples.filter((s) => s.name === 'hid_code_info').length).toBeGreaterThan(400);
  });

  it('without --linger, stops serving and exits when the input ends', async () => {
    const port = await freePort();
    const result = await runCli(['--metrics-listen', `127.0.0.1:${port}`, fixture('audit.ndjson')]);
    expect(result.code).toBe(0);
    await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
  });

  it('says in one line when it cannot listen, exit 1', async () => {
    const port = await freePort();
    const blocker = startCli(['--metrics-listen', `127.0.0.1:${port}`, '--linger', fixture('audit.ndjson')]);
    const blocked = collect(blocker);
    await waitFor('the first endpoint', async () => ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok ? true : undefined));
    const result = await runCli(['--metrics-listen', `127.0.0.1:${port}`, fixture('audit.ndjson')]);
    blocker.kill('SIGTERM');
    await blocked;
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot listen on 127.0.0.1:${port}: address already in use\n`);
  });
});

describe('with a real Prometheus', () => {
  const prometheus = hasTool('prometheus');

  it.runIf(prometheus)(
    'scrapes hidlog while lines stream in, and PromQL returns the counts',
    async () => {
      const hidlogPort = await freePort();
      const promPort = await freePort();
      const hidlog = startCli(['--metrics-listen', `127.0.0.1:${hidlogPort}`, '-o', '/dev/null']);
      const hidlogDone = collect(hidlog);
      const config = join(dir, 'prometheus.yml');
      writeFileSync(
        config,
        `global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: hidlog\n    static_configs:\n      - targets: ['127.0.0.1:${hidlogPort}']\n`,
      );
      const server = startDaemon('prometheus', [
        `--config.file=${config}`,
        `--storage.tsdb.path=${join(dir, 'tsdb')}`,
        `--web.listen-address=127.0.0.1:${promPort}`,
      ]);
      const { query, scalar } = promql(promPort);
      try {
        const first = readFileSync(fixture('openid.ndjson'));
        hidlog.stdin!.write(first);
        const firstTruth = expectedFor('openid.ndjson');
        await waitFor(
          'the first batch in Prometheus',
          async () => ((await scalar('sum(hidlog_lines_total{job="hidlog"})')) === firstTruth.lines ? true : undefined),
          60_000,
        );
        hidlog.stdin!.write(readFileSync(fixture('scim.ndjson')));
        const total = firstTruth.lines + expectedFor('scim.ndjson').lines;
        await waitFor(
          'the second batch in Prometheus',
          async () => ((await scalar('sum(hidlog_lines_total{job="hidlog"})')) === total ? true : undefined),
          60_000,
        );
        const failures = await query('sum by (code) (hid_failures_total{job="hidlog"}) > 0');
        expect(Object.fromEntries(failures.map((r) => [r.metric.code, Number(r.value[1])]))).toEqual(firstTruth.codes.failure);
        const errors = await query('sum by (code) (hid_errors_total{job="hidlog"}) > 0');
        const expectedErrors: Record<string, number> = { ...firstTruth.codes.error };
        for (const [code, n] of Object.entries(expectedFor('scim.ndjson').codes.error)) expectedErrors[code] = (expectedErrors[code] ?? 0) + n;
        expect(Object.fromEntries(errors.map((r) => [r.metric.code, Number(r.value[1])]))).toEqual(expectedErrors);
        const joined = await query('hid_failures_total{code="51"} * on (code) group_left(description) hid_code_info{kind="failure"}');
        expect(joined[0]?.metric.description).toBe('The step-up threshold has been reached');
      } finally {
        hidlog.stdin!.end();
        await hidlogDone;
        await stopDaemon(server);
      }
    },
    120_000,
  );
});

describe('with a real Pushgateway', () => {
  const pushgateway = hasTool('prometheus-pushgateway');

  it.runIf(pushgateway)('receives the counts of a batch run under its job', async () => {
    const port = await freePort();
    const gateway = startDaemon('prometheus-pushgateway', [`--web.listen-address=127.0.0.1:${port}`]);
    try {
      await waitFor('the Pushgateway', async () => ((await fetch(`http://127.0.0.1:${port}/-/ready`)).ok ? true : undefined));
      const out = join(dir, 'pushed.ndjson');
      const result = await runCli(['annotate', '-o', out, '--pushgateway', `http://127.0.0.1:${port}`, '--job', 'hid_batch', fixture('openid.ndjson')]);
      expect(result).toMatchObject({ code: 0, stderr: '' });
      const samples = parseExposition(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text());
      const pushed = samples.filter((s) => s.name === 'hid_failures_total' && s.labels.job === 'hid_batch' && s.value > 0);
      expect(Object.fromEntries(pushed.map((s) => [s.labels.code, s.value]))).toEqual(expectedFor('openid.ndjson').codes.failure);
      expect(lines(readFileSync(out)).length).toBe(expectedFor('openid.ndjson').lines);
    } finally {
      await stopDaemon(gateway);
    }
  });

  it('an unreachable gateway: one clear line, exit 1, the annotated output still complete', async () => {
    const port = await freePort();
    const out = join(dir, 'unpushed.ndjson');
    const result = await runCli(['annotate', '-o', out, '--pushgateway', `http://127.0.0.1:${port}`, fixture('openid.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: cannot push to http://127.0.0.1:${port}: connection refused\n`);
    expect(existsSync(out)).toBe(true);
    expect(lines(readFileSync(out)).length).toBe(expectedFor('openid.ndjson').lines);
  });
});
