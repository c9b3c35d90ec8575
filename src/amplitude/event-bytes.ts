// The events stream's hot loop: one export line's UTF-8 bytes → the record's JSON bytes, without
// building a string or an object. The text written is exactly what transformEventLine
// (event-line.ts) returns for the line, already in ASCII (every non-ASCII UTF-16 unit as a
// lowercase \uXXXX, as the Singer writer sends it). The grammar is checked as the bytes go, so a
// line JSON.parse would reject is never written.
//
// Whatever this scanner does not reproduce exactly it declines (returns NEEDS_TEXT), and the caller
// runs transformEventLine on the decoded line instead: a number it cannot prove safe (beyond 2^53,
// whose source digits that path keeps), a key starting with a digit (array-index keys are
// reordered by JSON.parse), a duplicate key (or two keys of one object with the same hash), an
// escaped or non-ASCII top-level key or timestamp, nesting deeper than MAX_DEPTH, invalid UTF-8,
// and anything that is not valid JSON. Declining is always correct; it is only slower.
import { NUMERIC_FIELDS, numberFromText, type KeySelection } from './event-line.js';
import { EXPORT_TIMESTAMP_FIELDS, exportTimestampTimeEnd } from './timestamps.js';

/** `write` declined the line: use transformEventLine on its text. */
export const NEEDS_TEXT = -1;

const MAX_DEPTH = 64;
// Keys held for duplicate checks across all open objects; a line with more open keys is declined.
const MAX_OPEN_KEYS = 4096;
// Distinct top-level key names remembered (exports have about 55); a line with a key beyond them is declined.
const MAX_TOP_KEYS = 1024;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const ZERO = 0x30;
const NINE = 0x39;
const LOWER_E = 0x65;
const UPPER_E = 0x45;
const HEX = Buffer.from('0123456789abcdef', 'latin1');
const TRUE = Buffer.from('true', 'latin1');
const FALSE = Buffer.from('false', 'latin1');
const NULL = Buffer.from('null', 'latin1');

// The one-letter escapes JSON.stringify writes as they are (\" and \\ included).
const SHORT_ESCAPES: ReadonlySet<number> = new Set([...'"\\bfnrt'].map((c) => c.charCodeAt(0)));
// Code units below 0x20 that JSON.stringify writes as one-letter escapes.
const SHORT_FORM: ReadonlyMap<number, number> = new Map([
  [0x08, 0x62], // \b
  [0x09, 0x74], // \t
  [0x0a, 0x6e], // \n
  [0x0c, 0x66], // \f
  [0x0d, 0x72], // \r
]);

const PLAIN = 0;
const TIMESTAMP = 1;
const NUMERIC = 2;

/** A top-level key seen before: its bytes, what to do with its value, and the line it was last seen on. */
interface TopKey {
  bytes: Uint8Array;
  kind: number;
  kept: boolean;
  seenOnLine: number;
  /** Another key with the same hash. */
  next: TopKey | null;
  /** The key that came after this one on the last line it was on. */
  follower: TopKey | null;
}

const isDigit = (c: number): boolean => c >= ZERO && c <= NINE;
const isWhitespace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0d || c === 0x0a;

function hexValue(c: number): number {
  if (c >= ZERO && c <= NINE) return c - ZERO;
  const lower = c | 0x20;
  return lower >= 0x61 && lower <= 0x66 ? lower - 0x61 + 10 : -1;
}

/** Declined: unwinds to `write`. */
const DECLINE = new Error('declined');

export class EventRecordScanner {
  private src: Uint8Array = new Uint8Array(0);
  private end = 0;
  /** The next byte to read. */
  private i = 0;
  private out: Uint8Array = new Uint8Array(0);
  /** Where the next output byte goes (it keeps counting past the end of `out`). */
  private o = 0;
  /** Source bytes from here up to `i` are still to be copied to the output as they are. */
  private from = 0;
  private line = 0;
  private readonly openKeys = new Int32Array(MAX_OPEN_KEYS);
  private openCount = 0;
  private readonly topKeys = new Map<number, TopKey>();
  private topKeyCount = 0;
  /** The top-level key the last line started with: most lines repeat the one before's key order. */
  private firstKey: TopKey | null = null;

  /** `selected`: which top-level keys the record keeps (null: all), as for transformEventLine. */
  constructor(private readonly selected: KeySelection | null) {}

