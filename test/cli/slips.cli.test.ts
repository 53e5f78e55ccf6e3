// Issue 21, item 7: slips on the command line that lost a log or read the wrong thing, each a
// one-line error now, with the input left byte for byte as it was.
import { spawn } from 'node:child_process';
import { closeSync, existsSync, linkSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLI, collect, lines, type CliResult } from '../helpers/cli.js';

const LOG = '{"status":401,"hid_failure":13}\n{"status":200}\nnot json\n';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-slips-'));
  writeFileSync(join(dir, 'app.log'), LOG);
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * The real CLI run in the scratch directory, so that files are named as a user names them.
 * `stdin`/`stdout`: a file descriptor instead of a pipe; stdin left open unless `input` is given.
 */
async function hidlog(args: readonly string[], io: { input?: string; stdin?: number; stdout?: number } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [CLI, ...args], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: [io.stdin ?? 'pipe', io.stdout ?? 'pipe', 'pipe'],
  });
  const done = collect(child);
  if (io.input !== undefined) child.stdin?.end(io.input);
  const result = await done;
  child.stdin?.destroy();
  return result;
}

const logBytes = () => readFileSync(join(dir, 'app.log'), 'utf8');

/** Exit 2, exactly one line on stderr (`message`), nothing on stdout, app.log as it was. */
function refused(result: CliResult, message: string | RegExp): void {
  expect(lines(result.stderr)).toHaveLength(1);
  expect(result.stderr.trimEnd()).toMatch(typeof message === 'string' ? new RegExp(`^${message.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`) : message);
  expect(result.code).toBe(2);
  expect(result.stdout.toString()).toBe('');
  expect(logBytes()).toBe(LOG);
}

describe('an output that is one of the inputs is refused before it is opened', () => {
  it('annotate -o INPUT', async () => {
    refused(
      await hidlog(['annotate', 'app.log', '-o', 'app.log']),
      'hidlog: --output app.log is the same file as the input app.log: choose another file; nothing was read or written',
    );
  });

  it('through a symlink and a hard link: -o, --dead-letter', async () => {
    symlinkSync('app.log', join(dir, 'symlink.log'));
    linkSync(join(dir, 'app.log'), join(dir, 'hardlink.log'));
    refused(await hidlog(['annotate', 'app.log', '-o', 'symlink.log']), /^hidlog: --output symlink.log is the same file as the input app\.log: /);
    refused(
      await hidlog(['annotate', 'hardlink.log', '--dead-letter', 'app.log', '-o', 'out.ndjson']),
      /^hidlog: --dead-letter app\.log is the same file as the input hardlink\.log: /,
    );
    expect(existsSync(join(dir, 'out.ndjson'))).toBe(false);
  });

  it('report -o INPUT (it would replace the log with the report)', async () => {
    linkSync(join(dir, 'app.log'), join(dir, 'report.md'));
    refused(await hidlog(['report', 'app.log', '-o', 'report.md']), /^hidlog: --output report\.md is the same file as the input app\.log: /);
  });

  it("count's exposition: --textfile INPUT, and stdout appended to the input", async () => {
    refused(await hidlog(['count', 'app.log', '--textfile', 'app.log']), /^hidlog: --textfile app\.log is the same file as the input app\.log: /);
    const append = openSync(join(dir, 'app.log'), 'a');
    try {
      const result = await hidlog(['count', 'app.log'], { stdout: append });
      expect(result.stderr).toMatch(/^hidlog: stdout is the same file as the input app\.log: [^\n]*\n$/);
      expect(result.code).toBe(2);
    } finally {
      closeSync(append);
    }
    expect(logBytes()).toBe(LOG);
  });

  it('stdin redirected from the file the output names', async () => {
    const stdin = openSync(join(dir, 'app.log'), 'r');
    try {
      refused(
        await hidlog(['annotate', '-o', 'app.log'], { stdin }),
        'hidlog: --output app.log is the same file as the input stdin: choose another file; nothing was read or written',
      );
    } finally {
      closeSync(stdin);
    }
  });

  it('follow mode: -o one of the followed files, or a file a --follow pattern would name', async () => {
    mkdirSync(join(dir, 'logs'));
    writeFileSync(join(dir, 'logs', 'auth.log'), LOG);
    refused(await hidlog(['annotate', '--follow', 'app.log', '-o', 'app.log']), /^hidlog: --output app\.log is the same file as the input app\.log: /);
    refused(
      await hidlog(['annotate', '--follow', 'logs/*.log', '-o', './logs/annotated.log']),
      "hidlog: --output ./logs/annotated.log is named by --follow 'logs/*.log' (hidlog would follow its own output): choose another file; nothing was read or written",
    );
    expect(existsSync(join(dir, 'logs', 'annotated.log'))).toBe(false);
    expect(readFileSync(join(dir, 'logs', 'auth.log'), 'utf8')).toBe(LOG);
  });
});

