import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI, lines, runCli } from '../helpers/cli.js';

// `hidlog` on the PATH, as an installed one is: the completion script calls it by name.
const bin = mkdtempSync(join(tmpdir(), 'hidlog-completion-'));
afterAll(() => rmSync(bin, { recursive: true, force: true }));
writeFileSync(join(bin, 'hidlog'), `#!/bin/sh\nexec '${process.execPath}' '${CLI}' "$@"\n`);
chmodSync(join(bin, 'hidlog'), 0o755);

/** What bash offers when <TAB> is pressed after `words`, with the script `hidlog completion` printed sourced. */
function bashCompletes(words: string[]): string[] {
  const script = [
    'source <(hidlog completion)',
    `COMP_WORDS=(${words.map((word) => `'${word}'`).join(' ')})`,
    `COMP_CWORD=${words.length - 1}`,
    '_hidlog_yargs_completions',
    'printf "%s\\n" "${COMPREPLY[@]}"',
  ].join('\n');
  const bash = spawnSync('bash', ['-c', script], { encoding: 'utf8', env: { ...process.env, PATH: `${bin}:${process.env.PATH}`, SHELL: '/bin/bash' } });
  expect(bash.stderr).toBe('');
  return lines(bash.stdout);
}

describe('hidlog completion (the real CLI, in a real bash)', () => {
  it('prints the bash completion script', async () => {
    const result = await runCli(['completion'], { env: { SHELL: '/bin/bash' } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.toString()).toContain('complete -o bashdefault -o default -F _hidlog_yargs_completions hidlog');
  });

  it('prints the zsh one under zsh', async () => {
    const result = await runCli(['completion'], { env: { SHELL: '/usr/bin/zsh' } });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.toString()).toMatch(/^#compdef hidlog\n[\s\S]*compdef _hidlog_yargs_completions hidlog/);
  });

  it('completes `hidlog ann` to annotate, through yargs’ --get-yargs-completions', async () => {
    const result = await runCli(['--get-yargs-completions', 'hidlog', 'ann'], { env: { SHELL: '/bin/bash' } });
    expect(lines(result.stdout)).toContain('annotate');
    expect(bashCompletes(['hidlog', 'ann'])).toEqual(['annotate']);
  });

  it('completes a command’s options', () => {
    expect(bashCompletes(['hidlog', 'annotate', '--max-l'])).toEqual(['--max-line-bytes', '--max-label-values']);
    expect(bashCompletes(['hidlog', 'codes', '--k'])).toEqual(['--kind']);
  });
});
