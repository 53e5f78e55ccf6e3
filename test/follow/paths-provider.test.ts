import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { expandPattern, isWithin, patternNames } from '../../src/follow/paths-provider.js';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-paths-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Creates each file (and its directories) under the temporary directory. */
function files(...paths: string[]): void {
  for (const path of paths) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), '');
  }
}

const relative = (paths: string[]) => paths.map((path) => path.slice(dir.length + 1));

describe('expandPattern', () => {
  it('names a file without wildcards whether it exists or not, and depends on its directory', async () => {
    const missing = join(dir, 'no', 'app.log');
    expect(await expandPattern(missing)).toEqual({ files: [missing], directories: [join(dir, 'no')] });
  });

  it('matches wildcards in the file name only, as before', async () => {
    files('a.log', 'b.log', 'c.txt', '.hidden.log', 'd[1].log');
    const expansion = await expandPattern(join(dir, '*.log'));
    expect(relative(expansion.files)).toEqual(['a.log', 'b.log', 'd[1].log']);
    expect(expansion.directories).toEqual([dir]);
    expect(relative((await expandPattern(join(dir, '.*.log'))).files)).toEqual(['.hidden.log']);
    expect(relative((await expandPattern(join(dir, '[ab].log'))).files)).toEqual(['a.log', 'b.log']);
    expect(relative((await expandPattern(join(dir, '[!ab].log'))).files)).toEqual([]);
    expect(relative((await expandPattern(join(dir, '?.log'))).files)).toEqual(['a.log', 'b.log']);
  });

  it('matches wildcards in every segment: the /var/log/pods layout', async () => {
    files(
      'pods/hid_auth-0_u1/auth/0.log',
      'pods/hid_auth-0_u1/auth/0.log.20261201-100000',
      'pods/hid_auth-0_u1/auth/1.log',
      'pods/hid_auth-0_u1/sidecar/0.log',
      'pods/kube-system_dns_u2/dns/0.log',
      'pods/.hidden_pod_u3/c/0.log',
      'pods/not-a-directory.log',
    );
    mkdirSync(join(dir, 'pods', 'hid_empty_u4'));
    const expansion = await expandPattern(join(dir, 'pods/*/*/*.log'));
    expect(relative(expansion.files)).toEqual([
      'pods/hid_auth-0_u1/auth/0.log',
      'pods/hid_auth-0_u1/auth/1.log',
      'pods/hid_auth-0_u1/sidecar/0.log',
      'pods/kube-system_dns_u2/dns/0.log',
    ]);
    // Listed: the root, each pod directory, each container directory (where files come and go).
    expect(relative(expansion.directories.filter((d) => d !== join(dir, 'pods'))).sort()).toEqual([
      'pods/hid_auth-0_u1',
      'pods/hid_auth-0_u1/auth',
      'pods/hid_auth-0_u1/sidecar',
      'pods/hid_empty_u4',
      'pods/kube-system_dns_u2',
      'pods/kube-system_dns_u2/dns',
    ]);
    expect(expansion.directories).toContain(join(dir, 'pods'));
    expect(relative((await expandPattern(join(dir, 'pods/hid_*/*/*.log'))).files)).toEqual([
      'pods/hid_auth-0_u1/auth/0.log',
      'pods/hid_auth-0_u1/auth/1.log',
      'pods/hid_auth-0_u1/sidecar/0.log',
    ]);
  });

  it('goes into links to directories, and looks up segments without wildcards (which may not exist yet)', async () => {
    files('real/app/0.log', 'other/x.log');
    symlinkSync(join(dir, 'real'), join(dir, 'linked'));
    const expansion = await expandPattern(join(dir, '*/app/0.log'));
    expect(relative(expansion.files)).toEqual(['linked/app/0.log', 'other/app/0.log', 'real/app/0.log']);
    expect(relative(expansion.directories)).toContain('other/app');
  });

  it('with `from`, expands only what lies below that directory', async () => {
    files('pods/a_p_1/c/0.log', 'pods/a_p_1/d/0.log', 'pods/b_q_2/c/0.log');
    const pattern = join(dir, 'pods/*/*/*.log');
    const fromPod = await expandPattern(pattern, join(dir, 'pods/a_p_1'));
    expect(relative(fromPod.files)).toEqual(['pods/a_p_1/c/0.log', 'pods/a_p_1/d/0.log']);
    expect(relative(fromPod.directories)).toEqual(['pods/a_p_1', 'pods/a_p_1/c', 'pods/a_p_1/d']);
    expect(relative((await expandPattern(pattern, join(dir, 'pods/b_q_2/c'))).files)).toEqual(['pods/b_q_2/c/0.log']);
    expect(await expandPattern(pattern, join(dir, 'elsewhere'))).toEqual({ files: [], directories: [] });
    expect((await expandPattern(pattern, join(dir, 'pods'))).files).toHaveLength(3);
  });

  it('names nothing below a directory that is missing or gone, without an error', async () => {
    const expansion = await expandPattern(join(dir, 'gone/*/*.log'));
    expect(expansion).toEqual({ files: [], directories: [join(dir, 'gone')] });
    expect(await expandPattern(join(dir, 'gone/*/*.log'), join(dir, 'gone/pod'))).toEqual({ files: [], directories: [join(dir, 'gone/pod')] });
  });
});

describe('patternNames', () => {
  it('agrees with expandPattern on every path it lists, and on what it leaves out', async () => {
    files('pods/ns_p_1/c/0.log', 'pods/ns_p_1/c/0.log.20261201-100000', 'pods/ns_p_1/c/deeper/0.log', 'pods/.h_p_2/c/0.log', 'pods/x.log');
    const pattern = join(dir, 'pods/*/*/*.log');
    for (const path of (await expandPattern(pattern)).files) expect(patternNames(pattern, path)).toBe(true);
    for (const path of ['pods/ns_p_1/c/0.log.20261201-100000', 'pods/ns_p_1/c/deeper/0.log', 'pods/.h_p_2/c/0.log', 'pods/x.log', 'elsewhere/ns_p_1/c/0.log']) {
      expect(patternNames(pattern, join(dir, path))).toBe(false);
    }
  });

  it('compares paths as written differently the same (./, //)', () => {
    expect(patternNames('./logs/*.log', 'logs/a.log')).toBe(true);
    expect(patternNames('logs//*/a.log', 'logs/x/a.log')).toBe(true);
    expect(patternNames('./app.log', 'app.log')).toBe(true);
    expect(patternNames('/var/log/app.log', '/var/log/app.log.1')).toBe(false);
    expect(patternNames('*.log', 'sub/a.log')).toBe(false);
  });
});

describe('isWithin', () => {
  it('is true for the directory itself and what lies below it, not for a sibling with a longer name', () => {
    expect(isWithin('/var/log/pods', '/var/log/pods')).toBe(true);
    expect(isWithin('/var/log/pods/a/b', '/var/log/pods')).toBe(true);
    expect(isWithin('/var/log/pods2/a', '/var/log/pods')).toBe(false);
    expect(isWithin('/a', '/')).toBe(true);
    expect(isWithin('logs/a', '.')).toBe(true);
    expect(isWithin('../a', '.')).toBe(false);
  });
});
