// One table → one record per value cell (docs/chart-layouts.md, "Layouts" and "Rows of a chart
// stream"): label columns, forward-fill, ` #n` suffixes for repeated keys.
import { type CleanRow, isTextCell, parseValue } from './cells.js';
import type { TableRows } from './layout.js';
import type { ChartCell } from './types.js';

const LEVEL_SEPARATOR = ' / ';
const DATE_HEADER = /^\d{4}-\d{2}-\d{2}/;

export interface TableShape {
  readonly dimensionName: string;
  readonly segments: string[];
}

/** Appends the table's records to `out`; returns the dimension name and value columns. */
export function unpivotTable(
  table: TableRows,
  tableIndex: number,
  metric: string | null,
  out: ChartCell[],
  warnings: string[],
): TableShape {
  const header = table.header.cells;
  const width = table.width;
  const labelCount = countLabelColumns(header, table.rows, width);
  const dimensionName = header.slice(0, labelCount).join(LEVEL_SEPARATOR);
  const segments = new Unique((name, renamed) =>
    warnings.push(`table ${tableIndex}: column "${name}" repeats in the header; renamed to "${renamed}"`),
  );
  for (let c = labelCount; c < width; c++) {
    segments.add(header[c] === '' ? `column ${c + 1}` : header[c]!);
  }
  const segmentNames = segments.names;

  const labels = new Unique((name, renamed) =>
    warnings.push(`table ${tableIndex}: row label "${name}" repeats; renamed to "${renamed}"`),
  );
  const previous = new Array<string>(labelCount).fill('');
  for (const row of table.rows) {
    const dimensionValue = labels.add(fillLabels(row.cells, previous));
    const cells = row.cells;
    for (let c = labelCount, s = 0; c < width; c++, s++) {
      const text = cells[c] ?? '';
      out.push({
        table_index: tableIndex,
        dimension_name: dimensionName,
        dimension_value: dimensionValue,
        segment: segmentNames[s]!,
        value: parseValue(text),
        raw_value: text === '' ? null : text,
        metric,
      });
    }
  }
  return { dimensionName, segments: segmentNames };
}

/**
 * Column 0 is always a label; each next column is one too while every data row has a text cell
 * (by content, cells.ts) or an empty cell there, with at least one text cell. A column headed by
 * a date, and the last column, are always value columns. The TAB does not decide this, so a body
 * without TABs gives the same columns.
 */
function countLabelColumns(header: readonly string[], rows: readonly CleanRow[], width: number): number {
  let count = 1;
  for (let c = 1; c < width - 1; c++) {
    if (DATE_HEADER.test(header[c]!)) return count;
    let sawText = false;
    for (const row of rows) {
      if ((row.cells[c] ?? '') === '') continue;
      if (!isTextCell(row, c)) return count;
      sawText = true;
    }
    if (!sawText) return count;
    count = c + 1;
  }
  return count;
}

/** An empty label cell means "same as the row above"; `previous` carries the last labels. */
function fillLabels(cells: readonly string[], previous: string[]): string {
  for (let c = 0; c < previous.length; c++) {
    const cell = cells[c] ?? '';
    if (cell !== '') previous[c] = cell;
  }
  return previous.length === 1 ? previous[0]! : previous.join(LEVEL_SEPARATOR);
}

/** Names made unique with ` #2`, ` #3`, … suffixes, reporting each renaming. */
class Unique {
  readonly names: string[] = [];
  private readonly used = new Set<string>();
  private readonly lastSuffix = new Map<string, number>();

  constructor(private readonly onRename: (name: string, renamed: string) => void) {}

  add(name: string): string {
    let unique = name;
    if (this.used.has(name)) {
      let n = this.lastSuffix.get(name) ?? 1;
      do unique = `${name} #${++n}`;
      while (this.used.has(unique));
      this.lastSuffix.set(name, n);
      this.onRename(name, unique);
    }
    this.used.add(unique);
    this.names.push(unique);
    return unique;
  }
}
