import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Checkpointer, type FilePosition, type OutputMark, type SavedState } from '../../src/follow/checkpointer.js';

let dir: string;
let path: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-checkpointer-'));
  path = join(dir, 'state.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const hash = 'a'.repeat(64);
const position: FilePosition = { path: '/var/log/hid/auth.log', fingerprint: hash, fingerprintBytes: 900, offset: 12_345 };
const patterns = ['/var/log/hid/auth*.log'];
const output: OutputMark = { output: 'output', dev: 2049, ino: 91, born: 1_796_650_812_615.2537, size: 4096 };
const state = (files: FilePosition[], outputs: OutputMark[] = [output]): SavedState => ({ patterns, files, outputs });
// What it is given to save is what the outputs accepted: Delivery decides that (test/follow/delivery.test.ts).
const checkpointer = () => new Checkpointer({ path, everyMs: 1000, warn: (message) => expect.fail(message) });

describe('Checkpointer', () => {
  it('loads what it saved; no file is no state', async () => {
    expect(await checkpointer().load()).toBeUndefined();
    await checkpointer().save(state([position]));
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ version: 3, patterns, files: [position], outputs: [output] });
    expect(await checkpointer().load()).toEqual(state([position]));
  });

  it('does not write the same positions again', async () => {
    const keeper = checkpointer();
    let synced = 0;
    const sync = async () => void synced++;
    await keeper.save(state([position]), sync);
    const { ino } = statSync(path); // each write is a new file renamed over the old one
    await keeper.save(state([position]), sync);
    expect(statSync(path).ino).toBe(ino);
    expect(synced).toBe(1); // the outputs are synced only for a state that is written
    await keeper.save(state([{ ...position, offset: 20_000 }]), sync);
    expect(synced).toBe(2);
    expect(statSync(path).ino).not.toBe(ino);
  });

  it('reads a version 1 file (device, inode, the same fingerprint), leaving out files with nothing read', async () => {
    const v1 = {
      version: 1,
      files: [
        { path: position.path, dev: 2049, ino: 77, fingerprint: hash, fingerprintBytes: 900, offset: 12_345 },
        { path: '/var/log/hid/new.log', dev: 2049, ino: 78, fingerprint: 'b'.repeat(64), fingerprintBytes: 0, offset: 0 },
      ],
    };
    writeFileSync(path, JSON.stringify(v1));
    expect(await checkpointer().load()).toEqual({ patterns: undefined, files: [position], outputs: [] });
  });

  it('reads a version 2 file: no patterns, no outputs to cut back', async () => {
    writeFileSync(path, JSON.stringify({ version: 2, files: [position, { ...position, offset: 0 }] }));
    expect(await checkpointer().load()).toEqual({ patterns: undefined, files: [position, { ...position, offset: 0 }], outputs: [] });
  });

  it('says once that a save failed, counts each, and once that saving works again', async () => {
    const said: string[] = [];
    const keeper = new Checkpointer({ path, everyMs: 1000, warn: (message) => said.push(message) });
    mkdirSync(path); // a directory where the state file should be: the rename over it fails
    writeFileSync(join(path, 'in the way'), '');
    expect(await keeper.save(state([position]))).toMatch(/^cannot write state file /);
    expect(await keeper.save(state([{ ...position, offset: 1 }]))).toMatch(/^cannot write state file /);
    expect(keeper.failures).toBe(2);
    expect(keeper.failure).toMatch(/^cannot write state file /);
    expect(said).toHaveLength(1);
    expect(said[0]).toContain('positions not saved (a restart reads again from the last saved ones)');
    rmSync(path, { recursive: true });
    expect(await keeper.save(state([position]))).toBeUndefined();
    expect(keeper.failure).toBeUndefined();
    expect(said).toEqual([said[0], `state file ${path} written again, after 2 failed saves`]);
  });

  it('does not write the state when the outputs could not be synced, and says which failed', async () => {
    const said: string[] = [];
    const keeper = new Checkpointer({ path, everyMs: 1000, warn: (message) => said.push(message) });
    const failing = async () => {
      throw Object.assign(new Error('EIO'), { code: 'EIO' });
    };
    expect(await keeper.save(state([position]), failing)).toBe(`cannot sync the outputs before saving state file ${path}: input/output error (EIO)`);
    expect(existsSync(path)).toBe(false);
    expect(said).toHaveLength(1);
  });

  it('a required save that fails is only returned, not said', async () => {
    const keeper = new Checkpointer({ path: join(dir, 'missing', 'state.json'), everyMs: 1000, warn: (message) => expect.fail(message) });
    expect(await keeper.save(state([position]), undefined, true)).toBe(`cannot write state file ${join(dir, 'missing', 'state.json')}: no such file`);
    expect(keeper.failures).toBe(0);
  });

  it('keeps a position at offset 0: content read whose lines no output has taken yet, looked for at a restart', async () => {
    const unwritten = { ...position, path: '/var/log/hid/auth.log.1', offset: 0 };
    await checkpointer().save(state([position, unwritten]));
    expect(await checkpointer().load()).toEqual(state([position, unwritten]));
  });

  it.each([
    ['{"version":4,"files":[]}', `${'PATH'} is a hidlog state file of version 4; this hidlog reads versions 1 to 3`],
    ['{"version":3,"files":[],"outputs":[]}', `${'PATH'} is not a hidlog state file (no list of patterns); move it away to start afresh`],
    [
      '{"version":3,"patterns":[],"files":[],"outputs":[{"output":"output","size":1}]}',
      `${'PATH'} is not a hidlog state file (an output entry without output, dev, ino, born and size); move it away to start afresh`,
    ],
    [
      '{"version":2,"files":[{"path":"/a"}]}',
      `${'PATH'} is not a hidlog state file (a file entry without path, fingerprint and offset); move it away to start afresh`,
    ],
    ['not json', `${'PATH'} is not a hidlog state file (not JSON); move it away to start afresh`],
    ['{"files":{}}', `${'PATH'} is not a hidlog state file (no list of files); move it away to start afresh`],
  ])('refuses %s in one line', async (text, message) => {
    writeFileSync(path, text);
    await expect(checkpointer().load()).rejects.toThrow(message.replace('PATH', path));
  });
});
