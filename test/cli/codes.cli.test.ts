import { describe, expect, it } from 'vitest';
import { lines, runCli } from '../helpers/cli.js';
import { readSeed } from '../catalog/seed.js';

describe('hidlog codes and explain (the real CLI)', () => {
  it('codes --json lists every seed entry as {kind, code, label?, description, category}', async () => {
    const result = await runCli(['codes', '--json']);
    expect(result.code).toBe(0);
    const listed = JSON.parse(result.stdout.toString()) as { kind: string; code: number; label?: string; description: string; category: string }[];
    for (const entry of readSeed()) {
      expect(listed).toContainEqual(expect.objectContaining({ kind: entry.kind, code: entry.code, description: entry.description }));
    }
    expect(listed.find((e) => e.kind === 'http' && e.code === 401)).toEqual({
      kind: 'http',
      code: 401,
      label: 'UNAUTHORIZED',
      category: 'client_error',
      description: 'Authorization failure. The authorization header is invalid or missing',
    });
    expect(Object.keys(listed.find((e) => e.kind === 'error')!)).toEqual(['kind', 'code', 'description', 'category']);
  });

  it('codes filters by kind and category, as a table', async () => {
    const result = await runCli(['codes', '--kind', 'error', '--category', 'license']);
    expect(lines(result.stdout)).toEqual([
      'error  9000  license  No license was found for the feature',
      'error  9001  license  License for feature has expired, please contact you vendor to purchase new licenses',
      'error  9002  license  Invalid license',
      'error  9003  license  Audit Tokenization is not enabled',
    ]);
  });

  it('codes with a category no code has is a usage error', async () => {
    const result = await runCli(['codes', '--category', 'nope']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^hidlog: --category nope: no code has this category/);
  });

  it('explain gives every kind’s meaning of a code', async () => {
    const result = await runCli(['explain', '400']);
    expect(lines(result.stdout)).toEqual([
      'http   400  client_error  BAD REQUEST: Request cannot be parsed, is syntactically incorrect, or violates schema',
      'error  400  technical     A technical error has while getting the CheckBefore Attributes for RADIUS',
    ]);
    const one = await runCli(['explain', '1', '--kind', 'response']);
    expect(lines(one.stdout)).toEqual(['response  1  succeeded  The authentication succeeded']);
    const negative = await runCli(['explain', '-1']);
    expect(lines(negative.stdout)).toEqual(['failure  -1  undefined  The value is not defined (available)']);
  });

  it('explain of a code in no kind: one line, exit 1', async () => {
    const result = await runCli(['explain', '123456']);
    expect(result.code).toBe(1);
    expect(result.stderr).toBe('hidlog: 123456 is not in the catalog\n');
  });
});
