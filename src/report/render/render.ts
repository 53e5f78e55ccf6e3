import type { Report } from '../model.js';
import { renderCsv } from './csv.js';
import { renderHtml } from './html.js';
import { renderMarkdown } from './markdown.js';
import { renderTable, type TableOptions } from './table.js';

export type ReportFormat = 'table' | 'markdown' | 'json' | 'csv' | 'html';

export function render(format: ReportFormat, report: Report, table: TableOptions): string {
  switch (format) {
    case 'table':
      return renderTable(report, table);
    case 'markdown':
      return renderMarkdown(report);
    case 'json':
      return JSON.stringify(report, null, 2) + '\n';
    case 'csv':
      return renderCsv(report);
    case 'html':
      return renderHtml(report);
  }
}
