// Test-only builders for archives laid out like the Export API's (amplitude-api.md §5.4): every
// entry has flag bit 3, a local header with CRC and sizes 0, and a `PK\x07\x08` data descriptor;
// the central directory repeats the real values.
import { crc32, deflateRawSync } from 'node:zlib';

export interface ZipMemberSpec {
  name: string;
  data: Buffer;
  /** 'stored' (method 0, what Amplitude sends) unless told otherwise. */
  method?: 'stored' | 'deflated';
  /** An extra field in the local header only (zip tools may write one there and not in the directory). */
  localExtra?: Buffer;
}

const DATA_DESCRIPTOR_FLAG = 0x0008;
const VERSION = 20;
const MADE_BY_UNIX = (3 << 8) | VERSION;
const DOS_TIME = (14 << 11) | (54 << 5) | (26 >> 1); // 14:54:26
const DOS_DATE = ((2026 - 1980) << 9) | (6 << 5) | 16; // 2026-06-16

export interface BuiltZip {
  zip: Buffer;
  /** Offset of each member's data (its first gzip byte) in `zip`. */
  dataOffsets: number[];
}

export function buildZip(members: ZipMemberSpec[]): BuiltZip {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  const dataOffsets: number[] = [];
  let offset = 0;
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const method = member.method === 'deflated' ? 8 : 0;
    const body = method === 8 ? deflateRawSync(member.data) : member.data;
    const crc = crc32(member.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(VERSION, 4);
    local.writeUInt16LE(DATA_DESCRIPTOR_FLAG, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt16LE(DOS_TIME, 10);
    local.writeUInt16LE(DOS_DATE, 12);
    local.writeUInt16LE(name.length, 26);
    const localExtra = member.localExtra ?? Buffer.alloc(0);
    local.writeUInt16LE(localExtra.length, 28);

    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(body.length, 8);
    descriptor.writeUInt32LE(member.data.length, 12);

    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(MADE_BY_UNIX, 4);
    entry.writeUInt16LE(VERSION, 6);
    entry.writeUInt16LE(DATA_DESCRIPTOR_FLAG, 8);
    entry.writeUInt16LE(method, 10);
    entry.writeUInt16LE(DOS_TIME, 12);
    entry.writeUInt16LE(DOS_DATE, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(body.length, 20);
    entry.writeUInt32LE(member.data.length, 24);
    entry.writeUInt16LE(name.length, 28);
    entry.writeUInt32LE((0o100600 << 16) >>> 0, 38);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);

    dataOffsets.push(offset + local.length + name.length + localExtra.length);
    parts.push(local, name, localExtra, body, descriptor);
    offset += local.length + name.length + localExtra.length + body.length + descriptor.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return { zip: Buffer.concat([...parts, directory, end]), dataOffsets };
}

/**
 * A single-member gzip file like Amplitude's (no file name, OS byte 255) with a chosen 4-byte
 * mtime field, so tests can place any byte sequence at offset 4 of a valid gzip file.
 */
export function gzipWithMtime(data: Buffer, mtime: Buffer): Buffer {
  if (mtime.length !== 4) throw new Error('gzip mtime is 4 bytes');
  const header = Buffer.from([0x1f, 0x8b, 8, 0, ...mtime, 0, 0xff]);
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32(data), 0);
  trailer.writeUInt32LE(data.length % 2 ** 32, 4);
  return Buffer.concat([header, deflateRawSync(data), trailer]);
}
