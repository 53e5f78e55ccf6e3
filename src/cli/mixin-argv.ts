// The options of mixin, from argv.
import type { InferredOptionTypes } from 'yargs';
import type { MixinOptions } from '../app/mixin.js';
import { checkConfig, MixinConfigError } from '../mixin/config.js';
import { strings } from './input-argv.js';
import { checkLabelName } from './label-names.js';
import type { MIXIN_OPTIONS } from './mixin-options.js';
import { UsageError } from './options.js';

export type MixinArgv = InferredOptionTypes<typeof MIXIN_OPTIONS>;

export function mixinOptions(argv: MixinArgv): MixinOptions {
  // hidlog's own `NAME=DOT.PATH`: a NAME repeated with another path is the same label, one variable.
  const labelsWithPaths = new Set<string>();
  const labels = strings(argv.label).flatMap((spec) => {
    const name = spec.split('=')[0]!;
    checkLabelName(spec, name);
    if (!spec.includes('=')) return [name];
    if (labelsWithPaths.has(name)) return [];
    labelsWithPaths.add(name);
    return [name];
  });
  const config = {
    name: argv.name,
    selector: argv.selector,
    labels,
    runbookUrl: argv['runbook-url'],
    failureSpikeFactor: argv['failure-spike-factor'],
    failureSpikeMinRate: argv['failure-spike-min-rate'],
    serverErrorRatio: argv['server-error-ratio'],
    credentialFailureRate: argv['credential-failure-rate'],
    invalidLineRatio: argv['invalid-line-ratio'],
    minRate: argv['min-rate'],
    stalledAfterSeconds: argv['stalled-after'],
    latencyP99Seconds: argv['latency-p99'],
  };
  try {
    checkConfig(config);
  } catch (error) {
    throw error instanceof MixinConfigError ? new UsageError(error.message) : error;
  }
  return { out: argv.out, config };
}
