import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { gzipSync } from 'node:zlib';
import { ArchiveError, assertZipMagic, readExportChunks } from '../../src/amplitude/export-archive.js';
import { exportChunkLines } from '../../src/amplitude/export-lines.js';
import { fixture } from '../helpers/paths.js';
import { buildZip, gzipWithMtime, type ZipMemberSpec } from './support/zip-writer.js';
import { openDescriptorsOf } from '../helpers/descriptors.js';

let dir: string;
let counter = 0;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'export-archive-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function writeTemp(bytes: Buffer): string {
  const file = path.join(dir, `archive-${counter++}.zip`);
  writeFileSync(file, bytes);
  return file;
}

function writeZip(members: ZipMemberSpec[]): string {
  return writeTemp(buildZip(members).zip);
}

// The archive's lines, a batch per chunk, as the events stream reads them (the smallest chunks).
async function* readExportLineBatches(file: string): AsyncGenerator<string[]> {
  for await (const chunk of readExportChunks(file, 1)) {
    const lines = exportChunkLines(chunk);
    if (lines.length > 0) yield lines;
  }
}

async function collect(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const batch of readExportLineBatches(file)) lines.push(...batch);
  return lines;
}

// Reads until the reader fails; returns the lines seen before the failure and the error.
async function collectUntilError(file: string): Promise<{ lines: string[]; error: unknown }> {
  const lines: string[] = [];
  try {
    for await (const batch of readExportLineBatches(file)) lines.push(...batch);
  } catch (error) {
    return { lines, error };
  }
  throw new Error('expected the archive to be rejected');
}

const gz = (text: string): Buffer => gzipSync(Buffer.from(text, 'utf8'));

function flipByte(bytes: Buffer, index: number): void {
  bytes[index] = bytes[index]! ^ 0xff;
}

describe('assertZipMagic', () => {
  it('accepts the real export archive', async () => {
    await expect(assertZipMagic(fixture('export-hour.zip'))).resolves.toBeUndefined();
  });

  it.each([
    ['an HTML error page', Buffer.from('<html><body>502 Bad Gateway</body></html>')],
    ['rate-limit text', Buffer.from('Too many requests')],
    ['an empty file', Buffer.alloc(0)],
    ['a 3-byte prefix of the magic', Buffer.from('PK\x03', 'latin1')],
    ['a bare gzip member', gz('{"a":1}\n')],
  ])('rejects %s', async (_label, bytes) => {
    const file = writeTemp(bytes);
    await expect(assertZipMagic(file)).rejects.toBeInstanceOf(ArchiveError);
    await expect(collect(file)).rejects.toBeInstanceOf(ArchiveError);
  });
});

