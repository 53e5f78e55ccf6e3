import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { catalogEntries } from '../../src/catalog/catalog.js';
import { createAnnotator } from '../../src/core/annotate.js';
import { fixture } from '../helpers/cli.js';
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

describe('the fast path gives what the straightforward path gives', () => {
  it('on every record of the fixtures', () => {
    const texts = ['openid.ndjson', 'gateway.ndjson', 'ecs.ndjson', 'docker.ndjson', 'scim.ndjson', 'audit.ndjson'].map((name) => readFileSync(fixture(name), 'utf8'));
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
