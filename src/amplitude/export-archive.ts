// Reads a downloaded Export API archive (amplitude-api.md §5.4): a zip whose members are gzip files
// of newline-delimited JSON. Entries are located through the central directory (unzipper `Open`),
// never by scanning for data descriptors: a stored member's gzip bytes can contain `PK\x07\x08`,
// which makes forward-only parsers (unzipper `Parse()`) stop early (quirk 1).
import { createReadStream, type ReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { createGunzip, crc32 } from 'node:zlib';
import type { File as ZipEntry } from 'unzipper';
import { messageOf } from '../errors.js';
import { AmplitudeBodyError } from './errors.js';
import { GUNZIP_CHUNK, wholeLineChunks } from './line-chunks.js';
import { ReadAhead } from './read-ahead.js';

/** The archive is not a zip, is truncated, or has a corrupt member. Callers retry the download. */
export class ArchiveError extends AmplitudeBodyError {
  override name = 'ArchiveError';
}

const ZIP_MAGIC = Buffer.from('PK\x03\x04', 'latin1');
const CENTRAL_DIRECTORY_SIGNATURE = 0x02014b50;
const LOCAL_HEADER_SIGNATURE = 0x04034b50;
const LOCAL_HEADER_BYTES = 30;
// Reads of a stored member's bytes (unzipper's own streams keep 64 KiB, see FileSource.stream).
const STORED_READ_BYTES = 1 << 20;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED_FLAG = 0x1;
// Chunks of the next member read before the current one is done (each about the caller's minBytes).
const MEMBER_READ_AHEAD = 2;

// unzipper (with its dependencies) is loaded on first use rather than when the tap starts: the
// events stream asks for it as it starts, so that it loads while the first archive downloads.
let zipReader: Promise<typeof import('unzipper')> | null = null;

/** Starts loading the zip reader (once); the archive functions below wait for it. */
export function loadZipReader(): Promise<typeof import('unzipper')> {
  return (zipReader ??= import('unzipper'));
}

/** Rejects anything whose first 4 bytes are not `PK\x03\x04` (an HTML page or rate-limit text sent with 200, an empty file). */
export async function assertZipMagic(filePath: string): Promise<void> {
  const handle = await open(filePath, 'r');
  try {
    const head = Buffer.alloc(ZIP_MAGIC.length);
    const { bytesRead } = await handle.read(head, 0, head.length, 0);
    if (bytesRead < head.length || !head.equals(ZIP_MAGIC)) {
      const shown = JSON.stringify(head.subarray(0, bytesRead).toString('latin1'));
      throw new ArchiveError(`export body is not a zip archive (starts with ${shown}, expected "PK\\u0003\\u0004")`);
    }
  } finally {
    await handle.close();
  }
}

/**
 * Every member's decompressed bytes, member after member in central-directory order, as UTF-8
 * chunks of whole lines (each chunk ends at a newline, except possibly a member's last) of at least
 * `minBytes` where the member allows, for `exportChunkLines` (export-lines.ts) to split, possibly
 * on another thread. Each chunk is the only view of its ArrayBuffer (from `allocate`, which may
 * hand out a longer, reused one), so it can be transferred to a worker. Memory stays bounded by a
 * few chunks plus the longest line, whatever the archive size.
 *
 * Nothing is yielded until every member has been read once and checked against the central
 * directory (CRC-32 and size), so a corrupt or truncated archive fails before any line is produced.
 */
export async function* readExportChunks(filePath: string, minBytes: number, allocate: (bytes: number) => Uint8Array = (bytes) => new Uint8Array(bytes)): AsyncIterable<Uint8Array> {
  await assertZipMagic(filePath);
  const source = new FileSource(filePath);
  try {
    const entries = await openCentralDirectory(source);
    for (const entry of entries) await verifyEntry(entry, source);
    const reader = (entry: ZipEntry): ReadAhead<Uint8Array> => new ReadAhead(memberChunks(entry, source, minBytes, allocate)[Symbol.asyncIterator](), MEMBER_READ_AHEAD);
    // The next member inflates (up to a few chunks) while the current one is read.
    let current = entries.length > 0 ? reader(entries[0] as ZipEntry) : null;
    for (let k = 0; current !== null; k++) {
      const next = k + 1 < entries.length ? reader(entries[k + 1] as ZipEntry) : null;
      let finished = false;
      try {
        for (let item = await current.next(); item.done !== true; item = await current.next()) yield item.value;
        finished = true;
      } finally {
        await current.close();
        // Stopped early (an error, or the caller): the next member is not read either.
        if (!finished) await next?.close();
      }
      current = next;
    }
  } finally {
    source.closeAll();
  }
}

/**
 * Where a stored member's bytes start, or null to read the member through unzipper. unzipper's
 * per-entry stream (a PullStream that parses the local header, then a PassThrough) costs several
 * times a plain file read, on the main thread that feeds the decoding workers; Amplitude stores
 * every member (amplitude-api.md §5.4), so those are read straight from the file after their local
 * header. A deflated member, or a local header that is not one, goes through unzipper as before.
 */
async function storedStart(entry: ZipEntry, source: FileSource): Promise<number | null> {
  if (entry.compressionMethod !== STORED || entry.compressedSize === 0) return null;
  return source.dataStart(entry.offsetToLocalFileHeader);
}

async function* memberChunks(entry: ZipEntry, source: FileSource, minBytes: number, allocate: (bytes: number) => Uint8Array): AsyncIterable<Uint8Array> {
  const start = await storedStart(entry, source);
  const raw = start === null ? entry.stream() : source.range(start, entry.compressedSize);
  // gunzip checks the gzip trailer (CRC-32 and length) and fails on a truncated or garbled stream.
  const gunzip = createGunzip({ chunkSize: GUNZIP_CHUNK });
  raw.once('error', (err) => gunzip.destroy(err));
  raw.pipe(gunzip);
  try {
    yield* wholeLineChunks(gunzip as AsyncIterable<Buffer>, minBytes, allocate);
  } catch (err) {
    throw memberError(entry, err);
  } finally {
    raw.destroy();
    gunzip.destroy();
  }
}

// unzipper's `Open.file` leaves its read streams open when a reader stops early; this source keeps
// track of them so they can be closed whatever happens.
class FileSource {
  private readonly streams = new Set<ReadStream>();
  private opened: Promise<FileHandle> | null = null;
  private readBuffer: Buffer | null = null;
  private readonly starts = new Map<number, Promise<number | null>>();
  constructor(private readonly filePath: string) {}

  size = async (): Promise<number> => (await stat(this.filePath)).size;

  // unzipper passes `length` only when it knows one; like its own `Open.file`, `end` (inclusive) = start + length.
  // The default 64 KiB reads matter: unzipper queues up to 16 chunks ahead of the reader, so bigger
  // reads would multiply the memory held per member.
  stream = (start: number, length?: number): Readable => {
    const end = length ? start + length : undefined;
    const stream = createReadStream(this.filePath, { start, end });
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  };

  /** `bytes` bytes from `start` on, in large reads (for a consumer that keeps up, unlike unzipper's queue). */
  range(start: number, bytes: number): Readable {
    const stream = createReadStream(this.filePath, { start, end: start + bytes - 1, highWaterMark: STORED_READ_BYTES });
    this.streams.add(stream);
    stream.once('close', () => this.streams.delete(stream));
    return stream;
  }

  /** Where the data of the member whose local header is at `offset` starts, or null when no local header is there (read once per member). */
  dataStart(offset: number): Promise<number | null> {
    let start = this.starts.get(offset);
    if (start === undefined) this.starts.set(offset, (start = this.readDataStart(offset)));
    return start;
  }

  private async readDataStart(offset: number): Promise<number | null> {
    const header = Buffer.alloc(LOCAL_HEADER_BYTES);
    const { bytesRead } = await (await this.handle()).read(header, 0, LOCAL_HEADER_BYTES, offset);
    if (bytesRead < LOCAL_HEADER_BYTES || header.readUInt32LE(0) !== LOCAL_HEADER_SIGNATURE) return null;
    // The local header's own name and extra lengths, which may differ from the central directory's.
    return offset + LOCAL_HEADER_BYTES + header.readUInt16LE(26) + header.readUInt16LE(28);
  }

  /** CRC-32 and length of the bytes from `start` on, up to `bytes` of them (fewer where the file ends). */
  async crcOfRange(start: number, bytes: number): Promise<{ crc: number; size: number }> {
    const handle = await this.handle();
    const buffer = (this.readBuffer ??= Buffer.allocUnsafe(STORED_READ_BYTES));
    let crc = 0;
    let size = 0;
    while (size < bytes) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, bytes - size), start + size);
      if (bytesRead === 0) break;
      crc = crc32(buffer.subarray(0, bytesRead), crc);
      size += bytesRead;
    }
    return { crc, size };
  }

  private async handle(): Promise<FileHandle> {
    this.opened ??= open(this.filePath, 'r');
    return this.opened;
  }

  closeAll(): void {
    for (const stream of this.streams) stream.destroy();
    // Not awaited: nothing reads through it any more, and the file may be removed meanwhile.
    this.opened?.then((h) => h.close()).catch(() => undefined);
    this.opened = null;
  }
}

