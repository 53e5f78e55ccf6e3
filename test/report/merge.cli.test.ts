import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeCorpus } from '../../bench/corpus.mjs';
import { catalogEntries } from '../../src/catalog/catalog.js';
import type { Report } from '../../src/report/model.js';
import { fixture, runCli, type CliResult } from '../helpers/cli.js';

const FORMATS = ['table', 'markdown', 'json', 'csv', 'html'] as const;

let dir: string;
let incident: string[];
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-merge-'));
  incident = shard(gunzipSync(readFileSync(fixture('incident.ndjson.gz'))).toString(), 3, 'incident');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Cuts text into `count` shards of whole lines, written as NAME.0, NAME.1…; the first gzipped. */
function shard(text: string, count: number, name: string): string[] {
  const lines = text.split(/(?<=\n)/);
  const size = Math.ceil(lines.length / count);
  return Array.from({ length: count }, (_, i) => {
    const part = lines.slice(i * size, (i + 1) * size).join('');
    const path = join(dir, i === 0 ? `${name}.${i}.gz` : `${name}.${i}`);
    writeFileSync(path, i === 0 ? gzipSync(part) : part);
    return path;
  });
}

const ok = (result: CliResult) => {
  expect(result.stderr).toBe('');
  expect(result.code).toBe(0);
  return result.stdout.toString();
};

/** Each shard's partial (with `args`), written beside it. */
async function partials(shards: string[], args: string[], suffix = ''): Promise<string[]> {
  return Promise.all(
    shards.map(async (path) => {
      const partial = `${path}${suffix}.hidpart`;
      ok(await runCli(['report', '--partial', ...args, '-o', partial, path]));
      return partial;
    }),
  );
}

// The incident shards' partials with --by client_id, made once for the tests that need no other.
let clientPartials: Promise<string[]> | undefined;
const byClient = () => (clientPartials ??= partials(incident, ['--by', 'client_id'], '.client'));

/** The report of one pass over all the shards, and the merge of their partials, in `format`. */
async function bothWays(shards: string[], parts: string[], format: string, onePass: string[], merge: string[] = []): Promise<[string, string]> {
  const [one, merged] = await Promise.all([
    runCli(['report', ...onePass, '--format', format, ...shards]),
    runCli(['report', '--merge', ...merge, '--format', format, ...parts]),
  ]);
  return [ok(one), ok(merged)];
}

