// "Never silent": an input that is mostly unusable gets one notice on stderr (docs/inputs.md, "Bad input").
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ROOT, collect, fixture, runCli, startCli } from '../helpers/cli.js';
import { waitFor } from '../helpers/tools.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-notice-'));
const running: ChildProcess[] = [];
afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const criLine = (n: number) => `2026-12-01T10:00:${String(n % 60).padStart(2, '0')}.123456789Z stdout F {"n":${n},"status":401,"hid_error":2001}\n`;
const criLines = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => criLine(from + i)).join('');
const nginxLines = Array.from(
  { length: 36 },
  (_, i) => `{"remote_addr":"10.0.0.${i}","request":"POST /idp/authn/token HTTP/1.1","status":"${i % 2 === 0 ? 401 : 200}","body_bytes_sent":"87"}\n`,
).join('');
const textLines = Array.from({ length: 12 }, (_, i) => `Started worker ${i} on the main queue\n`).join('');

const notices = (stderr: string) => stderr.split('\n').filter((line) => line.startsWith('hidlog: '));
const CRI_NOTICE = (path: string, n: number) =>
  `hidlog: ${path}: ${n} of ${n} lines are not records; they look like Kubernetes CRI lines: drop --input-format ndjson (auto reads them) — docs/log-formats.md`;

describe('the notice on unusable input', () => {
  const cri = file('app.log', criLines(0, 36));

  it.each([['1'], ['2']])('CRI lines forced through --input-format ndjson, --workers %s: named once, exit code and output unchanged', async (workers) => {
    const result = await runCli(['annotate', '--workers', workers, '--input-format', 'ndjson', cri]);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toBe(readFileSync(cri, 'utf8'));
    expect(result.stderr).toBe(`${CRI_NOTICE(cri, 36)}\n`);
  });

  it('counts every region of a big input with --workers 2, once', async () => {
    const big = file('big.log', criLines(0, 40_000));
    expect(readFileSync(big).length).toBeGreaterThan(3 * 1024 * 1024);
    const result = await runCli(['annotate', '--workers', '2', '--input-format', 'ndjson', big]);
    expect(result.code).toBe(0);
    expect(result.stdout.equals(readFileSync(big))).toBe(true);
    expect(result.stderr).toBe(`${CRI_NOTICE(big, 40_000)}\n`);
  });

  it('says nothing about the same CRI lines under auto, which reads them', async () => {
    const result = await runCli(['annotate', cri]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('names a plain-text log, in annotate, count and report', async () => {
    const text = file('boot.log', textLines);
    const notice = `hidlog: ${text}: 12 of 12 lines are not records; they look like plain text with no key=value tokens or JSON objects: hidlog finds records in JSON objects and key=value tokens — docs/log-formats.md\n`;
    for (const command of [['annotate'], ['count'], ['report'], ['annotate', '--workers', '2'], ['count', '--workers', '2']]) {
      const result = await runCli([...command, text]);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stderr, command.join(' ')).toBe(notice);
    }
  });

  it('names error statuses without a reason code, in annotate, count and report, and counts them', async () => {
    const nginx = file('nginx.log', nginxLines);
    const notice = `hidlog: ${nginx}: 18 of 18 records with an HTTP status of 400 or more carry no hid_error or hid_failure code; if the HID body is logged in a field hidlog does not search, name it with --field failure=PATH — docs/log-formats.md\n`;
    for (const command of [['annotate'], ['count'], ['report'], ['count', '--workers', '2']]) {
      const result = await runCli([...command, nginx]);
      expect(result.code, command.join(' ')).toBe(0);
      expect(result.stderr, command.join(' ')).toBe(notice);
      if (command[0] === 'count') expect(result.stdout.toString()).toMatch(/^hidlog_error_statuses_without_reason_total 18$/m);
    }
  });

  it('names each input on its own, and stays silent on the good one between them', async () => {
    const good = fixture('openid.ndjson');
    const text = file('notes.txt', textLines);
    const result = await runCli(['count', '--input-format', 'ndjson', cri, good, text]);
    expect(result.code).toBe(0);
    expect(notices(result.stderr)).toEqual([
      CRI_NOTICE(cri, 36),
      expect.stringContaining(`hidlog: ${text}: 12 of 12 lines are not records; they look like plain text`),
    ]);
  });

  const fixtures = readdirSync(join(ROOT, 'fixtures')).filter((name) => /\.(ndjson|ndjson\.gz|json)$/.test(name) && !name.endsWith('.expected.json'));
  it.each(
    fixtures.flatMap((name) => [
      [name, '1'],
      [name, '2'],
    ]),
  )('raises no false alarm on %s (--workers %s)', async (name, workers) => {
    const result = await runCli(['annotate', '--workers', workers, fixture(name)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe('');
  });

  it('in follow mode, says it once per file, once it has 10 lines, and not for a good file beside it', async () => {
    const followed = join(dir, 'pod.log');
    const clean = join(dir, 'clean.log');
    const out = join(dir, 'follow-out.log');
    writeFileSync(followed, criLines(0, 12));
    writeFileSync(clean, Array.from({ length: 12 }, (_, i) => `{"n":${i},"status":401,"hid_failure":13}\n`).join(''));
    const child = startCli([
      'annotate',
      '--follow',
      '--poll-interval',
      '50',
      '--start-at',
      'beginning',
      '--input-format',
      'ndjson',
      '-o',
      out,
      followed,
      clean,
    ]);
    running.push(child);
    const done = collect(child);
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the notice', async () => (stderr.includes(CRI_NOTICE(followed, 12)) ? true : undefined), 20_000);
    appendFileSync(followed, criLines(12, 48));
    const lineCount = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 1 : 0);
    await waitFor('every line written', async () => (lineCount() >= 12 + 12 + 36 ? true : undefined), 20_000);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(notices(result.stderr)).toEqual([CRI_NOTICE(followed, 12)]);
  });
});
