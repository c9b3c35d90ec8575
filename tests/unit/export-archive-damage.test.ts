// What readExportChunks says about archives it cannot read (amplitude-api.md §5.3–5.4), word for
// word, with the central directory patched by hand; and the chunks it hands over: whole lines of at
// least `minBytes` where the member allows, the member's last line on its own, each chunk owning its
// bytes. Expected texts and sizes are written by hand or taken from the bytes the test built.
import { afterAll, describe, expect, it } from '@jest/globals';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { assertZipMagic, readExportChunks } from '../../src/amplitude/export-archive.js';
import { buildZip, type ZipMemberSpec } from './support/zip-writer.js';
import { openDescriptorsOf } from '../helpers/descriptors.js';

const dir = mkdtempSync(path.join(tmpdir(), 'export-archive-damage-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

function writeTemp(bytes: Buffer): string {
  const file = path.join(dir, `archive-${counter++}.zip`);
  writeFileSync(file, bytes);
  return file;
}

const gz = (text: string): Buffer => gzipSync(Buffer.from(text, 'utf8'));

async function chunksOf(file: string, minBytes: number): Promise<string[]> {
  const chunks: string[] = [];
  for await (const chunk of readExportChunks(file, minBytes)) chunks.push(Buffer.from(chunk).toString('utf8'));
  return chunks;
}

async function failureOf(file: string, withCause = false): Promise<string> {
  try {
    await chunksOf(file, 1);
  } catch (err) {
    expect((err as Error).name).toBe('ArchiveError');
    if (withCause) expect((err as Error).cause).toBeDefined();
    return (err as Error).message;
  }
  throw new Error('expected the archive to be rejected');
}

// The archive with field `at` (an offset inside the central-directory entry of member `index`) rewritten.
function patchDirectory(members: ZipMemberSpec[], index: number, write: (entry: Buffer) => void): Buffer {
  const { zip } = buildZip(members);
  const directoryStart = zip.readUInt32LE(zip.length - 22 + 16);
  let at = directoryStart;
  for (let i = 0; i < index; i++) at += 46 + zip.readUInt16LE(at + 28);
  write(zip.subarray(at, at + 46));
  return zip;
}

const CD_FLAGS = 8;
const CD_METHOD = 10;
const CD_CRC = 16;
const CD_COMPRESSED_SIZE = 20;
const CD_UNCOMPRESSED_SIZE = 24;
const CD_LOCAL_OFFSET = 42;

describe('messages for archives that cannot be read', () => {
  it.each([
    ['rate-limit text', Buffer.from('Too many requests'), String.raw`export body is not a zip archive (starts with "Too ", expected "PK\u0003\u0004")`],
    ['an empty body', Buffer.alloc(0), String.raw`export body is not a zip archive (starts with "", expected "PK\u0003\u0004")`],
    ['three bytes of the magic', Buffer.from('PK\x03', 'latin1'), String.raw`export body is not a zip archive (starts with "PK\u0003", expected "PK\u0003\u0004")`],
  ])('%s', async (_label, bytes, message) => {
    expect(await failureOf(writeTemp(bytes))).toBe(message);
  });

  const members = (): ZipMemberSpec[] => [
    { name: 'a/first.json.gz', data: gz('{"n":1}\n') },
    { name: 'a/second.json.gz', data: gz('{"n":2}\n') },
  ];

  it('an encrypted member', async () => {
    const zip = patchDirectory(members(), 1, (entry) => entry.writeUInt16LE(entry.readUInt16LE(CD_FLAGS) | 0x1, CD_FLAGS));
    expect(await failureOf(writeTemp(zip))).toBe('zip member a/second.json.gz is encrypted');
  });

  it('a member compressed with another method (12, bzip2)', async () => {
    const zip = patchDirectory(members(), 0, (entry) => entry.writeUInt16LE(12, CD_METHOD));
    expect(await failureOf(writeTemp(zip))).toBe('zip member a/first.json.gz uses unsupported compression method 12');
  });

  it('a central-directory entry with a wrong signature', async () => {
    const zip = patchDirectory(members(), 1, (entry) => entry.writeUInt32LE(0x02014b51, 0));
    expect(await failureOf(writeTemp(zip))).toBe('zip central directory is garbled (bad entry signature)');
  });

  it.each([
    ['stored', 'stored' as const],
    ['deflated', 'deflated' as const],
  ])('a %s member longer than the directory says', async (_label, method) => {
    const specs = members().map((m) => ({ ...m, method }));
    const realSize = specs[1]!.data.length;
    const zip = patchDirectory(specs, 1, (entry) => entry.writeUInt32LE(realSize - 1, CD_UNCOMPRESSED_SIZE));
    expect(await failureOf(writeTemp(zip))).toBe(`zip member a/second.json.gz has ${realSize} bytes, the central directory says ${realSize - 1}`);
  });

  it('a stored member whose directory offset points at no local header: read as before, and found corrupt', async () => {
    // Pointed 1 byte into the first member's local header, where no signature starts.
    const zip = patchDirectory(members(), 1, (entry) => entry.writeUInt32LE(1, CD_LOCAL_OFFSET));
    // unzipper reads what it takes for a local header there, and runs off the end of the file.
    expect(await failureOf(writeTemp(zip), true)).toMatch(/^zip member a\/second\.json\.gz is unreadable: (Error: )?FILE_ENDED$/);
  });

  it('a stored member that the file ends inside', async () => {
    const specs = members();
    const size = specs[1]!.data.length;
    const zip = patchDirectory(specs, 1, (entry) => {
      entry.writeUInt32LE(size + 1000, CD_COMPRESSED_SIZE);
      entry.writeUInt32LE(size + 1000, CD_UNCOMPRESSED_SIZE);
    });
    expect(await failureOf(writeTemp(zip))).toMatch(new RegExp(`^zip member a/second\\.json\\.gz has \\d+ bytes, the central directory says ${size + 1000}$`));
  });

  it('a member whose directory CRC-32 is off by one', async () => {
    const zip = patchDirectory(members(), 0, (entry) => entry.writeUInt32LE((entry.readUInt32LE(CD_CRC) + 1) >>> 0, CD_CRC));
    expect(await failureOf(writeTemp(zip))).toBe('zip member a/first.json.gz fails its CRC-32 check (corrupt archive)');
  });

  it('a member that is not gzip', async () => {
    const zip = buildZip([...members(), { name: 'a/plain.json', data: Buffer.from('{"n":3}\n') }]).zip;
    // Under jest, zlib's errors come from another realm, so messageOf shows them as "Error: <message>".
    expect(await failureOf(writeTemp(zip), true)).toMatch(/^zip member a\/plain\.json is unreadable: (Error: )?incorrect header check$/);
  });

  it('an archive cut short', async () => {
    const { zip } = buildZip(members());
    expect(await failureOf(writeTemp(zip.subarray(0, zip.length - 30)), true)).toMatch(/^zip archive is truncated or its central directory is unreadable: \S/);
  });

  it('a deflated member whose deflate data is invalid (block type 3)', async () => {
    const { zip, dataOffsets } = buildZip(members().map((m) => ({ ...m, method: 'deflated' as const })));
    zip[dataOffsets[1]!] = 0xff; // BFINAL 1, BTYPE 11: a reserved block type
    expect(await failureOf(writeTemp(zip), true)).toMatch(/^zip member a\/second\.json\.gz is unreadable: (Error: )?invalid block type$/);
  });

  it('a member that changes on disk after it was checked', async () => {
    // Three members: while one is read the next is already inflating, so the third is the one changed.
    const three = [...members(), { name: 'a/third.json.gz', data: gz('{"n":3}\n') }];
    const { zip, dataOffsets } = buildZip(three.map((m) => ({ ...m, method: 'deflated' as const })));
    const file = writeTemp(zip);
    const seen: string[] = [];
    let error: unknown;
    try {
      for await (const chunk of readExportChunks(file, 1)) {
        seen.push(Buffer.from(chunk).toString('utf8'));
        if (seen.length > 1) continue;
        const fd = openSync(file, 'r+');
        writeSync(fd, Buffer.from([0xff]), 0, 1, dataOffsets[2]!);
        closeSync(fd);
      }
    } catch (err) {
      error = err;
    }
    expect(seen).toEqual(['{"n":1}\n', '{"n":2}\n']);
    expect((error as Error).name).toBe('ArchiveError');
    expect((error as Error).message).toMatch(/^zip member a\/third\.json\.gz is unreadable: (Error: )?invalid block type$/);
  });

  it('the magic check closes the file, whatever it finds', async () => {
    const good = writeTemp(buildZip(members()).zip);
    const bad = writeTemp(Buffer.from('Too many requests'));
    await assertZipMagic(good);
    await expect(assertZipMagic(bad)).rejects.toThrow(/not a zip archive/);
    expect(openDescriptorsOf(good) + openDescriptorsOf(bad)).toBe(0);
  });
});


describe('chunks', () => {
  const twoMembers = (): string =>
    writeTemp(
      buildZip([
        { name: 'a.json.gz', data: gz('{"n":1}\n{"n":2}\n{"n":3}') },
        { name: 'b.json.gz', data: gz('{"n":4}\n{"n":5}\n'), method: 'deflated' },
      ]).zip,
    );

  it('with a small minimum: the whole lines read so far, then the last line of a member on its own', async () => {
    expect(await chunksOf(twoMembers(), 1)).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}', '{"n":4}\n{"n":5}\n']);
  });

  it('with a minimum equal to the whole lines, the same', async () => {
    expect(await chunksOf(twoMembers(), 16)).toEqual(['{"n":1}\n{"n":2}\n', '{"n":3}', '{"n":4}\n{"n":5}\n']);
  });

  it('with a minimum larger than a member: one chunk per member', async () => {
    expect(await chunksOf(twoMembers(), 17)).toEqual(['{"n":1}\n{"n":2}\n{"n":3}', '{"n":4}\n{"n":5}\n']);
  });

  it('lines longer than a gunzip chunk: every chunk ends at a newline, reaches the minimum, and owns its bytes', async () => {
    // Three lines of 99,999 characters plus newline: 300,000 bytes, several 64 KiB gunzip chunks.
    const lines = ['a', 'b', 'c'].map((c) => c.repeat(99_999));
    const text = `${lines.join('\n')}\n`;
    const file = writeTemp(buildZip([{ name: 'long.json.gz', data: gz(text) }]).zip);
    const chunks: Uint8Array[] = [];
    for await (const chunk of readExportChunks(file, 150_000)) chunks.push(chunk);
    const texts = chunks.map((c) => Buffer.from(c).toString('latin1'));
    expect(texts.join('')).toBe(text);
    // 100,000 bytes per line: the first chunk that reaches 150,000 bytes ends after the second line.
    expect(texts.map((t) => t.length)).toEqual([200_000, 100_000]);
    for (const chunk of chunks) {
      expect(chunk.byteOffset).toBe(0);
      expect(chunk.buffer.byteLength).toBe(chunk.byteLength);
    }
  });

  it('cuts a member at the newlines of its 256 KiB gunzip chunks, also when a chunk ends exactly at a newline', async () => {
    // 20,000 lines of 16 bytes: the first 256 KiB (262,144 bytes) hold exactly 16,384 whole lines.
    const text = Array.from({ length: 20_000 }, (_, i) => `{"n":"${String(i).padStart(7, '0')}"}\n`).join('');
    expect(text.length).toBe(320_000);
    const file = writeTemp(buildZip([{ name: 'even.json.gz', data: gz(text) }]).zip);
    const chunks = await chunksOf(file, 1);
    expect(chunks.map((c) => c.length)).toEqual([262_144, 57_856]);
    expect(chunks.join('')).toBe(text);
  });
});
