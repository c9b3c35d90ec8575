import { describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import {
  activeUsersByDay,
  annotationsFromV2,
  annotationsFromV3,
  calendarDate,
  cohortsFrom,
  DashboardBodyError,
  eventTypesFrom,
  sessionLengthByDay,
} from '../../src/amplitude/dashboard.js';
import { activeUsersRejection } from '../../src/streams/active-users.js';
import { conformRecord } from '../../src/streams/conform.js';
import { loadSchema } from '../../src/streams/schemas.js';
import { StreamFailure } from '../../src/errors.js';
import { fixture } from '../helpers/paths.js';
import { schemaErrors } from '../helpers/schema-validator.js';

const body = (name: string): unknown => JSON.parse(readFileSync(fixture(name), 'utf8')) as unknown;
const window = { first: '2026-09-01', last: '2026-09-30' };

/** Rows as the stream emits them: each value brought to its schema's one type (no warning expected). */
function conformed(stream: string, rows: Record<string, unknown>[]): Record<string, unknown>[] {
  return rows.map((r) => conformRecord(r, loadSchema(stream), stream, (w) => { throw new Error(w); }));
}

function expectValid(stream: string, rows: unknown[]): void {
  for (const row of rows) expect(schemaErrors(stream, row)).toEqual([]);
}

describe('the schema check itself', () => {
  it('rejects what a strict target would reject', () => {
    expect(schemaErrors('active_users', { date: '2026-9-1', statistics: {} })).not.toEqual([]);
    expect(schemaErrors('annotations', { id: 1, start: '2026-06-16T00:00:00' })).not.toEqual([]);
    expect(schemaErrors('cohorts', { id: 'x', lastMod: 1781554538 })).not.toEqual([]);
  });
});

describe('calendarDate', () => {
  it('cuts the date from both xValue forms without reading a time zone', () => {
    expect(calendarDate('2026-09-20')).toBe('2026-09-20');
    expect(calendarDate('2026-09-17T00:00:00')).toBe('2026-09-17');
    // Near midnight and at year ends, where a local-time parse would move the day.
    expect(calendarDate('2026-01-01T00:00:00')).toBe('2026-01-01');
    expect(calendarDate('2025-12-31')).toBe('2025-12-31');
  });

  it('rejects what is not a calendar date', () => {
    expect(calendarDate('2026-02-30')).toBeNull();
    expect(calendarDate('20260920')).toBeNull();
    expect(calendarDate(20260920)).toBeNull();
    expect(calendarDate(null)).toBeNull();
  });
});

describe('active users (/api/2/users)', () => {
  it('users.json: empty series → one record per date with no statistics, and a warning', () => {
    const { rows, warnings } = activeUsersByDay(body('users.json'));
    expect(rows).toEqual([
      { date: '2026-09-20', statistics: {} },
      { date: '2026-09-21', statistics: {} },
      { date: '2026-09-22', statistics: {} },
    ]);
    expect(warnings).toEqual(['users: Amplitude returned 3 dates but no series (no values for 2026-09-20..2026-09-22)']);
    expectValid('active_users', rows);
  });

  it('users-docs-example.json: grouped series transposed, labels from seriesMeta strings', () => {
    const { rows, warnings } = activeUsersByDay(body('users-docs-example.json'));
    expect(rows).toEqual([
      { date: '2017-08-14', statistics: { 'United States': 46109, Canada: 42845 } },
      { date: '2017-08-15', statistics: { 'United States': 47542, Canada: 42626 } },
    ]);
    expect(warnings).toEqual([]);
    expectValid('active_users', rows);
  });

  it('live shape (five keys): labels from seriesLabels, "(none)" kept as a label', () => {
    const live = {
      data: {
        xValues: ['2024-10-01', '2024-10-02'],
        series: [
          [7, 5],
          [2, 0],
        ],
        seriesCollapsed: [[0], [0]],
        seriesLabels: ['(none)', 'Netherlands'],
        seriesMeta: [{ segmentIndex: 0 }, { segmentIndex: 0 }],
      },
    };
    expect(activeUsersByDay(live).rows).toEqual([
      { date: '2024-10-01', statistics: { '(none)': 7, Netherlands: 2 } },
      { date: '2024-10-02', statistics: { '(none)': 5, Netherlands: 0 } },
    ]);
    const ungrouped = { data: { xValues: ['2024-10-01'], series: [[7]], seriesLabels: [0], seriesMeta: [{ segmentIndex: 0 }] } };
    expect(activeUsersByDay(ungrouped).rows).toEqual([{ date: '2024-10-01', statistics: { '0': 7 } }]);
  });

  it('a series shorter than xValues: the dates past its end get no entry, nothing invented', () => {
    const short = { data: { xValues: ['2024-10-01', '2024-10-02', '2024-10-03'], series: [[4, 9], [1, 2, 3]], seriesLabels: ['A', 'B'] } };
    const { rows, warnings } = activeUsersByDay(short);
    expect(rows).toEqual([
      { date: '2024-10-01', statistics: { A: 4, B: 1 } },
      { date: '2024-10-02', statistics: { A: 9, B: 2 } },
      { date: '2024-10-03', statistics: { B: 3 } },
    ]);
    expect(warnings).toEqual(['users: series "A" has 2 values for 3 dates (2024-10-01..2024-10-03); the dates without a value get none']);
  });

  it('a body without data.xValues is a clear error', () => {
    expect(() => activeUsersByDay({ error: 'x' })).toThrow(new DashboardBodyError('users: the response has no data.xValues list; cannot read it'));
    expect(() => activeUsersByDay({ data: { xValues: ['yesterday'], series: [] } })).toThrow(
      'users: data.xValues[0] is "yesterday", not a date',
    );
  });

  it('users-400-invalid-country.json: one line naming the setting to turn off', () => {
    const err = activeUsersRejection(body('users-400-invalid-country.json'), true, window);
    expect(err).toBeInstanceOf(StreamFailure);
    expect(err.message).toBe(
      'Amplitude rejected the grouping by country (HTTP 400: Invalid chart definition — Invalid user property country): this project has no country user property. Set active_users_group_by_country to false.',
    );
  });

  it('any other 400 quotes Amplitude and the window', () => {
    const other = { error: { http_code: 400, type: 'invalid', message: 'Invalid request', metadata: { details: 'end before start' } } };
    expect(activeUsersRejection(other, false, window).message).toBe(
      'Amplitude rejected /api/2/users for 2026-09-01..2026-09-30 (HTTP 400: Invalid request — end before start).',
    );
    expect(activeUsersRejection('not an envelope', true, window).message).toBe(
      'Amplitude rejected /api/2/users for 2026-09-01..2026-09-30 (HTTP 400: no reason given).',
    );
  });
});

describe('average session length (/api/2/sessions/average)', () => {
  it('sessions-average.json: T00:00:00 xValues become dates; the diagnostics (Long.MAX) are ignored', () => {
    // Parsed from the text, as the client does: earliestServerReceivedTime loses precision and is never read.
    const { rows, warnings } = sessionLengthByDay(JSON.parse(readFileSync(fixture('sessions-average.json'), 'utf8')));
    expect(rows).toEqual(
      ['17', '18', '19', '20', '21', '22', '23', '24'].map((d) => ({ date: `2026-09-${d}`, length: 0 })),
    );
    expect(warnings).toEqual([]);
    expectValid('average_session_length', rows);
  });

  it('docs shape with fractional seconds; empty and short series give null lengths', () => {
    const docs = { data: { series: [[1204.0238276716443, 1197.4160169086904]], seriesMeta: [{ segmentIndex: 0 }], xValues: ['2017-08-14', '2017-08-15'] } };
    expect(sessionLengthByDay(docs).rows).toEqual([
      { date: '2017-08-14', length: 1204.0238276716443 },
      { date: '2017-08-15', length: 1197.4160169086904 },
    ]);
    const empty = { data: { series: [], xValues: ['2026-09-17T00:00:00'] } };
    expect(sessionLengthByDay(empty)).toEqual({
      rows: [{ date: '2026-09-17', length: null }],
      warnings: ['sessions/average: Amplitude returned 1 dates but no series (no values for 2026-09-17..2026-09-17)'],
    });
    const short = { data: { series: [[30.5]], xValues: ['2026-09-17T00:00:00', '2026-09-18T00:00:00'] } };
    const parsed = sessionLengthByDay(short);
    expect(parsed.rows).toEqual([
      { date: '2026-09-17', length: 30.5 },
      { date: '2026-09-18', length: null },
    ]);
    expect(parsed.warnings).toHaveLength(1);
    expectValid('average_session_length', parsed.rows);
  });
});

describe('annotations', () => {
  it('annotations-v3.json: +00:00 → Z, category object kept, category key read, v2 date filled', () => {
    const { rows, warnings } = annotationsFromV3(body('annotations-v3.json'));
    expect(warnings).toEqual([]);
    expect(rows).toHaveLength(10);
    expect(rows[0]).toEqual({
      id: 939879,
      start: '2026-06-16T00:00:00Z',
      end: null,
      date: '2026-06-16',
      label: 'Dryrun Save Update',
      details: 'Updated via dryrun save',
      category: { id: 1, category: 'Uncategorized' },
      category_id: 1,
      category_name: 'Uncategorized',
      chart_id: null,
    });
    expect(rows[3]).toEqual({
      id: 939884,
      start: '2026-06-16T12:00:00Z',
      end: null,
      date: '2026-06-16',
      label: 'Test Annotation 1781611213',
      details: null,
      category: { id: 1250, category: 'Test Category 1781611211' },
      category_id: 1250,
      category_name: 'Test Category 1781611211',
      chart_id: null,
    });
    expect(rows.map((r) => [r.id, r.start, r.category_name])).toEqual([
      [939879, '2026-06-16T00:00:00Z', 'Uncategorized'],
      [939880, '2026-06-16T00:00:00Z', 'Uncategorized'],
      [939881, '2026-06-16T12:00:00Z', 'Uncategorized'],
      [939884, '2026-06-16T12:00:00Z', 'Test Category 1781611211'],
      [939885, '2026-06-16T12:00:00Z', 'Test Category 1781611211'],
      [939886, '2026-06-15T00:00:00Z', 'Uncategorized'],
      [939887, '2026-06-15T00:00:00Z', 'Uncategorized'],
      [939888, '2026-06-15T00:00:00Z', 'Uncategorized'],
      [939890, '2026-06-15T00:00:00Z', 'Uncategorized'],
      [939891, '2026-06-15T00:00:00Z', 'Uncategorized'],
    ]);
    expectValid('annotations', rows);
  });

  it('the documented `name` key, a ranged annotation with another offset, and a chart id', () => {
    const docs = {
      data: [
        {
          id: 7,
          start: '2025-11-01T07:00:00+00:00',
          end: '2025-11-03T01:30:00-05:00',
          label: 'Release 2.0',
          details: null,
          category: { id: 45678, name: 'Releases' },
          chart_id: 'abc123xy',
          extra: { kept: true },
        },
      ],
    };
    const { rows } = annotationsFromV3(docs);
    expect(rows).toEqual([
      {
        id: 7,
        start: '2025-11-01T07:00:00Z',
        end: '2025-11-03T06:30:00Z',
        date: '2025-11-01',
        label: 'Release 2.0',
        details: null,
        category: { id: 45678, name: 'Releases' },
        category_id: 45678,
        category_name: 'Releases',
        chart_id: 'abc123xy',
        extra: { kept: true },
      },
    ]);
    expectValid('annotations', rows);
  });

  it('annotations-v2.json: date kept and start at midnight UTC; v3-only fields null', () => {
    const { rows, warnings } = annotationsFromV2(body('annotations-v2.json'));
    expect(warnings).toEqual([]);
    const v2 = (id: number, label: string, details: string) => ({
      id,
      date: '2021-09-01',
      start: '2021-09-01T00:00:00Z',
      end: null,
      label,
      details,
      category: null,
      category_id: null,
      category_name: null,
      chart_id: null,
    });
    expect(rows).toEqual([v2(160419, 'First September', 'My annotation'), v2(160427, 'Annotation 2', 'Another annotation')]);
    expectValid('annotations', rows);
  });

  it('an item without an integer id is skipped with a warning; a bad timestamp becomes null with a warning', () => {
    const odd = { data: [{ label: 'no id' }, { id: 5, start: 'soon', label: 'x' }] };
    const { rows, warnings } = annotationsFromV3(odd);
    expect(rows.map((r) => [r.id, r.start, r.date])).toEqual([[5, null, null]]);
    expect(warnings).toEqual([
      'annotations: data[0] has no integer id; skipped',
      'annotations: annotation 5 has start "soon", not a timestamp; emitted as null',
    ]);
  });
});

describe('cohorts (/api/3/cohorts)', () => {
  const raw = (body('cohorts.json') as { cohorts: Record<string, unknown>[] }).cohorts;

  it('cohorts.json: epoch seconds → RFC 3339, nulls kept, every other field as sent', () => {
    const { rows, warnings } = cohortsFrom(body('cohorts.json'));
    expect(warnings).toEqual([]);
    // By hand: 2026-01-01 is day 20,454 after 1970-01-01 (56 years, 14 leap days).
    // 1781554538 s = day 20,619 (2026-06-15) + 72,938 s (20:15:38);
    // 1781610980 s = day 20,620 (2026-06-16) + 42,980 s (11:56:20).
    expect(rows[0]).toEqual({
      appId: 829528,
      archived: false,
      definition: raw[0]?.definition,
      description: null,
      finished: true,
      id: '9apg8e8f',
      name: '14 day user retention',
      published: true,
      type: 'redshift',
      lastMod: '2026-06-15T20:15:38Z',
      createdAt: '2026-06-15T20:15:38Z',
      lastComputed: '2026-06-16T11:56:20Z',
      hidden: false,
      metadata: null,
      view_count: null,
      popularity: null,
      last_viewed: null,
      chart_id: null,
      edit_id: null,
      is_predictive: false,
      is_official_content: false,
      location_id: null,
      shortcut_ids: [],
      per_app_metadata: null,
      cohort_definition_type: null,
      cohort_output_type: 'UNIQUES',
      is_generated_content: false,
      owners: ['amp'],
      viewers: [],
      size: 0,
    });
    expect(rows.slice(1)).toEqual(
      raw.slice(1).map((c) => ({ ...c, lastMod: '2026-06-15T20:15:38Z', createdAt: '2026-06-15T20:15:38Z', lastComputed: null })),
    );
    expect(rows.map((r) => [r.id, r.finished, r.size])).toEqual([
      ['9apg8e8f', true, 0],
      ['u9gtvp8t', false, null],
      ['9rhqxcuf', false, null],
      ['coqgrzam', false, null],
      ['fhmmzzb0', false, null],
      ['su6kjm3i', false, null],
    ]);
    expectValid('cohorts', rows);
  });

  it('unknown keys of any type are kept and still validate; a non-epoch time becomes null with a warning', () => {
    const { rows, warnings } = cohortsFrom({
      cohorts: [{ id: 'abc', lastMod: 0, createdAt: 'yesterday', new_list: [1, { a: 2 }], new_flag: 'x', chart_id: 12 }],
    });
    expect(rows).toEqual([{ id: 'abc', lastMod: '1970-01-01T00:00:00Z', createdAt: null, new_list: [1, { a: 2 }], new_flag: 'x', chart_id: 12 }]);
    expect(warnings).toEqual(['cohorts: cohort abc has createdAt "yesterday", not epoch seconds; emitted as null']);
    // The stream then writes the number-or-string chart_id as text.
    expect(conformed('cohorts', rows)[0]?.chart_id).toBe('12');
    expectValid('cohorts', conformed('cohorts', rows));
  });

  it('the list must be under "cohorts"', () => {
    expect(() => cohortsFrom({ data: [] })).toThrow('cohorts: the response has no "cohorts" list; cannot read it');
  });
});

describe('events list (/api/2/events/list)', () => {
  it('events-list.json: one record per event type, fields as sent', () => {
    const { rows, warnings } = eventTypesFrom(body('events-list.json'));
    expect(warnings).toEqual([]);
    expect(rows).toEqual([
      { non_active: false, value: 'Add Content to Cart', totals: 1505645, deleted: false, flow_hidden: false, hidden: false, display: 'Add Content to Cart' },
      { non_active: false, value: 'Add Friends', totals: 193167, deleted: false, flow_hidden: false, hidden: false, display: 'Add Friends' },
    ]);
    expectValid('events_list', rows);
  });

  it('live-only fields validate; an item without a name is skipped with a warning', () => {
    const live = {
      data: [
        { id: 12, value: 'Sign Up', name: 'Sign Up', totals: 3, totals_delta: -1, autohidden: false, clusters_hidden: false, in_waitroom: false, waitroom_approved: true, timeline_hidden: 0 },
        { display: 'nameless' },
      ],
    };
    const { rows, warnings } = eventTypesFrom(live);
    expect(rows).toEqual([live.data[0]]);
    expect(warnings).toEqual(['events/list: data[1] has no event name ("value"); skipped']);
    // The stream then writes timeline_hidden 0 as false.
    expect(conformed('events_list', rows)).toEqual([{ ...live.data[0], timeline_hidden: false }]);
    expectValid('events_list', conformed('events_list', rows));
  });
});
