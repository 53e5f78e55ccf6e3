import { spawnSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/report/model.js';
import { untilAsleep } from '../helpers/asleep.js';
import { CLI, collect, fixture, runCli, startCli, type CliResult } from '../helpers/cli.js';
import { FIXTURES, expectedFor, type Expected } from '../helpers/expected.js';
import { hasTool } from '../helpers/tools.js';

const KINDS = ['http', 'error', 'failure', 'response'] as const;
const ALL = '100000';
const n = (value: number) => value.toLocaleString('en-US');

interface IncidentTruth extends Expected {
  missingTime: number;
  unparseableTime: number;
  first: string;
  last: string;
  timeline5m: { start: string; outcomes: Record<string, number[]> };
  byClient: Record<string, number>;
  windows: Record<'absolute' | 'relative', { since: string; until: string; outcomes: Record<string, number> }>;
}
const incident = expectedFor('incident.ndjson.gz') as IncidentTruth;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-report-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const reportArgs = (name: string, ...more: string[]) => [
  'report',
  '--top',
  ALL,
  '--max-line-bytes',
  String(expectedFor(name).maxLineBytes ?? 1048576),
  ...more,
  fixture(name),
];

async function reportJson(args: string[], input?: string | Buffer): Promise<Report> {
  const result = await runCli([...args, '--format', 'json'], { input });
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return JSON.parse(result.stdout.toString()) as Report;
}

/** The report's counts in the shape of a fixture's truth. */
function countsOf(report: Report) {
  const codes = Object.fromEntries(KINDS.map((kind) => [kind, Object.fromEntries(report.kinds[kind].codes.map((c) => [String(c.code), c.count]))]));
  return {
    lines: report.input.lines,
    invalid: Object.fromEntries(report.input.badLinesByReason.filter((r) => r.reason !== 'too_long').map((r) => [r.reason, r.count])),
    tooLong: report.input.badLinesByReason.find((r) => r.reason === 'too_long')?.count ?? 0,
    annotated: report.records.annotated,
    noCodes: report.records.noCodes,
    codes,
    outcomes: Object.fromEntries(report.outcomes.map((o) => [o.outcome, o.count])),
  };
}

const truthOf = (truth: Expected) => ({
  lines: truth.lines,
  invalid: truth.invalid,
  tooLong: truth.results.too_long,
  annotated: truth.results.annotated,
  noCodes: truth.results.no_codes,
  codes: truth.codes,
  outcomes: { success: 0, failure: 0, error: 0, unknown: 0, ...truth.outcomes },
});

const allFixtures = [...FIXTURES, 'incident.ndjson.gz'];

describe('hidlog report: every format gives the fixtures’ exact counts', () => {
  it.each(allFixtures)('%s: json', async (name) => {
    const report = await reportJson(reportArgs(name));
    expect(report.schema).toBe('hidlog-report');
    expect(report.version).toBe(1);
    expect(countsOf(report)).toEqual(truthOf(expectedFor(name)));
    for (const kind of KINDS) expect(report.kinds[kind].other).toBeNull();
  });

  it.each(allFixtures)('%s: table', async (name) => {
    const result = await runCli(reportArgs(name, '--format', 'table'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const text = result.stdout.toString();
    const truth = expectedFor(name);
    for (const [outcome, count] of Object.entries(truth.outcomes)) if (count > 0) expect(text).toMatch(new RegExp(`^  ${outcome} +${n(count)} `, 'm'));
    for (const kind of KINDS)
      for (const [code, count] of Object.entries(truth.codes[kind])) expect(text, `${kind} ${code}`).toMatch(new RegExp(`^  ${code} +${n(count)} +\\d`, 'm'));
    expect(text).toContain(`lines           ${n(truth.lines)} (`);
  });

  it.each(allFixtures)('%s: markdown', async (name) => {
    const result = await runCli(reportArgs(name, '--format', 'markdown'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const text = result.stdout.toString();
    const truth = expectedFor(name);
    for (const [outcome, count] of Object.entries(truth.outcomes)) if (count > 0) expect(text).toContain(`| ${outcome} | ${n(count)} |`);
    for (const kind of KINDS)
      for (const [code, count] of Object.entries(truth.codes[kind]))
        expect(text, `${kind} ${code}`).toMatch(new RegExp(`^\\| ${code}( [^|]+)? \\| ${n(count)} \\|`, 'm'));
  });

  it.each(allFixtures)('%s: csv', async (name) => {
    const result = await runCli(reportArgs(name, '--format', 'csv'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const rows = parseCsv(result.stdout.toString());
    expect(rows[0]).toEqual(['section', 'kind', 'name', 'code', 'category', 'time', 'count', 'share', 'error', 'first_seen', 'last_seen', 'description']);
    const truth = expectedFor(name);
    const codes = Object.fromEntries(
      KINDS.map((kind) => [kind, Object.fromEntries(rows.filter((r) => r[0] === 'code' && r[1] === kind).map((r) => [r[3], Number(r[6])]))]),
    );
    expect(codes).toEqual(truth.codes);
    const outcomes = Object.fromEntries(rows.filter((r) => r[0] === 'outcome').map((r) => [r[2], Number(r[6])]));
    expect(outcomes).toEqual({ success: 0, failure: 0, error: 0, unknown: 0, ...truth.outcomes });
    expect(rows.find((r) => r[0] === 'input' && r[2] === 'lines')![6]).toBe(String(truth.lines));
  });

  it.each(allFixtures)('%s: html', async (name) => {
    const result = await runCli(reportArgs(name, '--format', 'html'));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const html = result.stdout.toString();
    const truth = expectedFor(name);
    for (const kind of KINDS) {
      for (const [code, count] of Object.entries(truth.codes[kind])) {
        expect(html, `${kind} ${code}`).toMatch(new RegExp(`<span class="code">${code}( [^<]+)?</span>.*?<td class="n">${n(count)}<br>`));
      }
    }
    expect(html).not.toMatch(/(src|href)=["']?https?:/);
  });
});

describe('hidlog report on the incident', () => {
  it('finds the time range, the records without a time, and the timeline in 5-minute buckets', async () => {
    const report = await reportJson(['report', '--bucket', '5m', fixture('incident.ndjson.gz')]);
    expect(report.input.first).toBe(incident.first);
    expect(report.input.last).toBe(incident.last);
    expect(report.input.missingTime).toBe(incident.missingTime);
    expect(report.input.unparseableTime).toBe(incident.unparseableTime);
    expect(report.timeline!.bucket).toBe('5m');
    expect(report.timeline!.starts[0]).toBe(incident.timeline5m.start);
    expect(report.timeline!.outcomes).toEqual(incident.timeline5m.outcomes);
    expect(report.timeline!.end).toBe('2026-11-28T11:00:00.000Z');
  });

  it('chooses 5-minute buckets for three hours by itself', async () => {
    const report = await reportJson(['report', fixture('incident.ndjson.gz')]);
    expect(report.timeline!.bucketSeconds).toBe(300);
  });

  it('names the first and last time each code was seen', async () => {
    const report = await reportJson(['report', fixture('incident.ndjson.gz')]);
    const license = report.kinds.error.codes.find((c) => c.code === 9001)!;
    expect(license).toMatchObject({ category: 'license', known: true, count: incident.codes.error['9001'] });
    expect(license.firstSeen! >= '2026-11-28T10:05').toBe(true);
    expect(license.lastSeen! < '2026-11-28T10:25').toBe(true);
  });

  it('shows times in --tz, and reads times without an offset in it', async () => {
    const report = await reportJson(['report', '--tz', 'Europe/Berlin', fixture('incident.ndjson.gz')]);
    expect(report.timeZone).toBe('Europe/Berlin');
    expect(report.input.first).toBe('2026-11-28T09:00:00.000+01:00');
    const input = '{"time":"2026-11-28 10:00:00","status":200}\n';
    expect((await reportJson(['report', '--tz', 'Europe/Berlin'], input)).input.first).toBe('2026-11-28T10:00:00.000+01:00');
    expect((await reportJson(['report'], input)).input.first).toBe('2026-11-28T10:00:00.000Z');
  });

  it('--since and --until as times: [since, until), records without a time left out', async () => {
    const truth = incident.windows.absolute;
    const report = await reportJson(['report', '--since', '2026-11-28T10:00:00Z', '--until', '2026-11-28T12:00:00+01:30', fixture('incident.ndjson.gz')]);
    expect(report.window).toMatchObject({ since: truth.since, until: truth.until, withoutTime: 2 });
    expect(Object.fromEntries(report.outcomes.map((o) => [o.outcome, o.count]))).toEqual(truth.outcomes);
    // Every record is counted, outside the window, or without a time.
    expect(report.records.total + report.window!.outside + report.window!.withoutTime).toBe(report.input.records);
    expect(report.records.first! >= truth.since && report.records.last! < truth.until).toBe(true);
  });

  it('--since and --until as durations before the latest record, in one pass', async () => {
    const truth = incident.windows.relative;
    const report = await reportJson(['report', '--since', '45m', '--until', '20m', fixture('incident.ndjson.gz')]);
    expect(report.window).toMatchObject({ since: truth.since, until: truth.until, asked: { since: '45m', until: '20m' } });
    expect(Object.fromEntries(report.outcomes.map((o) => [o.outcome, o.count]))).toEqual(truth.outcomes);
    // The same records as the window written out.
    const absolute = await reportJson(['report', '--since', truth.since, '--until', truth.until, fixture('incident.ndjson.gz')]);
    expect(absolute.kinds).toEqual(report.kinds);
    expect(absolute.timeline).toEqual(report.timeline);
  });

  it('--by: the values hit most among failures and errors, exact, with their codes', async () => {
    const report = await reportJson(['report', '--by', 'client_id', '--by', 'tenant', fixture('incident.ndjson.gz')]);
    const [client, tenant] = report.by;
    expect(client!.path).toBe('client_id');
    expect(client!.exact).toBe(true);
    expect(Object.fromEntries(client!.values.map((v) => [v.value, v.count]))).toEqual(incident.byClient);
    expect(client!.values.every((v) => v.error === 0)).toBe(true);
    expect(client!.values[0]).toMatchObject({
      value: 'ios-app',
      codes: [
        { kind: 'failure', code: 51 },
        { kind: 'failure', code: 13 },
        { kind: 'error', code: 9001 },
      ],
    });
    expect(tenant!.values[0]!.value).toBe('globex');
    expect(tenant!.missing).toBe(1);
    expect(tenant!.records).toBe(incident.outcomes.failure! + incident.outcomes.error!);
  });

  it('--by over a field with more values than the sketch holds: bounded, and says its counts are bounds', async () => {
    const input = Array.from({ length: 30_000 }, (_, i) =>
      JSON.stringify({ time: 1_795_856_400 + i, status: 401, hid_failure: 13, user: i % 10 === 0 ? 'attacker' : `u${i}` }),
    ).join('\n');
    const report = await reportJson(['report', '--by', 'user', '--top', '3'], input);
    const [user] = report.by;
    expect(user!.exact).toBe(false);
    expect(user!.distinct).toBeNull();
    expect(user!.values).toHaveLength(3);
    expect(user!.values[0]!.value).toBe('attacker');
    expect(user!.values[0]!.count - user!.values[0]!.error).toBeLessThanOrEqual(3000);
    expect(user!.values[0]!.count).toBeGreaterThanOrEqual(3000);
    expect(user!.values.reduce((sum, v) => sum + v.count, 0) + user!.other!.count).toBe(30_000);
  });

  it('--top N lists N codes, the rest summed as other', async () => {
    const report = await reportJson(['report', '--top', '2', fixture('incident.ndjson.gz')]);
    const http = report.kinds.http;
    expect(http.codes.map((c) => c.code)).toEqual([200, 201]);
    expect(http.other).toEqual({ codes: 6, count: http.records - incident.codes.http['200']! - incident.codes.http['201']!, share: expect.any(Number) });
  });

  it('reads codes from --field paths, as annotate does, and stdin given as -', async () => {
    const input = ['{"ts":1795856400,"payload":{"reason":"51"},"status":400}', '{"ts":1795856401,"payload":{"reason":13},"status":401}'].join('\n');
    const report = await reportJson(['report', '--field', 'failure=payload.reason', '-'], input);
    expect(report.input.files).toEqual(['stdin']);
    expect(report.kinds.failure.codes.map((c) => [c.code, c.count])).toEqual([
      [13, 1],
      [51, 1],
    ]);
    expect(report.outcomes.find((o) => o.outcome === 'failure')!.count).toBe(2);
  });

  it('reads gzip from stdin as from a file', async () => {
    const fromFile = await reportJson(['report', fixture('incident.ndjson.gz')]);
    const fromStdin = await reportJson(['report'], readFileSync(fixture('incident.ndjson.gz')));
    expect(fromStdin.input.files).toEqual(['stdin']);
    expect({ ...fromStdin, input: { ...fromStdin.input, files: [] } }).toEqual({ ...fromFile, input: { ...fromFile.input, files: [] } });
  });

  it('with -o, writes the file, its format from its extension', async () => {
    const out = join(dir, 'incident.html');
    const result = await runCli(['report', '-o', out, fixture('incident.ndjson.gz')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.length).toBe(0);
    expect(readFileSync(out, 'utf8')).toMatch(/^<!doctype html>/);
    const md = join(dir, 'incident.md');
    await runCli(['report', '-o', md, fixture('incident.ndjson.gz')]);
    expect(readFileSync(md, 'utf8')).toMatch(/^# hidlog report/);
  });
});

describe('hidlog report on nothing to count', () => {
  it.each(['table', 'markdown', 'json', 'csv', 'html'])('an empty input gives a report that says so (%s), exit 0', async (format) => {
    const result = await runCli(['report', '--format', format], { input: '' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const text = result.stdout.toString();
    if (format === 'json') expect(JSON.parse(text)).toMatchObject({ input: { lines: 0, records: 0 }, records: { total: 0 }, timeline: null });
    else if (format === 'csv') expect(text).toContain('input,,lines,,,,0,');
    else expect(text).toContain('The input is empty');
  });

  it('only bad lines: counted by reason, and said, exit 0', async () => {
    const input = 'not json\n[1,2]\n\n"text"\n{"broken":\n';
    const result = await runCli(['report'], { input });
    expect(result.code).toBe(0);
    // The report may go to a file: stderr says it too, once (blank lines are not judged).
    expect(result.stderr).toMatch(/^hidlog: stdin: 4 of 4 lines are not records; [^\n]*docs\/log-formats\.md\n$/);
    expect(result.stdout.toString()).toContain('No records: all 5 lines are bad');
    expect(result.stdout.toString()).toMatch(/bad lines +5: invalid_json 2, not_object 2, blank 1/);
  });

  it('a window with no record in it says so', async () => {
    const result = await runCli(['report', '--since', '2030-01-01T00:00:00Z', fixture('incident.ndjson.gz')]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toContain('No records in the window.');
  });
});

describe('hidlog report counts one thing in the singular', () => {
  const input = '{"time":"2026-11-28T09:00:00Z","status":401,"response":{"hid_failure":{"reason":13}}}\n';

  it.each(['table', 'markdown', 'html'])('%s: 1 record, 1 failure, 0 errors', async (format) => {
    const result = await runCli(['report', '--format', format, '-', '/missing/auth.log'], { input });
    const text = result.stdout.toString();
    expect(text).toContain('1 failure (100.0%) and 0 errors (0.0%) among 1 record with codes.');
    expect(text).not.toMatch(/\b1 (records|failures|JSON objects|inputs)\b/);
    if (format === 'table') expect(text).toContain('1 input could not be read');
  });
});

describe('hidlog report --workers', () => {
  let corpus: string;
  beforeAll(() => {
    // Several MB, so regions go to the worker: the incident again and again, with long lines and
    // bad lines among them.
    const text = gunzipSync(readFileSync(fixture('incident.ndjson.gz')));
    const parts: Buffer[] = [];
    for (let i = 0; i < 24; i++)
      parts.push(
        text,
        Buffer.from(
          `{"time":"2026-11-28T10:00:${String(i).padStart(2, '0')}Z","client_id":"c${i}","status":500,"hid_error":0,"pad":"${'x'.repeat(20_000 + i * 997)}"}\nnot json\n`,
        ),
        Buffer.from([0xff, 0x0a]),
      );
    corpus = join(dir, 'corpus.ndjson');
    writeFileSync(corpus, Buffer.concat(parts));
  });

  it.each([
    ['json', ['--format', 'json', '--by', 'client_id', '--by', 'tenant']],
    ['json, a relative window', ['--format', 'json', '--since', '50m', '--until', '10m', '--by', 'client_id']],
    ['table', ['--format', 'table', '--by', 'client_id', '--tz', 'Asia/Kolkata']],
  ])('gives a report identical to one thread’s (%s)', async (_name, args) => {
    const [one, two, three] = (await Promise.all(['1', '2', '3'].map((workers) => runCli(['report', '--workers', workers, ...args, corpus])))) as [
      CliResult,
      CliResult,
      CliResult,
    ];
    expect(one).toMatchObject({ code: 0, stderr: '' });
    expect(two.stdout.toString()).toBe(one.stdout.toString());
    expect(three.stdout.toString()).toBe(one.stdout.toString());
    expect(one.stdout.length).toBeGreaterThan(1000);
  });
});

describe('hidlog report stopped', () => {
  it('on SIGTERM still writes the report of what it read, exit 0', async () => {
    // A FIFO as the input: opening it for writing returns once hidlog has opened it to read,
    // by then it handles signals.
    const fifo = join(dir, 'input.fifo');
    spawnSync('mkfifo', [fifo]);
    const child = startCli(['report', '--format', 'json', fifo]);
    const done = collect(child);
    const writer = await open(fifo, 'w');
    await writer.write(readFileSync(fixture('audit.ndjson')));
    // SIGTERM stops reading at once: send it once hidlog has read what was written and waits for more.
    await untilAsleep(child.pid!);
    child.kill('SIGTERM');
    await writer.close();
    const result = await done;
    expect(result).toMatchObject({ code: 0, signal: null });
    expect(JSON.parse(result.stdout.toString())).toMatchObject({ input: { lines: expectedFor('audit.ndjson').lines } });
  });
});

describe('hidlog report usage', () => {
  it.each([
    [['--tz', 'Mars/Olympus'], /^hidlog: --tz Mars\/Olympus: not a time zone/],
    [['--since', 'last tuesday'], /^hidlog: --since last tuesday: expected an ISO 8601 time/],
    [['--since', '1h', '--until', '2h'], /^hidlog: --since 1h is not before --until 2h/],
    [['--since', '2026-11-28T10:00:00Z', '--until', '2026-11-28T09:00:00Z'], /^hidlog: --since .* is not before --until/],
    [['--bucket', '500ms'], /^hidlog: --bucket 500ms: expected a duration of a second or more/],
    [['--format', 'pdf'], /^hidlog: Invalid values: Argument: format, Given: "pdf", Choices: "table", "markdown", "json", "csv", "html"/],
    [['--top', '0'], /^hidlog: --top 0: expected a positive whole number/],
    [['--by', 'a..b'], /^hidlog: --by a\.\.b: expected DOT\.PATH/],
  ])('%j: one line, exit 2', async (args, message) => {
    const result = await runCli(['report', ...args], { input: '' });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('an output it cannot write: one line, exit 1, before reading anything', async () => {
    const result = await runCli(['report', '-o', join(dir, 'no/such/dir/report.html'), fixture('incident.ndjson.gz')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hidlog: cannot write .*report\.html: no such file\n$/);
  });

  it('an unreadable input among others: named in one line, the report of the rest, exit 1', async () => {
    const result = await runCli(['report', '--format', 'json', join(dir, 'missing.ndjson'), fixture('audit.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hidlog: cannot read .*missing\.ndjson: no such file\n$/);
    expect(JSON.parse(result.stdout.toString())).toMatchObject({ input: { unreadable: 1, lines: expectedFor('audit.ndjson').lines } });
  });
});

describe('hidlog report progress bar', () => {
  const underTerminal = (command: string) =>
    spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', TERM: 'xterm' } });
  const hasScript = hasTool('script');

  it.runIf(hasScript)('is drawn on stderr when it is a terminal: bytes of the total, rate, file i of n', () => {
    const result = underTerminal(`${process.execPath} ${CLI} report ${fixture('incident.ndjson.gz')} ${fixture('audit.ndjson')} > /dev/null`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/\d+% \| [\d.]+ [kM]?B of [\d.]+ [kM]?B \| [\d.]+ [kM]?B\/s \| ETA \S+ \| file [12] of 2/);
  });

  it.runIf(hasScript)('is not drawn with --quiet', () => {
    const result = underTerminal(`${process.execPath} ${CLI} report --quiet ${fixture('incident.ndjson.gz')} > /dev/null`);
    expect(result.status).toBe(0);
    expect(result.stdout).not.toMatch(/file \d of \d|%/);
  });

  it.runIf(hasScript)('reads stdin with bytes and a rate, no total', () => {
    const result = underTerminal(`cat ${fixture('audit.ndjson')} | ${process.execPath} ${CLI} report > /dev/null`);
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/reading [\d.]+ [kM]?B \| [\d.]+ [kM]?B\/s \| \S+ \| file 1 of 1/);
  });

  it.runIf(hasScript)('colours the table on a terminal, not with NO_COLOR, and never in a pipe', async () => {
    const coloured = spawnSync('script', ['-qfec', `${process.execPath} ${CLI} report --quiet ${fixture('audit.ndjson')}`, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, NO_COLOR: '', TERM: 'xterm' },
    });
    expect(coloured.stdout).toContain('\x1b[1mOutcomes');
    expect(coloured.stdout).toContain('\x1b[32msuccess');
    expect(underTerminal(`${process.execPath} ${CLI} report --quiet ${fixture('audit.ndjson')}`).stdout).not.toContain('\x1b[');
    const piped = await runCli(['report', fixture('audit.ndjson')], { env: { NO_COLOR: '' } });
    expect(piped.stdout.toString()).not.toContain('\x1b[');
  });

  it('is not drawn when stderr is a pipe', async () => {
    const result = await runCli(['report', fixture('incident.ndjson.gz')]);
    expect(result.stderr).toBe('');
  });
});

/** RFC 4180 rows. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') (field += '"'), i++;
      else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') row.push(field), (field = '');
    else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      (row = []), (field = ''), i++;
    } else field += c;
  }
  return rows;
}
