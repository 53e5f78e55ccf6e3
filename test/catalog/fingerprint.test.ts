import { describe, expect, it } from 'vitest';
import { catalogFingerprint } from '../../src/catalog/fingerprint.js';
import { parseSiteCatalog } from '../../src/catalog/site-catalog.js';

const of = (yaml: string) => catalogFingerprint(parseSiteCatalog(yaml));

describe('catalogFingerprint: what a site catalog changes in counting', () => {
  it('is null for the vendor table, and for a file of descriptions and labels only', () => {
    expect(catalogFingerprint(undefined)).toBeNull();
    expect(of('entries:\n  - kind: failure\n    code: 13\n    description: Wrong password\n')).toBeNull();
    // A vendor code given its own category again counts as before.
    expect(of('entries:\n  - kind: failure\n    code: 13\n    category: credential_mismatch\n')).toBeNull();
  });

  it('tells apart a code added, a category changed and a category added, whatever their order', () => {
    const added = of('entries:\n  - kind: error\n    code: 7777\n    category: technical\n    description: Quota\n');
    const moved = of('entries:\n  - kind: failure\n    code: 51\n    category: session\n');
    const slug = of('categories:\n  error:\n    gateway_policy: the gateway refused it\n');
    for (const fingerprint of [added, moved, slug]) expect(fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set([added, moved, slug]).size).toBe(3);
    const both =
      'entries:\n  - kind: error\n    code: 7777\n    category: technical\n    description: Quota\n  - kind: failure\n    code: 51\n    category: session\n';
    const reversed =
      'entries:\n  - kind: failure\n    code: 51\n    category: session\n  - kind: error\n    code: 7777\n    category: technical\n    description: Quota\n';
    expect(of(both)).toBe(of(reversed));
    // A description changed does not change it.
    expect(of(both.replace('Quota', 'Rejected by the quota'))).toBe(of(both));
  });
});
