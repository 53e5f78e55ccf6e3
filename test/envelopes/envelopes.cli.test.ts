import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lines, runCli } from '../helpers/cli.js';
import { countsIn, envelope, expectCountsEqual, truthOf } from './truth.js';

// Every envelope fixture, read with no option: `auto` recognises each line's envelope.
const ENVELOPES = [
  'cri.log',
  'mixed-cri.log',
  'docker.log',
  'journald.json',
  'syslog-5424.log',
  'syslog-3164.log',
  'rsyslog.log',
  'ecs.ndjson',
  'filebeat-raw.ndjson',
  'nginx.ndjson',
  'logfmt.log',
  'text.log',
  'records.ndjson',
];

const count = async (args: readonly string[]) => {
  const result = await runCli(['count', ...args]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return result.stdout.toString();
};

const fileLines = (name: string) => readFileSync(envelope(name), 'utf8').replace(/\n$/, '').split('\n');

describe('hidlog count on every log envelope', () => {
  it.each(ENVELOPES)('%s: every code kind, line result and partial line exactly as the truth', async (name) => {
    expectCountsEqual(await count([envelope(name)]), truthOf(name));
  });
});

describe('--input-format', () => {
  it.each([
    ['cri', 'cri.log'],
    ['cri', 'mixed-cri.log'],
    ['docker', 'docker.log'],
    ['journald', 'journald.json'],
    ['syslog', 'syslog-5424.log'],
    ['syslog', 'syslog-3164.log'],
    ['syslog', 'rsyslog.log'],
    ['logfmt', 'logfmt.log'],
    ['text', 'text.log'],
  ])('--input-format %s on %s finds everything auto finds', async (format, name) => {
    expectCountsEqual(await count(['--input-format', format, envelope(name)]), truthOf(name));
  });

  it.each([
    ['cri.log', 'Kubernetes CRI lines'],
    ['syslog-3164.log', 'syslog lines'],
    ['rsyslog.log', 'syslog lines'],
    ['logfmt.log', 'key=value (logfmt) text'],
    ['text.log', 'key=value (logfmt) text'],
  ])('--input-format ndjson on %s reads no envelope: every line is invalid JSON, no code is found, and the notice names %s', async (name, looksLike) => {
    const { fileLines: total } = truthOf(name);
    const result = await runCli(['count', '--input-format', 'ndjson', envelope(name)]);
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `hidlog: ${envelope(name)}: ${total} of ${total} lines are not records; they look like ${looksLike}: drop --input-format ndjson (auto reads them) — docs/log-formats.md\n`,
    );
    expect(countsIn(result.stdout.toString())).toEqual({
      codes: { http: {}, error: {}, failure: {}, response: {} },
      results: { invalid: total },
      invalid: { invalid_json: total },
      outcomes: {},
      partialLines: 0,
    });
  });
});

/** What today's JSON path writes for each bare JSON line: the reference for what an envelope's message becomes. */
async function annotateJson(messages: readonly string[]): Promise<string[]> {
  const result = await runCli(['annotate'], { input: messages.join('\n') + '\n' });
  expect(result.code).toBe(0);
  return lines(result.stdout);
}

/** The `hid` annotation of each record in records.ndjson (the same codes, in the same order, as every envelope). */
async function annotations(): Promise<(object | undefined)[]> {
  const out = await annotateJson(fileLines('records.ndjson'));
  return out.map((line) => (JSON.parse(line) as { hid?: object }).hid);
}

const CRI = /^(\S+) (stdout|stderr) ([PF]) (.*)$/s;

