import type { Report } from '../model.js';
import type { TableOptions } from './table.js';

export type ReportFormat = 'table' | 'markdown' | 'json' | 'csv' | 'html';

/** The report as text in `format`; only that format's renderer is loaded (a merge's whole run is a few of them long). */
export async function render(format: ReportFormat, report: Report, table: TableOptions): Promise<string> {
  switch (format) {
    case 'table':
      return (await import('./table.js')).renderTable(report, table);
    case 'markdown':
      return (await import('./markdown.js')).renderMarkdown(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'csv':
      return (await import('./csv.js')).renderCsv(report);
    case 'html':
      return (await import('./html.js')).renderHtml(report);
  }
}
