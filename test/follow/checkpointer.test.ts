import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer, type FilePosition } from '../../src/follow/checkpointer.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-checkpointer-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hash = 'a'.repeat(64);
const position: FilePosition = { path: '/var/log/hid/auth.log', fingerprint: hash, fingerprintBytes: 900, offset: 12_345 };
// What it is given to save is what the outputs accepted: Delivery decides that (test/follow/delivery.test.ts).
const checkpointer = () => new Checkpointer({ path, everyMs: 1000, warn: (message) => expect.fail(message) });

describe('Checkpointer', () => {
  it('loads what it saved; no file is no state', async () => {
    expect(await checkpointer().load()).toBeUndefined();
    await checkpointer().save([position]);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 2, files: [position] });
    expect(await checkpointer().load()).toEqual([position]);
  });

  it('does not write the same positions again', async () => {
    const keeper = checkpointer();
    await keeper.save([position]);
    const { ino } = statSync(path); // each write is a new file renamed over the old one
    await keeper.save([position]);
    expect(statSync(path).ino).toBe(ino);
    await keeper.save([{ ...position, offset: 20_000 }]);
    expect(statSync(path).ino).not.toBe(ino);
  });

  it('reads a version 1 file (device, inode, the same fingerprint), leaving out files with nothing read', async () => {
    const v1 = { version: 1, files: [{ path: position.path, dev: 2049, ino: 77, fingerprint: hash, fingerprintBytes: 900, offset: 12_345 }, { path: '/var/log/hid/new.log', dev: 2049, ino: 78, fingerprint: 'b'.repeat(64), fingerprintBytes: 0, offset: 0 }] };
    writeFileSync(path, JSON.stringify(v1));
    expect(await checkpointer().load()).toEqual([position]);
  });

  it('keeps a version 2 position at offset 0: content read whose lines no output has taken yet, looked for at a restart', async () => {
    const unwritten = { ...position, path: '/var/log/hid/auth.log.1', offset: 0 };
    await checkpointer().save([position, unwritten]);
    expect(await checkpointer().load()).toEqual([position, unwritten]);
  });

  it.each([
    ['{"version":3,"files":[]}', `${'PATH'} is a hidlog state file of version 3; this hidlog reads versions 1 and 2`],
    ['{"version":2,"files":[{"path":"/a"}]}', `${'PATH'} is not a hidlog state file (a file entry without path, fingerprint and offset); move it away to start afresh`],
    ['not json', `${'PATH'} is not a hidlog state file (not JSON); move it away to start afresh`],
    ['{"files":{}}', `${'PATH'} is not a hidlog state file (no list of files); move it away to start afresh`],
  ])('refuses %s in one line', async (text, message) => {
    writeFileSync(path, text);
    await expect(checkpointer().load()).rejects.toThrow(message.replace('PATH', path));
  });
});
