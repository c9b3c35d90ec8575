// A chunk of export lines as RECORD lines of the events stream: the work a decoding worker thread
// does (and the same code in-thread when no worker runs), so that the output is byte for byte the
// same either way.
import { exportChunkLines } from '../amplitude/export-lines.js';
import { transformEventLine, type KeySelection } from '../amplitude/event-line.js';
import { asciiJson, recordFrame } from '../singer/writer.js';

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

/**
 * Frames one chunk (time_extracted stamped now); throws EventLineError on a line that is not a JSON
 * object. Each record is encoded straight into one growing byte buffer: UTF-8 encoding tells for
 * free whether a record is ASCII (as many bytes as characters), and only a record that is not is
 * escaped and written again. Measured about 3x cheaper than joining the lines into one string,
 * escaping it and encoding that.
 */
export function frameChunk(chunk: Uint8Array, spec: FrameSpec, kept: KeySelection | null): FramedBatch {
  const lines = exportChunkLines(chunk);
  if (lines.length === 0) return { bytes: new Uint8Array(0), count: 0 };
  const [headText, tailText] = recordFrame(spec.streamJson, JSON.stringify(new Date().toISOString()));
  const head = Buffer.from(asciiJson(headText), 'latin1');
  const tail = Buffer.from(`${tailText}\n`, 'latin1');
  const frame = head.length + tail.length;
  // Records come out about as long as their lines; the buffer grows if they do not.
  let out = Buffer.allocUnsafeSlow(chunk.byteLength + lines.length * (frame + 16) + 1024);
  let used = 0;
  const room = (bytes: number): void => {
    if (used + bytes <= out.length) return;
    const bigger = Buffer.allocUnsafeSlow(Math.max(out.length * 2, used + bytes));
    out.copy(bigger, 0, 0, used);
    out = bigger;
  };
  for (const line of lines) {
    const record = transformEventLine(line, kept).recordJson;
    // At most 3 UTF-8 bytes per UTF-16 unit.
    room(frame + record.length * 3);
    used += head.copy(out, used);
    const written = out.write(record, used, 'utf8');
    if (written === record.length) {
      used += written;
    } else {
      const ascii = asciiJson(record);
      room(frame + ascii.length);
      used += out.write(ascii, used, 'latin1');
    }
    used += tail.copy(out, used);
  }
  // A view of a buffer of its own (allocUnsafeSlow: not Node's shared pool), so it can be transferred.
  return { bytes: out.subarray(0, used), count: lines.length };
}
