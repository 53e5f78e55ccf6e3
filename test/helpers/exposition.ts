import { waitFor } from './tools.js';

/** One sample of a Prometheus text exposition. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, name, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[name!] = value!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Non-zero values of a metric, keyed by one label. */
export function byLabel(samples: Sample[], name: string, label: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const sample of samples) {
    if (sample.name === name && sample.value !== 0) out[sample.labels[label]!] = (out[sample.labels[label]!] ?? 0) + sample.value;
  }
  return out;
}

/**
 * Waits until /metrics at `url` has a sample named `name` (no labels) whose value `holds`, and
 * returns the exposition then: for a test to wait for what hidlog counts (a rotation noticed, a
 * file let go) rather than for time to pass.
 */
export function waitForSample(url: string, name: string, holds: (value: number) => boolean, what: string, timeoutMs = 20_000): Promise<string> {
  return waitFor(
    `${what} (${name} in ${url})`,
    async () => {
      const text = await (await fetch(url)).text();
      const sample = parseExposition(text).find((s) => s.name === name && Object.keys(s.labels).length === 0);
      if (!sample) throw new Error(`no ${name}`);
      if (!holds(sample.value)) throw new Error(`${name} is ${sample.value}`);
      return text;
    },
    timeoutMs,
    50,
  );
}
