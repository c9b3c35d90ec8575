// The bucket path's records of one file after a download again (events-from-bucket.ts fileRecords):
// the first `skip` records are left out wherever they end, inside a framed batch or at its end, and
// a damaged line is named by file and line number. The decoder frames in-thread here (no built
// worker file beside the TypeScript sources), as it does on worker threads in the built CLI.
import { afterAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { StreamFailure } from '../../src/errors.js';
import { EventsDecoder } from '../../src/streams/events-decoder.js';
import { fileRecords } from '../../src/streams/events-from-bucket.js';
import { fixture } from '../helpers/paths.js';

const spec = { streamJson: '"events"', selected: [], declared: [] };
const decoder = EventsDecoder.start();
afterAll(() => decoder.stop());

const hourLines = readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
// time_extracted is stamped when a chunk is framed: left out to compare two reads.
const withoutStamp = (line: string): string => line.replace(/,"time_extracted":"[^"]*"\}$/, '}');

async function read(text: string, skip: number): Promise<{ lines: string[]; counts: number[] }> {
  const lines: string[] = [];
  const counts: number[] = [];
  for await (const piece of fileRecords(decoder, spec, { buffer: gzipSync(text) }, skip, 's3://b/k.json.gz')) {
    counts.push(piece.count);
    const text = Buffer.from(piece.value.bytes).toString('utf8');
    expect(text.endsWith('\n')).toBe(true);
    lines.push(...text.slice(0, -1).split('\n').map(withoutStamp));
    piece.value.release?.();
  }
  return { lines, counts };
}

describe('fileRecords', () => {
  it('leaves out the first records handed out before, wherever they end', async () => {
    expect(hourLines.length).toBe(3);
    const text = `${hourLines.join('\n')}\n`;
    const whole = await read(text, 0);
    expect(whole.lines.length).toBe(hourLines.length);
    for (const skip of [1, 2, 3]) {
      const rest = await read(text, skip);
      expect([skip, rest.lines]).toEqual([skip, whole.lines.slice(skip)]);
      expect(rest.counts.reduce((a, b) => a + b, 0)).toBe(hourLines.length - skip);
    }
  });

  it('names the file and the line number of a line that is not JSON, blank lines counted', async () => {
    const text = ['', hourLines[0], '  ', '{"broken":', hourLines[1]].join('\n');
    await expect(read(text, 0)).rejects.toThrow(new StreamFailure('s3://b/k.json.gz line 4: event line is not valid JSON: Unexpected end of JSON input'));
  });

  it('counts the lines of the chunks before the one holding the damaged line', async () => {
    // 3,000 copies of the hour's lines (a few megabytes: several 1 MB chunks), then a broken line.
    const many = Array.from({ length: 1000 }, () => hourLines).flat();
    const text = `${many.join('\n')}\n\n{"broken":\n`;
    expect(Buffer.byteLength(text)).toBeGreaterThan(2 * 1024 * 1024);
    await expect(read(text, 0)).rejects.toThrow(new StreamFailure('s3://b/k.json.gz line 3002: event line is not valid JSON: Unexpected end of JSON input'));
  });
});
