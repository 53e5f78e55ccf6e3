import { describe, expect, it } from 'vitest';
import { Catalog } from '../../src/catalog/catalog.js';
import { parseSiteCatalog } from '../../src/catalog/site-catalog.js';
import { createAnnotator, type Annotator } from '../../src/core/annotate.js';
import { prettyFormatter } from '../../src/sinks/pretty.js';
import { expectSameAnnotation } from '../helpers/bytes-path.js';

const site = Catalog.withSite(
  parseSiteCatalog(`
categories: {error: {gateway_policy: the gateway refused it}}
entries:
  - {kind: failure, code: 13, description: Wrong password}
  - {kind: failure, code: 51, category: session}
  - {kind: error, code: 7777, description: Over the gateway quota, category: gateway_policy}
`),
);

/** A line as the pipeline writes it from the byte path: the line's bytes, then the cached suffix. */
function written(annotator: Annotator, line: string): string {
  const bytes = Buffer.from(line);
  const result = annotator.annotateBytes(bytes, 0, bytes.length);
  if (result.result !== 'annotated' || result.text !== undefined) throw new Error(`not spliced: ${line}`);
  return Buffer.concat([bytes.subarray(0, result.closingBrace), annotator.suffix(result.codes)]).toString();
}

const LINE = '{"hid_failure":13,"hid_error":7777}';
const VENDOR =
  '{"hid_failure":13,"hid_error":7777,"hid":{"error":{"code":7777,"known":false,"category":"unknown"},"failure":{"code":13,"category":"credential_mismatch","description":"The password does not match"},"outcome":"failure"}}';
const SITE =
  '{"hid_failure":13,"hid_error":7777,"hid":{"error":{"code":7777,"category":"gateway_policy","description":"Over the gateway quota"},"failure":{"code":13,"category":"credential_mismatch","description":"Wrong password"},"outcome":"failure"}}';

describe('an annotator with a site catalog', () => {
  it("annotates with the site's descriptions, categories and added codes, on both paths", () => {
    const annotator = createAnnotator({ catalog: site });
    expect(annotator.annotateLine(LINE).text).toBe(SITE);
    expect(written(annotator, LINE)).toBe(SITE);
    expect(JSON.parse(annotator.annotateLine('{"hid_failure":51}').text).hid.failure).toEqual({
      code: 51,
      category: 'session',
      description: 'The step-up threshold has been reached',
    });
    for (const line of [LINE, '{"status":401,"hid_failure":51}', '{"hid":1,"hid_error":"7777"}', '{"response":"{\\"hid_failure\\":13}"}'])
      expectSameAnnotation(annotator, line);
  });

  it('swaps the table whole: the cached suffixes and parts of the old table are not used again', () => {
    const annotator = createAnnotator();
    expect(written(annotator, LINE)).toBe(VENDOR); // cached under the vendor's table
    annotator.useCatalog(site);
    expect(annotator.catalog).toBe(site);
    expect(written(annotator, LINE)).toBe(SITE);
    expect(annotator.annotateLine(LINE).text).toBe(SITE);
    annotator.useCatalog(Catalog.vendor);
    expect(written(annotator, LINE)).toBe(VENDOR);
    expect(annotator.annotateLine(LINE).text).toBe(VENDOR);
  });

  it('gives the pretty format the table in force', () => {
    const annotator = createAnnotator();
    const pretty = prettyFormatter(false, annotator);
    expect(pretty(annotator.annotateLine(LINE))).toContain('failure 13 [credential_mismatch] The password does not match');
    annotator.useCatalog(site);
    expect(pretty(annotator.annotateLine(LINE))).toBe(
      '-  ---  failure  error 7777 [gateway_policy] Over the gateway quota  failure 13 [credential_mismatch] Wrong password',
    );
  });
});
