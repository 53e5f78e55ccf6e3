/** Aborts on SIGINT or SIGTERM, so a run stops reading, flushes, writes its metrics and exits 0. */
export function shutdownSignal(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
}
