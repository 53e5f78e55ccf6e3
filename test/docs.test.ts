import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES_BY_KIND } from '../src/catalog/categories.js';
import { CatalogReloads } from '../src/catalog/reloader.js';
import { REFERENCE_END, REFERENCE_START, optionsReference } from '../src/cli/reference.js';
import { FollowStats } from '../src/metrics/follow-stats.js';
import { Exposition } from '../src/metrics/exposition.js';
import { MetricsTally } from '../src/count/tally.js';
import { anchorOf } from '../src/mixin/rules.js';
import { OutputErrors } from '../src/sinks/output-errors.js';
import { ROOT } from './helpers/cli.js';

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const pages = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .map((name) => `docs/${name}`),
];

/** The anchors of a page's headings, outside code blocks, as GitHub makes them. */
function anchorsOf(text: string): Set<string> {
  const anchors = new Set<string>();
  let fenced = false;
  for (const line of text.split('\n')) {
    if (line.startsWith('```')) fenced = !fenced;
    const heading = !fenced && /^#{1,6} (.+)$/.exec(line);
    if (heading) anchors.add(anchorOf(heading[1]!));
  }
  return anchors;
}

describe('the docs keep up with the code', () => {
  it('document every category with its meaning', () => {
    const annotation = read('docs/annotation.md');
    for (const categories of Object.values(CATEGORIES_BY_KIND)) {
      for (const [slug, meaning] of Object.entries(categories)) expect(annotation).toContain(`| \`${slug}\` | ${meaning} |`);
    }
  });

  it("document every metric hidlog exposes, follow mode's and catalog reloads' included", async () => {
    const metrics = read('docs/metrics.md');
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 1, maxLabelValues: 1 });
    const { body } = await new Exposition(tally, false, {
      follow: new FollowStats(),
      outputErrors: new OutputErrors(['output']),
      catalogReloads: new CatalogReloads(),
    }).render();
    const names = [...body.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(metrics).toContain(`\`${name}\``);
  });

  it('hold in docs/cli.md the table of options generated from the option tables (`npm run docs:cli` after changing them)', () => {
    const page = read('docs/cli.md');
    const start = page.indexOf(REFERENCE_START);
    const end = page.indexOf(REFERENCE_END);
    expect(start, 'the markers of the generated table').toBeGreaterThanOrEqual(0);
    expect(page.slice(start, end + REFERENCE_END.length)).toBe(optionsReference());
  });
});

describe('the README is an index over docs/', () => {
  it('links every page in docs/', () => {
    const readme = read('README.md');
    for (const page of pages.slice(1)) expect(readme, `README.md does not link ${page}`).toContain(`](${page})`);
  });

  it.each(pages)('%s: every link into the repository names a file that exists, and a heading that exists', (page) => {
    const text = read(page).replace(/```[\s\S]*?```/g, '');
    const links = [...text.matchAll(/\]\(([^)\s]+)\)/g)].map((match) => match[1]!).filter((target) => !/^[a-z]+:/.test(target));
    for (const link of links) {
      const [path, anchor] = link.split('#') as [string, string | undefined];
      const target = path === '' ? page : join(dirname(page), path);
      expect(existsSync(join(ROOT, target)), `${page}: ${link}: no such file`).toBe(true);
      if (anchor !== undefined && target.endsWith('.md')) expect(anchorsOf(read(target)), `${page}: ${link}: no such heading`).toContain(anchor);
    }
  });
});