describe('readExportChunks, cut into lines', () => {
  it('reads the real archive: exactly the lines of its gunzipped member', async () => {
    const expected = readFileSync(fixture('export-hour.jsonl'), 'utf8').split('\n').slice(0, 3);
    const lines = await collect(fixture('export-hour.zip'));
    expect(lines).toEqual(expected);
    expect(lines).toHaveLength(3);
  });

  it('reads every member in order, stored and deflated, skipping directory entries', async () => {
    const file = writeZip([
      { name: '829528/', data: Buffer.alloc(0) },
      { name: '829528/829528_2026-06-16_0#0.json.gz', data: gz('{"n":1}\n{"n":2}\n') },
      { name: '829528/829528_2026-06-16_0#1.json.gz', data: gz('{"n":3}\n'), method: 'deflated' },
      { name: '829528/829528_2026-06-16_1#0.json.gz', data: gz('{"n":4}\n{"n":5}\n') },
    ]);
    expect(await collect(file)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}', '{"n":5}']);
  });

  it('reads nothing, and fails nothing, from an archive whose only entry is a directory', async () => {
    expect(await collect(writeZip([{ name: '829528/', data: Buffer.alloc(0) }]))).toEqual([]);
  });

  it('reads a stored member whose gzip bytes contain the data-descriptor signature PK\\x07\\x08', async () => {
    const trap = gzipWithMtime(Buffer.from('{"n":1}\n{"n":2}\n{"n":3}\n'), Buffer.from([0x50, 0x4b, 0x07, 0x08]));
    const { zip, dataOffsets } = buildZip([
      { name: 'a/a_2026-06-16_0#0.json.gz', data: trap },
      { name: 'a/a_2026-06-16_0#1.json.gz', data: gz('{"n":4}\n') },
    ]);
    // The signature sits at byte 4 of the first member's data: a forward-only parser would end it there.
    expect(zip.subarray(dataOffsets[0]! + 4, dataOffsets[0]! + 8)).toEqual(Buffer.from('PK\x07\x08', 'latin1'));
    expect(await collect(writeTemp(zip))).toEqual(['{"n":1}', '{"n":2}', '{"n":3}', '{"n":4}']);
  });

  it('reads a stored member from after its local header, whose extra field the central directory does not repeat', async () => {
    // An extended-timestamp field (0x5455), 9 bytes of data, as some zip tools write in local headers only.
    const extra = Buffer.from([0x55, 0x54, 0x09, 0x00, 0x03, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08]);
    const file = writeZip([
      { name: 'a/first.json.gz', data: gz('{"n":1}\n'), localExtra: extra },
      { name: 'a/second.json.gz', data: gz('{"n":2}\n{"n":3}\n'), localExtra: extra },
    ]);
    expect(await collect(file)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('skips blank lines and yields a last line that has no newline', async () => {
    const file = writeZip([{ name: 'm.json.gz', data: gz('\n{"n":1}\n\n  \n\r\n{"n":2}\n{"n":3}') }]);
    expect(await collect(file)).toEqual(['{"n":1}', '{"n":2}', '{"n":3}']);
  });

  it('keeps lines longer than a read chunk whole, multi-byte characters included', async () => {
    const long = `{"s":"${'é€'.repeat(60_000)}"}`;
    const file = writeZip([{ name: 'm.json.gz', data: gz(`{"n":1}\n${long}\n{"n":2}\n`) }]);
    expect(await collect(file)).toEqual(['{"n":1}', long, '{"n":2}']);
  });

  it('rejects a zip without members: it starts with the end-of-directory record, not PK\\x03\\x04', async () => {
    await expect(collect(writeZip([]))).rejects.toBeInstanceOf(ArchiveError);
  });

  it('groups the same lines in batches', async () => {
    const file = writeZip([
      { name: 'a.json.gz', data: gz('{"n":1}\n{"n":2}\n') },
      { name: 'b.json.gz', data: gz('{"n":3}') },
    ]);
    const batches: string[][] = [];
    for await (const batch of readExportLineBatches(file)) batches.push(batch);
    expect(batches).toEqual([['{"n":1}', '{"n":2}'], ['{"n":3}']]);
  });

  describe('damaged archives raise ArchiveError before yielding anything', () => {
    const members = (): ZipMemberSpec[] => [
      { name: 'a/a_2026-06-16_0#0.json.gz', data: gz(`${'{"n":1}\n'.repeat(500)}`) },
      { name: 'a/a_2026-06-16_0#1.json.gz', data: gz(`${'{"n":2}\n'.repeat(500)}`) },
    ];

    it('an archive cut in the middle', async () => {
      const { zip } = buildZip(members());
      const { lines, error } = await collectUntilError(writeTemp(zip.subarray(0, Math.floor(zip.length / 2))));
      expect(error).toBeInstanceOf(ArchiveError);
      expect(lines).toEqual([]);
    });

    it('an archive without its end-of-central-directory record', async () => {
      const { zip } = buildZip(members());
      const { error } = await collectUntilError(writeTemp(zip.subarray(0, zip.length - 22)));
      expect(error).toBeInstanceOf(ArchiveError);
    });

    it('a garbled central directory', async () => {
      const { zip } = buildZip(members());
      const directory = zip.lastIndexOf(Buffer.from('PK\x01\x02', 'latin1'));
      zip[directory + 2] = 0x00;
      const { error } = await collectUntilError(writeTemp(zip));
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as Error).message).toMatch(/central directory/);
    });

    it.each([
      ['stored', 'stored' as const],
      ['deflated', 'deflated' as const],
    ])('a corrupted byte in a %s member, named in the message', async (_label, method) => {
      const specs = members().map((m) => ({ ...m, method }));
      const { zip, dataOffsets } = buildZip(specs);
      flipByte(zip, dataOffsets[1]! + 20);
      const { lines, error } = await collectUntilError(writeTemp(zip));
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as Error).message).toContain('a/a_2026-06-16_0#1.json.gz');
      expect(lines).toEqual([]);
    });
  });

  describe('a member whose zip CRC is right but whose gzip is broken raises ArchiveError naming it', () => {
    const good = gz('{"n":1}\n');
    const payload = gz(`${'{"n":2}\n'.repeat(200)}`);
    const corrupted = Buffer.from(payload);
    flipByte(corrupted, corrupted.length - 6); // inside the gzip trailer's CRC-32
    const garbled = Buffer.from(payload);
    flipByte(garbled, garbled.length - 12); // inside the deflate data

    it.each([
      ['truncated gzip', payload.subarray(0, payload.length - 10)],
      ['gzip CRC mismatch', corrupted],
      ['garbled deflate data', garbled],
      ['not gzip at all', Buffer.from('{"n":2}\n')],
      ['an empty member', Buffer.alloc(0)],
    ])('%s', async (_label, data) => {
      const file = writeZip([
        { name: 'ok.json.gz', data: good },
        { name: 'broken.json.gz', data },
      ]);
      const { error } = await collectUntilError(file);
      expect(error).toBeInstanceOf(ArchiveError);
      expect((error as Error).message).toContain('broken.json.gz');
    });
  });

  it('closes the archive file when the consumer stops early', async () => {
    const file = writeRandomTextArchive(5_000);
    for await (const batch of readExportLineBatches(file)) {
      expect(batch[0]).toHaveLength(1008);
      break;
    }
    // Stream destruction closes descriptors asynchronously; give it a few turns of the event loop.
    for (let i = 0; i < 100 && openDescriptorsOf(file) > 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(openDescriptorsOf(file)).toBe(0);
  });

  it('reads a 20 MB archive without the heap growing with it', async () => {
    const lineCount = 20_000;
    const file = writeRandomTextArchive(lineCount);
    expect(statSync(file).size).toBeGreaterThan(20_000_000);

    const before = liveBytes();
    let peak = before;
    let count = 0;
    let chars = 0;
    for await (const batch of readExportLineBatches(file)) {
      for (const line of batch) {
        if (++count % 2000 === 0) peak = Math.max(peak, liveBytes());
        chars += line.length;
      }
    }
    expect(count).toBe(lineCount);
    expect(chars).toBe(lineCount * 1008);
    // Holding the member, as text or as bytes, would keep 20 MB alive; streaming keeps about 1 MB.
    expect(peak - before).toBeLessThan(6_000_000);
  });
});

// `lineCount` lines `{"s":"<1000 random base64 characters>"}` (1008 characters), gzipped without
// compression so the archive is as large as its text. The buffers die with this function.
function writeRandomTextArchive(lineCount: number): string {
  const text = Buffer.alloc(lineCount * 1009);
  const random = randomBytes(lineCount * 1000);
  const alphabet = Buffer.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/');
  for (let line = 0, at = 0; line < lineCount; line++) {
    at += text.write('{"s":"', at, 'latin1');
    for (let i = 0; i < 1000; i++) text[at++] = alphabet[random[line * 1000 + i]! & 63]!;
    at += text.write('"}\n', at, 'latin1');
  }
  return writeZip([{ name: 'big.json.gz', data: gzipSync(text, { level: 0 }) }]);
}

// Heap and Buffer memory still reachable, measured after full collections. `gc` is exposed at run
// time because the test runner's command line is not ours to change; the second collection lets
// the freeing of Buffer memory from the first one complete (one alone gave 8 MB spikes).
function liveBytes(): number {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  gc();
  gc();
  const { heapUsed, arrayBuffers } = process.memoryUsage();
  return heapUsed + arrayBuffers;
}