describe('hidlog report --partial, --merge: the report of one pass, byte for byte', () => {
  it.each([
    ['no --by', 'plain', [] as string[]],
    ['--by client_id --by tenant --top 3', 'by', ['--by', 'client_id', '--by', 'tenant', '--top', '3']],
    [
      '--tz Asia/Kolkata, a window, --bucket 1m',
      'zoned',
      ['--tz', 'Asia/Kolkata', '--since', '2026-11-28T14:00:00', '--until', '2026-11-28T16:00:00+05:30', '--bucket', '1m', '--by', 'client_id'],
    ],
  ])('incident in 3 shards, %s: every format', { timeout: 120_000 }, async (_name, tag, args) => {
    const parts = await partials(incident, args, `.${tag}`);
    // The merge given the same options: what was decided while reading is accepted when it agrees.
    const reports = await Promise.all(FORMATS.map((format) => bothWays(incident, parts, format, args, args)));
    reports.forEach(([one, merged], i) => {
      expect(merged, FORMATS[i]).toBe(one);
      expect(one.length).toBeGreaterThan(500);
    });
  });

  it('applies --top and a coarser --bucket at the merge', async () => {
    const parts = await byClient();
    const [table, json] = await Promise.all(
      ['table', 'json'].map((format) =>
        bothWays(incident, parts, format, ['--by', 'client_id', '--top', '2', '--bucket', '15m'], ['--top', '2', '--bucket', '15m']),
      ),
    );
    expect(table![1]).toBe(table![0]);
    expect(json![1]).toBe(json![0]);
    expect(JSON.parse(json![1])).toMatchObject({ timeline: { bucket: '15m' }, by: [{ values: [{}, {}] }] });
  });

  it('merges partials of partials (a tree of merges) into the same report', async () => {
    const parts = await byClient();
    const left = join(dir, 'left.hidpart');
    ok(await runCli(['report', '--merge', '--partial', '-o', left, parts[0]!, parts[1]!]));
    const [one, merged] = await Promise.all([
      runCli(['report', '--by', 'client_id', '--format', 'json', ...incident]),
      runCli(['report', '--merge', '--format', 'json', left, parts[2]!]),
    ]);
    expect(ok(merged)).toBe(ok(one));
  });

  it('incident with durations in 3 shards: the latency by outcome and by code, every format', { timeout: 120_000 }, async () => {
    // Each record gets a duration (in one of the built-in fields, some not a duration at all).
    let n = 0;
    const withDurations = gunzipSync(readFileSync(fixture('incident.ndjson.gz')))
      .toString()
      .replace(/^\{"/gm, () => {
        n++;
        const field =
          n % 97 === 0
            ? '"took":"n/a"'
            : n % 3 === 0
              ? `"event":{"duration":${(n * 7919) % 3_000_000_000}}`
              : `"duration_ms":${((n * 104_729) % 250_000) / 100}`;
        return `{${field},"`;
      });
    const shards = shard(withDurations, 3, 'timed');
    const parts = await partials(shards, ['--by', 'client_id']);
    const reports = await Promise.all(FORMATS.map((format) => bothWays(shards, parts, format, ['--by', 'client_id'])));
    reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    const latency = (JSON.parse(reports[FORMATS.indexOf('json')]![0]) as Report).latency!;
    expect(latency.invalid).toBeGreaterThan(0);
    expect(latency.outcomes.map((o) => o.outcome)).toEqual(expect.arrayContaining(['success', 'failure', 'error']));
    expect(latency.codes.length).toBeGreaterThan(5);
    for (const format of ['table', 'markdown', 'html']) expect(reports[FORMATS.indexOf(format as (typeof FORMATS)[number])]![0]).toMatch(/Latency/);
    // Every column of the table's latency section is named, the codes' category too.
    expect(reports[FORMATS.indexOf('table')]![0]).toMatch(/^ +records +p50 +p95 +p99 +category$/m);
  });

  describe('the bench corpus in 4 shards', () => {
    let corpus: string[];
    beforeAll(async () => {
      const path = join(dir, 'corpus.ndjson');
      // 10,000 seconds of records: one pass keeps buckets of 5s, each shard of 1s.
      await writeCorpus({ lines: 10_000, path, catalog: catalogEntries() });
      corpus = shard(readFileSync(path, 'utf8'), 4, 'corpus');
    });

    it('--by user (fewer values than the sketch holds): every format', { timeout: 120_000 }, async () => {
      const parts = await partials(corpus, ['--by', 'user']);
      const reports = await Promise.all(FORMATS.map((format) => bothWays(corpus, parts, format, ['--by', 'user'])));
      reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    });

    it('--by request_id (every value distinct: the sketch overflows): the same report but for its bounds, which hold', { timeout: 120_000 }, async () => {
      const parts = await partials(corpus, ['--by', 'request_id', '--by', 'user'], '.ids');
      const [oneText, mergedText] = await bothWays(corpus, parts, 'json', ['--by', 'request_id', '--by', 'user']);
      const [one, merged] = [JSON.parse(oneText) as Report, JSON.parse(mergedText) as Report];
      expect({ ...merged, by: [] }).toEqual({ ...one, by: [] });
      expect(merged.by[1]).toEqual(one.by[1]);
      const [ids] = merged.by as [Report['by'][number]];
      expect(ids).toMatchObject({ path: 'request_id', records: one.by[0]!.records, missing: one.by[0]!.missing, exact: false, distinct: null });
      expect(ids.values).toHaveLength(10);
      // Each request id is on one line: its true count, 1, lies within the bounds listed.
      for (const value of ids.values) {
        expect(value.count - value.error).toBeLessThanOrEqual(1);
        expect(value.count).toBeGreaterThanOrEqual(1);
      }
      for (const table of await bothWays(corpus, parts, 'table', ['--by', 'request_id', '--by', 'user']))
        expect(table).toMatch(/More distinct values than the sketch holds: a count marked ≥ is an upper bound/);
    });
  });

  it("caps codes outside the catalog, and each --by value's codes, as one pass does", async () => {
    // Codes outside the catalog: 60 and 10, then 10, 100 more and the first 60 again: one pass
    // lists the first 100 seen. Value v's codes: 10, then 10 more three times each (higher codes
    // first) and the first again: one pass keeps 16 of them.
    const line = (second: number, error: number, client: string) =>
      `{"time":"2026-11-28T09:${String(Math.floor(second / 60) % 60).padStart(2, '0')}:${String(second % 60).padStart(2, '0')}Z","status":500,"hid_error":${error},"client_id":"${client}"}\n`;
    let first = '';
    let second = '';
    let t = 0;
    for (let i = 0; i < 60; i++) first += line(t++, 900_000 + i, 'a');
    for (let i = 0; i < 10; i++) first += line(t++, 70_001 + i, 'v');
    for (let round = 0; round < 3; round++) for (let i = 0; i < 10; i++) second += line(t++, 72_010 - i, 'v');
    for (let i = 0; i < 5; i++) second += line(t++, 70_001, 'v');
    for (let i = 0; i < 100; i++) second += line(t++, 910_000 + i, 'a');
    for (let i = 0; i < 60; i++) second += line(t++, 900_000 + i, 'b');
    const shards = [join(dir, 'unknown.0'), join(dir, 'unknown.1')];
    writeFileSync(shards[0]!, first);
    writeFileSync(shards[1]!, second);
    const parts = await partials(shards, ['--by', 'client_id']);
    const [one, merged] = await bothWays(shards, parts, 'json', ['--by', 'client_id', '--top', '1000'], ['--top', '1000']);
    expect(merged).toBe(one);
    const report = JSON.parse(one) as Report;
    expect(report.kinds.error.codes).toHaveLength(100);
    expect(report.kinds.error.other).toMatchObject({ count: 80 });
    expect(report.by[0]!.values.find((v) => v.value === 'v')!.codes.map((c) => `${c.code}×${c.count}`)).toEqual(['70001×6', '72005×3', '72006×3']);
  });
});

