// Splits the cleaned CSV records into preamble blocks, tables and unrecognised rows
// (docs/chart-layouts.md, "Blocks" and "Unrecognised").
import { type CleanRow, parseValue } from './cells.js';

/** A one-cell row of the preamble (title, description, metric, event, filters). */
export interface Line {
  readonly text: string;
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

  for (const row of rows) {
    if (table !== null) {
      if (row.nonEmpty === 0) {
        table = null;
        continue;
      }
      if (row.cells.length >= 2) {
        if (hasCellBeyond(row, table.width)) {
          raw.push({ row, tableIndex: tableIndex(), reason: REASON_LONGER });
        } else {
          table.rows.push(row);
        }
        continue;
      }
      // A one-cell row ends the table without a blank row: it starts the next preamble.
      table = null;
    }
    if (row.nonEmpty === 0) {
      closeBlock();
    } else if (row.nonEmpty === 1 && row.cells[0] !== '') {
      block.push({ text: row.cells[0]!, row: row.number });
    } else if (isHeader(row)) {
      closeBlock();
      table = { blocks, header: row, width: lastNonEmpty(row) + 1, rows: [] };
      tables.push(table);
      blocks = [];
    } else {
      raw.push({ row, tableIndex: tableIndex(), reason: REASON_NO_HEADER });
    }
  }
  closeBlock();
  return { tables, trailing: blocks, raw };
}

/** A header has two or more non-empty cells and none of them is a bare number (a value cell). */
function isHeader(row: CleanRow): boolean {
  if (row.nonEmpty < 2) return false;
  for (let i = 0; i < row.cells.length; i++) {
    if (!row.text[i] && parseValue(row.cells[i]!) !== null) return false;
  }
  return true;
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
