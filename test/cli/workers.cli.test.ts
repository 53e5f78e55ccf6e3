import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixture, runCli } from '../helpers/cli.js';
import { FIXTURES, expectedFor } from '../helpers/expected.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';

let dir: string;
let corpus: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-workers-'));
  // Many regions, with bad lines, invalid UTF-8 and lines longer than the limit among them,
  // some of those straddling the reader's chunk boundaries.
  const parts: Buffer[] = [];
  const ndjson = ['openid.ndjson', 'gateway.ndjson', 'ecs.ndjson', 'docker.ndjson', 'scim.ndjson', 'audit.ndjson'].map((name) => readFileSync(fixture(name)));
  for (let i = 0; i < 60; i++) {
    parts.push(ndjson[i % ndjson.length]!);
    parts.push(Buffer.from(`{"n":${i},"msg":"${'x'.repeat(3000 + ((i * 7919) % 200000))}","hid_error":1200}\n`));
    parts.push(Buffer.from('not json\n'), Buffer.from([0xff, 0xfe, 0x0a]), Buffer.from(`{"tenant":"t${i}","hid_failure":${100 + i}}\n`));
  }
  corpus = join(dir, 'corpus.ndjson');
  writeFileSync(corpus, Buffer.concat(parts));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('--workers', () => {
  it('gives output byte-identical to one worker, in input order, on a generated corpus', async () => {
    const args = ['--max-line-bytes', '100000', corpus];
    const [one, two, three] = await Promise.all([runCli(args), runCli(['--workers', '2', ...args]), runCli(['--workers', '3', ...args])]);
    expect(one.code).toBe(0);
    expect(two.stdout.equals(one.stdout)).toBe(true);
    expect(three.stdout.equals(one.stdout)).toBe(true);
    expect(two.stderr).toBe('');
  });

  it('gives identical dead letters, pretty output and metrics with record labels under caps', async () => {
    const run = async (workers: string) => {
      const deadLetter = join(dir, `dead-${workers}.ndjson`);
      const textfile = join(dir, `metrics-${workers}.prom`);
      const result = await runCli([
        '--workers',
        workers,
        '--max-line-bytes',
        '100000',
        '--dead-letter',
        deadLetter,
        '--textfile',
        textfile,
        '--label',
        'tenant=tenant',
        '--max-label-values',
        '7',
        '--max-unknown-codes',
        '5',
        corpus,
      ]);
      const pretty = await runCli(['--workers', workers, '--format', 'pretty', corpus]);
      return { output: result.stdout, dead: readFileSync(deadLetter), metrics: readFileSync(textfile, 'utf8'), pretty: pretty.stdout };
    };
    const [one, two] = await Promise.all([run('1'), run('2')]);
    expect(two.output.equals(one.output)).toBe(true);
    expect(two.dead.equals(one.dead)).toBe(true);
    expect(two.pretty.equals(one.pretty)).toBe(true);
    expect(two.metrics).toBe(one.metrics);
    expect(byLabel(parseExposition(one.metrics), 'hidlog_label_overflow_total', 'label').tenant).toBeGreaterThan(0);
  });

  it.each(FIXTURES)('%s: count --workers 2 equals the truth', async (name) => {
    const truth = expectedFor(name);
    const result = await runCli(['count', '--workers', '2', '--max-line-bytes', String(truth.maxLineBytes ?? 1048576), fixture(name)]);
    const samples = parseExposition(result.stdout.toString());
    expect(byLabel(samples, 'hid_failures_total', 'code')).toEqual(truth.codes.failure);
    expect(byLabel(samples, 'hid_errors_total', 'code')).toEqual(truth.codes.error);
    expect(byLabel(samples, 'hidlog_lines_total', 'result')).toEqual(Object.fromEntries(Object.entries(truth.results).filter(([, n]) => n > 0)));
  });

  it('stops at the same FILE:LINE under --strict', async () => {
    const [one, two] = await Promise.all([runCli(['--strict', corpus]), runCli(['--strict', '--workers', '2', corpus])]);
    expect(one.code).toBe(1);
    expect(two.code).toBe(1);
    expect(two.stderr).toBe(one.stderr);
    expect(one.stderr).toMatch(/corpus\.ndjson:\d+: not valid JSON\n$/);
    expect(two.stdout.equals(one.stdout)).toBe(true);
  });
});
