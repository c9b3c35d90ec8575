// The bucket export's key layout and the completeness rule (amplitude-api.md §13.4), on the
// examples from Amplitude's pages and on hand-made listings.
import { describe, expect, it } from '@jest/globals';
import { folderPrefix, parseName } from '../../src/amplitude/bucket/layout.js';
import { checkpointHours, planHours, type ListedHour, type Listing } from '../../src/amplitude/bucket/listing.js';

const H = 3_600_000;
const at = (iso: string): number => Date.parse(iso);

describe('bucket key layout', () => {
  it('reads the documented examples: event partitions, merged-ID files, hours without a leading zero', () => {
    expect(parseName('187520_2020-01-25_17#1.json.gz', '187520')).toEqual({ kind: 'events', hour: at('2020-01-25T17:00:00Z'), partition: 1 });
    expect(parseName('187520_2020-01-25_0#12.json.gz', '187520')).toEqual({ kind: 'events', hour: at('2020-01-25T00:00:00Z'), partition: 12 });
    expect(parseName('-189524_2020-01-25_17.json.gz', '-189524')).toEqual({ kind: 'merged', hour: at('2020-01-25T17:00:00Z'), partition: 0 });
    // Legacy organisations: merged IDs in the project folder, without a hyphen or a partition.
    expect(parseName('187520_2020-01-25_3.json.gz', '187520')).toEqual({ kind: 'merged', hour: at('2020-01-25T03:00:00Z'), partition: 0 });
  });

  it('takes an object named for the hour and containing "complete" as its marker, and ignores everything else', () => {
    expect(parseName('187520_2020-01-25_9_complete', '187520')).toEqual({ kind: 'marker', hour: at('2020-01-25T09:00:00Z'), partition: 0 });
    expect(parseName('187520_2020-01-25_9.complete', '187520')?.kind).toBe('marker');
    expect(parseName('187520_2020-01-25_19#1.json.gz', '187520')?.hour).toBe(at('2020-01-25T19:00:00Z'));
    expect(parseName('187521_2020-01-25_17#1.json.gz', '187520')).toBeNull(); // another project
    expect(parseName('187520_2020-01-25_24#1.json.gz', '187520')).toBeNull();
    expect(parseName('187520_2020-01-25_17#1.json', '187520')).toBeNull();
    expect(parseName('-189524_2020-01-25_17#1.json.gz', '-189524')).toBeNull();
    expect(parseName('README.txt', '187520')).toBeNull();
  });

  it('writes the prefix as a folder', () => {
    expect(folderPrefix('')).toBe('');
    expect(folderPrefix('/events/')).toBe('events/');
    expect(folderPrefix('a/b')).toBe('a/b/');
  });
});

const hour = (iso: string, files: number, marker = false): ListedHour => ({
  hour: at(iso),
  marker,
  files: Array.from({ length: files }, (_, i) => ({ key: `k${i}`, size: 1, etag: undefined, partition: i + 1 })),
});
const listing = (...hours: ListedHour[]): Listing => ({ hours: new Map(hours.map((h) => [h.hour, h])), newerHour: null });
const hoursOf = (plan: { hours: ListedHour[] }): string[] => plan.hours.map((h) => `${new Date(h.hour).toISOString().slice(11, 13)}:${h.files.length}`);

describe('completeness rule', () => {
  it('reads every hour before the newest one present; hours with no object are empty when the bucket has no markers', () => {
    const plan = planHours(listing(hour('2026-01-01T01:00:00Z', 2), hour('2026-01-01T03:00:00Z', 1), hour('2026-01-01T04:00:00Z', 1)), at('2026-01-01T00:00:00Z'), Infinity);
    expect(hoursOf(plan)).toEqual(['00:0', '01:2', '02:0', '03:1']);
    expect(plan.stoppedAt).toContain('2026-01-01T04:00Z');
  });

  it('with markers, stops before an hour that has neither files nor a marker', () => {
    const l = listing(hour('2026-01-01T00:00:00Z', 0, true), hour('2026-01-01T01:00:00Z', 1, true), hour('2026-01-01T03:00:00Z', 1, true), hour('2026-01-01T04:00:00Z', 0, true));
    const plan = planHours(l, at('2026-01-01T00:00:00Z'), Infinity);
    expect(hoursOf(plan)).toEqual(['00:0', '01:1']);
    expect(plan.stoppedAt).toContain('hour 2026-01-01T02:00Z has neither files nor a complete marker');
  });

  it('stops at end_date, and reads nothing from an empty listing', () => {
    const l = listing(hour('2026-01-01T00:00:00Z', 1), hour('2026-01-01T01:00:00Z', 1), hour('2026-01-01T05:00:00Z', 1));
    expect(hoursOf(planHours(l, at('2026-01-01T00:00:00Z'), at('2026-01-01T02:00:00Z')))).toEqual(['00:1', '01:1']);
    expect(planHours({ hours: new Map(), newerHour: null }, at('2026-01-01T00:00:00Z'), Infinity).hours).toEqual([]);
  });

  it('after a listing pass that stopped at a day boundary, reads every listed day and nothing of the next day', () => {
    // The next day's first key in listing order can be hour 10 ("10" sorts before "2"): its hours 2..9 are unknown yet.
    const l: Listing = { hours: listing(hour('2026-01-01T22:00:00Z', 1), hour('2026-01-01T23:00:00Z', 1)).hours, newerHour: at('2026-01-02T10:00:00Z') };
    const plan = planHours(l, at('2026-01-01T22:00:00Z'), Infinity);
    expect(hoursOf(plan)).toEqual(['22:1', '23:1']);
    expect(plan.stoppedAt).toBe('the listing continues in the next pass');
  });

  it('checkpoints after each hour with files and after the last of each run of empty hours', () => {
    const hours = [hour('2026-01-01T00:00:00Z', 0), hour('2026-01-01T01:00:00Z', 0), hour('2026-01-01T02:00:00Z', 1), hour('2026-01-01T03:00:00Z', 0), hour('2026-01-01T04:00:00Z', 0)];
    expect([...checkpointHours(hours)].map((h) => (h - at('2026-01-01T00:00:00Z')) / H)).toEqual([1, 2, 4]);
  });
});
