// Renders a chart's CSV as GET /api/3/chart/{id}/csv carries it in `data` (docs/chart-layouts.md):
// CRLF lines, every cell quoted, quotes doubled, TAB inside the quotes for text cells only.

export interface ChartTable {
  metric: string | null;
  events: string[];
  /** The text after "Filters: " in block 2, or null for no filter line. */
  filters: string | null;
  header: string[];
  /** How many leading cells of header and rows are labels (text); the rest are values. */
  labelColumns: number;
  /** Cells as shown (no TAB); label cells left '' where a multi-level layout forward-fills. */
  rows: string[][];
}

export interface ChartContent {
  title: string;
  description: string[];
  tables: ChartTable[];
}

const quote = (cell: string): string => `"${cell.replace(/"/g, '""')}"`;
const text = (cell: string): string => (cell === '' ? '""' : quote(`\t${cell}`));
const line = (cells: string[]): string => `${cells.join(',')}\r\n`;

export function renderChartCsv(chart: ChartContent): string {
  let out = line([text(chart.title)]);
  for (const d of chart.description) out += line([text(d)]);
  for (const table of chart.tables) {
    out += '\r\n';
    if (table.metric !== null) out += line([text(table.metric)]);
    for (const e of table.events) out += line([text(e)]);
    if (table.filters !== null) out += line([text(`Filters: ${table.filters}`)]);
    out += '\r\n';
    out += line(table.header.map(text));
    for (const row of table.rows) {
      out += line(row.map((cell, k) => (k < table.labelColumns ? text(cell) : quote(cell))));
    }
  }
  return out;
}
