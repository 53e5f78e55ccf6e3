import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, lines, runCli, startCli } from '../helpers/cli.js';
import { byLabel, parseExposition } from '../helpers/exposition.js';
import { freePort, waitFor } from '../helpers/tools.js';

// Issue 20: a log mixing OpenID bodies (codes where this gateway puts them, in two places) and
// SCIM bodies (found by the built-in search): seven errors, one success.
const SCIM = 'urn:ietf:params:scim:api:messages:2.0:Error';
const MIXED = [
  { ts: '2026-11-28T09:00:00Z', status: 400, oidc: { error: 'invalid_request', code: 1200 }, tenant: 'acme' },
  { ts: '2026-11-28T09:01:00Z', status: 400, oidc: { error: 'invalid_client', code: '1201' }, ctx: { tenant: 'beta' } },
  { ts: '2026-11-28T09:02:00Z', status: 401, gateway: { upstream_error: 1300 }, tenant: 'acme' },
  { at: '2026-11-28T08:30:00Z', ts: '2026-11-28T09:03:00Z', status: 401, gateway: { upstream_error: { reason: 1301 } }, ctx: { tenant: 'beta' } },
  { event: { created: '2026-11-28T08:00:00Z' }, ts: '2026-11-28T09:04:00Z', schemas: [SCIM], status: '400', errorCode: 1292, tenant: 'acme' },
  {
    event: { created: '2026-11-28T10:00:00Z' },
    statusCode: 400,
    body: JSON.stringify({ schemas: [SCIM], status: '400', errorCode: 1293 }),
    ctx: { tenant: 'gamma' },
  },
  { ts: '2026-11-28T09:06:00Z', status: 404, response: { schemas: [SCIM], status: '404', errorCode: 1294 }, tenant: null, ctx: { tenant: 'gamma' } },
  { status: 200 },
];
const TEXT = MIXED.map((record) => JSON.stringify(record) + '\n').join('');
const OPENID_FIELDS = ['--field', 'error=oidc.code', '--field', 'error=gateway.upstream_error'];
const ALL_ERRORS = { '1200': 1, '1201': 1, '1300': 1, '1301': 1, '1292': 1, '1293': 1, '1294': 1 };

let dir: string;
let mixed: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-field-alternatives-'));
  mixed = join(dir, 'mixed.ndjson');
  writeFileSync(mixed, TEXT);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function countedErrors(args: string[], file = mixed): Promise<Record<string, number>> {
  const result = await runCli(['count', ...args, file]);
  expect(result).toMatchObject({ code: 0, stderr: '' });
  return byLabel(parseExposition(result.stdout.toString()), 'hid_errors_total', 'code');
}

describe('--field alternatives', () => {
  it('find all 7 errors of a mixed OpenID and SCIM log: the paths in turn, then the built-in search', async () => {
    expect(await countedErrors(OPENID_FIELDS)).toEqual(ALL_ERRORS);
    expect(await countedErrors(['--field', 'error=oidc.code'])).toEqual({ '1200': 1, '1201': 1, '1292': 1, '1293': 1, '1294': 1 });
    expect(await countedErrors([])).toEqual({ '1292': 1, '1293': 1, '1294': 1 });
  });

  it('with --no-builtin-fields, read a kind given by --field only from its paths', async () => {
    expect(await countedErrors([...OPENID_FIELDS, '--no-builtin-fields'])).toEqual({ '1200': 1, '1201': 1, '1300': 1, '1301': 1 });
    const config = join(dir, 'config.json');
    writeFileSync(config, JSON.stringify({ field: ['error=oidc.code', 'error=gateway.upstream_error'], 'builtin-fields': false }));
    expect(await countedErrors(['--config', config])).toEqual({ '1200': 1, '1201': 1, '1300': 1, '1301': 1 });
  });

  it('annotate each record with the code its first path holds, on worker threads alike', async () => {
    const annotated = await runCli(['annotate', ...OPENID_FIELDS, '--field', 'error=hid_error', mixed]);
    expect(annotated).toMatchObject({ code: 0, stderr: '' });
    const errors = lines(annotated.stdout).map((line) => (JSON.parse(line) as { hid?: { error?: { code: number } } }).hid?.error?.code);
    expect(errors).toEqual([1200, 1201, 1300, 1301, 1292, 1293, 1294, undefined]);
    // Regions of about a megabyte go to the workers: 3000 copies make several.
    const big = join(dir, 'mixed-big.ndjson');
    writeFileSync(big, TEXT.repeat(3000));
    const times3000 = (counts: Record<string, number>) => Object.fromEntries(Object.entries(counts).map(([code, n]) => [code, n * 3000]));
    expect(await countedErrors(['--workers', '2', ...OPENID_FIELDS], big)).toEqual(times3000(ALL_ERRORS));
    expect(await countedErrors(['--workers', '2', ...OPENID_FIELDS, '--no-builtin-fields'], big)).toEqual(
      times3000({ '1200': 1, '1201': 1, '1300': 1, '1301': 1 }),
    );
  });
});

describe('--label alternatives', () => {
  it('label each series on /metrics with the first of the NAME’s paths a record has a value at', async () => {
    const port = await freePort();
    const child = startCli([
      'annotate',
      '--metrics-listen',
      `127.0.0.1:${port}`,
      '--linger',
      '--label',
      'tenant=tenant',
      '--label',
      'tenant=ctx.tenant',
      ...OPENID_FIELDS,
      mixed,
    ]);
    const done = collect(child);
    const body = await waitFor('the endpoint', async () => {
      const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return text.includes('hidlog_lines_total{result="annotated"} 8') ? text : undefined;
    });
    child.kill('SIGTERM');
    expect((await done).code).toBe(0);
    const samples = parseExposition(body);
    expect(byLabel(samples, 'hid_errors_total', 'tenant')).toEqual({ acme: 3, beta: 2, gamma: 2 });
    expect(byLabel(samples, 'hid_http_responses_total', 'tenant')).toEqual({ acme: 3, beta: 2, gamma: 2, '': 1 });
    expect(Object.keys(samples.find((s) => s.name === 'hid_errors_total')!.labels).sort()).toEqual(['category', 'code', 'tenant']);
  });
});

describe('--time-field alternatives', () => {
  const reported = async (args: string[]) => {
    const result = await runCli(['report', '--format', 'json', ...OPENID_FIELDS, ...args, mixed]);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const { input } = JSON.parse(result.stdout.toString()) as { input: { first: string; last: string; missingTime: number } };
    return [input.first, input.last, input.missingTime];
  };

  it.each([
    ['none: the built-in fields', [], ['2026-11-28T09:00:00.000Z', '2026-11-28T09:06:00.000Z', 2]],
    ['a nested one, then ts', ['--time-field', 'event.created', '--time-field', 'ts'], ['2026-11-28T08:00:00.000Z', '2026-11-28T10:00:00.000Z', 1]],
    ['top-level ones (read from the bytes)', ['--time-field', 'at', '--time-field', 'ts'], ['2026-11-28T08:30:00.000Z', '2026-11-28T09:06:00.000Z', 2]],
  ])('read each record’s time from the first given it has: %s', async (_, args, expected) => {
    expect(await reported(args as string[])).toEqual(expected);
  });
});