describe('a mistyped command', () => {
  it('is an error naming the closest command, and nothing is read', async () => {
    refused(await hidlog(['anotate', 'app.log']), "hidlog: unknown command 'anotate'; did you mean 'annotate'?");
    refused(await hidlog(['reprot', 'app.log']), "hidlog: unknown command 'reprot'; did you mean 'report'?");
    refused(await hidlog(['frobnicate', 'app.log']), /^hidlog: unknown command 'frobnicate', and no file of that name; the commands are annotate, /);
  });

  it('is a file after all when a file of that name exists, or when annotate is named', async () => {
    writeFileSync(join(dir, 'anotate'), '{"status":404}\n');
    const asFile = await hidlog(['anotate']);
    expect(asFile).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(asFile.stdout.toString()).hid.status.label).toBe('NOT FOUND');
    const named = await hidlog(['annotate', 'reprot']);
    expect(named.code).toBe(1);
    expect(named.stderr).toBe('hidlog: cannot read reprot: no such file\n');
  });
});

describe('count writes no exposition for inputs it never read', () => {
  it('to stdout or to --textfile (nor does annotate)', async () => {
    const result = await hidlog(['count', 'missing.log']);
    expect(result).toMatchObject({ code: 1, stderr: 'hidlog: cannot read missing.log: no such file\n' });
    expect(result.stdout.toString()).toBe('');
    const textfile = await hidlog(['count', 'missing.log', '--textfile', 'hidlog.prom']);
    expect(textfile).toMatchObject({ code: 1, stderr: 'hidlog: cannot read missing.log: no such file\n' });
    expect(existsSync(join(dir, 'hidlog.prom'))).toBe(false);
    // annotate's --textfile alike.
    const annotate = await hidlog(['annotate', 'missing.log', '--textfile', 'hidlog.prom']);
    expect(annotate).toMatchObject({ code: 1, stderr: 'hidlog: cannot read missing.log: no such file\n' });
    expect(existsSync(join(dir, 'hidlog.prom'))).toBe(false);
    // One input read among them is counted, as before.
    const some = await hidlog(['count', 'missing.log', 'app.log']);
    expect(some.code).toBe(1);
    expect(some.stdout.toString()).toMatch(/^hid_failures_total\{code="13",/m);
  });
});

describe('an option that takes a value does not swallow a file name', () => {
  it('report --by FILE is an error at once, not a wait on stdin (stdin is left open)', async () => {
    refused(
      await hidlog(['report', '--by', 'app.log']),
      "hidlog: --by app.log: app.log is a file, not a value for --by; put the files after the options' values, or write --by=app.log to mean the value",
    );
  });

  it('--by=FILE is the value as written', async () => {
    const result = await hidlog(['report', '--format', 'json', '--by=app.log', 'app.log']);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(result.stdout.toString()).input.files).toEqual(['app.log']);
  });
});

describe('completion --help', () => {
  it('is help, not the script', async () => {
    const result = await hidlog(['completion', '--help'], { input: '' });
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const help = result.stdout.toString();
    expect(help).toMatch(/^hidlog completion\n\nPrint a bash or zsh completion script/);
    expect(help).toContain('--help');
    expect(help).not.toContain('yargs_completions');
  });
});
