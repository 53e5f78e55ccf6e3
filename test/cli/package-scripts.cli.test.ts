import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/cli.js';
import { expectedFor } from '../helpers/expected.js';

describe('the package scripts a new user runs first', () => {
  it('npm run demo annotates a bundled fixture, one human line a record', () => {
    const demo = spawnSync('npm', ['run', '--silent', 'demo'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(demo.stderr).toBe('');
    expect(demo.status).toBe(0);
    const lines = demo.stdout.trimEnd().split('\n');
    const expected = expectedFor('mixed.ndjson.gz');
    expect(lines.length).toBe(expected.lines);
    expect(lines.filter((line) => /  (success|failure|error|unknown)(  |$)/.test(line)).length).toBe(expected.results.annotated);
  });
});
