// A decoding worker thread of the events stream: frames chunks of export lines as RECORD lines
// (event-frames.ts) and sends the bytes back without copying, with the chunk's own buffer, so that
// the main thread can fill it again. Chunks are answered in the order they arrive.
import { parentPort } from 'node:worker_threads';
import { EventLineError } from '../amplitude/event-line.js';
import { eventFramer, EventTooLargeError, frameChunk, type EventFramer, type FrameSpec } from './event-frames.js';
import type { DecodeReply, DecodeTask } from './events-decoder.js';

const port = parentPort;
if (port === null) throw new Error('events-worker.js runs as a worker thread only');

let spec: FrameSpec | null = null;
let framer: EventFramer | null = null;

port.on('message', (task: DecodeTask) => {
  if (task.spec) {
    spec = task.spec;
    framer = eventFramer(spec);
  }
  const input = task.chunk.buffer as ArrayBuffer;
  let reply: DecodeReply;
  try {
    if (spec === null || framer === null) throw new Error('no frame spec received');
    const batch = frameChunk(task.chunk, spec, framer, task.spare);
    reply = { ok: true, bytes: batch.bytes, count: batch.count, lines: batch.lines, input };
  } catch (err) {
    const failure = err instanceof EventLineError ? 'line' : err instanceof EventTooLargeError ? 'too-large' : 'other';
    const line = (err as { line?: unknown }).line;
    reply = { ok: false, failure, message: err instanceof Error ? err.message : String(err), line: typeof line === 'number' ? line : 0, input };
  }
  // The chunk's buffer goes back too, to be filled again.
  port.postMessage(reply, reply.ok ? [reply.bytes.buffer as ArrayBuffer, input] : [input]);
});
