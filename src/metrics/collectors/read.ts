// Metrics whose values are read at each collect (from the tally, follow mode's numbers, the
// catalog's reloads): nothing is counted through prom-client on the per-line path.
import { Counter, Gauge, type Registry, type RegistryContentType } from 'prom-client';

/** The registries a collector registers its metrics with. */
export type Registers = Registry<RegistryContentType>[];

/** A counter read at each collect: one number, or a count per value of `label`. */
export const readCounter = (
  registers: Registers,
  name: string,
  help: string,
  label: string | undefined,
  read: () => Iterable<[string, number]> | number,
): Counter<string> =>
  new Counter({
    name,
    help,
    labelNames: label ? [label] : [],
    registers,
    collect() {
      this.reset();
      const values = read();
      if (typeof values === 'number') this.inc(values);
      else for (const [value, count] of values) this.inc({ [label!]: value }, count);
    },
  });

/** A gauge read at each collect. */
export const readGauge = (registers: Registers, name: string, help: string, read: () => number): Gauge<string> =>
  new Gauge({
    name,
    help,
    registers,
    collect() {
      this.set(read());
    },
  });
