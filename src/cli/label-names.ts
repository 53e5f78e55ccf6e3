// `--label` names, as annotate, count and mixin take them.
import { HIDLOG_METRICS, RESERVED_LABELS, SERIES_OVERFLOW_LABEL, isLabelName } from '../contract/metrics.js';
import { UsageError } from './options.js';

/** A `--label` name that Prometheus accepts and hidlog does not set itself. */
export function checkLabelName(spec: string, name: string): void {
  if (!isLabelName(name)) throw new UsageError(`--label ${spec}: ${name} is not a valid Prometheus label name`);
  if (RESERVED_LABELS.has(name)) throw new UsageError(`--label ${spec}: ${name} is a label hidlog sets itself`);
  // hidlog_label_overflow_total's `label` names each --label, and what --max-series turned away.
  if (name === SERIES_OVERFLOW_LABEL)
    throw new UsageError(`--label ${spec}: ${name} is taken: ${HIDLOG_METRICS.labelOverflow}{label="${name}"} counts what --max-series turns away`);
}
