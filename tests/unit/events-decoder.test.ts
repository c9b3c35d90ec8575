// The chunked path the events stream decodes archives through (readExportChunks → frameChunk, on
// worker threads in the built tap, in-thread here): the same lines as the line reader, whatever the
// chunk size, on a multi-member archive with lines straddling gunzip chunks, multi-byte characters,
// blank lines and a last line without newline; and RECORD lines byte for byte what the writer writes.
import { afterAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import unzipper from 'unzipper';
import { readExportChunks } from '../../src/amplitude/export-archive.js';
import { exportChunkLines } from '../../src/amplitude/export-lines.js';
import { transformEventLine } from '../../src/amplitude/event-line.js';
import { asciiJson, recordLine } from '../../src/singer/writer.js';
import { EventsDecoder } from '../../src/streams/events-decoder.js';
import { fixture } from '../helpers/paths.js';
import { buildZip } from './support/zip-writer.js';

const dir = mkdtempSync(path.join(tmpdir(), 'events-decoder-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const event = (i: number, pad: number): string =>
  JSON.stringify({ uuid: `u-${i}`, event_type: `café ☕ ${i}`, server_upload_time: '2026-06-16 12:00:01.123456', event_properties: { pad: 'x'.repeat(pad), n: i } });

/** Three members: small lines, lines longer than a 64 kB gunzip chunk, and blank lines with no final newline. */
function multiMemberArchive(): string {
  const small = Array.from({ length: 300 }, (_, i) => event(i, 10)).join('\n') + '\n';
  const long = Array.from({ length: 5 }, (_, i) => event(1000 + i, 100_000)).join('\n') + '\n';
  const ragged = `\n${event(2000, 5)}\r\n   \n${event(2001, 70_000)}\n\n${event(2002, 3)}`;
  const file = path.join(dir, 'multi.zip');
  writeFileSync(file, buildZip([
    { name: 'a.json.gz', data: gzipSync(Buffer.from(small)) },
    { name: 'b.json.gz', data: gzipSync(Buffer.from(long)) },
    { name: 'c.json.gz', data: gzipSync(Buffer.from(ragged)), method: 'deflated' },
  ]).zip);
  return file;
}

/** The archive's non-blank lines, read whole with unzipper and gunzipSync (independent of the chunked reader). */
async function lineReader(file: string): Promise<string[]> {
  const { files } = await unzipper.Open.file(file);
  const lines: string[] = [];
  for (const entry of files) {
    const text = gunzipSync(await entry.buffer()).toString('utf8');
    lines.push(...text.split('\n').filter((line) => line.trim() !== ''));
  }
  return lines;
}

const withoutStamp = (text: string): string => text.replace(/,"time_extracted":"[^"]+"}/g, ',"time_extracted":"T"}');

describe('readExportChunks', () => {
  const archives = [['a multi-member archive with long and ragged lines', multiMemberArchive()], ['the recorded Export API hour', fixture('export-hour.zip')]];

  it.each(archives)('gives the line reader’s lines at any chunk size: %s', async (_name, file) => {
    const expected = await lineReader(file as string);
    expect(expected.length).toBeGreaterThan(2);
    for (const minBytes of [1, 1000, 70_000, 512 * 1024]) {
      const lines: string[] = [];
      let chunks = 0;
      for await (const chunk of readExportChunks(file as string, minBytes)) {
        chunks++;
        // Each chunk owns its buffer (it is transferred to a worker thread).
        expect([chunk.byteOffset, chunk.buffer.byteLength]).toEqual([0, chunk.length]);
        lines.push(...exportChunkLines(chunk));
      }
      expect([minBytes, lines]).toEqual([minBytes, expected]);
      if (minBytes === 1 && (_name as string).startsWith('a multi')) expect(chunks).toBeGreaterThan(3);
    }
  });

  it.each(archives)('decodes to the writer’s RECORD lines, byte for byte: %s', async (_name, file) => {
    const stamp = JSON.stringify('2026-01-01T00:00:00.000Z');
    // The writer's output: ASCII, other characters as \uXXXX escapes.
    const expected = (await lineReader(file as string)).map((l) => asciiJson(recordLine('"events"', transformEventLine(l).recordJson, stamp)) + '\n').join('');
    if ((_name as string).startsWith('a multi')) expect(expected).toContain('caf\\u00e9 \\u2615');
    const decoder = EventsDecoder.start();
    const parts: Buffer[] = [];
    let count = 0;
    try {
      for await (const batch of decoder.decode(file as string, { streamJson: '"events"', selected: [], declared: [] })) {
        parts.push(Buffer.from(batch.bytes));
        count += batch.count;
      }
    } finally {
      await decoder.stop();
    }
    expect(withoutStamp(Buffer.concat(parts).toString('utf8'))).toBe(withoutStamp(expected));
    expect(count).toBe(expected.split('\n').length - 1);
  });
});
