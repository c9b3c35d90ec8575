// One Export API JSON line → the exact JSON text of the `events` record (amplitude-api.md §5.5–5.6):
// the 7 timestamps normalised to RFC 3339 UTC, every other member kept (new keys included) in
// source order, optionally restricted to the selected top-level fields.
//
// Fast path: JSON.parse, rewrite the timestamps in place, JSON.stringify (measured faster than a
// hand-written top-level scanner). That is exact except for numbers a double cannot hold (integers beyond
// 2^53 such as 9007199254740993, overflowing exponents) and for objects with array-index keys,
// which V8 reorders; a line holding either is re-emitted instead by copying each selected top-level
// member's source text verbatim, rewriting only timestamp values.
import { messageOf } from '../errors.js';
import { AmplitudeBodyError } from './errors.js';
import { EXPORT_TIMESTAMP_FIELDS, normalizeTimestamp } from './timestamps.js';

/** The line is not a JSON object. The caller knows the line number and adds it. */
export class EventLineError extends AmplitudeBodyError {
  override name = 'EventLineError';
  /** The line's 1-based number in what was decoded, when the decoder knows it. */
  line?: number;
}

export interface EventLine {
  /** The record as JSON text, ready to be spliced into a RECORD message. */
  recordJson: string;
}

type JsonObject = Record<string, unknown>;

const TIMESTAMP_FIELDS: ReadonlySet<string> = new Set(EXPORT_TIMESTAMP_FIELDS);

// Numeric fields some exports carry as text (`"sample_rate": "0.5"`, amplitude-api.md §5.5): a
// number in the record, so a SQL target gets one column type; text that is no number becomes null.
export const NUMERIC_FIELDS: readonly string[] = ['sample_rate', '$schema', 'location_lat', 'location_lng'];
const NUMERIC_FIELD_SET: ReadonlySet<string> = new Set(NUMERIC_FIELDS);

export function numberFromText(text: string): number | null {
  const n = text.trim() === '' ? NaN : Number(text);
  return Number.isFinite(n) ? n : null;
}

/** Which top-level keys a record keeps (a Set of names, or any predicate with the same `has`). */
export type KeySelection = Pick<ReadonlySet<string>, 'has'>;

/**
 * Transforms one export line. `selected` says which top-level keys to keep (null or omitted:
 * all).
 */
export function transformEventLine(line: string, selected?: KeySelection | null): EventLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (err) {
    throw new EventLineError(`event line is not valid JSON: ${messageOf(err)}`, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new EventLineError('event line is not a JSON object');
  }
  const event = parsed as JsonObject;

  for (const field of EXPORT_TIMESTAMP_FIELDS) {
    if (Object.hasOwn(event, field)) event[field] = normalizeTimestamp(event[field]);
  }
  for (const field of NUMERIC_FIELDS) {
    const value = event[field];
    if (typeof value === 'string') event[field] = numberFromText(value);
  }
  const record = selected ? pick(event, selected) : event;
  const recordJson = needsSourceText(record) ? spliceRecord(line, selected ?? null) : JSON.stringify(record);
  return { recordJson };
}

function pick(event: JsonObject, selected: KeySelection): JsonObject {
  // A null prototype makes a member named "__proto__" an ordinary key, as JSON.parse made it.
  const picked = Object.create(null) as JsonObject;
  for (const key in event) if (selected.has(key)) picked[key] = event[key];
  return picked;
}

// True when JSON.stringify of the parsed `value` could differ from the source text in more than
// spacing or number spelling (`1.0` → `1`, `1E2` → `100`, same double):
// - a number beyond 2^53: the double rounded it (9007199254740993 → …992), or an overflowing
//   exponent became Infinity, which JSON.stringify writes as null;
// - an array-index key ("0", "42"): V8 enumerates those first, so the member order would change.
function needsSourceText(value: unknown): boolean {
  if (typeof value === 'number') return !(Math.abs(value) <= Number.MAX_SAFE_INTEGER);
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) {
    for (const item of value) if (needsSourceText(item)) return true;
    return false;
  }
  for (const key in value) {
    if (isArrayIndex(key) || needsSourceText((value as JsonObject)[key])) return true;
  }
  return false;
}

const ARRAY_INDEX = /^(?:0|[1-9]\d{0,9})$/;

function isArrayIndex(key: string): boolean {
  const first = key.charCodeAt(0);
  return first >= 0x30 && first <= 0x39 && ARRAY_INDEX.test(key) && Number(key) < 2 ** 32 - 1;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;

// Copies the selected top-level members of `line` (already validated by JSON.parse) verbatim,
// except timestamp values, which are normalised.
function spliceRecord(line: string, selected: KeySelection | null): string {
  const members: string[] = [];
  let i = skipWhitespace(line, skipWhitespace(line, 0) + 1);
  while (i < line.length && line.charCodeAt(i) !== CLOSE_BRACE) {
    const keyEnd = endOfString(line, i);
    const rawKey = line.slice(i, keyEnd);
    const key = JSON.parse(rawKey) as string;
    const valueStart = skipWhitespace(line, skipWhitespace(line, keyEnd) + 1);
    const valueEnd = endOfValue(line, valueStart);
    if (!selected || selected.has(key)) {
      members.push(`${rawKey}:${memberValue(key, line.slice(valueStart, valueEnd))}`);
    }
    i = skipWhitespace(line, valueEnd);
    if (line.charCodeAt(i) === COMMA) i = skipWhitespace(line, i + 1);
  }
  return `{${members.join(',')}}`;
}

function memberValue(key: string, rawValue: string): string {
  if (NUMERIC_FIELD_SET.has(key) && rawValue.charCodeAt(0) === QUOTE) return JSON.stringify(numberFromText(JSON.parse(rawValue) as string));
  if (!TIMESTAMP_FIELDS.has(key) || rawValue.charCodeAt(0) !== QUOTE) return rawValue;
  const value = JSON.parse(rawValue) as string;
  const normalised = normalizeTimestamp(value);
  return normalised === value ? rawValue : JSON.stringify(normalised);
}

function skipWhitespace(text: string, i: number): number {
  let j = i;
  for (;;) {
    const c = text.charCodeAt(j);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return j;
    j++;
  }
}

/** Index just past the closing quote of the string starting at `i`. */
function endOfString(text: string, i: number): number {
  let j = i;
  for (;;) {
    j = text.indexOf('"', j + 1);
    if (j === -1) return text.length;
    // The quote ends the string unless an odd number of backslashes precede it.
    let backslashes = 0;
    while (text.charCodeAt(j - 1 - backslashes) === BACKSLASH) backslashes++;
    if (backslashes % 2 === 0) return j + 1;
  }
}

/** Index just past the value starting at `i`. */
function endOfValue(text: string, i: number): number {
  const first = text.charCodeAt(i);
  if (first === QUOTE) return endOfString(text, i);
  if (first !== OPEN_BRACE && first !== OPEN_BRACKET) {
    let j = i + 1;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c === COMMA || c === CLOSE_BRACE || c === CLOSE_BRACKET || c <= 0x20 || Number.isNaN(c)) return j;
      j++;
    }
  }
  let depth = 0;
  let j = i;
  while (j < text.length) {
    const c = text.charCodeAt(j);
    if (c === QUOTE) {
      j = endOfString(text, j);
      continue;
    }
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if ((c === CLOSE_BRACE || c === CLOSE_BRACKET) && --depth === 0) return j + 1;
    j++;
  }
  return j;
}
