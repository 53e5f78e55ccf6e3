// Real hidlog processes serving /metrics for the Prometheus tests of the mixin, and what they
// need around them: the committed rules, fitted to a test's Prometheus, and the alert templates'
// queries as Prometheus runs them.
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { ROOT, collect, startCli } from '../helpers/cli.js';
import { parseExposition } from '../helpers/exposition.js';
import { freePort, waitFor } from '../helpers/tools.js';

export interface ServedHidlog {
  /** host:port of its /metrics, the `instance` label Prometheus gives it. */
  instance: string;
  stop(): Promise<void>;
}

/** `hidlog annotate … --metrics-listen` on a free port of 127.0.0.1 (output to /dev/null), up and answering. */
export async function serveHidlog(args: string[]): Promise<ServedHidlog> {
  const instance = `127.0.0.1:${await freePort()}`;
  const child: ChildProcess = startCli(['annotate', '-o', '/dev/null', '--metrics-listen', instance, ...args]);
  const done = collect(child);
  await waitFor(`hidlog at ${instance}`, async () => ((await fetch(`http://${instance}/metrics`)).ok ? true : undefined));
  return {
    instance,
    stop: async () => {
      child.kill('SIGTERM');
      await done;
    },
  };
}

/** Resolves once the hidlog at `instance` has read `lines` lines. */
export function untilRead(instance: string, lines: number): Promise<true> {
  return waitFor(`hidlog at ${instance} to read ${lines} lines`, async () => {
    const samples = parseExposition(await (await fetch(`http://${instance}/metrics`)).text());
    const read = samples.filter((s) => s.name === 'hidlog_lines_total').reduce((sum, s) => sum + s.value, 0);
    return read === lines ? true : undefined;
  });
}

export interface PrometheusSnippet {
  rule_files: string[];
  scrape_configs: { job_name: string; scrape_interval: string; static_configs: { targets: string[] }[] }[];
}

/** The shipped prometheus.yml for these targets, scraped every `scrapeSeconds`, its rule file named absolutely. */
export function shippedPrometheusConfig(targets: string[], scrapeSeconds: number, rulesFile = join(ROOT, 'dashboards', 'hidlog-rules.yml')): PrometheusSnippet {
  const config = parse(readFileSync(join(ROOT, 'dashboards', 'prometheus.yml'), 'utf8')) as PrometheusSnippet;
  config.rule_files = [rulesFile];
  config.scrape_configs[0]!.scrape_interval = `${scrapeSeconds}s`;
  config.scrape_configs[0]!.static_configs[0]!.targets = targets;
  return config;
}

/**
 * The queries in an alert's description template, as Prometheus runs them for an alert with these
 * `job` and `instance` labels, and the offset each looks back by (0 for none).
 */
export function templateQueries(description: string, job: string, instance: string): { expr: string; offsetSeconds: number }[] {
  return [...description.matchAll(/printf `([^`]*)`/g)].map((match) => {
    const expr = match[1]!
      .replace(/%\[1\]q/g, JSON.stringify(job))
      .replace(/%\[2\]q/g, JSON.stringify(instance))
      .replace(/%%/g, '%');
    const offset = /\boffset (\d+)m\b/.exec(expr);
    return { expr, offsetSeconds: offset ? Number(offset[1]) * 60 : 0 };
  });
}
