// The decoder's worker threads (bundled as the CLI is, tests/helpers/bundle.ts) reuse buffers: chunk buffers come back with each reply, and
// output buffers go back to a worker once the consumer says they are written. A buffer the
// consumer still holds must never be filled again, and reused ones must frame the same records.
// The archive has many 1 MB chunks; every third batch is held unreleased until the end and read
// only then, the others copied at once and released.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { transformEventLine } from '../../src/amplitude/event-line.js';
import { asciiJson, recordLine } from '../../src/singer/writer.js';
import type { EventsDecoder as Decoder } from '../../src/streams/events-decoder.js';
import { bundle } from '../helpers/bundle.js';
import { buildZip } from '../unit/support/zip-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'decoder-buffers-'));
let removeBundle = (): void => undefined;
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  removeBundle();
});

const line = (i: number): string =>
  JSON.stringify({ uuid: `u-${i}`, event_time: '2026-06-16 11:57:13.123456', city: i % 7 === 0 ? 'São Paulo' : 'Berlin', n: i, pad: 'x'.repeat(i % 900) });

describe('the decoding threads’ reused buffers', () => {
  it('are refilled only once released, and frame every record as the exact path does', async () => {
    const built = bundle('decoder-buffers', ['src/streams/events-decoder.ts', 'src/streams/events-worker.ts']);
    removeBundle = built.remove;
    const { EventsDecoder } = (await import(pathToFileURL(path.join(built.dir, 'events-decoder.js')).href)) as { EventsDecoder: typeof Decoder };
    const members = [0, 1, 2].map((m) => Array.from({ length: 6000 }, (_, i) => line(m * 6000 + i)));
    const file = path.join(dir, 'many-chunks.zip');
    writeFileSync(file, buildZip(members.map((lines, m) => ({ name: `m${m}.json.gz`, data: gzipSync(Buffer.from(lines.join('\n') + '\n')) }))).zip);
    const stamp = JSON.stringify('T');
    const expected = members.flat().map((l) => asciiJson(recordLine('"events"', transformEventLine(l).recordJson, stamp)) + '\n');

    const decoder = EventsDecoder.start();
    const parts: Array<Buffer | Uint8Array> = [];
    let batches = 0;
    try {
      for await (const batch of decoder.decode(file, { streamJson: '"events"', selected: [], declared: [] })) {
        if (batches++ % 3 === 0) {
          parts.push(batch.bytes); // held: read only after everything else was decoded
        } else {
          parts.push(Buffer.from(batch.bytes));
          batch.release?.();
        }
      }
    } finally {
      await decoder.stop();
    }
    expect(batches).toBeGreaterThan(6);
    const text = Buffer.concat(parts).toString('latin1').replace(/"time_extracted":"[^"]+"/g, '"time_extracted":"T"');
    expect(text.split('\n').slice(0, -1)).toEqual(expected.map((l) => l.slice(0, -1)));
  });
});
