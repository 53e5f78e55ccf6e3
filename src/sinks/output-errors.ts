/** An output whose failed writes are counted, as the `output` label names it. */
export type OutputName = 'output' | 'dead_letter';

// Errors with a label value of their own; any other is counted as `other`, so the series stay few.
const NAMED_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EIO', 'EPIPE', 'EBADF', 'EROFS', 'EFBIG']);
// What a full or failing disk gives, and a running hidlog can wait out (space freed, quota raised, a
// passing I/O fault): follow mode retries these; their series are present from the start at 0, so
// that increase() sees the first.
export const WAITED_OUT_ERRORS: readonly string[] = ['ENOSPC', 'EDQUOT', 'EIO'];

/** Failed writes per output and error code, for `hidlog_output_errors_total`. */
export class OutputErrors {
  private readonly counts = new Map<string, { output: OutputName; error: string; count: number }>();

  constructor(outputs: readonly OutputName[]) {
    for (const output of outputs) for (const error of WAITED_OUT_ERRORS) this.entry(output, error);
  }

  count(output: OutputName, code: string | undefined): void {
    this.entry(output, code !== undefined && NAMED_ERRORS.has(code) ? code : 'other').count++;
  }

  series(): Iterable<{ output: OutputName; error: string; count: number }> {
    return this.counts.values();
  }

  private entry(output: OutputName, error: string) {
    const key = `${output} ${error}`;
    let entry = this.counts.get(key);
    if (!entry) this.counts.set(key, (entry = { output, error, count: 0 }));
    return entry;
  }
}
