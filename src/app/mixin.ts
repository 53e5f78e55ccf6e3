import { join } from 'node:path';
import { DEFAULT_RUNBOOK_URL, type MixinConfig } from '../mixin/config.js';
import { mixinFiles } from '../mixin/mixin.js';
import { describeError } from '../common/error-text.js';
import { writeFileAtomically } from '../common/atomic-file.js';
import { makeDirectories } from '../sinks/directories.js';
import { warn } from './warn.js';
import { printAnswer } from './print-answer.js';

export interface MixinOptions {
  /** The folder to write into. */
  out: string;
  /** Checked (checkConfig). */
  config: MixinConfig;
}

/** `hidlog mixin --out DIR`: writes the user's own dashboards, rules and provisioning files; prints their paths. */
export async function mixin(args: MixinOptions): Promise<number> {
  const files = mixinFiles(args.config);
  try {
    await makeDirectories(args.out);
    for (const file of files) await writeFileAtomically(join(args.out, file.path), file.text);
  } catch (error) {
    throw new Error(`cannot write ${args.out}: ${describeError(error)}`);
  }
  printAnswer(files.map((file) => join(args.out, file.path) + '\n').join(''));
  if (args.config.runbookUrl === DEFAULT_RUNBOOK_URL) {
    warn(
      `the alerts' runbook links point at the placeholder ${DEFAULT_RUNBOOK_URL}; pass --runbook-url with where your team reads hidlog's runbook (docs/alerts.md)`,
    );
  }
  return 0;
}
