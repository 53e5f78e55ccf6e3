// A corpus for the Prometheus tests, in three parts (one a hidlog), whose truth is known by
// construction: each record's codes and tenant are chosen here, then written in one of the real
// record shapes (fixtures/shapes.mjs). A part can cap its tenants as --max-label-values does.
import { AUDIT_SHAPES, SCIM_SHAPES, SHAPES, random, type Codes } from '../../fixtures/shapes.mjs';
import { lookup, type CodeKind } from '../../src/catalog/catalog.js';

const KINDS: CodeKind[] = ['http', 'error', 'failure', 'response'];
type Counts = Record<string, number>;

export interface Truth {
  lines: number;
  results: Counts;
  invalid: Counts;
  outcomes: Counts;
  /** Per kind: code → records. */
  codes: Record<CodeKind, Counts>;
  /** Per tenant label value as exposed ('' for none, `other` past the cap), per kind: code → records. */
  byTenant: Record<string, Record<CodeKind, Counts>>;
  /** Records counted under tenant="other". */
  overflow: number;
}

export interface Part {
  text: string;
  truth: Truth;
}

// [weight, codes]: the traffic of an HID deployment, catalog codes and a few outside it.
const MIX: [number, [Codes, 'scim' | 'audit' | 'api']][] = [
  [40, [{ http: 200 }, 'api']],
  [8, [{ http: 401, failure: 13 }, 'api']],
  [5, [{ http: 400, failure: 51 }, 'api']],
  [4, [{ http: 400, failure: 15 }, 'api']],
  [2, [{ http: 400, failure: 4 }, 'api']],
  [1, [{ http: 400, failure: 77 }, 'api']],
  [4, [{ http: 404, error: 1200 }, 'scim']],
  [3, [{ http: 400, error: 1292 }, 'scim']],
  [2, [{ http: 500, error: 0 }, 'api']],
  [1, [{ http: 500, error: 600 }, 'api']],
  [1, [{ http: 403, error: 9001 }, 'api']],
  [1, [{ http: 502, error: 424242 }, 'api']],
  [5, [{ response: 1 }, 'audit']],
  [2, [{ response: 2, failure: 13 }, 'audit']],
];
const TENANTS: [number, string][] = [
  [50, 'acme'],
  [30, 'globex'],
  [15, 'initech'],
  [5, ''],
];

function pick<T>(choices: readonly (readonly [number, T])[], rnd: () => number): T {
  const total = choices.reduce((sum, [w]) => sum + w, 0);
  let r = rnd() * total;
  for (const [w, choice] of choices) if ((r -= w) < 0) return choice;
  return choices[choices.length - 1]![1];
}

/** The README's rule, written again here so the truth does not come from the code under test. */
function outcome(c: Codes): string {
  if (c.failure !== undefined || c.response === 2) return 'failure';
  if (c.error !== undefined || (c.http ?? 0) >= 400) return 'error';
  if (c.response === 1 || (c.http ?? 0) >= 200) return 'success';
  return 'unknown';
}

const emptyCounts = (): Record<CodeKind, Counts> => ({ http: {}, error: {}, failure: {}, response: {} });
const bump = (counts: Counts, key: string, n = 1) => (counts[key] = (counts[key] ?? 0) + n);

/** `lines` lines; `firstTenants` start the part; `maxTenants` caps the tenant values like --max-label-values. */
function part(seed: number, lines: number, options: { firstTenants?: string[]; maxTenants?: number } = {}): Part {
  const rnd = random(seed);
  const shapes = Object.values(SHAPES);
  const truth: Truth = {
    lines,
    results: { annotated: 0, no_codes: 0, invalid: 0, too_long: 0 },
    invalid: {},
    outcomes: { success: 0, failure: 0, error: 0, unknown: 0 },
    codes: emptyCounts(),
    byTenant: {},
    overflow: 0,
  };
  const admitted = new Set<string>();
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    if (i % 41 === 40) {
      out.push(i % 2 === 0 ? 'java.lang.IllegalStateException: connection pool exhausted' : '');
      truth.results.invalid!++;
      bump(truth.invalid, i % 2 === 0 ? 'invalid_json' : 'blank');
      continue;
    }
    if (i % 29 === 28) {
      out.push(JSON.stringify({ time: '2026-11-28T09:00:00Z', level: 'info', msg: 'health check ok' }));
      truth.results.no_codes!++;
      continue;
    }
    const [codes, family] = pick(MIX, rnd);
    const tenant = options.firstTenants?.shift() ?? pick(TENANTS, rnd);
    const shape = family === 'scim' ? SCIM_SHAPES.scimNested! : family === 'audit' ? AUDIT_SHAPES.audit! : shapes[i % shapes.length]!;
    const line = shape(codes, i);
    out.push(tenant === '' ? line : `{"tenant":${JSON.stringify(tenant)},${line.slice(1)}`);

    truth.results.annotated!++;
    bump(truth.outcomes, outcome(codes));
    let label = tenant;
    if (options.maxTenants !== undefined && !admitted.has(tenant)) {
      if (admitted.size < options.maxTenants) admitted.add(tenant);
      else label = 'other';
    }
    if (label === 'other') truth.overflow++;
    const byTenant = (truth.byTenant[label] ??= emptyCounts());
    for (const kind of KINDS) {
      const value = codes[kind];
      if (value === undefined) continue;
      bump(truth.codes[kind], String(value));
      bump(byTenant[kind], String(value));
    }
  }
  return { text: out.join('\n') + '\n', truth };
}

/** The three parts: A and C plain, B capped at two tenants (acme and globex, which it starts with). */
export function corpus(): [Part, Part, Part] {
  return [part(1401, 300), part(1402, 300, { firstTenants: ['acme', 'globex'], maxTenants: 2 }), part(1403, 300)];
}

/** The truth of several parts together. */
export function together(parts: Part[]): Truth {
  const sum: Truth = { lines: 0, results: {}, invalid: {}, outcomes: {}, codes: emptyCounts(), byTenant: {}, overflow: 0 };
  for (const { truth } of parts) {
    sum.lines += truth.lines;
    sum.overflow += truth.overflow;
    for (const key of ['results', 'invalid', 'outcomes'] as const) for (const [k, n] of Object.entries(truth[key])) bump(sum[key], k, n);
    for (const kind of KINDS) for (const [code, n] of Object.entries(truth.codes[kind])) bump(sum.codes[kind], code, n);
    for (const [tenant, counts] of Object.entries(truth.byTenant)) {
      const into = (sum.byTenant[tenant] ??= emptyCounts());
      for (const kind of KINDS) for (const [code, n] of Object.entries(counts[kind])) bump(into[kind], code, n);
    }
  }
  return sum;
}

/** Records of these codes' categories, e.g. the license errors. */
export function inCategory(truth: Truth, kind: CodeKind, category: string): number {
  return Object.entries(truth.codes[kind])
    .filter(([code]) => lookup(kind, Number(code)).category === category)
    .reduce((sum, [, n]) => sum + n, 0);
}
