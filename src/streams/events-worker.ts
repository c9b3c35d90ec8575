// A decoding worker thread of the events stream: frames chunks of export lines as RECORD lines
// (event-frames.ts) and sends the bytes back without copying. Chunks are answered in the order
// they arrive.
import { parentPort } from 'node:worker_threads';
import { EventLineError, type KeySelection } from '../amplitude/event-line.js';
import { frameChunk, keptKeys, type FrameSpec } from './event-frames.js';
import type { DecodeReply, DecodeTask } from './events-decoder.js';

const port = parentPort;
if (port === null) throw new Error('events-worker.js runs as a worker thread only');

let spec: FrameSpec | null = null;
let kept: KeySelection | null = null;

port.on('message', (task: DecodeTask) => {
  if (task.spec) {
    spec = task.spec;
    kept = keptKeys(new Set(spec.selected), spec.declared);
  }
  let reply: DecodeReply;
  try {
    if (spec === null) throw new Error('no frame spec received');
    const batch = frameChunk(task.chunk, spec, kept);
    reply = { ok: true, bytes: batch.bytes, count: batch.count };
  } catch (err) {
    reply = { ok: false, lineError: err instanceof EventLineError, message: err instanceof Error ? err.message : String(err) };
  }
  port.postMessage(reply, reply.ok ? [reply.bytes.buffer as ArrayBuffer] : []);
});
