// The cell rules of docs/chart-layouts.md ("Envelope and cells"), one function at a time, with
// expected values worked out by hand from those rules.
import { describe, expect, it } from '@jest/globals';
import { type CleanRow, cleanRow, isTextCell, isValueLike, parseValue } from '../../src/amplitude/chart-csv/cells.js';
import { detectInterval } from '../../src/amplitude/chart-csv/interval.js';
import type { Line } from '../../src/amplitude/chart-csv/layout.js';
import { readPreamble } from '../../src/amplitude/chart-csv/preamble.js';

describe('parseValue', () => {
  it.each([
    ['12', 12],
    ['-3.5', -3.5],
    ['+4', 4],
    ['0', 0],
    ['00', 0],
    ['0.25', 0.25],
    ['1.', 1],
    ['1e3', 1000],
    ['0e1', 0],
  ])('reads the plain number %j as %p', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });

  it.each([
    ['12.5%', 12.5],
    ['12.5 %', 12.5],
    ['-7%', -7],
    ['1,234', 1234],
    ['1,234.5', 1234.5],
    ['-1,234,567', -1234567],
    ['+12,000', 12000],
    ['1,234.', 1234],
    ['1,234%', 1234],
    ['999,999.25 %', 999999.25],
  ])('strips the percent sign and thousands separators of %j: %p', (text, value) => {
    expect(parseValue(text)).toBe(value);
  });

  it.each([
    '',
    '%',
    ' %',
    '5%%',
    '%5',
    'abc',
    'NaN',
    'Infinity',
    '-Infinity',
    '∞',
    '-',
    '12,34',
    '1,2345',
    '1234,567',
    ',123',
    '1,,234',
    '1,234,56',
    '1.5,000',
    '1,234x',
    'x1,234',
    '0x1f',
    '0X1F',
    '0o17',
    '0O17',
    '0b11',
    '0B11',
  ])('gives null for %j, which is not a finite decimal number', (text) => {
    expect(parseValue(text)).toBeNull();
  });
});

describe('isValueLike and isTextCell', () => {
  const row = (cells: string[], text: boolean[] = cells.map(() => false)): CleanRow => ({
    number: 1,
    cells,
    text,
    nonEmpty: cells.filter((c) => c !== '').length,
  });

  it('counts numbers, placeholders and empty cells as values', () => {
    for (const s of ['', '12', '12.5%', '1,234', '-', '–', '—', 'NaN', 'Infinity', '+Infinity', '-Infinity', '∞', '-∞']) {
      expect([s, isValueLike(s)]).toEqual([s, true]);
    }
    for (const s of ['abc', 'Total', '+∞', 'nan', 'infinity', '--']) {
      expect([s, isValueLike(s)]).toEqual([s, false]);
    }
  });

  it('reads a cell as text by its content, or by the TAB hint', () => {
    const r = row(['United States', '12', '-', '', '2', 'NaN', '∞', '5%'], [false, false, false, false, true, false, false, false]);
    expect(r.cells.map((_, c) => isTextCell(r, c))).toEqual([true, false, false, false, true, false, false, false]);
    expect(isTextCell(r, 20)).toBe(false);
  });

  it('an empty cell is never text, even with the TAB hint', () => {
    expect(isTextCell(row([''], [true]), 0)).toBe(false);
  });
});

describe('cleanRow', () => {
  it('drops one leading TAB (or its escaped form \\t), trims, and marks the cell as text', () => {
    const cells = ['\tName', '\\tName', '  x  ', '\t a\tb ', 'a\tb', '\t\tdouble'];
    const row = cleanRow(cells, 7);
    expect(row.cells).toEqual(['Name', 'Name', 'x', 'a b', 'a b', 'double']);
    expect(row.text).toEqual([true, true, false, true, false, true]);
    expect(row.number).toBe(7);
    expect(row.nonEmpty).toBe(6);
  });

  it('cleans the array it is given in place', () => {
    const cells = ['\tA', '1'];
    expect(cleanRow(cells, 1).cells).toBe(cells);
    expect(cells).toEqual(['A', '1']);
  });

  it('counts only the cells left non-empty; a TAB alone is an empty text cell', () => {
    const row = cleanRow(['', '\t', '  ', '\\t', '5'], 2);
    expect(row.cells).toEqual(['', '', '', '', '5']);
    expect(row.text).toEqual([false, true, false, true, false]);
    expect(row.nonEmpty).toBe(1);
  });

  it('a backslash not followed by t is kept', () => {
    expect(cleanRow(['\\x', '\\'], 1).cells).toEqual(['\\x', '\\']);
    expect(cleanRow(['\\x', '\\'], 1).text).toEqual([false, false]);
  });

  it('undoes a leftover quoting layer around a TAB-marked text or a number, and only then', () => {
    const row = cleanRow(['"\tA ""b"""', '"12"', '"1,234"', '"quoted"', '"', '""', '"\t"'], 3);
    expect(row.cells).toEqual(['A "b"', '12', '1,234', '"quoted"', '"', '""', '']);
    expect(row.text).toEqual([true, false, false, false, false, false, true]);
    expect(row.nonEmpty).toBe(6);
  });

  it('keeps doubled quotes inside a quoted label that is neither marked nor a number', () => {
    expect(cleanRow(['"a ""b"""'], 1).cells).toEqual(['"a ""b"""']);
    expect(cleanRow(['"12" and more"'], 1).cells).toEqual(['"12" and more"']);
  });
});

