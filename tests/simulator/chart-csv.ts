// Renders a chart's CSV as GET /api/3/chart/{id}/csv carries it in `data` (docs/chart-layouts.md):
// CRLF lines, every cell quoted, quotes doubled, TAB inside the quotes for text cells only (or no
// TAB at all, as exports taken with Amplitude's "no leading spaces" setting).

export interface ChartTable {
  /** The metric the tap must report for this table (docs/chart-layouts.md), or null. */
  metric: string | null;
  /**
   * How the metric line is written when it is not the metric alone: a funnel's view line in
   * several cells (`Conversion Over Time`,`Overall`), or `['']` for an empty metric line (a TAB
   * alone). Absent: one cell, the metric.
   */
  metricCells?: string[];
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
  /** false: the export has no TAB anywhere. Default true. */
  tabs?: boolean;
}

const quote = (cell: string): string => `"${cell.replace(/"/g, '""')}"`;
const line = (cells: string[]): string => `${cells.join(',')}\r\n`;

/** The lines before a table's header, as cells (no TAB): metric or view line, events, filters. */
export function metricLines(table: ChartTable): string[][] {
  const lines: string[][] = [];
  if (table.metricCells !== undefined) lines.push(table.metricCells);
  else if (table.metric !== null) lines.push([table.metric]);
  for (const e of table.events) lines.push([e]);
  if (table.filters !== null) lines.push([`Filters: ${table.filters}`]);
  return lines;
}

export function renderChartCsv(chart: ChartContent): string {
  const tab = chart.tabs === false ? '' : '\t';
  const text = (cell: string): string => (cell === '' ? '""' : quote(`${tab}${cell}`));
  // A preamble line keeps its TAB even when empty (the empty metric line is a TAB alone).
  const preamble = (cells: string[]): string => line(cells.map((c) => quote(`${tab}${c}`)));
  let out = preamble([chart.title]);
  for (const d of chart.description) out += preamble([d]);
  for (const table of chart.tables) {
    out += '\r\n';
    for (const cells of metricLines(table)) out += preamble(cells);
    out += '\r\n';
    out += line(table.header.map(text));
    for (const row of table.rows) {
      out += line(row.map((cell, k) => (k < table.labelColumns ? text(cell) : quote(cell))));
    }
  }
  return out;
}
