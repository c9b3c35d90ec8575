// Singer state: {"bookmarks": {"<stream>": {...}}, "currently_syncing": ...}. Unknown keys, at
// the top level and inside bookmarks, are kept so that state written by other tools survives.
import { isObject } from '../json.js';

export type Bookmark = Record<string, unknown>;

export interface StateValue {
  bookmarks: Record<string, Bookmark>;
  currently_syncing?: string | null;
  [key: string]: unknown;
}

/** Validates the shape of a parsed state file; returns the problems (empty when fine). */
export function parseState(raw: unknown): { state: StateValue; problems: string[] } {
  const problems: string[] = [];
  if (!isObject(raw)) {
    return { state: { bookmarks: {} }, problems: ['state: the root must be a JSON object like {"bookmarks": {...}}'] };
  }
  // Accept a whole STATE message too (a common copy-paste from a tap's output).
  const value = raw.type === 'STATE' && isObject(raw.value) ? raw.value : raw;
  const bookmarks = value.bookmarks ?? {};
  if (!isObject(bookmarks)) {
    problems.push('state: "bookmarks" must be an object keyed by stream name');
    return { state: { bookmarks: {} }, problems };
  }
  for (const [stream, b] of Object.entries(bookmarks)) {
    if (!isObject(b)) problems.push(`state: bookmarks["${stream}"] must be an object`);
  }
  const cs = value.currently_syncing;
  if (cs !== undefined && cs !== null && typeof cs !== 'string') problems.push('state: "currently_syncing" must be a stream name or null');
  return { state: { ...value, bookmarks: bookmarks as Record<string, Bookmark> }, problems };
}

/** The run's state: bookmarks change as streams checkpoint; a snapshot is what a STATE carries. */
export class StateTracker {
  private value: StateValue;

  constructor(initial: StateValue = { bookmarks: {} }) {
    this.value = structuredClone(initial);
  }

  bookmark(stream: string): Bookmark | undefined {
    return this.value.bookmarks[stream];
  }

  /** Merges the stream's new bookmark over the old one (keys the tap does not know are kept). */
  setBookmark(stream: string, bookmark: Bookmark): void {
    this.value.bookmarks[stream] = { ...(this.value.bookmarks[stream] ?? {}), ...bookmark };
  }

  setCurrentlySyncing(stream: string | null): void {
    this.value.currently_syncing = stream;
  }

  snapshot(): StateValue {
    return structuredClone(this.value);
  }
}
