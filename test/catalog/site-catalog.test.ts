import { describe, expect, it } from 'vitest';
import { Catalog, CatalogError, lookup } from '../../src/catalog/catalog.js';
import { parseSiteCatalog } from '../../src/catalog/site-catalog.js';

const YAML = `# the site's words
categories:
  error:
    gateway_policy: the API gateway refused the call by the site's own rules
entries:
  - kind: failure
    code: 13
    description: Wrong password (counts towards the lockout)
  - kind: failure
    code: 51
    category: session
  - kind: error
    code: 7777
    description: Rejected by the gateway's quota
    category: gateway_policy
  - kind: http
    code: 499
    label: CLIENT CLOSED REQUEST
    description: The client closed the connection
  - kind: http
    code: 401
    label: NOT LOGGED IN
`;

const site = () => Catalog.withSite(parseSiteCatalog(YAML));

/** The one-line message a file's text is refused with. */
function refusal(text: string): string {
  try {
    parseSiteCatalog(text);
  } catch (error) {
    expect(error).toBeInstanceOf(CatalogError);
    return (error as Error).message;
  }
  throw new Error('accepted');
}

describe("a site catalog over the vendor's", () => {
  it("overrides a description and keeps the vendor's category", () => {
    expect(site().lookup('failure', 13)).toEqual({
      kind: 'failure',
      code: 13,
      category: 'credential_mismatch',
      description: 'Wrong password (counts towards the lockout)',
      known: true,
      site: true,
    });
  });

  it("overrides a category and keeps the vendor's description", () => {
    expect(site().lookup('failure', 51)).toMatchObject({ category: 'session', description: 'The step-up threshold has been reached', site: true });
  });

  it("overrides an HTTP label, keeping the vendor's description and methods", () => {
    expect(site().lookup('http', 401)).toMatchObject({
      label: 'NOT LOGGED IN',
      description: lookup('http', 401).description,
      methods: 'GET, POST, PUT, DELETE',
    });
  });

  it('adds codes that are known from then on, an HTTP status in its class unless told', () => {
    const catalog = site();
    expect(catalog.isKnown('error', 7777)).toBe(true);
    expect(catalog.lookup('error', 7777)).toEqual({
      kind: 'error',
      code: 7777,
      category: 'gateway_policy',
      description: "Rejected by the gateway's quota",
      known: true,
      site: true,
    });
    expect(catalog.lookup('http', 499)).toMatchObject({ label: 'CLIENT CLOSED REQUEST', category: 'client_error', known: true });
    expect(catalog.size('error')).toBe(Catalog.vendor.size('error') + 1);
    expect(
      catalog
        .entries('error')
        .map((entry) => entry.code)
        .at(-1),
    ).toBe(9015); // sorted: 7777 sits before 9000
    expect(catalog.entries('error').some((entry) => entry.code === 7777)).toBe(true);
  });

  it("knows the vendor's entry each site entry replaces, and the site's categories", () => {
    const catalog = site();
    expect(catalog.vendorEntry('failure', 13)?.description).toBe('The password does not match');
    expect(catalog.vendorEntry('error', 7777)).toBeUndefined();
    expect(catalog.isSiteCategory('error', 'gateway_policy')).toBe(true);
    expect(catalog.isSiteCategory('error', 'technical')).toBe(false);
    expect(catalog.categories('error').gateway_policy).toBe("the API gateway refused the call by the site's own rules");
    expect(catalog.categories('error').license).toBeDefined();
  });

  it("leaves the vendor's table as it was", () => {
    site();
    expect(Catalog.vendor.lookup('failure', 13).description).toBe('The password does not match');
    expect(Catalog.vendor.isKnown('error', 7777)).toBe(false);
    expect(lookup('failure', 13).site).toBeUndefined();
  });

  it('reads the same file as JSON', () => {
    const json = JSON.stringify({ entries: [{ kind: 'failure', code: 13, description: 'Wrong password' }], categories: {} });
    expect(Catalog.withSite(parseSiteCatalog(json)).lookup('failure', 13).description).toBe('Wrong password');
    expect(parseSiteCatalog('{}')).toEqual({ entries: [], categories: {} });
  });
});

