// Splits the cleaned CSV records into preamble blocks, tables and unrecognised rows
// (docs/chart-layouts.md, "Blocks" and "Unrecognised"). Every decision reads the cells' content;
// the TAB marker only breaks ties (cells.ts), so an export without TABs splits the same way.
import { type CleanRow, isTextCell, isValueLike } from './cells.js';

/** A preamble row (title, description, metric, view, event, filters), with all its cells. */
export interface Line {
  /** The non-empty cells joined: `A` alone, or `A (B, C)` for a line of several cells. */
  readonly text: string;
  /** The cleaned cells as exported (empty ones included), for raw records. */
  readonly cells: readonly string[];
  readonly row: number;
}

export interface TableRows {
  /** Preamble blocks between the previous table (or the start) and this header. */
  readonly blocks: Line[][];
  readonly header: CleanRow;
  /** Header cells up to the last non-empty one: trailing empty cells name no column. */
  readonly width: number;
  readonly rows: CleanRow[];
}

export interface RawRow {
  readonly row: CleanRow;
  /** The table the row sits in or follows; 0 before the first table. */
  readonly tableIndex: number;
  readonly reason: string;
}

export interface Layout {
  readonly tables: TableRows[];
  /** Blocks after the last table; all blocks when there is no table. */
  readonly trailing: Line[][];
  readonly raw: RawRow[];
}

export const REASON_NO_HEADER = 'table row without a header';
export const REASON_LONGER = 'row longer than its header';

export function splitLayout(rows: readonly CleanRow[]): Layout {
  const tables: TableRows[] = [];
  const raw: RawRow[] = [];
  let blocks: Line[][] = [];
  let block: Line[] = [];
  let table: TableRows | null = null;

  const closeBlock = (): void => {
    if (block.length > 0) blocks.push(block);
    block = [];
  };
  const tableIndex = (): number => Math.max(tables.length - 1, 0);

  rows.forEach((row, i) => {
    if (table !== null) {
      if (row.nonEmpty === 0) {
        table = null;
        return;
      }
      if (row.cells.length >= 2) {
        if (hasCellBeyond(row, table.width)) raw.push({ row, tableIndex: tableIndex(), reason: REASON_LONGER });
        else table.rows.push(row);
        return;
      }
      // A one-cell row ends the table without a blank row: it starts the next preamble.
      table = null;
    }
    if (isEmptyLine(row)) {
      block.push({ text: '', cells: [''], row: row.number });
    } else if (row.nonEmpty === 0) {
      closeBlock();
    } else if (isHeader(row, rows[i + 1])) {
      closeBlock();
      table = { blocks, header: row, width: lastNonEmpty(row) + 1, rows: [] };
      tables.push(table);
      blocks = [];
    } else if (hasValueBeyondFirst(row, false)) {
      raw.push({ row, tableIndex: tableIndex(), reason: REASON_NO_HEADER });
    } else {
      block.push(lineOf(row));
    }
  });
  closeBlock();
  return { tables, trailing: blocks, raw };
}

/**
 * A line that is a TAB alone (an empty metric line, as in a real weekly export) keeps its place in
 * its block. Without the TAB it is a blank row: the metric is null either way.
 */
function isEmptyLine(row: CleanRow): boolean {
  return row.cells.length === 1 && row.cells[0] === '' && row.text[0] === true;
}

/**
 * A header names two or more columns, none of them by a number, and the next row is a data row.
 * A row of text cells followed by a blank row or a one-cell line (a funnel's view line, e.g.
 * `Conversion Over Time`,`Overall`) is a preamble line instead.
 */
function isHeader(row: CleanRow, next: CleanRow | undefined): boolean {
  if (row.nonEmpty < 2 || next === undefined || !isDataRow(next)) return false;
  for (let c = 1; c < row.cells.length; c++) {
    if (row.cells[c] !== '' && !isTextCell(row, c)) return false;
  }
  return true;
}

/** Two or more cells, something in them, and a cell after the first that can be a value. */
function isDataRow(row: CleanRow): boolean {
  return row.cells.length >= 2 && row.nonEmpty >= 1 && hasValueBeyondFirst(row);
}

/** A cell after the first that is a number or a placeholder (or, with `empty`, nothing). */
function hasValueBeyondFirst(row: CleanRow, empty = true): boolean {
  for (let c = 1; c < row.cells.length; c++) {
    const cell = row.cells[c]!;
    if (cell === '' ? empty : isValueLike(cell)) return true;
  }
  return false;
}

function lineOf(row: CleanRow): Line {
  const [first, ...rest] = row.cells.filter((cell) => cell !== '');
  const text = rest.length > 0 ? `${first} (${rest.join(', ')})` : first!;
  return { text, cells: row.cells, row: row.number };
}

function lastNonEmpty(row: CleanRow): number {
  let i = row.cells.length - 1;
  while (i > 0 && row.cells[i] === '') i--;
  return i;
}

function hasCellBeyond(row: CleanRow, width: number): boolean {
  for (let i = width; i < row.cells.length; i++) if (row.cells[i] !== '') return true;
  return false;
}
