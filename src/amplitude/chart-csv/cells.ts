// Cell rules of the chart CSV (docs/chart-layouts.md, "Envelope and cells" and "Rows of a chart
// stream"). These run once per cell, so they use character checks instead of regular expressions.

const TAB = 9;
const QUOTE = 34;
const PERCENT = 37;
const ZERO = 48;
const BACKSLASH = 92;
const LOWER_T = 116;
const LOWER_B = 98;
const LOWER_O = 111;
const LOWER_X = 120;

/** One CSV record after cleaning. */
export interface CleanRow {
  /** 1-based record number in the CSV (names raw records, appears in warnings). */
  readonly number: number;
  /** Cell texts: one leading TAB dropped, trimmed, no TAB left. */
  readonly cells: string[];
  /** Which cells carried the leading TAB: only a hint (exports may come without it). */
  readonly text: boolean[];
  /** How many cells are non-empty after cleaning. */
  readonly nonEmpty: number;
}

/** Cleans a parsed record in place (the cell array is reused, not copied). */
export function cleanRow(cells: string[], number: number): CleanRow {
  const text = new Array<boolean>(cells.length);
  let nonEmpty = 0;
  for (let i = 0; i < cells.length; i++) {
    let s = cells[i]!;
    let isText = false;
    if (s.length > 0) {
      // A cell still wrapped in quotes kept a CSV quoting layer nobody decoded (e.g. a legacy row
      // whose cells were already quoted): inside are a TAB-marked text or a number. Any other
      // quoted text is a label that really has quotes (`"quoted"` in an export without TABs).
      if (s.charCodeAt(0) === QUOTE && s.length >= 2 && s.charCodeAt(s.length - 1) === QUOTE) {
        const inner = s.slice(1, -1);
        if (inner.charCodeAt(0) === TAB || parseValue(inner) !== null) s = inner.replaceAll('""', '"');
      }
      const first = s.charCodeAt(0);
      if (first === TAB) {
        s = s.slice(1);
        isText = true;
      } else if (first === BACKSLASH && s.charCodeAt(1) === LOWER_T) {
        // The TAB marker once escaped twice arrives as the two characters `\t`.
        s = s.slice(2);
        isText = true;
      }
      s = s.trim();
      if (s.indexOf('\t') !== -1) s = s.replaceAll('\t', ' ');
      if (s.length > 0) nonEmpty++;
      cells[i] = s;
    }
    text[i] = isText;
  }
  return { number, cells, text, nonEmpty };
}

/** `%` stripped; commas only as thousands separators (`1,234.5`), never as a decimal comma. */
const GROUPED = /^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$/;

/**
 * A cleaned cell as a number, or null when it is empty or not a finite number
 * (`-`, `NaN`, `Infinity`, `∞`, any other text). `12.5%` → 12.5, `1,234` → 1234.
 */
export function parseValue(s: string): number | null {
  if (s.length === 0) return null;
  const n = decimal(s);
  return n !== null ? n : parseFormatted(s);
}

function parseFormatted(s: string): number | null {
  let t = s;
  if (t.charCodeAt(t.length - 1) === PERCENT) t = t.slice(0, -1).trimEnd();
  if (t.indexOf(',') !== -1) {
    if (!GROUPED.test(t)) return null;
    t = t.replaceAll(',', '');
  }
  return t.length === 0 || t === s ? null : decimal(t);
}

/** Number() of a non-empty trimmed string when finite and written in decimal. */
function decimal(s: string): number | null {
  const n = +s;
  // n - n is 0 only for finite numbers (NaN and ±Infinity give NaN).
  if (n - n !== 0) return null;
  // Number() also reads 0x1f, 0o17 and 0b11; those are text here, not values.
  if (s.length > 2 && s.charCodeAt(0) === ZERO && isRadixLetter(s.charCodeAt(1))) return null;
  return n;
}

function isRadixLetter(code: number): boolean {
  const lower = code | 32;
  return lower === LOWER_X || lower === LOWER_O || lower === LOWER_B;
}

/** Cells that stand for "no number" in a value column: neither a label nor a value. */
const PLACEHOLDERS = new Set(['-', '–', '—', 'NaN', 'Infinity', '+Infinity', '-Infinity', '∞', '-∞']);

/**
 * Whether a cleaned, non-empty cell reads as text (a label) by its content: not a number and not
 * a placeholder. A cell that carried the TAB is text too (the hint), so a numeric label such as a
 * version `2` stays a label when the export has its TABs.
 */
export function isTextCell(row: CleanRow, c: number): boolean {
  const s = row.cells[c] ?? '';
  if (s === '') return false;
  if (row.text[c]) return true;
  return parseValue(s) === null && !PLACEHOLDERS.has(s);
}

/** A cell a data row can hold in a value column: a number, a placeholder or nothing. */
export function isValueLike(s: string): boolean {
  return s === '' || PLACEHOLDERS.has(s) || parseValue(s) !== null;
}
