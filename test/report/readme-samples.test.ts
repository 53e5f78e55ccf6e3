import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli } from '../helpers/cli.js';

const readme = readFileSync(join(ROOT, 'docs/report.md'), 'utf8');
const block = (after: string, fence: string) => {
  const from = readme.indexOf(`${fence}\n`, readme.indexOf(after)) + fence.length + 1;
  return readme.slice(from, readme.indexOf('```\n', from));
};

describe('docs/report.md’s samples are what hidlog prints', () => {
  it('the table, less the sections it leaves out', async () => {
    const result = await runCli(['report', 'fixtures/incident.ndjson.gz', '--top', '3', '--by', 'client_id']);
    const sections = result.stdout.toString().split('\n\n');
    const shown = sections.filter((section) => !/^(hid_error|HID response code) \(/.test(section)).join('\n\n');
    expect(block('response code tables are left out here):', '```')).toBe(shown.replace(/\n*$/, '\n'));
  });

  it('the beginning of the markdown', async () => {
    const result = await runCli(['report', 'fixtures/incident.ndjson.gz', '--top', '3', '--by', 'client_id', '--format', 'markdown']);
    const text = result.stdout.toString();
    expect(block('The same with `--format markdown`', '```markdown')).toBe(text.slice(0, text.indexOf('## hid_error')).replace(/\n*$/, '\n'));
  });
});
