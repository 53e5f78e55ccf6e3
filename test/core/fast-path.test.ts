import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isUtf8 } from 'node:buffer';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { catalogEntries } from '../../src/catalog/catalog.js';
import { createAnnotator } from '../../src/core/annotate.js';
import { fixture } from '../helpers/cli.js';
import { expectSameAnnotation } from '../helpers/bytes-path.js';
import { writeCorpus } from '../../bench/corpus.mjs';

const annotator = createAnnotator();

function compactLines(text: string): string[] {
  return text.split('\n').filter((line) => {
    try {
      const value: unknown = JSON.parse(line);
      return typeof value === 'object' && value !== null && !Array.isArray(value) && JSON.stringify(value) === line;
    } catch {
      return false;
    }
  });
}

/** The fast path (append to the text) against the fallback (serialise the parsed record again). */
function expectSamePaths(lines: string[]): void {
  let annotated = 0;
  for (const line of lines) {
    const fast = annotator.annotateLine(line);
    const slow = annotator.annotateValue(JSON.parse(line));
    expect(fast.text).toBe(slow.text);
    const inspected = annotator.inspectLine(line);
    expect({ ...inspected, text: fast.text }).toEqual(fast);
    if (fast.result === 'annotated') annotated++;
  }
  expect(annotated).toBeGreaterThan(0);
}

/** Every line of valid UTF-8 in a file, as the splitter gives them (without \r). */
function utf8Lines(bytes: Buffer): string[] {
  const lines: string[] = [];
  let start = 0;
  for (let end = bytes.indexOf(10); start < bytes.length; end = bytes.indexOf(10, start)) {
    if (end === -1) end = bytes.length;
    const line = bytes.subarray(start, end > start && bytes[end - 1] === 13 ? end - 1 : end);
    if (isUtf8(line)) lines.push(line.toString());
    start = end + 1;
  }
  return lines;
}

const FIXTURES = ['openid.ndjson', 'gateway.ndjson', 'ecs.ndjson', 'docker.ndjson', 'scim.ndjson', 'audit.ndjson', 'hostile.ndjson'];

describe('the byte path (scan and splice) gives what the text path (JSON.parse) gives', () => {
  const paths = [['tenant'], ['ctx', 'tenant'], ['http', 'response', 'status_code']];
  const withLabels = createAnnotator({ recordPaths: paths });

  it('on every line of the fixtures, the hostile one included', () => {
    const files = FIXTURES.map((name) => readFileSync(fixture(name)));
    files.push(gunzipSync(readFileSync(fixture('mixed.ndjson.gz'))));
    const lines = files.flatMap(utf8Lines);
    expect(lines.length).toBeGreaterThan(500);
    for (const line of lines) {
      expectSameAnnotation(annotator, line);
      expectSameAnnotation(withLabels, line, paths);
    }
  });

  it('with --field alternatives, with and without the built-in search after them', () => {
    const files = FIXTURES.map((name) => readFileSync(fixture(name)));
    files.push(gunzipSync(readFileSync(fixture('mixed.ndjson.gz'))));
    const lines = [
      ...files.flatMap(utf8Lines),
      '{"status":400,"oidc":{"code":"1201"},"gateway":{"upstream_error":1300}}',
      '{"status":401,"gateway":{"upstream_error":{"reason":1301}},"body":"{\\"hid_error\\":7}"}',
      '{"status":400,"oidc":"{\\"code\\":1200}","schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"errorCode":1292}',
      '{"statusCode":400,"body":"{\\"schemas\\":[\\"urn:ietf:params:scim:api:messages:2.0:Error\\"],\\"errorCode\\":1293}"}',
    ];
    const fields = {
      error: [
        ['oidc', 'code'],
        ['gateway', 'upstream_error'],
      ],
      failure: [
        ['payload', 'reasonCode'],
        ['response', 'hid_failure'],
      ],
    };
    for (const builtinFields of [true, false]) {
      const custom = createAnnotator({ fields, builtinFields, recordPaths: paths });
      for (const line of lines) expectSameAnnotation(custom, line, paths);
    }
  });

  it('with durations in every built-in field and --duration-field, numbers of every form', () => {
    const values = [
      '0',
      '12',
      '1234.56',
      '0.000123',
      '-5',
      '1e3',
      '2.5E-2',
      '12345678901234567',
      '123456789012.345',
      '"0.042"',
      '"n/a"',
      'null',
      'true',
      '{"ms":3}',
      '[4]',
    ];
    const lines = values.flatMap((value, i) => [
      `{"status":200,"duration_ms":${value}}`,
      `{"hid_failure":13,"took":${value},"duration_ms":null}`,
      `{"status":401,"event":{"kind":"event","duration":${value}}}`,
      `{"status":500,"event.duration":${value},"event":"AUTHENTICATION"}`,
      `{"status":200,"request_time":${value},"responseTime":${i}}`,
      `{"status":200,"timing":{"total":${value}},"took":7}`,
      `{"status":200,"timing":"{\"total\":${value.replace(/"/g, '\\"')}}"}`,
    ]);
    const field = [{ path: ['timing', 'total'], unit: 'us' as const }];
    for (const builtinFields of [true, false]) {
      const custom = createAnnotator({ durationFields: field, builtinFields });
      for (const line of lines) expectSameAnnotation(custom, line);
    }
    for (const line of lines) expectSameAnnotation(annotator, line);
  });

  it('on a generated corpus, with --key and --field as well', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hidlog-byte-path-'));
    try {
      const path = join(dir, 'corpus.ndjson');
      await writeCorpus({ lines: 20_000, path, catalog: catalogEntries() });
      const lines = utf8Lines(readFileSync(path));
      const custom = createAnnotator({
        key: 'time',
        fields: { failure: [['response', 'hid_failure', 'reason']], http: [['http', 'response', 'status_code']] },
      });
      for (const line of lines) {
        expectSameAnnotation(annotator, line);
        expectSameAnnotation(custom, line);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the fast path gives what the straightforward path gives', () => {
  it('on every record of the fixtures', () => {
    const texts = ['openid.ndjson', 'gateway.ndjson', 'ecs.ndjson', 'docker.ndjson', 'scim.ndjson', 'audit.ndjson'].map((name) =>
      readFileSync(fixture(name), 'utf8'),
    );
    texts.push(gunzipSync(readFileSync(fixture('mixed.ndjson.gz'))).toString());
    expectSamePaths(texts.flatMap(compactLines));
  });

  it('on a generated corpus drawing codes from the whole catalog', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hidlog-fast-path-'));
    try {
      const path = join(dir, 'corpus.ndjson');
      await writeCorpus({ lines: 20_000, path, catalog: catalogEntries() });
      const lines = compactLines(readFileSync(path, 'utf8'));
      expect(lines.length).toBeGreaterThan(19_000);
      expectSamePaths(lines);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
