import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers/cli.js';

describe('the package as a library', () => {
  it('imports by its name from the built output', () => {
    const script = `import { createAnnotator, lookup } from 'hidlog';
      const { text } = createAnnotator().annotateLine('{"hid_failure":{"reason":51}}');
      console.log(JSON.parse(text).hid.failure.category, lookup('error', 9001).category);`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: ROOT, encoding: 'utf8' });
    expect(output).toBe('risk license\n');
  });
});
