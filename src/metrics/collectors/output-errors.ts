import { Counter } from 'prom-client';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import type { OutputErrors } from '../../sinks/output-errors.js';
import type { Registers } from './read.js';

/** Failed writes to the outputs, by output and error code. */
export function outputErrorMetrics(registers: Registers, outputErrors: OutputErrors): void {
  new Counter({
    name: HIDLOG_METRICS.outputErrors,
    help: 'Failed writes to an output, by output (output, dead_letter) and error code (ENOSPC, EIO, EPIPE, ..., other).',
    labelNames: ['output', 'error'],
    registers,
    collect() {
      this.reset();
      for (const { output, error, count } of outputErrors.series()) this.inc({ output, error }, count);
    },
  });
}
