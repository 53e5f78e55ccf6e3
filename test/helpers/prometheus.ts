import type { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, startDaemon, stopDaemon, waitFor } from './tools.js';

export interface Sample {
  metric: Record<string, string>;
  value?: [number, string];
  values?: [number, string][];
}

export interface ApiResponse<T> {
  status: 'success' | 'error';
  data: T;
  error?: string;
  warnings?: string[];
}

/** A real Prometheus on 127.0.0.1, its config and storage in `dir`. */
export class Prometheus {
  private constructor(
    readonly url: string,
    private readonly child: ChildProcess,
  ) {}

  static async start(dir: string, name: string, config: object, flags: string[] = []): Promise<Prometheus> {
    const port = await freePort();
    const file = join(dir, `${name}.yml`);
    writeFileSync(file, stringify(config));
    const child = startDaemon('prometheus', [
      `--config.file=${file}`,
      `--storage.tsdb.path=${join(dir, `${name}-tsdb`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      ...flags,
    ]);
    const server = new Prometheus(`http://127.0.0.1:${port}`, child);
    await waitFor(`Prometheus ${name}`, async () => ((await fetch(`${server.url}/-/ready`)).ok ? true : undefined));
    return server;
  }

  async get<T>(path: string, params: Record<string, string | number | string[]>): Promise<ApiResponse<T>> {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(params)) for (const one of [value].flat()) search.append(key, String(one));
    const response = await fetch(`${this.url}${path}?${search}`);
    return (await response.json()) as ApiResponse<T>;
  }

  query(expr: string, time?: number) {
    return this.get<{ resultType: string; result: Sample[] }>('/api/v1/query', { query: expr, ...(time === undefined ? {} : { time }) });
  }

  /** The instant value of an expression that has exactly one result, or undefined. */
  async scalar(expr: string): Promise<number | undefined> {
    const { data } = await this.query(expr);
    return data?.result.length === 1 ? Number(data.result[0]!.value![1]) : undefined;
  }

  queryRange(expr: string, start: number, end: number, step: number) {
    return this.get<{ resultType: string; result: Sample[] }>('/api/v1/query_range', { query: expr, start, end, step });
  }

  series(match: string, start: number, end: number) {
    return this.get<Record<string, string>[]>('/api/v1/series', { 'match[]': match, start, end });
  }

  stop(): Promise<void> {
    return stopDaemon(this.child);
  }
}

export type PromSeries = Sample & { value: [number, string] };

/** Instant PromQL queries against a Prometheus the test started itself on 127.0.0.1:`port`. */
export function promql(port: number) {
  const query = async (expression: string): Promise<PromSeries[]> => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as ApiResponse<{ result: PromSeries[] }>;
    return body.data.result;
  };
  /** The value of a query that returns one series; undefined otherwise. */
  const scalar = async (expression: string): Promise<number | undefined> => {
    const result = await query(expression);
    return result.length === 1 ? Number(result[0]!.value[1]) : undefined;
  };
  return { query, scalar };
}
