// Taxonomy and annotation-category items → rows (amplitude-api.md §13.1, §13.2): one type per field,
// unknown keys kept, the "null" description of quirk DEVCENTER-343. Expected rows written by hand.
import { describe, expect, it } from '@jest/globals';
import {
  annotationCategoryRows,
  eventCategoryRow,
  eventPropertyRow,
  eventTypeRow,
  flag,
  groupPropertyRow,
  text,
  userPropertyRow,
} from '../../src/amplitude/taxonomy-records.js';
import { AmplitudeBodyError } from '../../src/amplitude/errors.js';

describe('text and flag', () => {
  it('text: strings as sent, "null" as null, numbers and booleans as text, anything else null', () => {
    expect(text('Play Song')).toBe('Play Song');
    expect(text('')).toBe('');
    expect(text('null')).toBeNull();
    expect(text('Null')).toBe('Null');
    expect(text(12)).toBe('12');
    expect(text(false)).toBe('false');
    expect(text(true)).toBe('true');
    expect(text(null)).toBeNull();
    expect(text(undefined)).toBeNull();
    expect(text({ name: 'x' })).toBeNull();
    expect(text(['x'])).toBeNull();
  });

  it('flag: only true and false are flags', () => {
    expect(flag(true)).toBe(true);
    expect(flag(false)).toBe(false);
    expect(flag(0)).toBeNull();
    expect(flag('true')).toBeNull();
    expect(flag(null)).toBeNull();
  });
});

describe('event types (/api/2/taxonomy/event)', () => {
  it('the real June 2026 item: uncategorised, null deleted, empty tags, flags kept', () => {
    const item = {
      event_type: 'Play Song',
      description: 'null',
      display_name: 'Play a song',
      category: null,
      deleted: null,
      tags: [],
      is_active: true,
      owner: 'amp',
      is_hidden_from_dropdowns: false,
      is_hidden_from_persona_results: false,
      is_hidden_from_pathfinder: true,
      is_hidden_from_timeline: false,
    };
    expect(eventTypeRow(item)).toEqual({
      event_type: 'Play Song',
      description: null,
      display_name: 'Play a song',
      category: null,
      deleted: null,
      tags: [],
      is_active: true,
      owner: 'amp',
      is_hidden_from_dropdowns: false,
      is_hidden_from_persona_results: false,
      is_hidden_from_pathfinder: true,
      is_hidden_from_timeline: false,
    });
  });

  it('the documented item: category {"name"} → its name; missing flags and lists become null; unknown keys kept', () => {
    const item = { event_type: 'Sign Up', category: { name: 'Onboarding' }, description: 'First visit', tags: ['a', 3, { b: 1 }], deleted: 'no', extra: [1] };
    expect(eventTypeRow(item)).toEqual({
      event_type: 'Sign Up',
      category: 'Onboarding',
      description: 'First visit',
      display_name: null,
      owner: null,
      deleted: null,
      tags: ['a', '3', '{"b":1}'],
      is_active: null,
      is_hidden_from_dropdowns: null,
      is_hidden_from_persona_results: null,
      is_hidden_from_pathfinder: null,
      is_hidden_from_timeline: null,
      extra: [1],
    });
    // A category sent as plain text is kept as text; a category object without a name is null.
    expect(eventTypeRow({ event_type: 'A', category: 'Plain' })?.category).toBe('Plain');
    expect(eventTypeRow({ event_type: 'A', category: { id: 3 } })?.category).toBeNull();
    // tags that are not a list are null, not an empty list.
    expect(eventTypeRow({ event_type: 'A', tags: 'x' })?.tags).toBeNull();
  });

  it('an item without an event type gives no row', () => {
    expect(eventTypeRow({ description: 'nameless' })).toBeUndefined();
    expect(eventTypeRow({ event_type: 'null' })).toBeUndefined();
    expect(eventTypeRow({ event_type: 7 })?.event_type).toBe('7');
  });
});