  /**
   * Writes the record of the line `src[start, end)` (no newline in it) into `out` from `at` and
   * returns where it ends, or NEEDS_TEXT. A return value beyond `out.length` means `out` was too
   * small (the bytes past its end were dropped): grow it to at least that and call again.
   */
  write(src: Uint8Array, start: number, end: number, out: Uint8Array, at: number): number {
    this.src = src;
    this.end = end;
    this.i = start;
    this.from = start;
    this.out = out;
    this.o = at;
    this.openCount = 0;
    this.line++;
    try {
      if (src[start] !== OPEN_BRACE) return NEEDS_TEXT;
      this.topObject();
      this.skipWhitespace();
      if (this.i !== end) return NEEDS_TEXT;
      this.flush(end);
      return this.o;
    } catch (err) {
      if (err === DECLINE) return NEEDS_TEXT;
      throw err;
    }
  }

  /** Copies the pending source bytes before `upTo` to the output. */
  private flush(upTo: number): void {
    const n = upTo - this.from;
    if (n > 0 && this.o + n <= this.out.length) {
      if (n < 64) {
        const { src, out, from, o } = this;
        for (let k = 0; k < n; k++) out[o + k] = src[from + k] as number;
      } else {
        this.out.set(this.src.subarray(this.from, upTo), this.o);
      }
    }
    this.o += n;
    this.from = upTo;
  }

  /** Replaces the source bytes from `at` up to `i` with nothing: what is written next stands there. */
  private cut(at: number): void {
    this.flush(at);
    this.from = this.i;
  }

  private byte(c: number): void {
    this.out[this.o++] = c;
  }

  private ascii(text: string): void {
    for (let k = 0; k < text.length; k++) this.out[this.o++] = text.charCodeAt(k);
  }

  private skipWhitespace(): void {
    const start = this.i;
    while (this.i < this.end && isWhitespace(this.src[this.i] as number)) this.i++;
    if (this.i > start) this.cut(start);
  }

  private expect(c: number): void {
    this.skipWhitespace();
    if (this.i >= this.end || this.src[this.i] !== c) throw DECLINE;
    this.i++;
  }

  /** The record's members: kept or dropped by key, timestamps and numeric text rewritten. */
  private topObject(): void {
    this.i++; // {
    this.skipWhitespace();
    if (this.i < this.end && this.src[this.i] === CLOSE_BRACE) {
      this.i++;
      return;
    }
    const dropping = this.selected !== null;
    let written = false;
    let first = true;
    let previous: TopKey | null = null;
    // Where this member's text starts in the output (its comma included), when members may be dropped.
    let mark = 0;
    if (dropping) {
      this.flush(this.i);
      mark = this.o;
    }
    for (;;) {
      this.skipWhitespace();
      const keyStart = this.i;
      const key = this.topKey(previous === null ? this.firstKey : previous.follower);
      if (previous === null) this.firstKey = key;
      else previous.follower = key;
      previous = key;
      if (key.seenOnLine === this.line) throw DECLINE;
      key.seenOnLine = this.line;
      // The first member kept after dropped ones loses its comma.
      if (dropping && key.kept && !written && !first) {
        this.o = mark;
        this.from = keyStart;
      }
      first = false;
      this.expect(COLON);
      this.skipWhitespace();
      if (key.kind !== PLAIN && this.src[this.i] === QUOTE) {
        if (key.kind === TIMESTAMP) this.timestampValue();
        else this.numericValue();
      } else {
        this.value(1);
      }
      if (key.kept) {
        written = true;
      } else {
        this.o = mark;
        this.from = this.i;
      }
      this.skipWhitespace();
      const c = this.i < this.end ? this.src[this.i] : -1;
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw DECLINE;
      if (dropping) {
        this.flush(this.i);
        mark = this.o;
      }
      this.i++;
    }
    this.i++; // }
  }

