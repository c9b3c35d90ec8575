// Saved-chart results: the `/csv` body → one record per value cell plus the chart's metadata.
// docs/chart-layouts.md is the contract for the layouts read here.
import Papa from 'papaparse';
import { type CleanRow, cleanRow, parseValue } from './chart-csv/cells.js';
import { detectInterval } from './chart-csv/interval.js';
import { type Line, type RawRow, splitLayout } from './chart-csv/layout.js';
import { type Preamble, readPreamble } from './chart-csv/preamble.js';
import type { ChartCell, ChartMetadata, ParsedChart } from './chart-csv/types.js';
import { type TableShape, unpivotTable } from './chart-csv/unpivot.js';

export { ChartFormatError, extractChartCsv } from './chart-csv/extract.js';
export type { ChartCell, ChartMetadata, ParsedChart } from './chart-csv/types.js';

const BOM = 0xfeff;
const RAW_DIMENSION = '(raw)';
const REASON_AFTER_LAST_TABLE = 'text after the last table';
const REASON_EXTRA_PREAMBLE = 'preamble line outside the title and metric blocks';
/** Row numbers listed per warning; the rest are counted. */
const LISTED_ROWS = 10;

/** Parses the CSV text of one chart; records carry no chart_id (the stream adds it). */
export function parseChartCsv(csvText: string): ParsedChart {
  const text = csvText.charCodeAt(0) === BOM ? csvText.slice(1) : csvText;
  const parsed = Papa.parse<string[]>(text, { delimiter: ',', quoteChar: '"', skipEmptyLines: false });
  const warnings: string[] = [];
  // In a row with broken quoting every quote left in a cell is an artefact, not label text.
  const brokenQuotes = new Set<number>();
  for (const error of parsed.errors) {
    const index = error.row ?? 0;
    const fix = error.type === 'Quotes' ? '; its stray quotes were removed' : '';
    if (fix !== '') brokenQuotes.add(index);
    warnings.push(`CSV row ${index + 1}: ${error.message}${fix}`);
  }
  const rows = parsed.data.map((cells, i) =>
    cleanRow(brokenQuotes.has(i) ? cells.map((cell) => cell.replaceAll('"', '')) : cells, i + 1),
  );
  const layout = splitLayout(rows);

  const cells: ChartCell[] = [];
  const raw: RawRow[] = [...layout.raw];
  const shapes: TableShape[] = [];
  const filters: string[] = [];
  let first: Preamble | undefined;
  let rowCount = 0;
  layout.tables.forEach((table, t) => {
    const preamble = readPreamble(table.blocks, t === 0);
    first ??= preamble;
    filters.push(...preamble.filters);
    raw.push(...linesAsRows(preamble.unrecognised, t, REASON_EXTRA_PREAMBLE));
    shapes.push(unpivotTable(table, t, preamble.metric, cells, warnings));
    rowCount += table.rows.length;
  });
  if (first === undefined) {
    // Without a table the whole text is preamble: it still names the chart.
    first = readPreamble(layout.trailing, true);
    filters.push(...first.filters);
    raw.push(...linesAsRows(first.unrecognised, 0, REASON_EXTRA_PREAMBLE));
    warnings.push('no table found: the chart CSV has no header row');
  } else {
    raw.push(...linesAsRows(layout.trailing.flat(), layout.tables.length - 1, REASON_AFTER_LAST_TABLE));
  }
  appendRaw(raw, cells, warnings);

  const firstShape = shapes[0];
  const metadata: ChartMetadata = {
    title: first.title,
    description: first.description,
    metric: first.metric,
    event: first.events.length > 0 ? first.events.join(', ') : null,
    dimension: firstShape?.dimensionName ?? null,
    filters: filters.length > 0 ? [...new Set(filters)].join('\n') : null,
    interval: firstShape ? detectInterval(firstShape.segments) : null,
    table_count: layout.tables.length,
    row_count: rowCount,
    column_count: firstShape?.segments.length ?? 0,
  };
  return { metadata, cells, warnings };
}

function linesAsRows(lines: readonly Line[], tableIndex: number, reason: string): RawRow[] {
  return lines.map((line) => ({
    row: { number: line.row, cells: [...line.cells], text: [], nonEmpty: line.cells.length },
    tableIndex,
    reason,
  }));
}

/** Every non-empty cell of an unrecognised row becomes a `(raw)` record, in CSV order. */
function appendRaw(raw: RawRow[], out: ChartCell[], warnings: string[]): void {
  raw.sort((a, b) => a.row.number - b.row.number);
  const byReason = new Map<string, number[]>();
  for (const { row, tableIndex, reason } of raw) {
    pushRawCells(row, tableIndex, out);
    const numbers = byReason.get(reason) ?? [];
    numbers.push(row.number);
    byReason.set(reason, numbers);
  }
  for (const [reason, numbers] of byReason) {
    const listed = numbers.slice(0, LISTED_ROWS).join(', ');
    const more = numbers.length > LISTED_ROWS ? ` and ${numbers.length - LISTED_ROWS} more` : '';
    const what = numbers.length === 1 ? `CSV row ${listed}` : `CSV rows ${listed}${more}`;
    warnings.push(`unrecognised layout (${reason}) in ${what}: kept as ${RAW_DIMENSION} records`);
  }
}

function pushRawCells(row: CleanRow, tableIndex: number, out: ChartCell[]): void {
  row.cells.forEach((text, c) => {
    if (text === '') return;
    out.push({
      table_index: tableIndex,
      dimension_name: RAW_DIMENSION,
      dimension_value: `row ${row.number}`,
      segment: `column ${c + 1}`,
      value: parseValue(text),
      raw_value: text,
      metric: null,
    });
  });
}
