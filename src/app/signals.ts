// The one owner of the process's signals. SIGINT and SIGTERM stop the run: it stops reading,
// flushes, writes its metrics and exits 0; a second one ends the process at once. SIGHUP asks the
// parts of a run that go on to start again from their files: follow mode's outputs are reopened
// (after logrotate moved them away) and the --catalog file is reloaded.

let stopping: AbortSignal | undefined;

/** Aborts on the first SIGINT or SIGTERM, with its name as the reason. */
export function stopSignal(): AbortSignal {
  if (stopping) return stopping;
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => controller.abort(signal);
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return (stopping = controller.signal);
}

const hangupListeners = new Set<() => void>();
const hangUp = () => {
  for (const listener of hangupListeners) listener();
};

/**
 * Calls `listener` on each SIGHUP, in the order listeners were added, until the returned function
 * is called. Without a listener SIGHUP keeps its default: a batch run ends.
 */
export function onHangup(listener: () => void): () => void {
  if (hangupListeners.size === 0) process.on('SIGHUP', hangUp);
  hangupListeners.add(listener);
  return () => {
    hangupListeners.delete(listener);
    if (hangupListeners.size === 0) process.off('SIGHUP', hangUp);
  };
}