async function openCentralDirectory(source: FileSource): Promise<ZipEntry[]> {
  const { Open } = await loadZipReader();
  let files: ZipEntry[];
  try {
    ({ files } = await Open.custom(source));
  } catch (err) {
    throw new ArchiveError(`zip archive is truncated or its central directory is unreadable: ${messageOf(err)}`, { cause: err });
  }
  for (const entry of files) {
    // unzipper does not check these signatures; a wrong directory offset would otherwise yield garbage entries.
    if (entry.signature !== CENTRAL_DIRECTORY_SIGNATURE) {
      throw new ArchiveError('zip central directory is garbled (bad entry signature)');
    }
    if (entry.flags & ENCRYPTED_FLAG) throw new ArchiveError(`zip member ${entry.path} is encrypted`);
    if (entry.compressionMethod !== STORED && entry.compressionMethod !== DEFLATED) {
      throw new ArchiveError(`zip member ${entry.path} uses unsupported compression method ${entry.compressionMethod}`);
    }
  }
  return files.filter((entry) => entry.type !== 'Directory');
}

// unzipper does not verify CRC-32 when reading through the central directory, so every member's
// bytes (the gzip file, after inflating a deflated entry) are checked against the directory's CRC
// and size before any of them is used.
async function verifyEntry(entry: ZipEntry, source: FileSource): Promise<void> {
  let crc = 0;
  let size = 0;
  try {
    const start = await storedStart(entry, source);
    if (start !== null) {
      ({ crc, size } = await source.crcOfRange(start, entry.compressedSize));
    } else {
      for await (const chunk of entry.stream() as AsyncIterable<Buffer>) {
        crc = crc32(chunk, crc);
        size += chunk.length;
      }
    }
  } catch (err) {
    throw memberError(entry, err);
  }
  if (size !== entry.uncompressedSize) {
    throw new ArchiveError(`zip member ${entry.path} has ${size} bytes, the central directory says ${entry.uncompressedSize}`);
  }
  if (crc !== entry.crc32) {
    throw new ArchiveError(`zip member ${entry.path} fails its CRC-32 check (corrupt archive)`);
  }
}

// The errors caught while reading a member come from unzipper and zlib, never from this file.
function memberError(entry: ZipEntry, err: unknown): ArchiveError {
  return new ArchiveError(`zip member ${entry.path} is unreadable: ${messageOf(err)}`, { cause: err });
}

