import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, lines, runCli } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import { expectedFor } from '../helpers/expected.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-repeatable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('repeatable options (--field, --label, --by, --time-field)', () => {
  it('leave the file after them an input, as the help examples write them', async () => {
    const annotated = await runCli(['annotate', '--field', 'failure=payload.reasonCode', fixture('audit.ndjson')]);
    expect(annotated).toMatchObject({ code: 0, stderr: '' });
    expect(lines(annotated.stdout)).toHaveLength(expectedFor('audit.ndjson').lines);
    const counted = await runCli(['count', '--label', 'user=user', fixture('audit.ndjson')]);
    expect(counted).toMatchObject({ code: 0, stderr: '' });
    const reported = await runCli(['report', '--by', 'user', '--format', 'json', fixture('audit.ndjson')]);
    expect(reported).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(reported.stdout.toString()).input.files).toEqual([fixture('audit.ndjson')]);
  });

  it('still take every value when repeated, and an array from --config', async () => {
    const result = await runCli(['count', '--label', 'user=user', '--label', 'what=event', fixture('audit.ndjson')]);
    const samples = parseExposition(result.stdout.toString()).filter((s) => s.name === 'hid_responses_total');
    expect(Object.keys(samples[0]!.labels).sort()).toEqual(['code', 'result', 'user', 'what']);
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ label: ['user=user', 'what=event'] }));
    const fromConfig = await runCli(['count', '--config', config, fixture('audit.ndjson')]);
    expect(fromConfig.stdout.toString()).toBe(result.stdout.toString());
    expect(byLabel(samples, 'hid_responses_total', 'what')).toEqual({ AUTHENTICATION: expectedFor('audit.ndjson').results.annotated });
  });

  it('--field and --time-field keep every value given for one kind, in order, and from --config', async () => {
    const input =
      [
        '{"a":{"code":13},"t1":"2026-11-28T08:00:00Z","t2":"2026-11-28T10:00:00Z"}',
        '{"b":{"code":14},"t1":"2026-11-28T09:00:00Z"}',
        '{"a":{"code":13},"b":{"code":14},"t1":null,"t2":"2026-11-28T11:00:00Z"}',
      ].join('\n') + '\n';
    const failures = (stdout: Buffer) => lines(stdout).map((line) => (JSON.parse(line) as { hid: { failure: { code: number } } }).hid.failure.code);
    const annotated = await runCli(['annotate', '--field', 'failure=a.code', '--field', 'failure=b.code', '-'], { input });
    expect(failures(annotated.stdout)).toEqual([13, 14, 13]);
    const reversed = await runCli(['annotate', '--field', 'failure=b.code', '--field', 'failure=a.code', '-'], { input });
    expect(failures(reversed.stdout)).toEqual([13, 14, 14]);
    const config = join(dir, 'fields.json');
    writeFileSync(config, JSON.stringify({ field: ['failure=a.code', 'failure=b.code'] }));
    const fromConfig = await runCli(['annotate', '--config', config, '-'], { input });
    expect(fromConfig.stdout.toString()).toBe(annotated.stdout.toString());
    const times = async (args: string[]) => {
      const result = await runCli(['report', '--format', 'json', ...args, '-'], { input });
      const report = JSON.parse(result.stdout.toString()) as { input: { first: string; last: string } };
      return [report.input.first, report.input.last];
    };
    expect(await times(['--time-field', 't1', '--time-field', 't2'])).toEqual(['2026-11-28T08:00:00.000Z', '2026-11-28T11:00:00.000Z']);
    expect(await times(['--time-field', 't2', '--time-field', 't1'])).toEqual(['2026-11-28T09:00:00.000Z', '2026-11-28T11:00:00.000Z']);
    expect(await times(['--time-field', 't2'])).toEqual(['2026-11-28T10:00:00.000Z', '2026-11-28T11:00:00.000Z']);
    const timeConfig = join(dir, 'times.json');
    writeFileSync(timeConfig, JSON.stringify({ 'time-field': ['t1', 't2'] }));
    expect(await times(['--config', timeConfig])).toEqual(['2026-11-28T08:00:00.000Z', '2026-11-28T11:00:00.000Z']);
  });
});
