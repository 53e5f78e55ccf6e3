// `--label` names, as annotate, count and mixin take them.
import { SERIES_OVERFLOW_LABEL } from '../count/tally.js';
import { UsageError } from './options.js';

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const RESERVED_LABELS = new Set(['code', 'category', 'result', 'kind', 'description', 'outcome', 'reason', 'label', 'le', 'quantile', 'job', 'instance']);

/** A `--label` name that Prometheus accepts and hidlog does not set itself. */
export function checkLabelName(spec: string, name: string): void {
  if (!LABEL_NAME.test(name) || name.startsWith('__')) throw new UsageError(`--label ${spec}: ${name} is not a valid Prometheus label name`);
  if (RESERVED_LABELS.has(name)) throw new UsageError(`--label ${spec}: ${name} is a label hidlog sets itself`);
  // hidlog_label_overflow_total's `label` names each --label, and what --max-series turned away.
  if (name === SERIES_OVERFLOW_LABEL)
    throw new UsageError(`--label ${spec}: ${name} is taken: hidlog_label_overflow_total{label="${name}"} counts what --max-series turns away`);
}
