// The cohort file (amplitude-api.md §13.3): CSV with a header row, every value quoted,
// "amplitude_id","user_id" then one column per requested property; gzip-compressed unless the
// transfer already decoded it (gunzip only when the 1f 8b magic is there). Read as a stream by
// papaparse: memory does not grow with the cohort.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import Papa from 'papaparse';
import { AmplitudeBodyError } from './errors.js';

export interface CohortMember {
  amplitude_id: number;
  user_id: string | null;
  /** The other columns (requested user properties), as text; an empty cell is null. */
  properties: Record<string, string | null>;
}

async function isGzip(file: string): Promise<boolean> {
  const handle = await open(file, 'r');
  try {
    const magic = Buffer.alloc(2);
    // A file shorter than 2 bytes leaves zeros in `magic`, which never match.
    await handle.read(magic, 0, 2, 0);
    return magic[0] === 0x1f && magic[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** Decoded text: papaparse turns each Buffer chunk into a string on its own, which would cut a UTF-8 character in two. */
async function textStream(file: string): Promise<Readable> {
  const gzip = await isGzip(file);
  // Made after the sniff, in the tick its error listeners are added: a missing file is a rejection, not an unhandled 'error'.
  const raw = createReadStream(file);
  const text = gzip ? raw.pipe(createGunzip()) : raw;
  if (text !== raw) raw.once('error', (err) => text.destroy(err));
  return text.setEncoding('utf8');
}

/** Members in batches of up to `batchSize`, in file order. */
export async function* readCohortMembers(file: string, cohortId: string, batchSize = 1000): AsyncGenerator<CohortMember[]> {
  const source = await textStream(file);
  const rows = Papa.parse(Papa.NODE_STREAM_INPUT, { header: true, skipEmptyLines: 'greedy' }) as unknown as NodeJS.ReadWriteStream;
  source.once('error', (err) => (rows as unknown as Readable).destroy(err));
  source.pipe(rows);
  let batch: CohortMember[] = [];
  let line = 1;
  try {
    for await (const row of rows as unknown as AsyncIterable<Record<string, string | undefined>>) {
      line++;
      batch.push(member(row, cohortId, line));
      if (batch.length >= batchSize) {
        yield batch;
        batch = [];
      }
    }
  } finally {
    source.destroy();
  }
  if (batch.length > 0) yield batch;
}

function member(row: Record<string, string | undefined>, cohortId: string, line: number): CohortMember {
  const { amplitude_id: rawId, user_id: userId, ...rest } = row;
  const id = Number(rawId);
  if (rawId === undefined || !/^\d+$/.test(rawId.trim()) || !Number.isSafeInteger(id)) {
    throw new AmplitudeBodyError(`cohort file of ${cohortId}: data row ${line - 1} has amplitude_id ${JSON.stringify(rawId ?? null)}, not a whole number; the file is not in the expected shape`);
  }
  const properties: Record<string, string | null> = {};
  // Empty text and a missing cell (undefined) both become null.
  for (const [k, v] of Object.entries(rest)) if (k !== '__parsed_extra') properties[k] = v || null;
  return { amplitude_id: id, user_id: userId || null, properties };
}
