export interface PromSeries {
  metric: Record<string, string>;
  value: [number, string];
}

/** Instant PromQL queries against a real Prometheus on 127.0.0.1:`port`. */
export function promql(port: number) {
  const query = async (expression: string): Promise<PromSeries[]> => {
    const response = await fetch(`http://127.0.0.1:${port}/api/v1/query?query=${encodeURIComponent(expression)}`);
    const body = (await response.json()) as { data: { result: PromSeries[] } };
    return body.data.result;
  };
  /** The value of a query that returns one series; undefined otherwise. */
  const scalar = async (expression: string): Promise<number | undefined> => {
    const result = await query(expression);
    return result.length === 1 ? Number(result[0]!.value[1]) : undefined;
  };
  return { query, scalar };
}
