// Airbyte's state forms read as Singer bookmarks (the e2e test runs the files Airbyte exports; this
// covers the other spellings: the API's camelCase copies, a LEGACY message, one STREAM message) and
// Singer state left alone.
import { describe, expect, it } from '@jest/globals';
import { fromAirbyteState } from '../../src/airbyte/state.js';
import { Logger } from '../../src/singer/log.js';

function convert(raw: unknown): { out: unknown; lines: string[] } {
  const lines: string[] = [];
  const out = fromAirbyteState(raw, new Logger('info', (l) => lines.push(l.trimEnd())));
  return { out, lines };
}

const EVENTS_11 = { bookmarks: { events: { server_upload_time: '2026-03-02T11:00:00Z' } } };

describe('fromAirbyteState', () => {
  it.each([
    ['the API\'s per-stream ConnectionState', { stateType: 'stream', connectionId: 'c', streamState: [{ streamDescriptor: { name: 'events' }, streamState: { server_upload_time: '20260302T11' } }] }, 'per-stream'],
    ['the API\'s global ConnectionState', { stateType: 'global', globalState: { sharedState: {}, streamStates: [{ streamDescriptor: { name: 'events' }, streamState: { server_upload_time: '20260302T11' } }] } }, 'global'],
    ['a LEGACY message', { type: 'LEGACY', data: { events: { server_upload_time: '2026-03-02T11:59:59.999999+00:00' } } }, 'legacy'],
    ['one STREAM message', { type: 'STREAM', stream: { stream_descriptor: { name: 'events', namespace: null }, stream_state: { server_upload_time: '2026-03-02 11:00:00.000000' } } }, 'per-stream'],
  ])('reads %s', (_what, raw, form) => {
    expect(convert(raw)).toEqual({
      out: EVENTS_11,
      lines: [`INFO state: converted Airbyte's ${form} state into Singer bookmarks: events from 2026-03-02T11:00:00Z`],
    });
  });

  it.each([
    ['Singer state', { bookmarks: { events: { server_upload_time: '2026-03-02T11:00:00Z' } }, currently_syncing: null }],
    ['a STATE message', { type: 'STATE', value: { bookmarks: {} } }],
    ['Singer state with extra top-level keys of another tool', { bookmarks: {}, events: { x: 1 } }],
    ['an object naming no stream of the tap', { users: { date: '2026-01-01' } }],
    ['an empty list', []],
  ])('leaves %s alone, silently', (_what, raw) => {
    expect(convert(raw)).toEqual({ out: raw, lines: [] });
  });
});
