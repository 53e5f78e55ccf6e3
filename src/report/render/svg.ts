// Charts as inline SVG: a page that draws them needs no script, no library and no network.
import { count } from './text.js';

export const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Series {
  name: string;
  colour: string;
  counts: readonly number[];
}

export interface StackedBarsOptions {
  /** The chart's name in `data-chart`, for tests and styles. */
  chart: string;
  title: string;
  series: readonly Series[];
  /** Each bucket's label (its start), shown under some bars and in every tooltip. */
  labels: readonly string[];
  width?: number;
  height?: number;
}

/** A round number at or above `n` whose half is a whole number too, for the y axis. */
function niceCeiling(n: number): number {
  if (n <= 10) return Math.max(2, Math.ceil(n / 2) * 2);
  const power = 10 ** Math.floor(Math.log10(n));
  const step = [1, 1.2, 1.6, 2, 2.4, 3, 4, 5, 6, 8, 10].find((s) => Math.round(s * power) >= n) ?? 10;
  return Math.round(step * power);
}

const LEFT = 52;
const BOTTOM = 30;
const TOP = 10;
const RIGHT = 8;

/** Bars over time, one segment a series, stacked; a `rect.bar` for each non-zero count. */
export function stackedBars(options: StackedBarsOptions): string {
  const { chart, title, series, labels } = options;
  const width = options.width ?? 960;
  const height = options.height ?? 240;
  const plotWidth = width - LEFT - RIGHT;
  const plotHeight = height - TOP - BOTTOM;
  const buckets = labels.length;
  const totals = labels.map((_, i) => series.reduce((sum, s) => sum + (s.counts[i] ?? 0), 0));
  const top = niceCeiling(Math.max(0, ...totals));
  const step = plotWidth / Math.max(1, buckets);
  const gap = step > 6 ? 1 : 0;
  const y = (n: number) => TOP + plotHeight - (n / top) * plotHeight;
  const parts: string[] = [];
  for (const tick of [0, top / 2, top]) {
    parts.push(`<line class="grid" x1="${LEFT}" x2="${width - RIGHT}" y1="${y(tick).toFixed(1)}" y2="${y(tick).toFixed(1)}"/>`);
    parts.push(`<text class="axis" x="${LEFT - 6}" y="${(y(tick) + 4).toFixed(1)}" text-anchor="end">${count(tick)}</text>`);
  }
  const every = Math.max(1, Math.ceil(buckets / 8));
  for (let i = 0; i < buckets; i++) {
    const x = LEFT + i * step;
    let base = 0;
    for (const s of series) {
      const n = s.counts[i] ?? 0;
      if (n === 0) continue;
      const y0 = y(base);
      const y1 = y(base + n);
      base += n;
      parts.push(
        `<rect class="bar" data-series="${escapeXml(s.name)}" data-bucket="${i}" x="${x.toFixed(2)}" y="${y1.toFixed(2)}" width="${Math.max(0.5, step - gap).toFixed(2)}" height="${Math.max(0.5, y0 - y1).toFixed(2)}" fill="${s.colour}"><title>${escapeXml(`${labels[i]} · ${s.name}: ${count(n)}`)}</title></rect>`,
      );
    }
    if (i % every === 0)
      parts.push(`<text class="axis" x="${(x + step / 2).toFixed(1)}" y="${height - BOTTOM + 16}" text-anchor="middle">${escapeXml(labels[i]!)}</text>`);
  }
  parts.push(`<line class="baseline" x1="${LEFT}" x2="${width - RIGHT}" y1="${y(0)}" y2="${y(0)}"/>`);
  return `<svg class="chart" data-chart="${escapeXml(chart)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(title)}" xmlns="http://www.w3.org/2000/svg"><title>${escapeXml(title)}</title>${parts.join('')}</svg>`;
}

/** A horizontal bar, `share` (0 to 1) of the cell's width: one `rect.bar`. */
export function shareBar(share: number, colour: string, tooltip: string): string {
  const width = Math.max(0.5, share * 100).toFixed(2);
  return `<svg class="share" viewBox="0 0 100 10" preserveAspectRatio="none" xmlns="http://www.w3.org/2000/svg"><rect class="bar" x="0" y="0" width="${width}" height="10" fill="${colour}"><title>${escapeXml(tooltip)}</title></rect></svg>`;
}
