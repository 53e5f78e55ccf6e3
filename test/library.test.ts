import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('the package as a library', () => {
  it('imports by its name from the built output', () => {
    const script = `import { createAnnotator, lookup } from 'hidlog';
      const { text } = createAnnotator().annotateLine('{"hid_failure":{"reason":51}}');
      console.log(JSON.parse(text).hid.failure.category, lookup('error', 9001).category);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(output).toBe('risk license\n');
  });
});

describe('a site catalog through the library', () => {
  it('parses a site file, annotates with it and swaps it in', () => {
    const script = `import { Catalog, createAnnotator, lookup, parseSiteCatalog } from 'hidlog';
      const catalog = Catalog.withSite(parseSiteCatalog('entries: [{kind: error, code: 7777, description: Over quota, category: technical}]'));
      const annotator = createAnnotator();
      const before = JSON.parse(annotator.annotateLine('{"hid_error":7777}').text).hid.error.known;
      annotator.useCatalog(catalog);
      const after = JSON.parse(annotator.annotateLine('{"hid_error":7777}').text).hid.error.description;
      console.log(before, after, catalog.lookup('error', 7777).known, lookup('error', 7777).known);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(output).toBe('false Over quota true false\n');
  });
});
