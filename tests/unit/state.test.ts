// State: the {"bookmarks": ..., "currently_syncing": ...} shape, what a malformed one says, unknown
// keys kept (ST-1, ST-3, ST-9), and the tracker that produces each STATE value.
import { describe, expect, it } from '@jest/globals';
import { parseState, StateTracker } from '../../src/singer/state.js';

describe('parseState', () => {
  it('accepts the value of a STATE message, keeping keys it does not know', () => {
    const raw = {
      bookmarks: { events: { server_upload_time: '2026-01-02T03:00:00Z', other_tool: 1 }, removed_stream: { x: 1 } },
      currently_syncing: 'events',
      progress_from_another_tap: { a: [1] },
    };
    expect(parseState(raw)).toEqual({ state: raw, problems: [] });
  });

  it('accepts a whole STATE message (a common copy-paste)', () => {
    const value = { bookmarks: { active_users: { date: '2026-01-05' } } };
    expect(parseState({ type: 'STATE', value })).toEqual({ state: value, problems: [] });
  });

  it('treats missing bookmarks as none, and null currently_syncing as fine', () => {
    expect(parseState({})).toEqual({ state: { bookmarks: {} }, problems: [] });
    expect(parseState({ currently_syncing: null })).toEqual({ state: { bookmarks: {}, currently_syncing: null }, problems: [] });
  });

  it.each([null, [], 'state', 3])('rejects the root %j', (raw) => {
    expect(parseState(raw).problems).toEqual(['state: the root must be a JSON object like {"bookmarks": {...}}']);
  });

  it('rejects bookmarks that are not an object keyed by stream', () => {
    expect(parseState({ bookmarks: [] }).problems).toEqual(['state: "bookmarks" must be an object keyed by stream name']);
    expect(parseState({ bookmarks: 'x' }).problems).toEqual(['state: "bookmarks" must be an object keyed by stream name']);
  });

  it('names each bookmark that is not an object, and a bad currently_syncing', () => {
    expect(parseState({ bookmarks: { events: '2026-01-01', cohorts: {}, annotations: null }, currently_syncing: 5 }).problems).toEqual([
      'state: bookmarks["events"] must be an object',
      'state: bookmarks["annotations"] must be an object',
      'state: "currently_syncing" must be a stream name or null',
    ]);
  });
});

describe('StateTracker', () => {
  it('starts from the input state and merges new bookmarks over old ones', () => {
    const initial = { bookmarks: { events: { server_upload_time: '2026-01-01T00:00:00Z', note: 'kept' } }, extra: true };
    const tracker = new StateTracker(initial);
    tracker.setCurrentlySyncing('events');
    tracker.setBookmark('events', { server_upload_time: '2026-01-02T00:00:00Z' });
    tracker.setBookmark('active_users', { date: '2026-01-03' });
    expect(tracker.snapshot()).toEqual({
      bookmarks: {
        events: { server_upload_time: '2026-01-02T00:00:00Z', note: 'kept' },
        active_users: { date: '2026-01-03' },
      },
      extra: true,
      currently_syncing: 'events',
    });
    tracker.setCurrentlySyncing(null);
    expect(tracker.snapshot().currently_syncing).toBeNull();
    expect(tracker.bookmark('active_users')).toEqual({ date: '2026-01-03' });
    expect(tracker.bookmark('cohorts')).toBeUndefined();
  });

  it('never changes the input object nor an earlier snapshot', () => {
    const initial = { bookmarks: { events: { server_upload_time: 'a' } } };
    const tracker = new StateTracker(initial);
    const first = tracker.snapshot();
    tracker.setBookmark('events', { server_upload_time: 'b' });
    expect(initial).toEqual({ bookmarks: { events: { server_upload_time: 'a' } } });
    expect(first).toEqual({ bookmarks: { events: { server_upload_time: 'a' } } });
    expect(tracker.snapshot().bookmarks.events).toEqual({ server_upload_time: 'b' });
  });

  it('starts empty without input', () => {
    expect(new StateTracker().snapshot()).toEqual({ bookmarks: {} });
  });
});
