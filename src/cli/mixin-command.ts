import { join } from 'node:path';
import { DEFAULT_RUNBOOK_URL, MixinConfigError } from '../mixin/config.js';
import { mixinFiles } from '../mixin/mixin.js';
import { describeError } from '../pipeline/errors.js';
import { writeFileAtomically } from '../sinks/atomic-file.js';
import { makeDirectories } from '../sinks/directories.js';
import { warn } from './batch.js';
import { printAnswer } from './print-answer.js';
import type { MixinArgs } from './mixin-options.js';
import { UsageError, checkLabelName } from './options.js';

/** `hidlog mixin --out DIR`: writes the user's own dashboards, rules and provisioning files; prints their paths. */
export async function mixinCommand(args: MixinArgs): Promise<number> {
  // hidlog's own `NAME=DOT.PATH`: a NAME repeated with another path is the same label, one variable.
  const labelsWithPaths = new Set<string>();
  const labels = args.labels.flatMap((spec) => {
    const name = spec.split('=')[0]!;
    checkLabelName(spec, name);
    if (!spec.includes('=')) return [name];
    if (labelsWithPaths.has(name)) return [];
    labelsWithPaths.add(name);
    return [name];
  });
  let files;
  try {
    files = mixinFiles({ ...args.config, labels });
  } catch (error) {
    throw error instanceof MixinConfigError ? new UsageError(error.message) : error;
  }
  try {
    await makeDirectories(args.out);
    for (const file of files) await writeFileAtomically(join(args.out, file.path), file.text);
  } catch (error) {
    throw new Error(`cannot write ${args.out}: ${describeError(error)}`);
  }
  printAnswer(files.map((file) => join(args.out, file.path) + '\n').join(''));
  if (args.config.runbookUrl === DEFAULT_RUNBOOK_URL) {
    warn(`the alerts' runbook links point at the placeholder ${DEFAULT_RUNBOOK_URL}; pass --runbook-url with where your team reads hidlog's runbook (docs/alerts.md)`);
  }
  return 0;
}
