// GET /api/2/export: a zip of gzip members of JSON lines, one member per (upload hour, partition).
import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { EventSource, MAX_LINE_BYTES } from './events.js';
import { resolveOptions, type ResolvedOptions, type SimulatorOptions } from './options.js';
import { badRequest, jsonText, type Reply } from './replies.js';
import { HOUR_MS, memberDateHour, parseHourKey } from './time-format.js';
import { through, zipStream, type ZipEntrySource } from './zip-writer.js';

/** The exact bytes of the real "no data / not ready yet" answer (fixtures/amplitude/export-404.json). */
export const EXPORT_404_TEXT =
  '{"error": {"http_code": 404, "type": "unspecified", "message": "Unspecified Error", "metadata": {"details": "Raw data files were not found."}}}';
export const EXPORT_404_TYPE = 'application/json; charset=utf-8';

/** Archives whose worst-case size is below this are buffered and sent with content-length, like the real API. */
const BUFFER_LIMIT = 8 * 1024 * 1024;
const MAX_WINDOW_HOURS = 365 * 24;

export interface PlannedHour {
  hour: number;
  members: number[][];
}

export interface ExportStats {
  events: number;
  uncompressedBytes: number;
}

/** Upload hour H is exportable once now >= H + 1 h + lag (amplitude-api.md §5.2). */
export function lastExportableHour(nowMs: number, lagHours: number): number {
  return Math.floor(nowMs / HOUR_MS) - 1 - lagHours;
}

export class Exporter {
  readonly source: EventSource;
  private readonly hourBytes = new Map<number, number>();
  /** Pre-written archives by 'start..end' query (see serveArchiveFile). */
  private readonly archiveFiles = new Map<string, string>();

  constructor(private readonly o: ResolvedOptions) {
    this.source = new EventSource(o);
  }

  /**
   * Answers start=startHour&end=endHour with the bytes of `filePath` (an archive writeExportArchive
   * wrote for that window), as they are: benchmarks download archives faster than they can be generated.
   */
  serveArchiveFile(startHour: string, endHour: string, filePath: string): void {
    this.archiveFiles.set(`${startHour}..${endHour}`, filePath);
  }

  async handle(query: URLSearchParams): Promise<Reply> {
    const window = parseWindow(query);
    if ('status' in window) return window;
    const file = this.archiveFiles.get(`${query.get('start')}..${query.get('end')}`);
    if (file !== undefined) return archiveFileReply(file);
    const now = this.o.now();
    const plan = this.plan(window.first, window.last, now.getTime());
    if (plan.length === 0) return jsonText(404, EXPORT_404_TEXT, EXPORT_404_TYPE);
    const events = countEvents(plan);
    if (this.exceedsLimit(plan)) {
      return badRequest(
        `The file size of the exported data is too large. Shorten the time ranges and try again. The limit size is ${this.o.maxExportBytes} bytes.`,
      );
    }
    const headers: Record<string, string> = { 'content-type': 'application/zip' };
    if (events * MAX_LINE_BYTES <= BUFFER_LIMIT) {
      const chunks: Buffer[] = [];
      for await (const chunk of this.archive(plan, now, { events: 0, uncompressedBytes: 0 })) chunks.push(chunk);
      const body = Buffer.concat(chunks);
      return { status: 200, headers: { ...headers, 'content-length': String(body.length) }, body };
    }
    return { status: 200, headers, body: () => this.archive(plan, now, { events: 0, uncompressedBytes: 0 }) };
  }

  /** Exportable hours of [first, last] that hold events, with their members. */
  plan(first: number, last: number, nowMs: number): PlannedHour[] {
    const until = Math.min(last, lastExportableHour(nowMs, this.o.exportLagHours));
    const plan: PlannedHour[] = [];
    for (let hour = first; hour <= until; hour++) {
      const members = this.source.members(hour);
      if (members.length > 0) plan.push({ hour, members });
    }
    return plan;
  }

  /** The archive's bytes. Entries alternate stored / deflated (forged ones stored); `stats` fills in as it streams. */
  archive(plan: PlannedHour[], modified: Date, stats: ExportStats): AsyncGenerator<Buffer> {
    const src = this.source;
    const appId = this.o.appId;
    function* entries(): Generator<ZipEntrySource> {
      let k = 0;
      for (const { hour, members } of plan) {
        const [date, h] = memberDateHour(hour);
        for (const [n, member] of members.entries()) {
          // Forged members are always stored: only there does a false signature trip forward-only readers.
          const stored = k++ % 2 === 0 || src.forged(hour, n, member);
          yield {
            name: `${appId}/${appId}_${date}_${h}#${n}.json.gz`,
            method: stored ? 0 : 8,
            data: gzipMember(batches(src.memberLines(hour, n, member), stats)),
          };
        }
      }
    }
    return zipStream(entries(), modified);
  }

