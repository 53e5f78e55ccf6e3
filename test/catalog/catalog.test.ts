import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { STATUS_CODES } from 'node:http';
import { dirname, join } from 'node:path';
import { catalogEntries, isKnown, lookup } from '../../src/catalog/catalog.js';
import { CATEGORIES_BY_KIND } from '../../src/catalog/categories.js';
import { HTTP_REASON_PHRASES } from '../../src/catalog/http-reasons.js';
import { SEED_PATH, parseSeed, readSeed } from './seed.js';

const seed = readSeed();

describe('the catalog against the seed', () => {
  it("reads the vendor's table kept in the repository, the file its README names by hash", () => {
    const readme = readFileSync(join(dirname(SEED_PATH), 'README.md'), 'utf8');
    const named = /^ {4}([0-9a-f]{64})$/m.exec(readme)?.[1];
    expect(named).toBe(createHash('sha256').update(readFileSync(SEED_PATH)).digest('hex'));
  });

  it('reads all 366 entries of the seed: 6 HTTP statuses, 304 errors, 54 failures, 2 responses', () => {
    const count = (kind: string) => seed.filter((entry) => entry.kind === kind).length;
    expect([count('http'), count('error'), count('failure'), count('response')]).toEqual([6, 304, 54, 2]);
  });

  it('has every seed entry, code for code, with its description verbatim', () => {
    const mismatches = seed.filter((entry) => {
      const mine = lookup(entry.kind, entry.code);
      return !mine.known || mine.description !== entry.description || (entry.kind === 'http' && (mine.label !== entry.label || mine.methods !== entry.methods));
    });
    expect(mismatches).toEqual([]);
  });

  it('has no hid_error, hid_failure or response code that the seed lacks', () => {
    const inSeed = new Set(seed.map((entry) => `${entry.kind}:${entry.code}`));
    const extra = catalogEntries()
      .filter((entry) => entry.kind !== 'http' && !inSeed.has(`${entry.kind}:${entry.code}`))
      .map((entry) => `${entry.kind}:${entry.code}`);
    expect(extra).toEqual([]);
  });

  it('gives HTTP statuses the vendor does not list their standard reason phrase', () => {
    for (const entry of catalogEntries('http').filter((e) => !seed.some((s) => s.kind === 'http' && s.code === e.code))) {
      expect(entry.description).toBe(HTTP_REASON_PHRASES[entry.code]);
    }
    // Every status the running Node has a phrase for has one in hidlog's table.
    const phrased = Object.keys(STATUS_CODES).map(Number);
    expect(phrased.filter((code) => !lookup('http', code).known)).toEqual([]);
    expect(phrased.length).toBeGreaterThan(60);
    expect(lookup('http', 429)).toMatchObject({ label: 'TOO MANY REQUESTS', category: 'client_error', known: true });
    expect(lookup('http', 200)).toMatchObject({ label: 'OK', category: 'success' });
    expect(lookup('http', 299)).toMatchObject({ known: false, category: 'success' });
  });

  it('keeps the traps of the seed: joined lines, bullets, shared descriptions, typos, -1', () => {
    expect(lookup('error', 1036).description).toBe(
      'Error while reading the import device file due to a wrong parameter: The file is wrong (bad format, corrupted file, ...) The chosen adapter does not correspond to the chosen file (for example, PSKC adapter for an .sds file) The encryption key is wrong',
    );
    expect(lookup('error', 1172).description).toBe(
      'AssetGroup already assigned to the Transaction set Defines the error code for a duplicate assigning of AssetGroup to transactionSet',
    );
    expect(lookup('failure', 32).description).toBe(
      'The Cryptogram Version Number (CVN) for EMV card is invalid Supported CVN values are [0xC8, 0xC9, 0x0A, 0x0E]',
    );
    expect(new Set([1019, 1020, 1021].map((code) => lookup('error', code).description)).size).toBe(1);
    expect(lookup('error', 930).description).toBe(lookup('error', 940).description);
    expect(lookup('error', 6002).description).toContain('supplied promts');
    expect(lookup('error', 9009).description).toBe('UserType is SCIM_FED but there is no datasource with matching provisioningAgent');
    expect(lookup('failure', -1)).toMatchObject({ known: true, description: 'The value is not defined (available)' });
  });

  it('namespaces codes by kind: hid_error 400 is not HTTP 400, failure 1 is not response 1', () => {
    expect(lookup('error', 400).description).toContain('RADIUS');
    expect(lookup('http', 400).label).toBe('BAD REQUEST');
    expect(lookup('failure', 1).description).toBe('The authenticator is disabled');
    expect(lookup('response', 1).description).toBe('The authentication succeeded');
    expect(isKnown('response', 3)).toBe(false);
  });

  it('gives every entry a category from its kind’s documented set', () => {
    const wrong = catalogEntries().filter((entry) => !Object.hasOwn(CATEGORIES_BY_KIND[entry.kind], entry.category));
    expect(wrong).toEqual([]);
  });

  it('uses every documented category at least once', () => {
    for (const [kind, categories] of Object.entries(CATEGORIES_BY_KIND)) {
      if (kind === 'http') continue; // informational etc. exist for statuses outside the seed
      const used = new Set(catalogEntries(kind as 'error').map((entry) => entry.category));
      expect([...Object.keys(categories)].filter((category) => !used.has(category))).toEqual([]);
    }
  });

  it('parses one-line rows and bullet points in the seed format', () => {
    const text = 'HID Error Reason Codes\n\nCode Description\n\n7\n\nFirst part:\n\n  • bullet one\n9009 One line\n';
    expect(parseSeed(text)).toEqual([
      { kind: 'error', code: 7, description: 'First part: bullet one' },
      { kind: 'error', code: 9009, description: 'One line' },
    ]);
  });
});
