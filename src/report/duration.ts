// Durations as Prometheus writes them: `90s`, `5m`, `1h30m`, `2d`, `1w`, `500ms`.

const UNIT_MS: Record<string, number> = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
const DURATION = /^(\d+(ms|[wdhms]))+$/;

/** A duration in milliseconds, or undefined if the text is not one (or is zero). */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) return undefined;
  let total = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)(ms|[wdhms])/g)) total += Number(count) * UNIT_MS[unit!]!;
  return total > 0 && Number.isSafeInteger(total) ? total : undefined;
}

/** The shortest way to write a duration: `5m`, `1h30m`, `1d`, `250ms`. */
export function formatDuration(ms: number): string {
  let rest = ms;
  let text = '';
  for (const [unit, size] of Object.entries(UNIT_MS)) {
    if (rest >= size) {
      text += `${Math.floor(rest / size)}${unit}`;
      rest %= size;
    }
  }
  return text || '0s';
}