  /** A top-level key (quotes included): plain ASCII only, not starting with a digit. Most often the one predicted. */
  private topKey(predicted: TopKey | null): TopKey {
    const { src, end } = this;
    const start = this.i;
    if (predicted !== null) {
      const { bytes } = predicted;
      if (start + bytes.length <= end && sameBytes(bytes, src, start)) {
        this.i = start + bytes.length;
        return predicted;
      }
    }
    if (start >= end || src[start] !== QUOTE || isDigit(src[start + 1] as number)) throw DECLINE;
    let hash = 0x811c9dc5;
    let j = start + 1;
    for (;;) {
      if (j >= end) throw DECLINE;
      const c = src[j] as number;
      if (c === QUOTE) break;
      if (c === BACKSLASH || c < 0x20 || c >= 0x80) throw DECLINE;
      hash = Math.imul(hash ^ c, 0x01000193);
      j++;
    }
    this.i = j + 1;
    const known = this.topKeys.get(hash) ?? null;
    for (let k = known; k !== null; k = k.next) if (k.bytes.length === this.i - start && sameBytes(k.bytes, src, start)) return k;
    // A key not remembered could repeat on its line unseen: past the cap, such a line goes the exact way.
    if (this.topKeyCount >= MAX_TOP_KEYS) throw DECLINE;
    // A copy (Buffer.slice would be a view of the chunk, whose buffer is reused or sent away).
    const bytes = Uint8Array.prototype.slice.call(src, start, this.i);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + 1, bytes.length - 2).toString('latin1');
    const entry: TopKey = {
      bytes,
      kind: TIMESTAMP_KEYS.has(name) ? TIMESTAMP : NUMERIC_KEYS.has(name) ? NUMERIC : PLAIN,
      kept: this.selected === null || this.selected.has(name),
      seenOnLine: 0,
      next: known,
      follower: null,
    };
    this.topKeys.set(hash, entry);
    this.topKeyCount++;
    return entry;
  }

  /** The index of the closing quote of the string at `i`, which must be plain ASCII (no escapes, no control characters). */
  private plainStringEnd(): number {
    const { src, end } = this;
    for (let j = this.i + 1; j < end; j++) {
      const c = src[j] as number;
      if (c === QUOTE) return j;
      if (c === BACKSLASH || c < 0x20 || c >= 0x80) throw DECLINE;
    }
    throw DECLINE;
  }

  /** The text of a plain ASCII string value, the quotes skipped. */
  private plainText(): string {
    const start = this.i + 1;
    const close = this.plainStringEnd();
    this.i = close + 1;
    return latin1(this.src, start, close);
  }

  /** Rewritten in place: the space becomes `T`, and the UTC mark `Z`; `""` becomes null; anything else stays. */
  private timestampValue(): void {
    const { src } = this;
    const open = this.i;
    const close = this.plainStringEnd();
    this.i = close + 1;
    if (close === open + 1) {
      this.cut(open);
      this.literal(NULL);
      return;
    }
    const timeEnd = exportTimestampTimeEnd(src, open + 1, close);
    if (timeEnd < 0) return; // kept as it stands
    if (src[open + 11] !== 0x54) {
      this.flush(open + 11);
      this.byte(0x54); // T
      this.from = open + 12;
    }
    if (timeEnd !== close - 1 || src[timeEnd] !== 0x5a) {
      this.flush(timeEnd);
      this.byte(0x5a); // Z
      this.from = close;
    }
  }

  private numericValue(): void {
    const at = this.i;
    const n = numberFromText(this.plainText());
    this.cut(at);
    if (n === null) this.literal(NULL);
    else this.safeNumber(n);
  }

  private literal(bytes: Uint8Array): void {
    for (let k = 0; k < bytes.length; k++) this.byte(bytes[k] as number);
  }

  private value(depth: number): void {
    if (this.i >= this.end) throw DECLINE;
    const c = this.src[this.i] as number;
    if (c === QUOTE) this.string();
    else if (c === OPEN_BRACE) this.object(depth + 1);
    else if (c === OPEN_BRACKET) this.array(depth + 1);
    else if (c === MINUS || isDigit(c)) this.number();
    else if (c === 0x74) this.word(TRUE);
    else if (c === 0x66) this.word(FALSE);
    else if (c === 0x6e) this.word(NULL);
    else throw DECLINE;
  }

  private word(bytes: Uint8Array): void {
    if (this.i + bytes.length > this.end) throw DECLINE;
    for (let k = 0; k < bytes.length; k++) if (this.src[this.i + k] !== bytes[k]) throw DECLINE;
    this.i += bytes.length;
  }

  private object(depth: number): void {
    if (depth > MAX_DEPTH) throw DECLINE;
    this.i++; // {
    this.skipWhitespace();
    if (this.i < this.end && this.src[this.i] === CLOSE_BRACE) {
      this.i++;
      return;
    }
    const base = this.openCount;
    for (;;) {
      this.skipWhitespace();
      if (this.i >= this.end || this.src[this.i] !== QUOTE || isDigit(this.src[this.i + 1] as number)) throw DECLINE;
      const hash = this.key();
      for (let k = base; k < this.openCount; k++) if (this.openKeys[k] === hash) throw DECLINE;
      if (this.openCount === MAX_OPEN_KEYS) throw DECLINE;
      this.openKeys[this.openCount++] = hash;
      this.expect(COLON);
      this.skipWhitespace();
      this.value(depth);
      this.skipWhitespace();
      const c = this.i < this.end ? this.src[this.i++] : -1;
      if (c === CLOSE_BRACE) break;
      if (c !== COMMA) throw DECLINE;
    }
    this.openCount = base;
  }

  private array(depth: number): void {
    if (depth > MAX_DEPTH) throw DECLINE;
    this.i++; // [
    this.skipWhitespace();
    if (this.i < this.end && this.src[this.i] === CLOSE_BRACKET) {
      this.i++;
      return;
    }
    for (;;) {
      this.skipWhitespace();
      this.value(depth);
      this.skipWhitespace();
      const c = this.i < this.end ? this.src[this.i++] : -1;
      if (c === CLOSE_BRACKET) break;
      if (c !== COMMA) throw DECLINE;
    }
  }

  /** A key of a nested object, without escapes; returns the hash of its bytes for the duplicate check. */
  private key(): number {
    const { src, end } = this;
    let hash = 0x811c9dc5;
    for (let j = this.i + 1; j < end; ) {
      const c = src[j] as number;
      if (c === QUOTE) {
        this.i = j + 1;
        return hash | 0; // as the Int32Array holds it (the empty key's hash is the unsigned seed)
      }
      if (c < 0x20 || c === BACKSLASH) throw DECLINE;
      hash = Math.imul(hash ^ c, 0x01000193);
      j = c < 0x80 ? j + 1 : this.multiByte(j);
    }
    throw DECLINE;
  }

  /** A string value: plain bytes stay in the copy, others are written as JSON.stringify and the ASCII escaping write them. */
  private string(): void {
    const { src, end } = this;
    for (let j = this.i + 1; j < end; ) {
      const c = src[j] as number;
      if (c === QUOTE) {
        this.i = j + 1;
        return;
      }
      if (c >= 0x20 && c < 0x80) j = c === BACKSLASH ? this.escape(j) : j + 1;
      else if (c >= 0x80) j = this.multiByte(j);
      else throw DECLINE; // a raw control character
    }
    throw DECLINE;
  }

  /** The UTF-8 sequence whose lead byte is at `j`, written as \uXXXX escapes; returns the index after it. */
  private multiByte(j: number): number {
    const { src, end } = this;
    const lead = src[j] as number;
    // Sequence length, the lead byte's payload bits and the smallest code point of that length.
    let length = 4;
    let code = lead & 0x07;
    let least = 0x10000;
    if (lead >= 0xc2 && lead <= 0xdf) {
      length = 2;
      code = lead & 0x1f;
      least = 0x80;
    } else if (lead >= 0xe0 && lead <= 0xef) {
      length = 3;
      code = lead & 0x0f;
      least = 0x800;
    } else if (lead < 0xf0 || lead > 0xf4) {
      throw DECLINE;
    }
    if (j + length > end) throw DECLINE;
    for (let k = 1; k < length; k++) {
      const next = src[j + k] as number;
      if ((next & 0xc0) !== 0x80) throw DECLINE;
      code = (code << 6) | (next & 0x3f);
    }
    // Overlong forms, UTF-8-encoded surrogates and code points past U+10FFFF are invalid UTF-8.
    if (code < least || (code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff) throw DECLINE;
    this.flush(j);
    if (code < 0x10000) {
      this.unitEscape(code);
    } else {
      this.unitEscape(0xd800 + ((code - 0x10000) >> 10));
      this.unitEscape(0xdc00 + ((code - 0x10000) & 0x3ff));
    }
    this.from = j + length;
    return j + length;
  }

  private unitEscape(unit: number): void {
    this.byte(BACKSLASH);
    this.byte(0x75); // u
    this.byte(HEX[(unit >> 12) & 0xf] as number);
    this.byte(HEX[(unit >> 8) & 0xf] as number);
    this.byte(HEX[(unit >> 4) & 0xf] as number);
    this.byte(HEX[unit & 0xf] as number);
  }

  /** The escape at `j` (a backslash) in the form JSON.stringify and the ASCII escaping give its character; returns the index after it. */
  private escape(j: number): number {
    const { src, end } = this;
    if (j + 1 >= end) throw DECLINE;
    const c = src[j + 1] as number;
    if (SHORT_ESCAPES.has(c)) return j + 2; // copied as it stands
    if (c !== 0x2f && (c !== 0x75 || j + 6 > end)) throw DECLINE;
    this.flush(j);
    if (c === 0x2f) {
      this.byte(0x2f); // \/ is just /
      this.from = j + 2;
      return j + 2;
    }
    let unit = 0;
    for (let k = 2; k < 6; k++) {
      const digit = hexValue(src[j + k] as number);
      if (digit < 0) throw DECLINE;
      unit = (unit << 4) | digit;
    }
    const short = SHORT_FORM.get(unit);
    if (short !== undefined) {
      this.byte(BACKSLASH);
      this.byte(short);
    } else if (unit === QUOTE || unit === BACKSLASH) {
      this.byte(BACKSLASH);
      this.byte(unit);
    } else if (unit >= 0x20 && unit < 0x80) {
      this.byte(unit);
    } else {
      // Control characters, everything non-ASCII and lone surrogates alike: \u and lowercase hex.
      this.unitEscape(unit);
    }
    this.from = j + 6;
    return j + 6;
  }

  /** A number in JSON's grammar, written as JSON.stringify writes the double it denotes. */
  private number(): void {
    const { src, end } = this;
    const start = this.i;
    let i = start;
    if (src[i] === MINUS) i++;
    const firstDigit = i;
    if (i >= end || !isDigit(src[i] as number)) throw DECLINE;
    if (src[i] === ZERO) i++;
    else while (i < end && isDigit(src[i] as number)) i++;
    const digits = i - firstDigit;
    let plain = true;
    if (i < end && src[i] === DOT) {
      plain = false;
      i++;
      if (i >= end || !isDigit(src[i] as number)) throw DECLINE;
      while (i < end && isDigit(src[i] as number)) i++;
    }
    if (i < end && (src[i] === LOWER_E || src[i] === UPPER_E)) {
      plain = false;
      i++;
      if (i < end && (src[i] === PLUS || src[i] === MINUS)) i++;
      if (i >= end || !isDigit(src[i] as number)) throw DECLINE;
      while (i < end && isDigit(src[i] as number)) i++;
    }
    this.i = i;
    // An integer of up to 15 digits is exact and already in its shortest form, except -0.
    if (plain && digits <= 15 && !(src[start] === MINUS && src[firstDigit] === ZERO)) return;
    const text = latin1(src, start, i);
    const n = Number(text);
    if (!(Math.abs(n) <= Number.MAX_SAFE_INTEGER)) throw DECLINE;
    const shortest = String(n);
    if (shortest === text) return;
    this.cut(start);
    this.ascii(shortest);
  }

  /** transformEventLine keeps the source text of a record holding a number beyond 2^53: declined. */
  private safeNumber(n: number): void {
    if (!(Math.abs(n) <= Number.MAX_SAFE_INTEGER)) throw DECLINE;
    this.ascii(String(n));
  }
}

const TIMESTAMP_KEYS: ReadonlySet<string> = new Set(EXPORT_TIMESTAMP_FIELDS);
const NUMERIC_KEYS: ReadonlySet<string> = new Set(NUMERIC_FIELDS);

/** The bytes as text, one character per byte (the caller knows them to be ASCII). */
function latin1(src: Uint8Array, start: number, end: number): string {
  return Buffer.from(src.buffer, src.byteOffset + start, end - start).toString('latin1');
}

/** Whether `src` holds `bytes` from `start` on (the caller checks that it is long enough). */
function sameBytes(bytes: Uint8Array, src: Uint8Array, start: number): boolean {
  for (let k = 0; k < bytes.length; k++) if (bytes[k] !== src[start + k]) return false;
  return true;
}
