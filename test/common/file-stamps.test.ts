import { mkdtempSync, renameSync, rmSync, statSync, symlinkSync, truncateSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contentStampOf, fileStamp, filesStamp, stampOf } from '../../src/common/file-stamps.js';

const dir = mkdtempSync(join(tmpdir(), 'hidlog-stamps-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a file’s stamp', () => {
  it('stays while the file is left alone', async () => {
    const path = join(dir, 'still');
    writeFileSync(path, 'a');
    expect(await fileStamp(path)).toBe(await fileStamp(path));
  });

  it.each([
    ['an edit of the same size', (path: string) => writeFileSync(path, 'b')],
    ['a truncation', (path: string) => truncateSync(path, 0)],
    ['a touch', (path: string) => utimesSync(path, new Date(2030, 0, 1), new Date(2030, 0, 1))],
    [
      'a new file renamed over it',
      (path: string) => {
        writeFileSync(`${path}.new`, 'a');
        renameSync(`${path}.new`, path);
      },
    ],
    ['its removal', (path: string) => unlinkSync(path)],
  ])('moves with %s', async (_what, change) => {
    const path = join(dir, `file-${Math.random()}`);
    writeFileSync(path, 'a');
    const before = await fileStamp(path);
    change(path);
    expect(await fileStamp(path)).not.toBe(before);
  });

  it('moves when a symlink is pointed at another file, and says a missing file by its error', async () => {
    writeFileSync(join(dir, 'one'), 'x');
    writeFileSync(join(dir, 'two'), 'x');
    const link = join(dir, 'link');
    symlinkSync(join(dir, 'one'), link);
    const before = await fileStamp(link);
    unlinkSync(link);
    symlinkSync(join(dir, 'two'), link);
    expect(await fileStamp(link)).not.toBe(before);
    expect(await fileStamp(join(dir, 'nothing'))).toBe('error ENOENT');
  });

  it('of several files moves when one of them changes', async () => {
    const [a, b] = [join(dir, 'a'), join(dir, 'b')];
    writeFileSync(a, '1');
    writeFileSync(b, '1');
    const before = await filesStamp([a, b]);
    expect(await filesStamp([a, b])).toBe(before);
    writeFileSync(b, '22');
    expect(await filesStamp([a, b])).not.toBe(before);
  });

  it('is the same from a stat in numbers as its parts say, and a content stamp is size and modification time', () => {
    const path = join(dir, 'numbers');
    writeFileSync(path, 'abc');
    const s = statSync(path);
    expect(stampOf(s)).toBe(`${s.dev}:${s.ino}:3:${s.mtimeMs}:${s.ctimeMs}`);
    expect(contentStampOf(s)).toBe(`3:${s.mtimeMs}`);
  });
});
