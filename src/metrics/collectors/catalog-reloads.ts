import type { CatalogReloads } from '../../catalog/reloader.js';
import { HIDLOG_METRICS } from '../../contract/metrics.js';
import { readCounter, readGauge, type Registers } from './read.js';

/** How the reloads of the --catalog file went. */
export function catalogReloadMetrics(registers: Registers, reloads: CatalogReloads): void {
  const counter = (name: string, help: string, label: string | undefined, read: () => Iterable<[string, number]> | number) =>
    readCounter(registers, name, help, label, read);
  const gauge = (name: string, help: string, read: () => number) => readGauge(registers, name, help, read);
  counter(
    HIDLOG_METRICS.catalogReloads,
    'Reloads of the --catalog file (SIGHUP, or the file changed), by result; a failed one keeps the table in force.',
    'result',
    () => [
      ['success', reloads.success],
      ['failure', reloads.failure],
    ],
  );
  gauge(
    HIDLOG_METRICS.catalogLastReloadSuccess,
    'When the catalog in force was loaded (Unix time): at start, or at the last successful reload.',
    () => reloads.lastSuccessSeconds,
  );
  gauge(
    HIDLOG_METRICS.catalogLastReloadSuccessful,
    'Whether the last reload of the --catalog file succeeded (1), or failed and the table before it was kept (0).',
    () => (reloads.lastSuccessful ? 1 : 0),
  );
}
