import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './cli.js';

/** One series selector in a PromQL expression: its metric name (or a variable standing for one) and matchers. */
export interface Selector {
  metric: string;
  matchers: string[];
}

const QUOTED = /"(?:[^"\\]|\\.)*"/g;
const SELECTOR = /(?<![\w:$}])([a-zA-Z_:][\w:]*|\$\{\w+\})?\{((?:[^{}"]|"(?:[^"\\]|\\.)*")*)\}/g;

export function selectorsIn(expr: string): Selector[] {
  return [...expr.matchAll(SELECTOR)].map((match) => ({
    metric: match[1] ?? '',
    matchers: [...match[2]!.matchAll(/\s*([^,"]+?"(?:[^"\\]|\\.)*")\s*(?:,|$)/g)].map((m) => m[1]!.replace(/\s+/g, '')),
  }));
}

/**
 * The metric names an expression reads: hidlog's prefixes, recording rules (`level:metric:op`),
 * `up`, and the names in a `__name__` regex of plain alternatives.
 */
export function metricNamesIn(expr: string): string[] {
  const names = new Set<string>();
  for (const match of expr.replace(QUOTED, '""').matchAll(/(?<![\w:$])(hid_\w+|hidlog_\w+|process_\w+|nodejs_\w+|[a-z_]+:[\w:]+|up)(?![\w:(])/g))
    names.add(match[1]!);
  for (const match of expr.matchAll(/__name__=~"([\w|]+)"/g)) for (const name of match[1]!.split('|')) names.add(name);
  return [...names];
}

/** The metric names of the tables in docs/metrics.md; `process_*` stands for a prefix. */
export function documentedMetrics(): { names: Set<string>; prefixes: string[] } {
  const section = readFileSync(join(ROOT, 'docs/metrics.md'), 'utf8');
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const row of section.matchAll(/^\| (`[^|]+`) \|/gm)) {
    for (const [, name] of row[1]!.matchAll(/`([^`]+)`/g)) {
      if (name!.endsWith('*')) prefixes.push(name!.slice(0, -1));
      else names.add(name!);
    }
  }
  return { names, prefixes };
}
