// The cohort file reader: gzip or plain (the transfer may already have decoded it), quoted values
// with commas, quotes and newlines, multi-byte characters across read chunks, and bad rows.
import { afterAll, describe, expect, it } from '@jest/globals';
import { rmSync, writeFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { readCohortMembers, type CohortMember } from '../../src/amplitude/cohort-csv.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'cohort-csv-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function read(name: string, bytes: Buffer, batchSize?: number): Promise<{ members: CohortMember[]; batches: number }> {
  const file = path.join(dir, name);
  writeFileSync(file, bytes);
  const members: CohortMember[] = [];
  let batches = 0;
  for await (const batch of readCohortMembers(file, 'c1', batchSize)) {
    batches++;
    members.push(...batch);
  }
  return { members, batches };
}

const TEXT = [
  '"amplitude_id","user_id","country","gp:note"',
  '"356896327775","","Korea, Republic of",""',
  '"356896327776","user ""7"", ltd","Côte d\'Ivoire","two\nlines"',
  '',
].join('\n');
const EXPECTED: CohortMember[] = [
  { amplitude_id: 356896327775, user_id: null, properties: { country: 'Korea, Republic of', 'gp:note': null } },
  { amplitude_id: 356896327776, user_id: 'user "7", ltd', properties: { country: "Côte d'Ivoire", 'gp:note': 'two\nlines' } },
];

describe('readCohortMembers', () => {
  it('reads a plain CSV and the same CSV gzipped alike', async () => {
    expect((await read('plain.csv', Buffer.from(TEXT))).members).toEqual(EXPECTED);
    expect((await read('file.csv.gz', gzipSync(TEXT))).members).toEqual(EXPECTED);
  });

  it('reads the documented two-column file (no properties)', async () => {
    const { members } = await read('two.csv', Buffer.from('"amplitude_id","user_id"\n"356896327775",""\n'));
    expect(members).toEqual([{ amplitude_id: 356896327775, user_id: null, properties: {} }]);
  });

  it('keeps multi-byte characters whole across read chunks, in batches', async () => {
    // Files are read in 64 KiB chunks: the first user id is padded so that byte 65,536 falls inside
    // a three-byte character (papaparse decodes each chunk on its own unless given text).
    const build = (pad: number): Buffer => {
      const rows = Array.from({ length: 9000 }, (_, k) => `"${1000 + k}","u${k === 0 ? ' '.repeat(pad) : ''}${k}","${'✓'.repeat(30)} ${k}"`);
      return Buffer.from(['"amplitude_id","user_id","country"', ...rows].join('\n'));
    };
    const pad = [0, 1, 2, 3].find((p) => ((build(p)[65_536] as number) & 0xc0) === 0x80) as number;
    const { members, batches } = await read('big.csv', build(pad), 1000);
    expect(batches).toBe(9);
    expect(members.map((m) => m.properties.country)).toEqual(Array.from({ length: 9000 }, (_, k) => `${'✓'.repeat(30)} ${k}`));
    expect(members.at(-1)?.amplitude_id).toBe(9999);
  });

  it('fails on a row whose amplitude_id is not a whole number, naming the row', async () => {
    await expect(read('bad.csv', Buffer.from('"amplitude_id","user_id"\n"1","a"\n"x2","b"\n'))).rejects.toThrow(
      'cohort file of c1: data row 2 has amplitude_id "x2", not a whole number; the file is not in the expected shape',
    );
  });
});
