import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DescriptorBudget, RESERVED_DESCRIPTORS, openFilesLimit } from '../../src/follow/descriptor-budget.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-budget-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const limits = (openFiles: string) => {
  const path = join(dir, 'limits');
  writeFileSync(
    path,
    `Limit                     Soft Limit           Hard Limit           Units\nMax cpu time              unlimited            unlimited            seconds\nMax open files            ${openFiles}                 files\n`,
  );
  return path;
};

describe('DescriptorBudget', () => {
  it('reads the soft limit on open files; none known or unlimited is Infinity', () => {
    expect(openFilesLimit(limits('1024                 4096'))).toBe(1024);
    expect(openFilesLimit(limits('unlimited            unlimited'))).toBe(Infinity);
    expect(openFilesLimit(join(dir, 'missing'))).toBe(Infinity);
  });

  it('holds open the limit less the descriptors in use and those kept back, at least a few; fewer after an EMFILE', () => {
    expect(new DescriptorBudget(1024, 30).files).toBe(1024 - 30 - RESERVED_DESCRIPTORS);
    expect(new DescriptorBudget(Infinity, 30).files).toBe(Infinity);
    expect(new DescriptorBudget(64, 30).files).toBe(8);
    const budget = new DescriptorBudget(1024, 30);
    budget.shrink(500);
    expect(budget.files).toBe(500 - RESERVED_DESCRIPTORS / 4);
    budget.shrink(900);
    expect(budget.files).toBe(500 - RESERVED_DESCRIPTORS / 4);
  });
});