  /** Whether the uncompressed JSON exceeds maxExportBytes: cheap when the worst case fits, else exact (memoised per hour). */
  exceedsLimit(plan: PlannedHour[]): boolean {
    if (countEvents(plan) * MAX_LINE_BYTES <= this.o.maxExportBytes) return false;
    let total = 0;
    for (const { hour, members } of plan) {
      let bytes = this.hourBytes.get(hour);
      if (bytes === undefined) {
        bytes = 0;
        for (const [m, member] of members.entries()) for (const line of this.source.memberLines(hour, m, member)) bytes += Buffer.byteLength(line);
        this.hourBytes.set(hour, bytes);
      }
      total += bytes;
      if (total > this.o.maxExportBytes) return true;
    }
    return false;
  }
}

async function archiveFileReply(filePath: string): Promise<Reply> {
  const { size } = await fs.promises.stat(filePath);
  return {
    status: 200,
    headers: { 'content-type': 'application/zip', 'content-length': String(size) },
    body: () => fs.createReadStream(filePath, { highWaterMark: 1024 * 1024 }),
  };
}

function countEvents(plan: PlannedHour[]): number {
  let n = 0;
  for (const { members } of plan) for (const m of members) n += m.length;
  return n;
}

function parseWindow(query: URLSearchParams): { first: number; last: number } | Reply {
  const start = query.get('start');
  const end = query.get('end');
  if (start === null || end === null) return badRequest('Missing required parameters: start and end (YYYYMMDDTHH)');
  const first = parseHourKey(start);
  const last = parseHourKey(end);
  if (first === null) return badRequest(`Invalid start: ${start} (expected YYYYMMDDTHH)`);
  if (last === null) return badRequest(`Invalid end: ${end} (expected YYYYMMDDTHH)`);
  if (last < first) return badRequest('end must not be before start');
  if (last - first + 1 > MAX_WINDOW_HOURS) return badRequest('The time range exceeds the maximum of 365 days');
  return { first, last };
}

/** A member's JSON lines in ~64 KB strings (fewer, larger writes into gzip). */
function* batches(lines: Iterable<string>, stats: ExportStats): Generator<string> {
  let batch = '';
  for (const line of lines) {
    batch += line;
    stats.events++;
    if (batch.length >= 65536) {
      stats.uncompressedBytes += Buffer.byteLength(batch);
      yield batch;
      batch = '';
    }
  }
  if (batch) {
    stats.uncompressedBytes += Buffer.byteLength(batch);
    yield batch;
  }
}

// Level 3 is both faster and smaller than level 1 on this data; large buffers let generation (main
// thread) and compression (thread pool) overlap instead of taking turns.
const GZIP_OPTIONS: zlib.ZlibOptions = Object.assign({ level: 3, chunkSize: 256 * 1024 }, { highWaterMark: 1024 * 1024 });

/** One gzip member with mtime 0, no name, XFL 0 and OS byte 255, like the real members. */
async function* gzipMember(lines: Iterable<string>): AsyncGenerator<Buffer> {
  let position = 0;
  for await (const chunk of through(lines, zlib.createGzip(GZIP_OPTIONS))) {
    // zlib writes XFL 4 ("fastest") and OS 3 (Unix) at offsets 8 and 9; Amplitude's have 0 and 255.
    if (position <= 8 && position + chunk.length > 8) chunk[8 - position] = 0;
    if (position <= 9 && position + chunk.length > 9) chunk[9 - position] = 255;
    position += chunk.length;
    yield chunk;
  }
}

/**
 * Writes to `filePath` the archive the simulator would serve for start=startHour&end=endHour
 * ('YYYYMMDDTHH', both inclusive) at the options' clock (export lag applied). Throws when the
 * server would not answer 200 (no data → 404, over maxExportBytes → 400).
 */
export async function writeExportArchive(
  opts: SimulatorOptions,
  startHour: string,
  endHour: string,
  filePath: string,
): Promise<ExportStats> {
  const o = resolveOptions(opts);
  const first = parseHourKey(startHour);
  const last = parseHourKey(endHour);
  if (first === null || last === null || last < first) throw new Error(`invalid window ${startHour}..${endHour}`);
  const exporter = new Exporter(o);
  const now = o.now();
  const plan = exporter.plan(first, last, now.getTime());
  if (plan.length === 0) throw new Error(`no exportable data in ${startHour}..${endHour} (the server answers 404)`);
  if (exporter.exceedsLimit(plan)) throw new Error(`${startHour}..${endHour} exceeds maxExportBytes (the server answers 400)`);
  const stats: ExportStats = { events: 0, uncompressedBytes: 0 };
  await pipeline(Readable.from(exporter.archive(plan, now, stats)), fs.createWriteStream(filePath));
  return stats;
}
