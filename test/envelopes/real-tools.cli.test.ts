import { spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';
import { freePort, hasTool, startDaemon, stopDaemon, waitFor } from '../helpers/tools.js';
import { envelope, expectCountsEqual, truthOf } from './truth.js';

// The envelopes made by the real tools, at test time: rsyslogd receiving from logger, and a
// journal built by systemd-journal-remote and read back by journalctl. Each file must count
// exactly as the records that went in (fixtures/envelopes/records.ndjson).
const RECORDS = readFileSync(envelope('records.ndjson'), 'utf8').trimEnd().split('\n');
const TRUTH = truthOf('records.ndjson');

const lineCount = (path: string) => (existsSync(path) ? readFileSync(path, 'utf8').split('\n').length - 1 : 0);

async function expectCounted(path: string): Promise<void> {
  const result = await runCli(['count', path]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  expectCountsEqual(result.stdout.toString(), { ...TRUTH, partialLines: {} });
}

const rsyslogInstalled = hasTool('rsyslogd') && hasTool('logger');

describe.skipIf(!rsyslogInstalled)('rsyslogd and logger write the syslog envelopes', () => {
  let dir: string;
  let daemon: ChildProcess | undefined;
  let port: number;
  // Tag → how logger sends: RFC 3164 (`<PRI>Mmm dd hh:mm:ss host tag[pid]: msg`) or RFC 5424.
  const SENDERS = { 'idp-bsd': ['--rfc3164'], 'idp-ietf': ['--rfc5424', '--msgid', 'AUDIT', '--sd-id', 'hid@32473', '--sd-param', 'tenant="acme"'] };
  const TEMPLATES = { traditional: 'RSYSLOG_TraditionalFileFormat', file: 'RSYSLOG_FileFormat', protocol23: 'RSYSLOG_SyslogProtocol23Format' };
  const output = (tag: string, template: string) => join(dir, `${tag}.${template}.log`);
  const logger = (tag: string, args: readonly string[]) =>
    spawnSync('logger', ['--server', '127.0.0.1', '--port', String(port), '--tcp', '--id=4242', '--size', '65536', '-p', 'local0.info', '-t', tag, ...args], {
      encoding: 'utf8',
    });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hidlog-rsyslog-'));
    port = await freePort();
    const actions = Object.entries(TEMPLATES)
      .map(([name, template]) => `  action(type="omfile" dynaFile="out_${name}" template="${template}")`)
      .join('\n');
    const files = Object.keys(TEMPLATES)
      .map((name) => `template(name="out_${name}" type="string" string="${dir}/%programname%.${name}.log")`)
      .join('\n');
    writeFileSync(
      join(dir, 'rsyslog.conf'),
      `global(workDirectory="${dir}" maxMessageSize="64k")
module(load="imtcp")
input(type="imtcp" address="127.0.0.1" port="${port}")
${files}
if $msg contains "hidlog-ready" then { action(type="omfile" file="${dir}/ready.log") stop }
if $programname startswith "idp-" then {
${actions}
}
`,
    );
    daemon = startDaemon('rsyslogd', ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')]);
    // Knock until rsyslogd has written a knock down: then it listens, and its outputs are open.
    await waitFor('rsyslogd to listen', async () => {
      logger('idp-ready', ['hidlog-ready']);
      return existsSync(join(dir, 'ready.log')) || undefined;
    });
    const records = join(dir, 'records.ndjson');
    writeFileSync(records, RECORDS.join('\n') + '\n');
    for (const [tag, args] of Object.entries(SENDERS)) expect(logger(tag, [...args, '-f', records])).toMatchObject({ status: 0 });
    for (const tag of Object.keys(SENDERS)) {
      for (const template of Object.keys(TEMPLATES)) {
        await waitFor(`rsyslogd to write ${output(tag, template)}`, async () => lineCount(output(tag, template)) >= RECORDS.length || undefined, 10_000);
      }
    }
  });

  afterAll(async () => {
    await stopDaemon(daemon);
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes what the specifications say, one line a record', () => {
    const shapes: Record<string, RegExp> = {
      'idp-bsd.traditional': /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ idp-bsd\[4242\]: \{/,
      'idp-bsd.file': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d \S+ idp-bsd\[4242\]: \{/,
      'idp-bsd.protocol23': /^<134>1 \S+ \S+ idp-bsd 4242 - - +\{/,
      // rsyslog writes a message received as RFC 5424 with `TAG[PID]` and no colon after it.
      'idp-ietf.traditional': /^[A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \S+ idp-ietf\[4242\] \{/,
      'idp-ietf.file': /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+[+-]\d\d:\d\d \S+ idp-ietf\[4242\] \{/,
      'idp-ietf.protocol23': /^<134>1 \S+ \S+ idp-ietf 4242 AUDIT \[timeQuality [^\]]*\]\[hid@32473 tenant="acme"\] \{/,
    };
    for (const [name, shape] of Object.entries(shapes)) {
      const written = readFileSync(join(dir, `${name}.log`), 'utf8')
        .trimEnd()
        .split('\n');
      expect(written.length, name).toBe(RECORDS.length);
      for (const [i, line] of written.entries()) {
        expect(line, name).toMatch(shape);
        expect(line.endsWith(RECORDS[i]!), name).toBe(true);
      }
    }
  });

  it.each(['idp-bsd', 'idp-ietf'].flatMap((tag) => ['traditional', 'file', 'protocol23'].map((template) => `${tag}.${template}`)))(
    'hidlog count on %s.log finds every record’s codes',
    async (name) => {
      await expectCounted(join(dir, `${name}.log`));
    },
  );
});

const JOURNAL_REMOTE = '/lib/systemd/systemd-journal-remote';
const journalInstalled = hasTool(JOURNAL_REMOTE) && hasTool('journalctl');

/** One entry in the Journal Export Format: `FIELD=value` lines, or FIELD, a 64-bit LE length and the bytes for binary values. */
function exportEntry(fields: [string, string | Buffer][]): Buffer {
  const parts: Buffer[] = [];
  for (const [name, value] of fields) {
    if (typeof value === 'string') parts.push(Buffer.from(`${name}=${value}\n`));
    else {
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(value.length));
      parts.push(Buffer.from(`${name}\n`), length, value, Buffer.from('\n'));
    }
  }
  parts.push(Buffer.from('\n'));
  return Buffer.concat(parts);
}

describe.skipIf(!journalInstalled)('systemd-journal-remote and journalctl -o json write the journald envelope', () => {
  let dir: string;
  let json: string;
  // Records whose MESSAGE holds a Latin-1 byte in a field that is not a code: journalctl writes it as an array of bytes.
  const withOddByte = (i: number) => i % 7 === 3;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hidlog-journal-'));
    const start = Date.UTC(2026, 11, 1, 10) * 1000;
    const entries = RECORDS.map((record, i) => {
      const message = withOddByte(i) ? Buffer.concat([Buffer.from(record.slice(0, -1) + ',"agent":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]) : record;
      return exportEntry([
        ['__REALTIME_TIMESTAMP', String(start + i * 1_500_000)],
        ['__MONOTONIC_TIMESTAMP', String(1_000_000 + i * 1_500_000)],
        ['_BOOT_ID', '8e1f0c2d3b4a59687766554433221100'],
        ['_HOSTNAME', 'idp-1'],
        ['PRIORITY', '6'],
        ['SYSLOG_IDENTIFIER', 'idp'],
        ['_SYSTEMD_UNIT', 'idp.service'],
        ['MESSAGE', message],
      ]);
    });
    writeFileSync(join(dir, 'idp.export'), Buffer.concat(entries));
    const built = spawnSync(JOURNAL_REMOTE, ['--output', join(dir, 'idp.journal'), join(dir, 'idp.export')], { encoding: 'utf8' });
    expect(built.status, built.stderr).toBe(0);
    const exported = spawnSync('journalctl', ['--file', join(dir, 'idp.journal'), '-o', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
    expect(exported.status, exported.stderr).toBe(0);
    json = join(dir, 'journal.json');
    writeFileSync(json, exported.stdout);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('writes one JSON object a record, fields as strings, MESSAGE as bytes where it is not UTF-8', () => {
    const written = readFileSync(json, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(written.length).toBe(RECORDS.length);
    for (const [i, entry] of written.entries()) {
      expect(typeof entry.__REALTIME_TIMESTAMP).toBe('string');
      if (withOddByte(i)) {
        expect(Array.isArray(entry.MESSAGE)).toBe(true);
        expect((entry.MESSAGE as number[]).includes(0xe9)).toBe(true);
      } else expect(entry.MESSAGE).toBe(RECORDS[i]);
    }
  });

  it('hidlog count on journalctl’s output finds every record’s codes', async () => {
    await expectCounted(json);
  });
});
