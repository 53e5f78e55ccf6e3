import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fixture, lines, runCli } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import { expectedFor } from '../helpers/expected.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-repeatable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('repeatable options (--field, --label, --by)', () => {
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
});
