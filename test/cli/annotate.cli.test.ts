import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, fixture, lines, runCli, startCli } from '../helpers/cli.js';
import { expectedFor } from '../helpers/expected.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-cli-'));
});
afterAll(() => {
  execFileSync('rm', ['-rf', dir]);
});

describe('hidlog annotate (the real CLI)', () => {
  it('annotates a file to stdout, one line out per line in, exit 0, nothing on stderr', async () => {
    const result = await runCli(['annotate', fixture('openid.ndjson')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = lines(result.stdout);
    expect(out.length).toBe(expectedFor('openid.ndjson').lines);
    expect(out.filter((line) => JSON.parse(line).hid).length).toBe(expectedFor('openid.ndjson').results.annotated);
  });

  it('is the default command, and reads stdin when given no file or -', async () => {
    const input = '{"status":401,"hid_failure":{"reason":13}}\n';
    const viaDefault = await runCli([], { input });
    const viaDash = await runCli(['annotate', '-'], { input });
    expect(viaDefault.stdout.toString()).toBe(viaDash.stdout.toString());
    expect(JSON.parse(viaDefault.stdout.toString()).hid.failure.description).toBe('The password does not match');
  });

  it('reads several inputs in order, stdin among them', async () => {
    const result = await runCli(['annotate', fixture('audit.ndjson'), '-', fixture('scim.ndjson')], { input: '{"marker":true}\n' });
    const out = lines(result.stdout);
    const audit = expectedFor('audit.ndjson').lines;
    expect(out.length).toBe(audit + 1 + expectedFor('scim.ndjson').lines);
    expect(out[audit]).toBe('{"marker":true}');
  });

  it('detects gzip by its magic bytes, not its name', async () => {
    const renamed = join(dir, 'mixed.log');
    writeFileSync(renamed, readFileSync(fixture('mixed.ndjson.gz')));
    const plain = join(dir, 'mixed.ndjson');
    writeFileSync(plain, gunzipSync(readFileSync(fixture('mixed.ndjson.gz'))));
    const [gz, txt] = await Promise.all([runCli([renamed]), runCli([plain])]);
    expect(gz.code).toBe(0);
    expect(lines(gz.stdout).length).toBe(expectedFor('mixed.ndjson.gz').lines);
    expect(gz.stdout.equals(txt.stdout)).toBe(true);
  });

  it('streams a JSON array document element by element, as NDJSON', async () => {
    const result = await runCli([fixture('openid-array.json')]);
    expect(result.code).toBe(0);
    const elements = JSON.parse(readFileSync(fixture('openid-array.json'), 'utf8')) as unknown[];
    const asNdjson = await runCli([], { input: elements.map((e) => JSON.stringify(e)).join('\n') + '\n' });
    expect(result.stdout.toString()).toBe(asNdjson.stdout.toString());
  });

  it('reports a broken JSON array in one line, keeps what came before, exits 1', async () => {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, '[{"status":401},{"status":');
    const result = await runCli([broken]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout).length).toBe(1);
    expect(result.stderr).toMatch(/^hidlog: .*broken\.json: invalid JSON array after 1 records: .+\n$/);
  });

  it('passes bad lines through unchanged, byte for byte, one line out per line in', async () => {
    const input = readFileSync(fixture('hostile.ndjson'));
    const result = await runCli(['--max-line-bytes', '65536', fixture('hostile.ndjson')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const inLines = input.subarray(3).toString('latin1').split('\n');
    const outLines = result.stdout.toString('latin1').replace(/\n$/, '').split('\n');
    expect(outLines.length).toBe(expectedFor('hostile.ndjson').lines);
    // invalid JSON, not-an-object, blank and invalid UTF-8 lines come out exactly as they went in
    for (const index of [1, 2, 3, 4, 5, 6, 7]) expect(outLines[index]).toBe(inLines[index]);
    expect(outLines[0]).toMatch(/^\{"status":401/); // the byte-order mark is gone
    expect(outLines.find((line) => line.includes('"too_long"'))).toMatch(/^\{"hid":\{"invalid":"too_long","bytes":\d+\}\}$/);
  });

  it('with --dead-letter, keeps bad lines there byte for byte and writes valid NDJSON', async () => {
    const deadLetter = join(dir, 'dead.ndjson');
    const result = await runCli(['--max-line-bytes', '65536', '--dead-letter', deadLetter, fixture('hostile.ndjson')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const expected = expectedFor('hostile.ndjson');
    const out = lines(result.stdout);
    expect(out.length).toBe(expected.lines);
    for (const line of out) expect(() => JSON.parse(line)).not.toThrow();
    const markers = out.filter((line) => /^\{"hid":\{"invalid":/.test(line));
    expect(markers.length).toBe(expected.results.invalid + expected.results.too_long);
    const input = readFileSync(fixture('hostile.ndjson')).subarray(3).toString('latin1').split('\n');
    const dead = readFileSync(deadLetter).toString('latin1').replace(/\n$/, '').split('\n');
    expect(dead.length).toBe(markers.length);
    for (const line of dead) expect(input).toContain(line);
  });

  it('with --strict, stops at the first bad line: FILE:LINE: reason, exit 1', async () => {
    const result = await runCli(['--strict', fixture('hostile.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(`hidlog: ${fixture('hostile.ndjson')}:2: not valid JSON\n`);
    expect(lines(result.stdout).length).toBe(1);
  });

  it('names an unreadable file in one line, processes the others, exits 1 at the end', async () => {
    const locked = join(dir, 'locked.ndjson');
    writeFileSync(locked, '{"status":200}\n');
    chmodSync(locked, 0o000);
    const missing = join(dir, 'missing.ndjson');
    const result = await runCli([missing, fixture('audit.ndjson'), dir]);
    expect(result.code).toBe(1);
    expect(lines(result.stdout).length).toBe(expectedFor('audit.ndjson').lines);
    const errors = result.stderr.trimEnd().split('\n');
    expect(errors[0]).toBe(`hidlog: cannot read ${missing}: no such file`);
    expect(errors[1]).toMatch(new RegExp(`^hidlog: .*${dir}.*is a directory`));
    expect(result.stderr).not.toMatch(/\bat .*\.js:\d+/);
  });

  it('reports a corrupt gzip file in one line and exits 1', async () => {
    const truncated = join(dir, 'truncated.gz');
    const gz = readFileSync(fixture('mixed.ndjson.gz'));
    writeFileSync(truncated, gz.subarray(0, gz.length - 100));
    const result = await runCli([truncated]);
    expect(result.code).toBe(1);
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/truncated\.gz: read failed after \d+ records: /);
  });

  it('writes to --output FILE', async () => {
    const out = join(dir, 'out.ndjson');
    const result = await runCli(['-o', out, fixture('scim.ndjson')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout.length).toBe(0);
    expect(lines(readFileSync(out)).length).toBe(expectedFor('scim.ndjson').lines);
  });

  it('cannot write the output: one line, exit 1', async () => {
    const result = await runCli(['-o', join(dir, 'no/such/dir/out.ndjson'), fixture('scim.ndjson')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hidlog: cannot write output .*out\.ndjson: no such file\n$/);
  });

  it('prints one human line a record with --format pretty, without colour off a terminal', async () => {
    const input = [
      '{"time":"2026-11-28T09:00:00Z","status":401,"hid_failure":{"reason":13}}',
      '{"time":"2026-11-28T09:00:01Z","statusCode":200}',
      '{"msg":"no codes"}',
      'oops',
    ].join('\n');
    const result = await runCli(['--format', 'pretty'], { input });
    expect(result.stdout.toString()).toBe(
      [
        '2026-11-28T09:00:00Z  401 UNAUTHORIZED  failure  failure 13 [credential_mismatch] The password does not match',
        '2026-11-28T09:00:01Z  200 OK  success',
        '- - no codes',
        '! invalid_json: oops',
        '',
      ].join('\n'),
    );
  });

  it('prints an epoch time as ISO 8601 with --format pretty: seconds or milliseconds (or micro-, nanoseconds) by its size, as a number or as digits in a string (journald writes __REALTIME_TIMESTAMP so)', async () => {
    const input = [
      '{"time":1795824000003,"status":401}',
      '{"ts":1795824000,"status":200}',
      '{"@timestamp":1795824000.25,"status":200}',
      '{"timestamp":1795824000123456,"status":200}',
      '{"time":"1795824000003","status":200}',
      '{"__REALTIME_TIMESTAMP":"1795824000123456","status":200}',
      '{"time":"12345","status":200}',
    ].join('\n');
    const result = await runCli(['--format', 'pretty'], { input });
    expect(lines(result.stdout)).toEqual([
      '2026-11-28T00:00:00.003Z  401 UNAUTHORIZED  error',
      '2026-11-28T00:00:00.000Z  200 OK  success',
      '2026-11-28T00:00:00.250Z  200 OK  success',
      '2026-11-28T00:00:00.123Z  200 OK  success',
      '2026-11-28T00:00:00.003Z  200 OK  success',
      '2026-11-28T00:00:00.123Z  200 OK  success',
      '12345  200 OK  success',
    ]);
  });

  it('takes options from HIDLOG_* variables and from --config', async () => {
    const input = '{"status":200,"msg":"' + 'x'.repeat(200) + '"}\n{"status":200}\n';
    const viaEnv = await runCli([], { input, env: { HIDLOG_MAX_LINE_BYTES: '100' } });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ 'max-line-bytes': 100, key: 'meta' }));
    const viaConfig = await runCli(['--config', config], { input });
    expect(lines(viaEnv.stdout)[0]).toBe('{"hid":{"invalid":"too_long","bytes":223}}');
    expect(lines(viaConfig.stdout)).toEqual([
      '{"meta":{"invalid":"too_long","bytes":223}}',
      '{"status":200,"meta":{"status":{"code":200,"label":"OK","category":"success","description":"OK"},"outcome":"success"}}',
    ]);
  });

  it('leaves out HIDLOG_* variables that name no option of the command, as Kubernetes service links', async () => {
    const input = '{"status":200,"msg":"' + 'x'.repeat(200) + '"}\n{"status":400,"hid_failure":51}\n';
    // What a pod gets in a namespace with a Service named hidlog, an option of another command, and a test's own setting.
    const stray = {
      HIDLOG_SERVICE_HOST: '10.96.0.12',
      HIDLOG_SERVICE_PORT: '9464',
      HIDLOG_PORT: 'tcp://10.96.0.12:9464',
      HIDLOG_PORT_9464_TCP_ADDR: '10.96.0.12',
      HIDLOG_MERGE: 'true',
      HIDLOG_MODEL_RUNS: '5',
    };
    const plain = await runCli([], { input });
    const annotated = await runCli([], { input, env: stray });
    expect({ code: annotated.code, stderr: annotated.stderr, stdout: annotated.stdout }).toEqual({ code: 0, stderr: '', stdout: plain.stdout });
    // Beside them, an option's own variable is still read.
    const withOption = await runCli([], { input, env: { ...stray, HIDLOG_MAX_LINE_BYTES: '100' } });
    expect(lines(withOption.stdout)[0]).toBe('{"hid":{"invalid":"too_long","bytes":223}}');
    const counted = await runCli(['count'], { input, env: stray });
    expect(counted.code).toBe(0);
    expect(counted.stderr).toBe('');
  });

  it('reads a kind from a path of the user’s with --field', async () => {
    const result = await runCli(['--field', 'failure=payload.reasonCode', '--field', 'status=meta.http'], {
      input: '{"meta":{"http":"401"},"payload":{"reasonCode":42}}\n',
    });
    expect(JSON.parse(result.stdout.toString()).hid).toMatchObject({ status: { code: 401 }, failure: { code: 42, description: 'The OTP did not match' } });
  });

  it('a repeatable option (--field, --label) takes one value each time, not the files after it', async () => {
    const textfile = join(dir, 'repeatable.prom');
    const result = await runCli(
      ['annotate', '--textfile', textfile, '--label', 'tenant=ctx.tenant', '--field', 'failure=payload.reasonCode', fixture('audit.ndjson'), '-'],
      { input: '{"payload":{"reasonCode":13}}\n' },
    );
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = lines(result.stdout);
    expect(out.length).toBe(expectedFor('audit.ndjson').lines + 1);
    expect(JSON.parse(out.at(-1)!).hid.failure.code).toBe(13);
  });

  it.each([
    [['--bogus'], /Unknown argument: bogus/],
    [['--format', 'xml'], /Invalid values: Argument: format, Given: "xml"/],
    [['--field', 'colour=a.b'], /--field colour=a\.b: expected KIND=DOT\.PATH/],
    [['--max-line-bytes', '0'], /--max-line-bytes 0: expected a positive whole number/],
    [['--key', '__proto__'], /--key "__proto__": not a usable key name/],
    // Named commands: yargs is told not to render help for them (main.ts), as none is shown.
    [['annotate', '--state-file', 'state.json', '-'], /--state-file applies with --follow/],
    [['count', '--max-line-bytes', '0', '-'], /--max-line-bytes 0: expected a positive whole number/],
  ])('a usage error %j: one message, exit 2', async (args, message) => {
    const result = await runCli(args, { input: '{"status":200}\n' });
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr).toMatch(message);
    expect(result.stderr.split('\n')[0]).toMatch(/^hidlog: /);
    expect(result.stderr).not.toMatch(/Options:/);
  });

  it.each([
    [['--max-line-bytes', 'abc'], '--max-line-bytes abc: expected a positive whole number'],
    [['--max-line-bytes', '1e3'], '--max-line-bytes 1e3: expected a positive whole number'],
    [['--max-line-bytes='], '--max-line-bytes "": expected a positive whole number'],
    [['count', '--max-line-bytes', '64k', '-'], '--max-line-bytes 64k: expected a positive whole number'],
    [['--workers', 'two'], '--workers two: expected a whole number, 0 or more'],
    [['--max-unknown-codes', 'lots'], '--max-unknown-codes lots: expected a whole number, 0 or more'],
    [['count', '--max-label-values', '1.50', '-'], '--max-label-values 1.50: expected a whole number, 0 or more'],
    [['--follow', '--poll-interval', 'soon', 'auth.log'], '--poll-interval soon: expected a positive whole number'],
  ])('a numeric option given %j: repeated as typed, exit 2', async (args, message) => {
    const result = await runCli(args, { input: '{"status":200}\n' });
    expect(result.code).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(result.stderr.split('\n')[0]).toBe(`hidlog: ${message}`);
  });

  it('repeats a bad number from HIDLOG_* or --config as given too', async () => {
    const config = join(dir, 'numbers.json');
    writeFileSync(config, JSON.stringify({ workers: 'two' }));
    const viaEnv = await runCli([], { input: '', env: { HIDLOG_MAX_LINE_BYTES: 'abc' } });
    const viaConfig = await runCli(['--config', config], { input: '' });
    expect([viaEnv.code, viaConfig.code]).toEqual([2, 2]);
    expect(viaEnv.stderr.split('\n')[0]).toBe('hidlog: --max-line-bytes abc: expected a positive whole number');
    expect(viaConfig.stderr.split('\n')[0]).toBe('hidlog: --workers two: expected a whole number, 0 or more');
  });

  it('says what is wrong with a --config file: missing, unreadable, not JSON, not an object; one line, exit 2', async () => {
    const files = { missing: join(dir, 'no-such-config.json'), directory: dir, text: join(dir, 'text.json'), list: join(dir, 'list.json') };
    writeFileSync(files.text, 'max-line-bytes = 100\n');
    writeFileSync(files.list, '[{"max-line-bytes": 100}]');
    const errors = await Promise.all(
      Object.values(files).map(async (file) => {
        const result = await runCli(['--config', file], { input: '{"status":200}\n' });
        expect(result.code).toBe(2);
        expect(result.stdout.length).toBe(0);
        return result.stderr.split('\n')[0];
      }),
    );
    expect(errors).toEqual([
      `hidlog: --config ${files.missing}: cannot read it: no such file`,
      `hidlog: --config ${files.directory}: cannot read it: is a directory`,
      expect.stringMatching(new RegExp(`^hidlog: --config ${files.text}: not JSON: \\S.*$`)),
      `hidlog: --config ${files.list}: expected a JSON object of options, like {"max-line-bytes": 65536}`,
    ]);
  });

  it('shows defaults and examples in --help', async () => {
    const result = await runCli(['annotate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout.toString()).toMatch(/--max-line-bytes[\s\S]*\[default: 1048576\]/);
    expect(result.stdout.toString()).toMatch(/Examples:/);
    expect(result.stdout.toString()).toMatch(/Exit codes: 0 ok; 1 /);
  });
});

describe('hidlog annotate under pressure', () => {
  const bigInput = () => {
    const path = join(dir, 'big.ndjson');
    const text = readFileSync(fixture('openid.ndjson'));
    writeFileSync(path, Buffer.concat(Array.from({ length: 400 }, () => text)));
    return path;
  };

  it('exits 0 with nothing on stderr when the reader goes away (| head -1)', async () => {
    const big = bigInput();
    const output = execFileSync('bash', ['-c', `set -o pipefail; node bin/hidlog.js '${big}' 2>'${dir}/epipe.err' | head -1; echo "exit=\${PIPESTATUS[0]}"`], {
      encoding: 'utf8',
    });
    expect(output).toMatch(/^\{.*\}\nexit=0\n$/);
    expect(readFileSync(join(dir, 'epipe.err'), 'utf8')).toBe('');
  });

  it('holds memory flat for a 300 MB line without a newline', async () => {
    const child = startCli(['--dead-letter', '/dev/null']);
    const done = collect(child);
    const chunk = Buffer.alloc(1024 * 1024, 0x61);
    let peakKb = 0;
    for (let i = 0; i < 300; i++) {
      if (!child.stdin!.write(chunk)) await new Promise((resolve) => child.stdin!.once('drain', resolve));
      if (i % 20 === 0) peakKb = Math.max(peakKb, peakRssKb(child.pid!));
    }
    peakKb = Math.max(peakKb, peakRssKb(child.pid!));
    child.stdin!.end();
    const result = await done;
    expect(result.code).toBe(0);
    expect(lines(result.stdout)).toEqual([`{"hid":{"invalid":"too_long","bytes":${300 * 1024 * 1024}}}`]);
    expect(peakKb).toBeLessThan(150 * 1024);
  }, 60_000);

  it('holds memory flat under a slow reader (backpressure)', async () => {
    const big = bigInput();
    const copies = 30; // about 250 MB of output: far more than memory would hold without backpressure
    const child = startCli(Array.from({ length: copies }, () => big));
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let peakKb = 0;
    for (let i = 0; i < 15; i++) {
      // A sleep, the sampling rate of the memory watched.
      await new Promise((resolve) => setTimeout(resolve, 100));
      peakKb = Math.max(peakKb, peakRssKb(child.pid!));
    }
    let newlines = 0;
    child.stdout!.on('data', (chunk: Buffer) => {
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) newlines++;
      peakKb = Math.max(peakKb, peakRssKb(child.pid!));
    });
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
    expect(newlines).toBe(copies * 400 * expectedFor('openid.ndjson').lines);
    expect(peakKb).toBeLessThan(150 * 1024);
  }, 90_000);
});

/** The child's peak resident memory so far (VmHWM), in KiB. */
function peakRssKb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}
