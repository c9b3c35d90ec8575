// The cohort file reader at its edges (amplitude-api.md §13.3): gzip told apart by both magic bytes,
// exact batch sizes, what counts as an amplitude_id, extra cells, broken files failing instead of
// hanging, and files closed however the reading ends. Expected values written by hand.
import { describe, expect, it, jest } from '@jest/globals';
import { existsSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import type { CohortMember } from '../../src/amplitude/cohort-csv.js';
import { tempDir } from '../helpers/cli.js';

// A disk that fails in the middle of a file: the read stream of a file named `*.broken` gives its
// first 20 bytes, then an I/O error on the next read. Everything else reads the real file.
const realFs = await import('node:fs');
jest.unstable_mockModule('node:fs', () => ({
  ...realFs,
  createReadStream: (file: string, ...rest: unknown[]) => {
    if (!file.endsWith('.broken')) return (realFs.createReadStream as (...a: unknown[]) => unknown)(file, ...rest);
    let reads = 0;
    return new Readable({
      read() {
        if (reads++ === 0) this.push(realFs.readFileSync(file).subarray(0, 20));
        else this.destroy(Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' }));
      },
    });
  },
}));
const { readCohortMembers } = await import('../../src/amplitude/cohort-csv.js');

const dir = tempDir('cohort-csv-edges-');
let n = 0;

function write(bytes: Buffer | string, suffix = '.csv'): string {
  const file = path.join(dir, `f${n++}${suffix}`);
  writeFileSync(file, bytes);
  return file;
}

async function batches(file: string, batchSize?: number): Promise<CohortMember[][]> {
  const out: CohortMember[][] = [];
  for await (const batch of readCohortMembers(file, 'c1', batchSize)) out.push(batch);
  return out;
}

const members = async (bytes: Buffer | string): Promise<CohortMember[]> => (await batches(write(bytes))).flat();

describe('gzip or plain', () => {
  it('a plain file whose second byte is 0x8b, or whose first is 0x1f, is read as text', async () => {
    // "ċ" is C4 8B in UTF-8; 0x1f is a control character. Both only name an extra column here.
    expect(await members('ċ,amplitude_id,user_id\n"a","1","u"\n')).toEqual([{ amplitude_id: 1, user_id: 'u', properties: { ċ: 'a' } }]);
    expect(await members('\x1f,amplitude_id,user_id\n"b","2","v"\n')).toEqual([{ amplitude_id: 2, user_id: 'v', properties: { '\x1f': 'b' } }]);
  });

  it('an empty file, or one of one byte, has no members', async () => {
    expect(await batches(write(''))).toEqual([]);
    expect(await batches(write('\x1f'))).toEqual([]);
  });

  it('a missing file is an error for the caller', async () => {
    await expect(batches(path.join(dir, 'missing.csv'))).rejects.toThrow('ENOENT');
  });

  it('a damaged gzip file fails with the decompressor\'s error instead of hanging', async () => {
    const gz = gzipSync('"amplitude_id","user_id"\n"1","a"\n');
    const damaged = Buffer.concat([gz.subarray(0, 2), Buffer.from('not deflate data at all')]);
    await expect(batches(write(damaged))).rejects.toThrow('unknown compression method');
  });

  it('a read error in the middle of a gzip file fails the read instead of hanging', async () => {
    const rows = Array.from({ length: 200 }, (_, k) => `"${k + 1}","user ${k}"`).join('\n');
    const file = write(gzipSync(`"amplitude_id","user_id"\n${rows}\n`), '.broken');
    await expect(batches(file)).rejects.toThrow('EIO: i/o error, read');
  });

  it('the same read error in a plain file fails the read too', async () => {
    const rows = Array.from({ length: 200 }, (_, k) => `"${k + 1}","user ${k}"`).join('\n');
    const file = write(`"amplitude_id","user_id"\n${rows}\n`, '.broken');
    await expect(batches(file)).rejects.toThrow('EIO: i/o error, read');
  });
});

describe('batches', () => {
  it('are exactly batchSize long, the last one shorter', async () => {
    const text = ['"amplitude_id","user_id"', '"1","a"', '"2","b"', '"3","c"', '"4","d"', '"5","e"', ''].join('\n');
    expect((await batches(write(text), 2)).map((b) => b.map((m) => m.amplitude_id))).toEqual([[1, 2], [3, 4], [5]]);
  });
});

describe('amplitude_id', () => {
  it('surrounding spaces are allowed', async () => {
    expect((await members('"amplitude_id","user_id"\n" 12 ","a"\n'))[0]?.amplitude_id).toBe(12);
  });

  it.each(['1e3', '-5', '0x10', '5.0', '12abc', '', '9007199254740993'])('%j is not a whole number', async (id) => {
    await expect(members(`"amplitude_id","user_id"\n"7","ok"\n"${id}","a"\n`)).rejects.toThrow(
      `cohort file of c1: data row 2 has amplitude_id ${JSON.stringify(id)}, not a whole number; the file is not in the expected shape`,
    );
  });

  it('a file without the column names no value', async () => {
    await expect(members('"id","user_id"\n"1","a"\n')).rejects.toThrow('cohort file of c1: data row 1 has amplitude_id null, not a whole number');
  });
});

describe('other columns', () => {
  it('cells beyond the header are dropped; an empty cell is null, a missing one absent', async () => {
    const text = '"amplitude_id","user_id","country"\n"1","a","NL","extra","more"\n"2"\n"3","","BE"\n';
    expect(await members(text)).toStrictEqual([
      { amplitude_id: 1, user_id: 'a', properties: { country: 'NL' } },
      { amplitude_id: 2, user_id: null, properties: {} },
      { amplitude_id: 3, user_id: null, properties: { country: 'BE' } },
    ]);
  });
});

const linux = existsSync('/proc/self/fd');
/** Descriptors of this process open on `file` (Linux only). */
function openOn(file: string): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`) === file;
    } catch {
      return false; // closed while listing
    }
  }).length;
}

async function closedEventually(file: string): Promise<number> {
  // The stream closes its descriptor asynchronously after destroy(); give it up to 5 s.
  for (let i = 0; i < 500 && openOn(file) > 0; i++) await new Promise((r) => setTimeout(r, 10));
  return openOn(file);
}

(linux ? describe : describe.skip)('open files (Linux /proc)', () => {
  it('nothing stays open after a whole file is read', async () => {
    const file = write(gzipSync('"amplitude_id","user_id"\n"1","a"\n'));
    await batches(file);
    await batches(file);
    expect(await closedEventually(file)).toBe(0);
  });

  it('nothing stays open when the caller stops after the first batch', async () => {
    const rows = Array.from({ length: 20_000 }, (_, k) => `"${k + 1}","user ${k}"`).join('\n');
    const file = write(`"amplitude_id","user_id"\n${rows}\n`);
    for await (const batch of readCohortMembers(file, 'c1', 10)) {
      expect(batch).toHaveLength(10);
      break;
    }
    expect(await closedEventually(file)).toBe(0);
  });
});