describe('validating a catalog file whole', () => {
  it.each([
    ['not YAML', '{"entries": [1,2,}', /^not valid YAML or JSON: /],
    ['empty', '', /^expected an object with "entries" and\/or "categories"$/],
    [
      'aliases expanded past the limit',
      'a: &a [x,x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n',
      /^not valid YAML or JSON: Excessive alias count/,
    ],
    ['a list', '- 1', /^expected an object/],
    ['a key twice in YAML', 'entries: []\nentries: []\n', /^not valid YAML or JSON: Map keys must be unique at line 2, column 1$/],
    ['an unknown top key', 'entries: []\nextra: 1\n', /^line 2: unknown key "extra" \(expected entries, categories\)$/],
    ['entries not a list', 'entries: {kind: error}', /^line 1: entries: expected a list/],
    ['an entry not an object', 'entries: [13]', /^line 1: entries\[0\]: expected an object/],
    ['an unknown entry key', 'entries: [{kind: error, code: 1200, colour: red}]', /^line 1: entries\[0\]: unknown key "colour"/],
    [
      'an unknown kind',
      'entries: [{kind: status, code: 401, label: X}]',
      /^line 1: entries\[0\]: kind "status": expected one of http, error, failure, response$/,
    ],
    ['a code as a string', 'entries: [{kind: error, code: "1200", description: x}]', /^line 1: entries\[0\]: code "1200": expected a whole number$/],
    ['a fractional code', 'entries: [{kind: error, code: 1.5, description: x}]', /^line 1: entries\[0\]: code 1.5: expected a whole number$/],
    [
      'an HTTP status out of range',
      'entries: [{kind: http, code: 600, description: x}]',
      /^line 1: entries\[0\] \(http 600\): an HTTP status is a whole number from 100 to 599$/,
    ],
    [
      'an entry twice',
      'entries:\n  - {kind: failure, code: 13, description: a}\n  - {kind: failure, code: 13, description: b}\n',
      /^line 3: entries\[1\] \(failure 13\): given twice \(first as entries\[0\]\)$/,
    ],
    [
      'an undefined category',
      'entries: [{kind: failure, code: 13, category: lockout}]',
      /^line 1: entries\[0\] \(failure 13\): category "lockout" is neither one of hidlog's failure categories nor one the file adds under categories.failure$/,
    ],
    [
      "another kind's category",
      'categories: {error: {gateway: x}}\nentries: [{kind: failure, code: 13, category: gateway}]',
      /entries\[0\] \(failure 13\): category "gateway" is neither/,
    ],
    ['a label on a reason code', 'entries: [{kind: error, code: 1200, label: X}]', /entries\[0\] \(error 1200\): a label is for HTTP statuses only$/],
    ['a vendor code changed in nothing', 'entries: [{kind: error, code: 1200}]', /entries\[0\] \(error 1200\): changes nothing/],
    [
      'a new code without a description',
      'entries: [{kind: error, code: 7777, category: technical}]',
      /entries\[0\] \(error 7777\): a new code needs a description$/,
    ],
    ['a new code without a category', 'entries: [{kind: error, code: 7777, description: x}]', /entries\[0\] \(error 7777\): a new code needs a category$/],
    ['an empty description', 'entries: [{kind: error, code: 1200, description: " "}]', /entries\[0\] \(error 1200\): description must not be empty$/],
    ['a description of two lines', 'entries: [{kind: error, code: 1200, description: "a\\nb"}]', /description must be one line/],
    ['a number as description', 'entries: [{kind: error, code: 1200, description: 12}]', /description must be a string$/],
    ['categories of an unknown kind', 'categories: {fail: {x: y}}', /^line 1: categories.fail: unknown kind/],
    ['a category that is not a slug', 'categories: {error: {Gateway-Policy: x}}', /^line 1: categories.error.Gateway-Policy: a category is a slug/],
    [
      "one of hidlog's categories again",
      'categories: {error: {technical: mine}}',
      /^line 1: categories.error.technical: already one of hidlog's error categories/,
    ],
    ['unknown as a category', 'categories: {failure: {unknown: mine}}', /categories.failure.unknown: already one of hidlog's failure categories/],
    ['a category without a meaning', 'categories: {error: {gateway: ""}}', /categories.error.gateway: its meaning must not be empty$/],
  ])('refuses %s, in one line naming the place', (_case, text, message) => {
    const said = refusal(text);
    expect(said).toMatch(message);
    expect(said).not.toContain('\n');
  });

  it('names the entry by its line in a YAML file', () => {
    expect(refusal(YAML.replace('category: session', 'category: sessions'))).toMatch(/^line 9: entries\[1\] \(failure 51\): category "sessions"/);
  });
});
