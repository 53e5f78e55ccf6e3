import { expect } from 'vitest';
import type { Annotator, BytesResult } from '../../src/core/annotate.js';
import { recordLabelValues } from '../../src/count/tally.js';

/** A line through annotateBytes, written as the pipeline writes it. */
function written(annotator: Annotator, result: BytesResult, bytes: Buffer): string {
  if (result.text !== undefined) return result.text;
  if (result.result === 'no_codes') return bytes.toString();
  return Buffer.concat([bytes.subarray(0, result.closingBrace), annotator.suffix(result.codes)]).toString();
}

/**
 * The byte path (scan the line's bytes, splice the annotation in) against the text path
 * (JSON.parse the decoded line): the same verdict, output, codes, duration and record-label values: a
 * label for each of `labelPaths`, and one read from the first of them a record has.
 */
export function expectSameAnnotation(annotator: Annotator, line: string, labelPaths: (readonly string[])[] = []): void {
  const bytes = Buffer.from(line);
  const fromText = annotator.annotateLine(line);
  const fromBytes = annotator.annotateBytes(bytes, 0, bytes.length);
  expect(fromBytes.result, line).toBe(fromText.result);
  expect(written(annotator, fromBytes, bytes), line).toBe(fromText.text);
  if (fromText.result === 'invalid') expect(fromBytes, line).toEqual(fromText);
  if (fromText.result === 'annotated' && fromBytes.result === 'annotated') {
    expect(fromBytes.codes, line).toEqual(fromText.codes);
    expect(fromBytes.outcome, line).toBe(fromText.outcome);
    expect(fromBytes.duration, line).toBe(fromText.duration);
  }
  if (fromText.result !== 'invalid' && fromBytes.result !== 'invalid') {
    const labels = [...labelPaths.map((path, i) => ({ name: `l${i}`, paths: [path] })), { name: 'first', paths: labelPaths }];
    expect(recordLabelValues(labels, fromBytes.record), line).toEqual(recordLabelValues(labels, fromText.record));
  }
  const inspected = annotator.inspectBytes(bytes, 0, bytes.length);
  expect(inspected.result, line).toBe(fromBytes.result);
}
