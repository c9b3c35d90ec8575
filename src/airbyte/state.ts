// Airbyte's state, as an Airbyte Amplitude connection exports it, turned into Singer bookmarks:
// the per-stream form (a list of {"type": "STREAM", "stream": {"stream_descriptor", "stream_state"}}),
// the global form ({"type": "GLOBAL", "global": {"stream_states": [...]}}), the legacy form
// ({"type": "LEGACY", "data": {...}} or the bare {"events": {...}} object), and the API's camelCase
// copies of each. Anything else passes through unchanged, to be checked as Singer state.
import { DateTime } from 'luxon';
import { bookmarkValue, parseBookmarkHour } from '../amplitude/export-hours.js';
import { BadInput } from '../errors.js';
import type { Logger } from '../singer/log.js';
import { FIXED_STREAMS } from '../streams/registry.js';

type Obj = Record<string, unknown>;
const isObject = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** One stream's entry of the per-stream and global forms (snake_case in files, camelCase from Airbyte's API). */
function streamEntry(entry: unknown): { name: string; state: unknown } | null {
  if (!isObject(entry)) return null;
  const inner = isObject(entry.stream) ? entry.stream : entry;
  const descriptor = inner.stream_descriptor ?? inner.streamDescriptor;
  if (!isObject(descriptor) || typeof descriptor.name !== 'string') return null;
  return { name: descriptor.name, state: inner.stream_state ?? inner.streamState ?? {} };
}

function streamStates(list: unknown): Array<{ name: string; state: unknown }> | null {
  if (!Array.isArray(list)) return null;
  const out = list.map(streamEntry);
  return out.every((e) => e !== null) ? (out as Array<{ name: string; state: unknown }>) : null;
}

/** The global form's stream states, from a message or the API's ConnectionState. */
function globalStates(value: Obj): Array<{ name: string; state: unknown }> | null {
  const global = value.type === 'GLOBAL' ? value.global : value.stateType === 'global' ? value.globalState : undefined;
  if (!isObject(global)) return null;
  return streamStates(global.stream_states ?? global.streamStates);
}

/** Which Airbyte form `raw` is in, and its per-stream states; null when it is not Airbyte's. */
function airbyteStreams(raw: unknown): { form: string; streams: Array<{ name: string; state: unknown }> } | null {
  if (Array.isArray(raw)) {
    if (raw.length === 1 && isObject(raw[0])) {
      const global = globalStates(raw[0]);
      if (global) return { form: 'global', streams: global };
      if (raw[0].type === 'LEGACY') return airbyteStreams(raw[0]);
    }
    const streams = streamStates(raw);
    return streams && streams.length > 0 ? { form: 'per-stream', streams } : null;
  }
  if (!isObject(raw)) return null;
  const global = globalStates(raw);
  if (global) return { form: 'global', streams: global };
  if (raw.type === 'STREAM') {
    const one = streamEntry(raw);
    return one ? { form: 'per-stream', streams: [one] } : null;
  }
  if (raw.stateType === 'stream') {
    const streams = streamStates(raw.streamState);
    return streams ? { form: 'per-stream', streams } : null;
  }
  const legacy = raw.type === 'LEGACY' ? raw.data : raw.stateType === 'legacy' ? raw.state : undefined;
  if (isObject(legacy)) return { form: 'legacy', streams: Object.entries(legacy).map(([name, state]) => ({ name, state })) };
  // The bare legacy object: stream names at the root where Singer state has "bookmarks".
  if (raw.bookmarks === undefined && raw.type === undefined) {
    const known = new Set(FIXED_STREAMS.map((s) => s.name));
    const keys = Object.keys(raw);
    if (keys.length > 0 && keys.some((k) => known.has(k)) && keys.every((k) => isObject(raw[k]))) {
      return { form: 'legacy', streams: keys.map((name) => ({ name, state: raw[name] })) };
    }
  }
  return null;
}

/** An Airbyte cursor as the tap's bookmark for that stream, and how to describe it. */
function convertCursor(name: string, state: unknown): { bookmark: Obj; said: string } {
  if (!isObject(state)) throw new BadInput([`state: Airbyte's state for stream "${name}" must be an object, got ${JSON.stringify(state)}`]);
  if (name === 'events') {
    // server_upload_time is the cursor since the low-code connector; the older Python one kept event_time.
    const key = state.server_upload_time !== undefined ? 'server_upload_time' : state.event_time !== undefined ? 'event_time' : null;
    const hour = key ? parseBookmarkHour(state[key]) : null;
    if (!key || !hour) {
      throw new BadInput([
        `state: Airbyte's events state ${JSON.stringify(state)} holds no usable server_upload_time; write {"bookmarks": {"events": {"server_upload_time": "<first hour to export, e.g. 2026-06-16T11:00:00Z>"}}} instead`,
      ]);
    }
    // The hour of Airbyte's cursor is read again: it may have been read only in part, and uuid keeps the repeats apart.
    return { bookmark: { server_upload_time: bookmarkValue(hour) }, said: `events from ${bookmarkValue(hour)}${key === 'event_time' ? ' (from event_time)' : ''}` };
  }
  if ((name === 'active_users' || name === 'average_session_length') && typeof state.date === 'string') {
    const day = DateTime.fromISO(state.date.slice(0, 10), { zone: 'utc' });
    if (day.isValid) return { bookmark: { date: day.toISODate() as string }, said: `${name} from ${day.toISODate() as string}` };
  }
  return { bookmark: state, said: `${name} as is` };
}

/**
 * Singer state `{"bookmarks": ...}` for an Airbyte state, logging one INFO line saying what was
 * converted; anything that is not Airbyte's state is returned unchanged.
 */
export function fromAirbyteState(raw: unknown, log: Logger): unknown {
  const found = airbyteStreams(raw);
  if (!found) return raw;
  const bookmarks: Record<string, Obj> = {};
  const said: string[] = [];
  for (const { name, state } of found.streams) {
    const converted = convertCursor(name, state);
    bookmarks[name] = converted.bookmark;
    said.push(converted.said);
  }
  log.info(`state: converted Airbyte's ${found.form} state into Singer bookmarks: ${said.join(', ') || 'no stream'}`);
  return { bookmarks };
}