describe('event categories (/api/2/taxonomy/category)', () => {
  it('an integer id makes a row; anything else does not', () => {
    expect(eventCategoryRow({ id: 1934763, name: 'TestCategoryNango2026' })).toEqual({ id: 1934763, name: 'TestCategoryNango2026' });
    expect(eventCategoryRow({ id: 5, name: null, more: 'kept' })).toEqual({ id: 5, name: null, more: 'kept' });
    expect(eventCategoryRow({ id: '5', name: 'text id' })).toBeUndefined();
    expect(eventCategoryRow({ id: 1.5, name: 'fraction' })).toBeUndefined();
    expect(eventCategoryRow({ name: 'no id' })).toBeUndefined();
  });
});

describe('properties (/api/2/taxonomy/event-property, user-property, group-property)', () => {
  const documented = {
    description: 'Where the user lives',
    type: 'string',
    regex: '^[A-Z]+$',
    enum_values: 'NL,BE',
    is_array_type: false,
    is_required: true,
    is_hidden: false,
    deleted: false,
    classifications: ['PII', 7],
  };
  const typedFields = {
    description: 'Where the user lives',
    type: 'string',
    regex: '^[A-Z]+$',
    enum_values: 'NL,BE',
    is_array_type: false,
    is_required: true,
    is_hidden: false,
    deleted: false,
    classifications: ['PII', '7'],
  };

  it('event property: the queried event type is written on the row; the shared fields typed', () => {
    expect(eventPropertyRow({ event_property: 'country', event_type: null, ...documented, unknown: 1 }, '$shared')).toEqual({
      event_property: 'country',
      event_type: '$shared',
      ...typedFields,
      unknown: 1,
    });
  });

  it('user property: a missing field is null; enum_values as a list is joined by commas', () => {
    expect(userPropertyRow({ user_property: 'gp:gp:plan', enum_values: ['free', 'pro', 3] })).toEqual({
      user_property: 'gp:gp:plan',
      description: null,
      type: null,
      regex: null,
      enum_values: 'free,pro,3',
      is_array_type: null,
      is_required: null,
      is_hidden: null,
      deleted: null,
      classifications: null,
    });
  });

  it('group property: the group type is written on the row; odd values become null', () => {
    expect(
      groupPropertyRow({ group_property: 'grp:size', group_type: 'other', description: 'null', type: 3, is_array_type: 'yes', classifications: 'PII', enum_values: { a: 1 } }, 'company'),
    ).toEqual({
      group_property: 'grp:size',
      group_type: 'company',
      description: null,
      type: '3',
      regex: null,
      enum_values: null,
      is_array_type: null,
      is_required: null,
      is_hidden: null,
      deleted: null,
      classifications: null,
    });
  });

  it('an item without its name gives no row', () => {
    expect(eventPropertyRow({ event_type: 'A' }, 'A')).toBeUndefined();
    expect(userPropertyRow({ user_property: 'null' })).toBeUndefined();
    expect(groupPropertyRow({ group_type: 'company' }, 'company')).toBeUndefined();
  });
});

describe('annotation categories (/api/3/annotation-categories)', () => {
  it('the live key `category` and the documented key `name` both give `name`; bad items are skipped with a warning', () => {
    const body = {
      data: [
        { id: 1, category: 'Uncategorized' },
        { id: 45678, name: 'Releases', color: 'red' },
        { id: '9', category: 'text id' },
        'not an object',
        { id: 2, category: null, name: 'Fallback' },
      ],
    };
    expect(annotationCategoryRows(body)).toEqual({
      rows: [
        { id: 1, name: 'Uncategorized' },
        { id: 45678, name: 'Releases', color: 'red' },
        { id: 2, name: 'Fallback' },
      ],
      warnings: ['annotation categories: data[2] has no integer id; skipped', 'annotation categories: data[3] has no integer id; skipped'],
    });
  });

  it('a body without a data list is a clear error', () => {
    const expected = new AmplitudeBodyError('annotation categories: the response has no "data" list; cannot read it');
    expect(() => annotationCategoryRows({ data: { id: 1 } })).toThrow(expected);
    expect(() => annotationCategoryRows([{ id: 1 }])).toThrow(expected);
    expect(() => annotationCategoryRows(null)).toThrow(expected);
  });
});
