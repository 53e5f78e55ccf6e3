// Holds the testdata's verdicts to exporter-toolkit's own, through the real promtool: a good file
// must pass `promtool check web-config`; a bad one fails there too, unless it says
// `# exporter-toolkit: accepts` (where hidlog refuses what exporter-toolkit takes).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makePki } from '../../helpers/pki.js';
import { hasTool } from '../../helpers/tools.js';
import { TESTDATA, readTestdata, testdataNamed } from './testdata.js';

// Keys exporter-toolkit added after the promtool of Debian 12 (2.42): that promtool calls them unknown.
const NEWER_KEYS = new Set(['cert', 'key', 'client_ca', 'client_allowed_sans', 'rate_limit']);

const ready = hasTool('openssl') && hasTool('promtool');
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'hidlog-promtool-'));
  if (ready) makePki(dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const cases = [...testdataNamed('good'), ...testdataNamed('bad')].map((name) => {
  const said = /^# exporter-toolkit: (accepts|unchecked)/m.exec(readTestdata(name))?.[1];
  return { name, expected: said ?? (name.endsWith('.good.yml') ? 'accepts' : 'refuses') };
});

describe.runIf(ready)('the testdata under promtool check web-config', () => {
  it.each(cases.filter((c) => c.expected !== 'unchecked'))('$name: exporter-toolkit $expected it', ({ name, expected }) => {
    copyFileSync(join(TESTDATA, name), join(dir, name));
    const check = spawnSync('promtool', ['check', 'web-config', join(dir, name)], { encoding: 'utf8' });
    const output = check.stdout + check.stderr;
    const unknown = /field (\w+) not found in type/.exec(output)?.[1];
    if (check.status !== 0 && unknown && NEWER_KEYS.has(unknown)) {
      console.warn(`${name}: this promtool predates ${unknown}; not checked`);
      return;
    }
    expect(check.status === 0 ? 'accepts' : 'refuses', output).toBe(expected);
  });
});