describe('hidlog report --merge --since/--until: a window that takes each partial whole or not at all', () => {
  // Three days of records, one partial a day; the last day has a record without a time.
  let days: string[];
  let parts: string[];
  beforeAll(async () => {
    const kinds = [
      '"status":200',
      '"status":401,"hid_response":2,"hid_failure":13',
      '"status":404,"hid_error":1200',
      '"status":201',
      '"status":403,"hid_error":9001',
    ];
    days = [27, 28, 29].map((day) => {
      let text = '';
      for (let i = 0; i < 240; i++) {
        const at = new Date(Date.UTC(2026, 10, day, 0, 0, 0) + (day === 29 ? i * 180_000 : i * 360_000)).toISOString();
        text += `{"time":"${at}",${kinds[(i * 7 + day) % kinds.length]},"client_id":"c${(i * 3) % 7}"}\n`;
      }
      if (day === 29) text += '{"status":500,"hid_error":0,"client_id":"c1"}\n';
      const path = join(dir, `day-${day}.ndjson`);
      writeFileSync(path, text);
      return path;
    });
    parts = await partials(days, ['--by', 'client_id']);
  });

  it.each([
    ['a day, as times', ['--since', '2026-11-28', '--until', '2026-11-29T00:00:00Z'], 1],
    ['up to 12 hours before the latest record', ['--until', '12h'], 2],
  ])('%s: the report of one pass with it, every format', async (_name, window, daysIn) => {
    const reports = await Promise.all(FORMATS.map((format) => bothWays(days, parts, format, ['--by', 'client_id', ...window], window)));
    reports.forEach(([one, merged], i) => expect(merged, FORMATS[i]).toBe(one));
    const report = JSON.parse(reports[FORMATS.indexOf('json')]![1]) as Report;
    expect(report.window).toMatchObject({ outside: 240 * (3 - daysIn), withoutTime: 1 });
    expect(report.records.total).toBe(240 * daysIn);
  });

  it.each([
    [
      ['--since', '1d'],
      /^hidlog: --since 1d: .*day-28\.ndjson\.hidpart has records from 2026-11-28T00:00:00\.000Z to 2026-11-28T23:54:00\.000Z, on both sides of the window's edge; a merge can only take partials whole or leave them out/,
    ],
    [
      ['--since', '2026-11-29'],
      /^hidlog: --since 2026-11-29: .*day-29\.ndjson\.hidpart has 1 records without a time, which a window leaves out and a merge cannot take from its counts/,
    ],
  ])('refuses %s, in one line (exit 2)', async (window, message) => {
    const result = await runCli(['report', '--merge', ...window, ...parts]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });
});

describe('hidlog report --merge refuses, in one line', () => {
  let parts: string[];
  beforeAll(async () => {
    parts = await byClient();
  });

  const rewritten = (path: string, change: (partial: Record<string, unknown>) => void) => {
    const partial = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    change(partial);
    const to = join(dir, `changed-${Math.random().toString(36).slice(2)}.hidpart`);
    writeFileSync(to, JSON.stringify(partial));
    return to;
  };

  it.each([
    [
      'a partial of another format version',
      (p: Record<string, unknown>) => (p.version = 1),
      /^hidlog: .*changed-\w+\.hidpart: a partial of format version 1; this hidlog reads version 2\n$/,
    ],
    [
      'a partial of another hidlog',
      (p: Record<string, unknown>) => (p.hidlog = '0.0.1'),
      /^hidlog: .*: a partial of hidlog 0\.0\.1, this is [\d.]+: make and merge partials with one version\n$/,
    ],
    [
      'a file that is not a partial',
      (p: Record<string, unknown>) => delete p.format,
      /^hidlog: .*: not a report partial \(hidlog report --partial writes them\)\n$/,
    ],
    ['a damaged partial', (p: Record<string, unknown>) => delete p.codes, /^hidlog: .*: a damaged partial \(its parts are not all there\)\n$/],
    [
      'partials made with another --by',
      // As one made with --by tenant: its setup and its counts by that field.
      (p: Record<string, unknown>) => {
        (p.setup as { by: string[] }).by = ['tenant'];
        (p.by as { path: string }[])[0]!.path = 'tenant';
      },
      /^hidlog: .*: made with --by tenant, .* with client_id: partials merge only when made with the same --tz, --time-field, --by, --bucket, --since and --until\n$/,
    ],
  ])('%s (exit 1)', async (_name, change, message) => {
    const result = await runCli(['report', '--merge', parts[0]!, rewritten(parts[1]!, change)]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
  });

  it.each([
    [
      ['--partial', '--since', '2h'],
      'input',
      /^hidlog: --since 2h with --partial: a duration counts back from the latest record of all the shards, which one shard cannot know; give a time/,
    ],
    [['--partial', '--format', 'json'], 'input', /^hidlog: --format json with --partial: a partial has a format of its own; give --format to the merge/],
    [
      ['--partial', '-o', 'day.html'],
      'input',
      /^hidlog: -o day\.html with --partial: a partial is JSON, not an HTML page; name it \.hidpart, and give -o day\.html to the merge/,
    ],
    [
      ['--merge', '--tz', 'Europe/Berlin'],
      'partials',
      /^hidlog: --tz Europe\/Berlin: the partials were read in UTC .*; merge them without --tz, or make them with --tz Europe\/Berlin/,
    ],
    [
      ['--merge', '--since', '2026-11-28T09:00:00Z'],
      'partials',
      /^hidlog: --since 2026-11-28T09:00:00Z: .*incident\.0\.gz\.client\.hidpart has records from .* on both sides of the window's edge/,
    ],
    [['--merge', '--by', 'tenant'], 'partials', /^hidlog: --by tenant: the partials count --by client_id; a merge cannot count another/],
    [
      ['--merge', '--bucket', '1500ms'],
      'partials',
      /^hidlog: --bucket 1s500ms: .* keeps buckets of 1s \(the finest its time range allowed\), so a merge can only make a multiple of 1s/,
    ],
  ])('%s (exit 2)', async (args, inputs, message) => {
    const result = await runCli(['report', ...args, ...(inputs === 'input' ? incident : parts)]);
    expect(result.stderr).toMatch(message);
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });
});

describe('hidlog report --merge: partials counted with another catalog are refused, in one line', () => {
  // A site's code (hid_error 7777, status 499) and one whose category the site changes (failure 51).
  let site: string;
  let plain: string;
  let sitePart: string;
  let plainPart: string;
  beforeAll(async () => {
    const record = (second: number, body: string) => `{"time":"2026-11-28T09:00:${String(second).padStart(2, '0')}Z",${body}}\n`;
    let text = '';
    for (let i = 0; i < 20; i++)
      text += record(i, i % 3 === 0 ? '"status":499,"hid_error":7777' : i % 3 === 1 ? '"status":401,"hid_response":2,"hid_failure":51' : '"status":200');
    site = join(dir, 'site.ndjson');
    plain = join(dir, 'site-plain.ndjson');
    writeFileSync(site, text);
    writeFileSync(plain, text);
    sitePart = join(dir, 'site.hidpart');
    plainPart = join(dir, 'site-plain.hidpart');
    ok(await runCli(['report', '--partial', '--catalog', fixture('catalog.yaml'), '-o', sitePart, site]));
    ok(await runCli(['report', '--partial', '-o', plainPart, plain]));
  });

  it('merges with the catalog the partials were made with: one pass with it', async () => {
    const [one, merged] = await bothWays([site], [sitePart], 'json', ['--catalog', fixture('catalog.yaml')], ['--catalog', fixture('catalog.yaml')]);
    expect(merged).toBe(one);
    expect(one).toContain('7777');
  });

  it('a partial of a --catalog file, merged without it (exit 2)', async () => {
    const result = await runCli(['report', '--merge', sitePart]);
    expect(result.stderr).toMatch(
      /^hidlog: .*site\.hidpart: counted with a --catalog file \(catalog [0-9a-f]{12}\), this merge with the vendor's catalog \(no --catalog\): merge with the --catalog file the partials were made with\n$/,
    );
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });

  it("a partial of the vendor's catalog, merged with a --catalog file (exit 2)", async () => {
    const result = await runCli(['report', '--merge', '--catalog', fixture('catalog.yaml'), plainPart]);
    expect(result.stderr).toMatch(
      /^hidlog: .*site-plain\.hidpart: counted with the vendor's catalog \(no --catalog\), this merge with a --catalog file \(catalog [0-9a-f]{12}\): merge without --catalog\n$/,
    );
    expect(result).toMatchObject({ code: 2, stdout: Buffer.alloc(0) });
  });

  it('partials counted with different catalogs: a rollout half done (exit 1)', async () => {
    for (const args of [[], ['--catalog', fixture('catalog.yaml')]]) {
      const result = await runCli(['report', '--merge', ...args, sitePart, plainPart]);
      expect(result.stderr).toMatch(
        /^hidlog: .*site-plain\.hidpart: counted with the vendor's catalog \(no --catalog\), .*site\.hidpart with a --catalog file \(catalog [0-9a-f]{12}\): partials merge only when counted with one catalog; make them again with the same --catalog file \(or none\)\n$/,
      );
      expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
    }
  });

  it("a catalog file that changes only descriptions counts as the vendor's does: merged with the vendor's", async () => {
    const words = join(dir, 'words.yaml');
    writeFileSync(words, 'entries:\n  - kind: failure\n    code: 13\n    description: Wrong password\n');
    const part = join(dir, 'site-words.hidpart');
    ok(await runCli(['report', '--partial', '--catalog', words, '-o', part, plain]));
    const [one, merged] = await bothWays([plain, plain], [part, plainPart], 'json', []);
    expect(merged).toBe(one);
  });
});

describe('hidlog report --merge: partials of reads that did not finish, as one pass over their shards', () => {
  let good: string[];
  beforeAll(() => {
    good = incident.slice(1);
  });

  it('a partial with an input that could not be read: one line naming it, exit 1, the report one pass writes', async () => {
    const missing = join(dir, 'not-there.ndjson');
    const parts = [join(dir, 'missing-a.hidpart'), join(dir, 'missing-b.hidpart')];
    const made = await runCli(['report', '--partial', '-o', parts[0]!, good[0]!, missing]);
    expect(made.code).toBe(1);
    ok(await runCli(['report', '--partial', '-o', parts[1]!, good[1]!]));
    const [one, merged] = await Promise.all([
      runCli(['report', '--format', 'json', good[0]!, missing, good[1]!]),
      runCli(['report', '--merge', '--format', 'json', ...parts]),
    ]);
    expect(one.code).toBe(1);
    expect(merged.stderr).toMatch(/^hidlog: .*missing-a\.hidpart: its shard was not read whole: cannot read .*not-there\.ndjson: no such file\n$/);
    expect(merged.code).toBe(1);
    expect(merged.stdout.toString()).toBe(one.stdout.toString());
    expect(JSON.parse(one.stdout.toString())).toMatchObject({ input: { unreadable: 1 } });
    // A merge into a partial keeps what was not read, for the merge after it to say.
    const tree = join(dir, 'missing-tree.hidpart');
    const inner = await runCli(['report', '--merge', '--partial', '-o', tree, ...parts]);
    expect(inner.code).toBe(1);
    const outer = await runCli(['report', '--merge', '--format', 'json', tree]);
    expect(outer.stderr).toMatch(/^hidlog: .*missing-tree\.hidpart: its shard was not read whole: cannot read .*not-there\.ndjson: no such file\n$/);
    expect(outer.code).toBe(1);
    expect(outer.stdout.toString()).toBe(one.stdout.toString());
  });

  it('a partial made with --strict that stopped at a bad line: one line naming it, exit 1, the report one pass writes', async () => {
    const bad = join(dir, 'strict-bad.ndjson');
    writeFileSync(bad, '{"time":"2026-11-28T09:00:00Z","status":200}\nnot json\n{"time":"2026-11-28T09:00:01Z","status":401}\n');
    const shards = [good[0]!, bad, good[1]!];
    const parts = shards.map((_, i) => join(dir, `strict-${i}.hidpart`));
    const made = await Promise.all(shards.map((shard, i) => runCli(['report', '--partial', '--strict', '-o', parts[i]!, shard])));
    expect(made.map((r) => r.code)).toEqual([0, 1, 0]);
    const [one, merged] = await Promise.all([
      runCli(['report', '--strict', '--format', 'json', ...shards]),
      runCli(['report', '--merge', '--format', 'json', ...parts]),
    ]);
    expect(one.code).toBe(1);
    expect(merged.stderr).toMatch(
      /^hidlog: .*strict-1\.hidpart: its shard was not read whole: stopped at .*strict-bad\.ndjson:2: not valid JSON \(--strict\); the partials after it are not counted, as one pass stops there\n$/,
    );
    expect(merged.code).toBe(1);
    expect(merged.stdout.toString()).toBe(one.stdout.toString());
  });
});

describe('hidlog report --merge: a damaged partial is refused, in one line (exit 1)', () => {
  let parts: string[];
  beforeAll(async () => {
    parts = await byClient();
  });
  type Changed = Record<string, any>;
  const rewritten = (path: string, change: (partial: Changed) => void) => {
    const partial = JSON.parse(readFileSync(path, 'utf8')) as Changed;
    change(partial);
    const to = join(dir, `damaged-${Math.random().toString(36).slice(2)}.hidpart`);
    writeFileSync(to, JSON.stringify(partial));
    return to;
  };

  it.each([
    ['a count that is text', (p: Changed) => (p.outcomes.success = 'x'), /outcomes\.success: "x" is not a count/],
    ['a negative code count', (p: Changed) => (p.codes.http[0][3] = -5), /codes\.http\[0\]: its count -5 is not a count/],
    ['a fraction of a record', (p: Changed) => (p.input.records += 0.5), /input\.records: [\d.]+ is not a count/],
    ['a duplicated code', (p: Changed) => p.codes.http.push(p.codes.http[0]), /codes\.http\[\d+\]: code \d+ \(\w+\) a second time/],
    ['extra timeline counts', (p: Changed) => p.timeline.buckets[0][1].push(...Array(40).fill(1)), /timeline\.buckets\[0\]: \d+ counts, of \d+ series/],
    ['timeline buckets out of order', (p: Changed) => p.timeline.buckets.reverse(), /timeline\.buckets\[1\]: not after the bucket before it/],
    ['a --by value whose count is text', (p: Changed) => (p.by[0].values[0][1] = '7'), /by\[0\]\.values\[0\]: its count "7" is not a count/],
    ['a time no date holds', (p: Changed) => (p.codes.http[0][4] = 1e300), /codes\.http\[0\]: not a code's \[code, category, known, count, first, last\]/],
    ['a part missing', (p: Changed) => delete p.input.bytes, /input\.bytes: missing\)/],
    ['an outcome hidlog does not count', (p: Changed) => (p.outcomes.maybe = 1), /outcomes: "maybe" is not an outcome/],
    ['a --by field the setup does not have', (p: Changed) => p.by.push(p.by[0]), /by: 2 fields, its setup has 1/],
  ])('%s', async (_name, change, what) => {
    const result = await runCli(['report', '--merge', parts[0]!, rewritten(parts[1]!, change)]);
    expect(result.stderr).toMatch(/^hidlog: .*damaged-\w+\.hidpart: a damaged partial \(.+\)\n$/);
    expect(result.stderr).toMatch(what);
    expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
  });

  it.each([
    ['a negative latency count', (p: Changed) => (p.latency.outcomes.success[0][1] = -1), /latency\.outcomes\.success\[0\]: its count -1 is not a count/],
    ['a latency code of no kind', (p: Changed) => (p.latency.codes.http[0][0] = 'x'), /latency\.codes\.http\[0\]: "x" is not a code/],
  ])('%s, in a partial with durations', async (_name, change, what) => {
    const timed = join(dir, 'timed-damage.ndjson');
    let text = '';
    for (let i = 0; i < 30; i++)
      text += `{"time":"2026-11-28T09:00:${String(i).padStart(2, '0')}Z","status":${i % 3 === 0 ? 201 : 200},"duration_ms":${i * 7}}\n`;
    writeFileSync(timed, text);
    const part = join(dir, 'timed-damage.hidpart');
    ok(await runCli(['report', '--partial', '-o', part, timed]));
    const result = await runCli(['report', '--merge', rewritten(part, change)]);
    expect(result.stderr).toMatch(/^hidlog: .*damaged-\w+\.hidpart: a damaged partial \(.+\)\n$/);
    expect(result.stderr).toMatch(what);
    expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
  });

  it('a partial cut short says so, not that it is not a partial', async () => {
    const text = readFileSync(parts[1]!, 'utf8');
    const cut = join(dir, 'cut-short.hidpart');
    writeFileSync(cut, text.slice(0, Math.floor(text.length / 2)));
    const result = await runCli(['report', '--merge', parts[0]!, cut]);
    expect(result.stderr).toMatch(/^hidlog: .*cut-short\.hidpart: a damaged partial \(its JSON ends early: cut short\?\)\n$/);
    expect(result).toMatchObject({ code: 1, stdout: Buffer.alloc(0) });
  });
});