describe('detectInterval', () => {
  it.each([
    [['2026-01-05'], 'day'],
    [['2026-01-05T00:00:00'], 'week'],
    [['2026-01-05', '2026-01-06', '2026-01-07'], 'day'],
    [['2025-12-31', '2026-01-01'], 'day'],
    [['2026-01-05', '2026-01-12', '2026-01-19'], 'week'],
    [['2026-01-05T00:00:00', '2026-01-12T00:00:00'], 'week'],
    [['2026-01-01', '2026-02-01', '2026-03-01'], 'month'],
    [['2025-12-01', '2026-01-01'], 'month'],
  ])('%j → %s', (columns, interval) => {
    expect(detectInterval(columns)).toBe(interval);
  });

  it.each([
    [[]],
    [['Total']],
    [['2026-01-05', 'Total']],
    [['x2026-01-05']],
    [['2026-01-05x']],
    [['2026-01-05T00:00:01']],
    [['2026-02-30']],
    [['2026-13-01']],
    [['2026-01-05', '2026-01-07']],
    [['2026-01-06', '2026-01-05']],
    [['2026-01-01', '2026-01-02', '2026-01-09']],
    [['2026-01-05', '2026-01-12', '2026-01-13']],
    [['2026-01-15', '2026-02-15']],
    [['2026-01-01', '2026-02-01', '2026-04-01']],
    [['2026-01-05', '2026-01-06T00:00:00']],
    [['2026-01-05T00:00:00', '2026-01-06']],
  ])('%j has no interval', (columns) => {
    expect(detectInterval(columns)).toBeNull();
  });
});

describe('readPreamble', () => {
  let row = 0;
  const line = (text: string): Line => ({ text, cells: [text], row: ++row });
  const texts = (lines: readonly Line[]) => lines.map((l) => l.text);

  it('first table: title and description lines, then metric and events, then the rest', () => {
    const blocks = [
      [line('Weekly actives'), line('first line'), line(''), line('second line')],
      [line('Uniques'), line('Sign up'), line(''), line('Purchase')],
      [line('extra one'), line('')],
      [line('extra two')],
    ];
    const p = readPreamble(blocks, true);
    expect(p.title).toBe('Weekly actives');
    expect(p.description).toBe('first line\nsecond line');
    expect(p.metric).toBe('Uniques');
    expect(p.events).toEqual(['Sign up', 'Purchase']);
    expect(p.filters).toEqual([]);
    expect(texts(p.unrecognised)).toEqual(['extra one', 'extra two']);
  });

  it('a later table has only a metric block; everything after it is unrecognised', () => {
    const p = readPreamble([[line('Totals'), line('Any event')], [line('stray')]], false);
    expect(p).toMatchObject({ title: null, description: null, metric: 'Totals', events: ['Any event'] });
    expect(texts(p.unrecognised)).toEqual(['stray']);
  });

  it('Filters: lines, in any case and any block, become filters and leave their blocks', () => {
    const blocks = [
      [line('Title'), line('FILTERS: platform = iOS')],
      [line('filters:   country = US  '), line('Uniques'), line('Filters:'), line('Sign up')],
    ];
    const p = readPreamble(blocks, true);
    expect(p.filters).toEqual(['platform = iOS', 'country = US']);
    expect(p).toMatchObject({ title: 'Title', description: null, metric: 'Uniques', events: ['Sign up'] });
    expect(p.unrecognised).toEqual([]);
  });

  it('the title line is the title even when it starts with Filters:', () => {
    const p = readPreamble([[line('Filters: the chart'), line('Filters: a = b')], [line('m')]], true);
    expect(p.title).toBe('Filters: the chart');
    expect(p.filters).toEqual(['a = b']);
    expect(p.description).toBeNull();
  });

  it('a block left empty by its filters does not count as a block', () => {
    const p = readPreamble([[line('Title')], [line('Filters: a = b')], [line('Uniques'), line('Sign up')]], true);
    expect(p.metric).toBe('Uniques');
    expect(p.events).toEqual(['Sign up']);
    expect(p.unrecognised).toEqual([]);
  });

  it('empty title and metric lines read as null; no blocks give all nulls', () => {
    expect(readPreamble([[line(''), line('desc')], [line(''), line('ev')]], true)).toMatchObject({
      title: null,
      description: 'desc',
      metric: null,
      events: ['ev'],
    });
    expect(readPreamble([], true)).toEqual({ title: null, description: null, metric: null, events: [], filters: [], unrecognised: [] });
    expect(readPreamble([], false)).toEqual({ title: null, description: null, metric: null, events: [], filters: [], unrecognised: [] });
  });
});
