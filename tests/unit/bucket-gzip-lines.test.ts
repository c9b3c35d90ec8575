// The lines of a bucket export file (gzip), read in batches from memory or from a temporary file:
// lines cut across the 64 KiB decompressed chunks, blank lines, a last line without a newline, and
// files that are not (complete) gzip.
import { describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { GzipError, gzipChunks, gzipLineBatches, type Downloaded } from '../../src/amplitude/bucket/gzip-lines.js';
import { tempDir } from '../helpers/cli.js';

const KIB = 1024;

async function batchesOf(source: Downloaded): Promise<string[][]> {
  const out: string[][] = [];
  for await (const batch of gzipLineBatches(source)) out.push(batch);
  return out;
}

function asFile(bytes: Buffer): Downloaded {
  const file = path.join(tempDir('tap-amplitude-gzip-'), 'part.json.gz');
  writeFileSync(file, bytes);
  return { path: file };
}

// 3,000 lines of about 90 bytes (with a 4-byte and a 2-byte character each), blank lines among them.
const lines = Array.from({ length: 3000 }, (_, i) => `{"n":${i},"text":"${'x'.repeat(i % 120)}😀é"}`);
const text = lines.map((l, i) => (i % 7 === 0 ? `${l}\n\n  \n` : `${l}\n`)).join('');

describe('gzip line batches', () => {
  it('hands out every non-blank line once, in order, from memory and from a file, in batches of at most one 64 KiB chunk', async () => {
    expect(Buffer.byteLength(text)).toBeGreaterThan(3 * 64 * KIB);
    for (const source of [{ buffer: gzipSync(text) }, asFile(gzipSync(text))]) {
      const batches = await batchesOf(source);
      expect(batches.flat()).toEqual(lines);
      // One batch per decompressed chunk, never the whole file at once, and never an empty batch.
      expect(batches.length).toBeGreaterThanOrEqual(4);
      expect(batches.length).toBeLessThanOrEqual(Math.ceil(Buffer.byteLength(text) / (64 * KIB)) + 1);
      for (const b of batches) {
        expect(b.length).toBeGreaterThan(0);
        expect(Buffer.byteLength(b.join('\n'))).toBeLessThanOrEqual(64 * KIB);
      }
    }
  });

  it('keeps a line longer than a chunk whole, and a last line without a newline', async () => {
    const long = `{"long":"${'é'.repeat(100 * KIB)}"}`; // 200 KiB: spans four chunks with no newline inside
    const batches = await batchesOf({ buffer: gzipSync(`a\n${long}\nb\nlast`) });
    expect(batches.flat()).toEqual(['a', long, 'b', 'last']);
    expect(batches[batches.length - 1]).toEqual(['last']);
  });

  it('gives no empty batch for a chunk of blank lines only, nor for a file ending in a newline', async () => {
    // The first chunk ends exactly at its newline; the next 64 KiB are newlines and spaces.
    const first = `${'y'.repeat(64 * KIB - 1)}\n`;
    const blank = ' \n'.repeat(40 * KIB);
    const batches = await batchesOf({ buffer: gzipSync(`${first}${blank}z\n\n`) });
    expect(batches).toEqual([['y'.repeat(64 * KIB - 1)], ['z']]);
  });

  it('gives nothing for an empty file', async () => {
    expect(await batchesOf({ buffer: gzipSync('') })).toEqual([]);
    expect(await batchesOf({ buffer: gzipSync('\n \n') })).toEqual([]);
  });

  it('fails with GzipError on a truncated file, a corrupt file and a file that is not gzip', async () => {
    const whole = gzipSync(text);
    const truncated = whole.subarray(0, Math.floor(whole.length / 2));
    const corrupt = Buffer.from(whole);
    corrupt.writeUInt8(corrupt.readUInt8(corrupt.length - 6) ^ 0xff, corrupt.length - 6); // the CRC-32 of the content
    const cases: [Downloaded, RegExp][] = [
      [{ buffer: truncated }, /^not a complete gzip file \(unexpected end of file\)$/],
      [asFile(truncated), /^not a complete gzip file \(unexpected end of file\)$/],
      [{ buffer: corrupt }, /^not a complete gzip file \(incorrect data check\)$/],
      [{ buffer: Buffer.from('{"n":1}\n') }, /^not a complete gzip file \(incorrect header check\)$/],
    ];
    for (const [source, message] of cases) {
      const err = await batchesOf(source).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(GzipError);
      expect((err as Error).name).toBe('GzipError');
      expect((err as Error).message).toMatch(message);
      expect((err as Error).cause).toMatchObject({ code: expect.stringMatching(/^Z_/) });
    }
  });

  it('passes a read error of the file on as it is, not as a gzip failure', async () => {
    const missing = path.join(tempDir('tap-amplitude-gzip-'), 'gone.json.gz');
    const err = await batchesOf({ path: missing }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).not.toBeInstanceOf(GzipError);
    expect((err as NodeJS.ErrnoException).code).toBe('ENOENT');
  });

  it('gzipChunks: whole lines in chunks of at least the size asked, the same bytes as the file, and GzipError for a damaged file', async () => {
    const chunks: Buffer[] = [];
    for await (const chunk of gzipChunks({ buffer: gzipSync(text) }, 1000, (n) => new Uint8Array(n))) chunks.push(Buffer.from(chunk));
    expect(Buffer.concat(chunks).toString('utf8')).toBe(text);
    expect(chunks.slice(0, -1).every((c) => c.length >= 1000 && c[c.length - 1] === 0x0a)).toBe(true);
    const whole = gzipSync(text);
    const err = await (async () => {
      for await (const chunk of gzipChunks({ buffer: whole.subarray(0, Math.floor(whole.length / 2)) }, 1000, (n) => new Uint8Array(n))) void chunk;
    })().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(GzipError);
    expect((err as Error).message).toBe('not a complete gzip file (unexpected end of file)');
  });
});