describe('hidlog annotate keeps the envelope', () => {
  it('CRI: the prefix kept, hid inside the message, a joined record written once with tag F, other lines byte for byte', async () => {
    const input = fileLines('cri.log');
    // The records as the runtime wrote them: P parts joined up to the F, stderr lines alone.
    const units: { time: string; stream: string; message: string; lines: string[] }[] = [];
    let open: (typeof units)[number] | undefined;
    for (const line of input) {
      const [, time, stream, tag, part] = CRI.exec(line)!;
      open ??= { time: time!, stream: stream!, message: '', lines: [] };
      open.message += part!;
      open.lines.push(line);
      if (tag === 'F') units.push(open), (open = undefined);
    }
    const stdoutUnits = units.filter((unit) => unit.stream === 'stdout');
    const annotated = await annotateJson(stdoutUnits.map((unit) => unit.message));
    const expected = units.map((unit) => {
      if (unit.stream === 'stderr') return unit.lines[0];
      const message = annotated[stdoutUnits.indexOf(unit)]!;
      return message === unit.message ? unit.lines.join('\n') : `${unit.time} stdout F ${message}`;
    });

    const result = await runCli(['annotate', envelope('cri.log')]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const out = lines(result.stdout);
    const truth = truthOf('cri.log');
    expect(out.length).toBe(truth.fileLines - truth.partialLines.cri!);
    expect(out).toEqual(expected.join('\n').split('\n'));
    // The first line as the design memo shows it, spelled out.
    expect(out[0]).toBe(
      `2026-12-01T10:00:00Z stdout F ${input[0]!.slice('2026-12-01T10:00:00Z stdout F '.length, -1)},"hid":${JSON.stringify((await annotations())[0])}}`,
    );
  });

  it('docker: partial entries joined into one entry, the first part’s time, hid last', async () => {
    const input = fileLines('docker.log').map((line) => JSON.parse(line) as { log: string; stream: string; time: string });
    const first = input.findIndex((entry) => !entry.log.endsWith('\n'));
    let last = first;
    while (!input[last]!.log.endsWith('\n')) last++;
    const joined = input
      .slice(first, last + 1)
      .map((entry) => entry.log)
      .join('');
    const [message] = await annotateJson([joined.trimEnd()]);
    const { hid } = JSON.parse(message!) as { hid: object };

    const out = lines((await runCli(['annotate', envelope('docker.log')])).stdout);
    const truth = truthOf('docker.log');
    expect(out.length).toBe(truth.fileLines - truth.partialLines.docker!);
    expect(out[first]).toBe(JSON.stringify({ log: joined, stream: 'stdout', time: input[first]!.time, hid }));
  });

  it('text: hid="<annotation as a JSON string>" appended; lines without codes and non-records unchanged', async () => {
    const hids = await annotations();
    const input = fileLines('text.log');
    const out = lines((await runCli(['annotate', envelope('text.log')])).stdout);
    expect(out.length).toBe(input.length);
    // Record 2: `status=400 took=14 response={…}`; record 8: a health check without codes.
    expect(input[2]).toMatch(/ - status=400 took=\d+ response=\{"error":"invalid_grant"/);
    expect(out[2]).toBe(`${input[2]} hid=${JSON.stringify(JSON.stringify(hids[2]))}`);
    expect(hids[8]).toBeUndefined();
    expect(out[8]).toBe(input[8]);
    const stackTrace = input.findIndex((line) => line.startsWith('\tat '));
    expect(out[stackTrace]).toBe(input[stackTrace]);
  });

  it('logfmt: a valid logfmt pair appended, the line kept', async () => {
    const hids = await annotations();
    const input = fileLines('logfmt.log');
    const out = lines((await runCli(['annotate', envelope('logfmt.log')])).stdout);
    for (const i of [1, 2, 13]) expect(out[i]).toBe(`${input[i]} hid=${JSON.stringify(JSON.stringify(hids[i]))}`);
    expect(out[8]).toBe(input[8]);
  });

  it('syslog: the RFC 5424 header, structured data and BOM kept before the annotated record', async () => {
    const input = fileLines('syslog-5424.log');
    const records = fileLines('records.ndjson');
    const annotated = await annotateJson(records);
    const out = lines((await runCli(['annotate', envelope('syslog-5424.log')])).stdout);
    for (const i of [1, 2, 8]) {
      const header = input[i]!.slice(0, input[i]!.indexOf('\ufeff') + 1);
      expect(input[i]).toBe(header + records[i]);
      expect(out[i]).toBe(header + annotated[i]);
    }
  });
});
