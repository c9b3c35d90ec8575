// A streaming zip writer laid out like Amplitude's export archive (amplitude-api.md §5.4): every
// entry has general-purpose flag bit 3, a local header with CRC and sizes 0, a data descriptor
// WITH its PK\x07\x08 signature, and the central directory repeating CRC and sizes. Version 20,
// made by Unix, mode 0600, no extra fields, no comments. Entries may be stored (0) or deflated (8).
import { Readable } from 'node:stream';
import zlib from 'node:zlib';

export interface ZipEntrySource {
  name: string;
  method: 0 | 8;
  /** The entry's uncompressed bytes. */
  data: AsyncIterable<Buffer>;
}

const FLAG_DATA_DESCRIPTOR = 0x0008;
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;
const MODE_0600 = 0o600;

interface Written {
  name: Buffer;
  method: number;
  crc: number;
  compressed: number;
  uncompressed: number;
  offset: number;
}

/** DOS time and date fields (UTC, 2-second resolution). */
function dosDateTime(at: Date): { time: number; date: number } {
  return {
    time: (at.getUTCHours() << 11) | (at.getUTCMinutes() << 5) | (at.getUTCSeconds() >> 1),
    date: ((at.getUTCFullYear() - 1980) << 9) | ((at.getUTCMonth() + 1) << 5) | at.getUTCDate(),
  };
}

/** Yields the archive's bytes; entries and their data are pulled lazily, one at a time. */
export async function* zipStream(entries: Iterable<ZipEntrySource>, modified: Date): AsyncGenerator<Buffer> {
  const { time, date } = dosDateTime(modified);
  const written: Written[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(FLAG_DATA_DESCRIPTOR, 6);
    local.writeUInt16LE(entry.method, 8);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt16LE(name.length, 26); // CRC, sizes and extra length stay 0
    const record: Written = { name, method: entry.method, crc: 0, compressed: 0, uncompressed: 0, offset };
    yield Buffer.concat([local, name]);
    offset += local.length + name.length;

    const measured = measure(entry.data, record);
    const body = entry.method === 8 ? through(measured, zlib.createDeflateRaw({ level: 1, strategy: zlib.constants.Z_RLE, chunkSize: 256 * 1024 })) : measured;
    for await (const chunk of body) {
      record.compressed += chunk.length;
      yield chunk;
    }
    offset += record.compressed;

    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(record.crc, 4);
    descriptor.writeUInt32LE(record.compressed, 8);
    descriptor.writeUInt32LE(record.uncompressed, 12);
    yield descriptor;
    offset += descriptor.length;
    if (offset > 0xffffffff) throw new Error('archive exceeds 4 GiB; zip64 is not implemented by the simulator');
    written.push(record);
  }

  const central: Buffer[] = [];
  for (const w of written) {
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(MADE_BY_UNIX, 4);
    header.writeUInt16LE(VERSION, 6);
    header.writeUInt16LE(FLAG_DATA_DESCRIPTOR, 8);
    header.writeUInt16LE(w.method, 10);
    header.writeUInt16LE(time, 12);
    header.writeUInt16LE(date, 14);
    header.writeUInt32LE(w.crc, 16);
    header.writeUInt32LE(w.compressed, 20);
    header.writeUInt32LE(w.uncompressed, 24);
    header.writeUInt16LE(w.name.length, 28);
    header.writeUInt32LE((MODE_0600 << 16) >>> 0, 38);
    header.writeUInt32LE(w.offset, 42);
    central.push(header, w.name);
  }
  const centralBytes = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(written.length, 8);
  end.writeUInt16LE(written.length, 10);
  end.writeUInt32LE(centralBytes.length, 12);
  end.writeUInt32LE(offset, 16);
  yield Buffer.concat([centralBytes, end]);
}

/** Passes the data through while accumulating its CRC-32 and length into the record. */
async function* measure(data: AsyncIterable<Buffer>, record: Written): AsyncGenerator<Buffer> {
  for await (const chunk of data) {
    record.crc = zlib.crc32(chunk, record.crc);
    record.uncompressed += chunk.length;
    yield chunk;
  }
}

/** Runs an async byte source through a zlib transform, with backpressure, yielding its output. */
export async function* through(source: Iterable<string> | AsyncIterable<Buffer | string>, transform: zlib.Gzip | zlib.DeflateRaw): AsyncGenerator<Buffer> {
  const input = Readable.from(source);
  input.pipe(transform);
  try {
    for await (const chunk of transform) yield chunk as Buffer;
  } finally {
    input.destroy();
    transform.destroy();
  }
}
