import { readFileSync } from 'node:fs';
import { describeError } from '../common/error-text.js';
import { UsageError } from './options.js';

/** `--config FILE`: a JSON object of options, or a one-line usage error saying what is wrong with the file. */
export function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${path}: cannot read it: ${describeError(error)}`);
  }
  let config: unknown;
  try {
    config = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new UsageError(`--config ${path}: not JSON: ${(error as Error).message.replace(/\s+/g, ' ')}`);
  }
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new UsageError(`--config ${path}: expected a JSON object of options, like {"max-line-bytes": 65536}`);
  }
  return config as Record<string, unknown>;
}
