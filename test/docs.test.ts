import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES_BY_KIND } from '../src/catalog/categories.js';
import { CatalogReloads } from '../src/catalog/reloader.js';
import { FollowStats } from '../src/follow/follower.js';
import { Exposition } from '../src/metrics/exposition.js';
import { MetricsTally } from '../src/metrics/tally.js';
import { OutputErrors } from '../src/sinks/output-errors.js';
import { ROOT } from './helpers/cli.js';

const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('the README keeps up with the code', () => {
  it('documents every category with its meaning', () => {
    for (const categories of Object.values(CATEGORIES_BY_KIND)) {
      for (const [slug, meaning] of Object.entries(categories)) expect(readme).toContain(`| \`${slug}\` | ${meaning} |`);
    }
  });

  it('documents every metric hidlog exposes, follow mode\'s and catalog reloads\' included', async () => {
    const tally = new MetricsTally({ labels: [], maxUnknownCodes: 1, maxLabelValues: 1 });
    const { body } = await new Exposition(tally, false, { follow: new FollowStats(), outputErrors: new OutputErrors(['output']), catalogReloads: new CatalogReloads() }).render();
    const names = [...body.matchAll(/^# TYPE (\S+)/gm)].map((match) => match[1]!);
    expect(names.length).toBeGreaterThan(5);
    for (const name of names) expect(readme).toContain(`\`${name}\``);
  });
});
