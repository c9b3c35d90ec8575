// The `/csv` response body → CSV text (amplitude-api.md §11.2 step 1).
import Papa from 'papaparse';
import { isObject } from '../../json.js';
import { AmplitudeBodyError } from '../errors.js';

/** The chart response is not one of the shapes the parser reads. */
export class ChartFormatError extends AmplitudeBodyError {
  override name = 'ChartFormatError';
}

/**
 * `{"data": "<csv>"}` → the CSV text. Also reads the legacy
 * `{"data": {"csvResponse": {"data": [...]}}}` whose items are rows (arrays of cells) or CSV lines.
 * `body` is the parsed JSON, or its text.
 */
export function extractChartCsv(body: unknown): string {
  const parsed = typeof body === 'string' ? parseJson(body) : body;
  if (!isObject(parsed)) {
    throw new ChartFormatError(`chart response is ${describe(parsed)}, not a JSON object`);
  }
  if (!('data' in parsed)) {
    const fields = Object.keys(parsed).join(', ') || 'none';
    throw new ChartFormatError(`chart response has no "data" field (fields: ${fields})`);
  }
  const data = parsed.data;
  if (typeof data === 'string') return data;
  if (isObject(data)) {
    const legacy = isObject(data.csvResponse) ? data.csvResponse.data : undefined;
    if (Array.isArray(legacy)) return legacyRowsToCsv(legacy);
    if ('series' in data) {
      throw new ChartFormatError(
        'chart response is the legacy /query JSON (data.series); only CSV results can be read',
      );
    }
  }
  throw new ChartFormatError(`chart response "data" is ${describe(data)}; expected CSV text`);
}

function legacyRowsToCsv(rows: unknown[]): string {
  const lines = rows.map((row, i) => {
    if (typeof row === 'string') return row;
    if (Array.isArray(row)) {
      return Papa.unparse([row.map((cell, j) => legacyCell(cell, i, j))], { quotes: true });
    }
    throw new ChartFormatError(
      `chart response data.csvResponse.data[${i}] is ${describe(row)}; expected a row of cells or a CSV line`,
    );
  });
  return lines.map((line) => `${line}\r\n`).join('');
}

function legacyCell(cell: unknown, row: number, column: number): string {
  if (typeof cell === 'string') return cell;
  if (typeof cell === 'number' || typeof cell === 'boolean') return String(cell);
  if (cell === null || cell === undefined) return '';
  throw new ChartFormatError(
    `chart response data.csvResponse.data[${row}][${column}] is ${describe(cell)}; expected a cell`,
  );
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ChartFormatError(`chart response is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
  }
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value === undefined) return 'missing';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
