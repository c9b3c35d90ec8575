// A chunk of export lines as RECORD lines of the events stream: the work a decoding worker thread
// does (and the same code in-thread when no worker runs), so that the output is byte for byte the
// same either way.
import { EventRecordScanner, NEEDS_TEXT } from '../amplitude/event-bytes.js';
import { isBlankLine } from '../amplitude/export-lines.js';
import { EventLineError, transformEventLine, type KeySelection } from '../amplitude/event-line.js';
import { asciiJson, recordFrame } from '../singer/writer.js';
import { StreamFailure } from '../errors.js';
import type { StreamItem } from './types.js';

/** What framing needs to know, in a form a worker thread can receive. */
export interface FrameSpec {
  streamJson: string;
  selected: string[];
  declared: string[];
}

export interface FramedBatch {
  /** Newline-terminated RECORD lines, UTF-8, the only view of its ArrayBuffer (transferable). */
  bytes: Uint8Array;
  count: number;
  /** Lines of the chunk, blank ones included: for the line numbers of errors in later chunks. */
  lines: number;
  /** Called once the bytes are written: their buffer may then be reused. */
  release?: () => void;
}

/** The stream item that hands a framed batch to the writer (and its buffer back once written). */
export function framedItem(batch: FramedBatch): StreamItem {
  return batch.release ? { recordLines: batch.bytes, count: batch.count, written: batch.release } : { recordLines: batch.bytes, count: batch.count };
}

/** Framing state kept from chunk to chunk: the key selection and the byte scanner's key table. */
export interface EventFramer {
  kept: KeySelection | null;
  scanner: EventRecordScanner;
}

/**
 * The top-level keys a record keeps: all (null) when no declared field is deselected; otherwise the
 * selected ones plus any key the schema does not declare yet (new in the export), which the open
 * schema lets through.
 */
export function keptKeys(selected: ReadonlySet<string>, declared: readonly string[]): KeySelection | null {
  if (declared.every((field) => selected.has(field))) return null;
  const known = new Set(declared);
  return { has: (key) => selected.has(key) || !known.has(key) };
}

export function eventFramer(spec: FrameSpec): EventFramer {
  const kept = keptKeys(new Set(spec.selected), spec.declared);
  return { kept, scanner: new EventRecordScanner(kept) };
}

const NEWLINE = 0x0a;
const MB = 1024 * 1024;
// The exact path holds a declined line as text several times over (decoded, parsed, written again),
// which must fit a decoding worker's capped heap (events-decoder.ts); tests/e2e/large-event.test.ts
// decodes one of 24 MB that way. Much past this a worker's heap can fail outright instead of reporting.
const EXACT_PATH_MAX_BYTES = 32 * MB;

/** A line the byte scanner declined (a number beyond 2^53, say) too large for the exact path. */
export class EventTooLargeError extends StreamFailure {
  override name = 'EventTooLargeError';
  /** As EventLineError's. */
  line?: number;
}

/**
 * Frames one chunk of whole lines (time_extracted stamped now); throws EventLineError on a line
 * that is not a JSON object, with its number in the chunk. Each record is written straight into
 * one growing byte buffer by the byte scanner (event-bytes.ts), already ASCII; a line the scanner
 * declines is decoded and goes through transformEventLine, and only a record that is not ASCII
 * then is escaped and written again.
 */
export function frameChunk(chunk: Uint8Array, spec: FrameSpec, framer: EventFramer, spare?: ArrayBuffer): FramedBatch {
  const src = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  const [headText, tailText] = recordFrame(spec.streamJson, JSON.stringify(new Date().toISOString()));
  const head = Buffer.from(asciiJson(headText), 'latin1');
  const tail = Buffer.from(`${tailText}\n`, 'latin1');
  const frame = head.length + tail.length;
  // Records come out about as long as their lines (plus the frame); the buffer grows if they do not.
  // A spare buffer (one written out before, handed back) is used when it is big enough.
  const estimate = src.length + (src.length >> 3) + 4096;
  let out = spare !== undefined && spare.byteLength >= estimate ? Buffer.from(spare) : Buffer.allocUnsafeSlow(estimate);
  let used = 0;
  let count = 0;
  let lines = 0;
  const room = (bytes: number): void => {
    if (used + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + bytes));
    out.copy(bigger, 0, 0, used);
    out = bigger;
  };
  for (let start = 0; start < src.length; ) {
    const newline = src.indexOf(NEWLINE, start);
    const end = newline === -1 ? src.length : newline;
    lines++;
    if (end > start) {
      room(frame + end - start);
      let ends = framer.scanner.write(src, start, end, out, used + head.length);
      if (ends > out.length - tail.length) {
        // The record came out longer than the room made for it: grow, then write it again.
        room(ends + tail.length - used);
        ends = framer.scanner.write(src, start, end, out, used + head.length);
      }
      if (ends !== NEEDS_TEXT) {
        head.copy(out, used);
        used = ends + tail.copy(out, ends);
        count++;
      } else {
        if (end - start > EXACT_PATH_MAX_BYTES) {
          const size = `${Math.round((end - start) / MB)} MB`;
          const tooLarge = new EventTooLargeError(`an exported event of ${size} needs exact decoding (it holds a number beyond 2^53, a repeated key or invalid JSON), which takes events of up to ${EXACT_PATH_MAX_BYTES / MB} MB; please report it at tap-amplitude's issue tracker`);
          tooLarge.line = lines;
          throw tooLarge;
        }
        const line = src.toString('utf8', start, end);
        if (!isBlankLine(line)) {
          used = writeRecordText(exactRecord(line, framer.kept, lines));
          count++;
        }
      }
    }
    start = end + 1;
  }
  // A view of a buffer of its own (allocUnsafeSlow: not Node's shared pool), so it can be transferred.
  return { bytes: out.subarray(0, used), count, lines };

  function writeRecordText(record: string): number {
    // Room for the worst case first (6 ASCII bytes per escaped UTF-16 unit): growing later would lose the head.
    room(frame + record.length * 6);
    let at = used + head.copy(out, used);
    const written = out.write(record, at, 'utf8');
    if (written === record.length) at += written;
    else at += out.write(asciiJson(record), at, 'latin1');
    return at + tail.copy(out, at);
  }
}

function exactRecord(line: string, kept: KeySelection | null, lineNumber: number): string {
  try {
    return transformEventLine(line, kept).recordJson;
  } catch (err) {
    if (err instanceof EventLineError) err.line = lineNumber;
    throw err;
  }
}
