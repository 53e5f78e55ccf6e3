// `hidlog count … | head`: a reader that goes away ends a one-answer command quietly, as SIGPIPE
// ends a C tool; never a stack trace.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { CLI, ROOT } from '../helpers/cli.js';

const exec = promisify(execFile);

describe('a reader that closed stdout before the answer', () => {
  it.each([['count', 'fixtures/mixed.ndjson.gz'], ['codes'], ['explain', '400']])('hidlog %s: exit 0, nothing on stderr', async (...args) => {
    // `true` exits without reading: hidlog's write meets a closed pipe (EPIPE).
    const script = `node ${JSON.stringify(CLI)} ${args.map((arg) => JSON.stringify(arg)).join(' ')} | true; echo "exit \${PIPESTATUS[0]}"`;
    const { stdout, stderr } = await exec('bash', ['-c', script], { cwd: ROOT });
    expect(stderr).toBe('');
    expect(stdout).toBe('exit 0\n');
  });
});
