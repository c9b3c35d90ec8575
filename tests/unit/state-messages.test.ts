// parseState on what a user passes as --state: the whole result for a rejected file (an empty
// state, so the run could go on from scratch), and only a real STATE message being unwrapped.
import { describe, expect, it } from '@jest/globals';
import { parseState } from '../../src/singer/state.js';

describe('parseState results', () => {
  it('gives an empty state alongside the problem for a root that is not an object', () => {
    expect(parseState('{"bookmarks":{}}')).toEqual({
      state: { bookmarks: {} },
      problems: ['state: the root must be a JSON object like {"bookmarks": {...}}'],
    });
  });

  it('gives an empty state alongside the problem for bookmarks that are not an object', () => {
    expect(parseState({ bookmarks: ['events'], currently_syncing: 'events' })).toEqual({
      state: { bookmarks: {} },
      problems: ['state: "bookmarks" must be an object keyed by stream name'],
    });
  });

  it('unwraps "value" only from a message of type STATE', () => {
    // A state file of some other tool that happens to hold a "value" object is state itself.
    const own = { bookmarks: { events: { server_upload_time: '2026-03-01T00:00:00Z' } }, value: { bookmarks: { cohorts: {} } } };
    expect(parseState(own)).toEqual({ state: own, problems: [] });
    const record = { type: 'RECORD', bookmarks: { events: { at: 1 } }, value: { bookmarks: {} } };
    expect(parseState(record).state.bookmarks).toEqual({ events: { at: 1 } });
  });

  it('reads a STATE message whose value is not an object as state itself', () => {
    expect(parseState({ type: 'STATE', value: 'x', bookmarks: { events: { at: 2 } } })).toEqual({
      state: { type: 'STATE', value: 'x', bookmarks: { events: { at: 2 } } },
      problems: [],
    });
  });
});
