// The bucket export's key names and hour plan at their edges (amplitude-api.md §13.4): prefixes
// written with extra slashes, the last hour of a day, and what the plan says when it stops.
import { describe, expect, it } from '@jest/globals';
import { folderPrefix, parseName } from '../../src/amplitude/bucket/layout.js';
import { planHours, type ListedHour, type Listing } from '../../src/amplitude/bucket/listing.js';

const at = (iso: string): number => Date.parse(iso);

describe('bucket key names at their edges', () => {
  it('writes a prefix with several leading or trailing slashes as one folder', () => {
    expect(folderPrefix('//events/2026//')).toBe('events/2026/');
    expect(folderPrefix('///')).toBe('');
  });

  it('takes hour 23 as the last hour of its day', () => {
    expect(parseName('829528_2026-03-31_23#2.json.gz', '829528')).toEqual({ kind: 'events', hour: at('2026-03-31T23:00:00Z'), partition: 2 });
    expect(parseName('-189524_2026-03-31_23.json.gz', '-189524')).toEqual({ kind: 'merged', hour: at('2026-03-31T23:00:00Z'), partition: 0 });
  });
});

const entry = (iso: string, files: number, marker: boolean): ListedHour => ({
  hour: at(iso),
  marker,
  files: Array.from({ length: files }, (_, i) => ({ key: `k${i}`, size: 1, etag: undefined, partition: i + 1 })),
});
const listing = (newerHour: number | null, ...hours: ListedHour[]): Listing => ({ hours: new Map(hours.map((h) => [h.hour, h])), newerHour });
const empty = (iso: string): ListedHour => ({ hour: at(iso), files: [], marker: false });

describe('hour plan', () => {
  it('says why it reads nothing from an empty listing', () => {
    expect(planHours(listing(null), at('2026-01-01T00:00:00Z'), Infinity)).toEqual({ hours: [], stoppedAt: 'no export file from that hour on yet', gap: false });
  });

  it('after a pass that stopped at the first object of a later day, takes every hour before that day as empty', () => {
    const plan = planHours(listing(at('2026-01-02T10:00:00Z')), at('2026-01-01T21:00:00Z'), Infinity);
    expect(plan).toEqual({ hours: ['21', '22', '23'].map((h) => empty(`2026-01-01T${h}:00:00Z`)), stoppedAt: 'the listing continues in the next pass', gap: false });
  });

  it('stops at end_date and says so; the hours it made up are empty, without a marker', () => {
    const plan = planHours(listing(null, entry('2026-01-01T00:00:00Z', 1, false), entry('2026-01-01T05:00:00Z', 1, false)), at('2026-01-01T00:00:00Z'), at('2026-01-01T03:00:00Z'));
    expect(plan).toEqual({ hours: [entry('2026-01-01T00:00:00Z', 1, false), empty('2026-01-01T01:00:00Z'), empty('2026-01-01T02:00:00Z')], stoppedAt: 'end_date', gap: false });
  });

  it('says the newest hour may still be arriving when it stops there', () => {
    const plan = planHours(listing(null, entry('2026-01-01T00:00:00Z', 1, false), entry('2026-01-01T01:00:00Z', 2, false)), at('2026-01-01T00:00:00Z'), Infinity);
    expect(plan).toEqual({ hours: [entry('2026-01-01T00:00:00Z', 1, false)], stoppedAt: 'the newest hour present (2026-01-01T01:00Z) may still be arriving', gap: false });
  });

  it('treats a bucket where only some hours carry a marker as one with markers: a hour with neither stops the plan as a gap', () => {
    // Hour 01 has its files but its marker is not there (yet); hour 02 has nothing at all.
    const l = listing(null, entry('2026-01-01T00:00:00Z', 1, true), entry('2026-01-01T01:00:00Z', 1, false), entry('2026-01-01T03:00:00Z', 1, true));
    expect(planHours(l, at('2026-01-01T00:00:00Z'), Infinity)).toEqual({
      hours: [entry('2026-01-01T00:00:00Z', 1, true), entry('2026-01-01T01:00:00Z', 1, false)],
      stoppedAt: 'hour 2026-01-01T02:00Z has neither files nor a complete marker while later hours do: its export has not happened yet, so reading stops before it',
      gap: true,
    });
  });
});
