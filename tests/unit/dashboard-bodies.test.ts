// The Dashboard REST body readers on the bodies the recorded fixtures do not show (amplitude-api.md
// §6–§10): odd series and labels, annotation and cohort times at the edges of RFC 3339, values of
// the wrong type, and the messages naming each endpoint. Expected values written by hand.
import { describe, expect, it } from '@jest/globals';
import {
  activeUsersByDay,
  annotationsFromV2,
  annotationsFromV3,
  cohortsFrom,
  DashboardBodyError,
  eventTypesFrom,
  sessionLengthByDay,
} from '../../src/amplitude/dashboard.js';

describe('daily series (/api/2/users, /api/2/sessions/average)', () => {
  it('labels: a number or a list in seriesLabels, else a string in seriesMeta, else the index; only finite numbers count', () => {
    // Parsed from text as the client does: 1e400 is Infinity once parsed.
    const body: unknown = JSON.parse(`{"data": {
      "xValues": ["2024-10-01", "2024-10-02T00:00:00"],
      "series": [[1, null], [2, "5"], [3, 1e400], [4, 5]],
      "seriesLabels": [2024, ["US", "iOS"], null],
      "seriesMeta": ["not read", "not read", "Canada"]
    }}`);
    const { rows, warnings } = activeUsersByDay(body);
    expect(rows).toStrictEqual([
      { date: '2024-10-01', statistics: { '2024': 1, '["US","iOS"]': 2, Canada: 3, '3': 4 } },
      { date: '2024-10-02', statistics: { '3': 5 } },
    ]);
    expect(warnings).toEqual([]);
  });

  it('a body without a series list warns once and gives dates with no values', () => {
    expect(activeUsersByDay({ data: { xValues: ['2024-10-01'] } })).toStrictEqual({
      rows: [{ date: '2024-10-01', statistics: {} }],
      warnings: ['users: Amplitude returned 1 dates but no series (no values for 2024-10-01..2024-10-01)'],
    });
  });

  it('no dates and no series: nothing, and nothing to warn about', () => {
    expect(activeUsersByDay({ data: { xValues: [], series: [] } })).toStrictEqual({ rows: [], warnings: [] });
  });

  it('a series longer than the dates, one that is not a list, and values without dates', () => {
    const longer = activeUsersByDay({ data: { xValues: ['2024-10-01', '2024-10-02'], series: [[1, 2, 3]] } });
    expect(longer.rows).toStrictEqual([
      { date: '2024-10-01', statistics: { '0': 1 } },
      { date: '2024-10-02', statistics: { '0': 2 } },
    ]);
    expect(longer.warnings).toEqual(['users: series "0" has 3 values for 2 dates (2024-10-01..2024-10-02); the extra values are ignored']);

    const notAList = activeUsersByDay({ data: { xValues: ['2024-10-01'], series: [null], seriesLabels: ['A'] } });
    expect(notAList.rows).toStrictEqual([{ date: '2024-10-01', statistics: {} }]);
    expect(notAList.warnings).toEqual(['users: series "A" has 0 values for 1 dates (2024-10-01..2024-10-01); the dates without a value get none']);

    expect(activeUsersByDay({ data: { xValues: [], series: [[1]] } })).toStrictEqual({
      rows: [],
      warnings: ['users: series "0" has 1 values for 0 dates (no dates); the extra values are ignored'],
    });
  });

  it('an xValue that only looks like a date as text is not one', () => {
    expect(() => activeUsersByDay({ data: { xValues: [['2026-09-20']], series: [] } })).toThrow(
      'users: data.xValues[0] is ["2026-09-20"], not a date',
    );
  });

  it('the error class names itself', () => {
    let caught: unknown;
    try {
      sessionLengthByDay({ data: {} });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(DashboardBodyError);
    expect(String(caught)).toBe('DashboardBodyError: sessions/average: the response has no data.xValues list; cannot read it');
  });

  it('sessions/average with two series reads the first and says so', () => {
    const body = { data: { xValues: ['2026-09-17T00:00:00', '2026-09-18T00:00:00'], series: [[30.5, 'x'], [99, 98]] } };
    expect(sessionLengthByDay(body)).toStrictEqual({
      rows: [
        { date: '2026-09-17', length: 30.5 },
        { date: '2026-09-18', length: null },
      ],
      warnings: ['sessions/average: 2 series returned; only the first is read'],
    });
  });
});

describe('annotation times and fields (/api/3/annotations)', () => {
  const base = { label: 'x', details: null, category: null };

  it('plain dates, zone-less times (UTC) and offsets all end in Z', () => {
    const { rows, warnings } = annotationsFromV3({
      data: [
        { id: 1, ...base, start: '2026-06-16', end: '2026-06-16T12:30:00' },
        { id: 2, ...base, start: '2026-06-16T23:30:00-05:00', end: '2026-06-17' },
      ],
    });
    expect(rows.map((r) => [r.start, r.end, r.date])).toEqual([
      ['2026-06-16T00:00:00Z', '2026-06-16T12:30:00Z', '2026-06-16'],
      // 23:30 at -05:00 is 04:30 UTC the next day; `date` is the UTC day.
      ['2026-06-17T04:30:00Z', '2026-06-17T00:00:00Z', '2026-06-17'],
    ]);
    expect(warnings).toEqual([]);
  });

  it('RFC 3339 years 0000..9999, counted in UTC; outside them, or not text, null with a warning', () => {
    const { rows, warnings } = annotationsFromV3({
      data: [
        { id: 1, ...base, start: '0000-01-01T00:00:00Z', end: '9999-12-31T23:59:59Z' },
        { id: 2, ...base, start: '-000001-12-31T00:00:00Z', end: '+010000-01-01T00:00:00Z' },
        // Still 9999 at -05:00, but 10000-01-01T04:00 in UTC.
        { id: 3, ...base, start: '9999-12-31T23:00:00-05:00', end: null },
        { id: 4, ...base, start: ['2026-06-16T00:00:00Z'], end: 1781554538 },
      ],
    });
    expect(rows.map((r) => [r.id, r.start, r.end, r.date])).toEqual([
      [1, '0000-01-01T00:00:00Z', '9999-12-31T23:59:59Z', '0000-01-01'],
      [2, null, null, null],
      [3, null, null, null],
      [4, null, null, null],
    ]);
    expect(warnings).toEqual([
      'annotations: annotation 2 has start "-000001-12-31T00:00:00Z", not a timestamp; emitted as null',
      'annotations: annotation 2 has end "+010000-01-01T00:00:00Z", not a timestamp; emitted as null',
      'annotations: annotation 3 has start "9999-12-31T23:00:00-05:00", not a timestamp; emitted as null',
      'annotations: annotation 4 has start ["2026-06-16T00:00:00Z"], not a timestamp; emitted as null',
      'annotations: annotation 4 has end 1781554538, not a timestamp; emitted as null',
    ]);
  });

  it('a numeric chart id becomes text; non-text labels, details and categories become null', () => {
    const { rows } = annotationsFromV3({
      data: [
        { id: 5, start: null, label: 5, details: { a: 1 }, category: 'Releases', chart_id: 12 },
        { id: 6, start: null, label: 'ok', details: 'd', category: { id: '3', category: 'Live', name: 'Docs' }, chart_id: true },
      ],
    });
    expect(rows).toEqual([
      { id: 5, start: null, end: null, date: null, label: null, details: null, category: null, category_id: null, category_name: 'Releases', chart_id: '12' },
      {
        id: 6,
        start: null,
        end: null,
        date: null,
        label: 'ok',
        details: 'd',
        category: { id: '3', category: 'Live', name: 'Docs' },
        category_id: null,
        category_name: 'Live',
        chart_id: null,
      },
    ]);
  });

  it('each endpoint is named in its messages', () => {
    expect(() => annotationsFromV3({ data: {} })).toThrow(new DashboardBodyError('annotations: the response has no "data" list; cannot read it'));
    expect(() => annotationsFromV2({})).toThrow(new DashboardBodyError('annotations (v2): the response has no "data" list; cannot read it'));
    expect(() => eventTypesFrom({ events: [] })).toThrow(new DashboardBodyError('events/list: the response has no "data" list; cannot read it'));
  });
});

describe('legacy annotations (/api/2/annotations)', () => {
  it('a missing or null date is no date; a bad one is null with a warning; items without an id are skipped', () => {
    const { rows, warnings } = annotationsFromV2({
      data: [
        { id: 1, label: 'no date' },
        { id: 2, date: null, label: 'null date' },
        { id: 3, date: 'June', label: 'bad date' },
        { label: 'no id', date: '2021-09-01' },
        { id: 4, date: '2021-09-02', label: 'fine' },
      ],
    });
    expect(rows.map((r) => [r.id, r.date, r.start])).toEqual([
      [1, null, null],
      [2, null, null],
      [3, null, null],
      [4, '2021-09-02', '2021-09-02T00:00:00Z'],
    ]);
    expect(warnings).toEqual([
      'annotations (v2): data[3] has no integer id; skipped',
      'annotations (v2): annotation 3 has date "June", not a date; emitted as null',
    ]);
  });
});

describe('cohort ids and times (/api/3/cohorts)', () => {
  it('items without a text or numeric id are skipped with a warning; a numeric id becomes text', () => {
    const { rows, warnings } = cohortsFrom({ cohorts: ['x', { name: 'no id' }, { id: null }, { id: true }, { id: 12, name: 'numbered' }] });
    expect(rows).toEqual([{ id: '12', name: 'numbered' }]);
    expect(warnings).toEqual([
      'cohorts: cohorts[0] has no id; skipped',
      'cohorts: cohorts[1] has no id; skipped',
      'cohorts: cohorts[2] has no id; skipped',
      'cohorts: cohorts[3] has no id; skipped',
    ]);
  });

  it('epoch seconds from year 0000 to 9999 are kept; outside them null with a warning', () => {
    // 253402300799 s is 9999-12-31T23:59:59Z, one second later year 10000 begins;
    // -62167219200 s is 0000-01-01T00:00:00Z, one second earlier is year -1.
    const { rows, warnings } = cohortsFrom({
      cohorts: [
        { id: 'a', lastMod: 253402300799, createdAt: -62167219200, lastComputed: 253402300800 },
        { id: 'b', lastMod: -62167219201 },
      ],
    });
    expect(rows).toEqual([
      { id: 'a', lastMod: '9999-12-31T23:59:59Z', createdAt: '0000-01-01T00:00:00Z', lastComputed: null },
      { id: 'b', lastMod: null },
    ]);
    expect(warnings).toEqual([
      'cohorts: cohort a has lastComputed 253402300800, not epoch seconds; emitted as null',
      'cohorts: cohort b has lastMod -62167219201, not epoch seconds; emitted as null',
    ]);
  });
});
