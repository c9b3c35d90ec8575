// A chunk of export lines as RECORD lines of the events stream: the work a decoding worker thread
// does (and the same code in-thread when no worker runs), so that the output is byte for byte the
// same either way.
import { exportChunkLines } from '../amplitude/export-archive.js';
import { transformEventLine, type KeySelection } from '../amplitude/event-line.js';
import { asciiJson, recordLine } from '../singer/writer.js';

/** What framing needs to know, in a form a worker thread can receive. */
export interface FrameSpec {
  streamJson: string;
  selected: string[];
  declared: string[];
}

export interface FramedBatch {
  /** Newline-terminated RECORD lines, UTF-8, owning its ArrayBuffer (transferable). */
  bytes: Uint8Array;
  count: number;
}

const NON_ASCII = /[^\x00-\x7f]/;

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

/** Frames one chunk (time_extracted stamped now); throws EventLineError on a line that is not a JSON object. */
export function frameChunk(chunk: Uint8Array, spec: FrameSpec, kept: KeySelection | null): FramedBatch {
  const stamp = JSON.stringify(new Date().toISOString());
  const lines = exportChunkLines(chunk);
  for (let i = 0; i < lines.length; i++) lines[i] = recordLine(spec.streamJson, transformEventLine(lines[i] as string, kept).recordJson, stamp);
  const text = lines.length > 0 ? lines.join('\n') + '\n' : '';
  // Output is ASCII: other characters escaped as the writer escapes them, then one byte each.
  const encoded = Buffer.from(NON_ASCII.test(text) ? asciiJson(text) : text, 'latin1');
  // A small Buffer shares Node's pool; only a whole ArrayBuffer can be transferred.
  const bytes = encoded.byteOffset === 0 && encoded.buffer.byteLength === encoded.length ? encoded : Uint8Array.from(encoded);
  return { bytes, count: lines.length };
}
