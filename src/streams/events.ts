// Raw events from the Export API (GET /api/2/export). Windows of `events_window_hours` upload
// hours from the bookmark (else start_date) to the last hour whose uploads are complete. Up to
// max_concurrency windows download ahead (window-prefetch.ts); each archive is streamed to a
// temporary file and read member by member, so memory does not grow with the archive; windows are
// written in order, each followed by its STATE.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describeRejection, readRejection } from '../amplitude/envelope.js';
import { AbortError } from '../amplitude/errors.js';
import { ArchiveError, assertZipMagic } from '../amplitude/export-archive.js';
import {
  afterWindow,
  bookmarkValue,
  floorHour,
  hourParam,
  hoursIn,
  lastExportableHour,
  lastHourBefore,
  parseBookmarkHour,
  planWindows,
  splitWindow,
  type HourWindow,
} from '../amplitude/export-hours.js';
import { EventLineError } from '../amplitude/event-line.js';
import { StreamFailure } from '../errors.js';
import { plural, span } from '../format.js';
import { framedItem, type FramedBatch, type FrameSpec } from './event-frames.js';
import { EventsDecoder } from './events-decoder.js';
import { fetchInOrder, type FetchJob, type Fetched } from './window-prefetch.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition, StreamItem } from './types.js';

const STREAM = 'events';
const REPLICATION_KEY = 'server_upload_time';
/** Whole re-downloads of one window whose archive arrived corrupt (HTTP retries come on top). */
const ARCHIVE_ATTEMPTS = 3;
const NO_DATA_DETAIL = /raw data files were not found/i;
/** The Export API serves at most 365 days per request. */
const MAX_WINDOW_HOURS = 365 * 24;

const SCHEMA = loadSchema('events');

/** A window in log lines: its upload hours as an RFC 3339 span (the end excluded). */
const label = (w: HourWindow): string => span(w.start, afterWindow(w));

function envelopeDetails(body: unknown): string {
  return describeRejection(readRejection(body), '');
}

/** The first hour to export and the last exportable one, or null when there is nothing to do yet. */
export function exportRange(ctx: Pick<StreamContext, 'config' | 'bookmark' | 'now'>): { first: DateTime; last: DateTime } | null {
  const { config } = ctx;
  const fromBookmark = ctx.bookmark ? parseBookmarkHour(ctx.bookmark[REPLICATION_KEY]) : null;
  const first = fromBookmark ?? floorHour(config.start_date as DateTime);
  let last = lastExportableHour(DateTime.fromJSDate(ctx.now(), { zone: 'utc' }), config.events_lag_hours);
  if (config.end_date) last = DateTime.min(last, lastHourBefore(config.end_date));
  return first <= last ? { first, last } : null;
}

/** An archive on disk, ready to read. */
interface Archive {
  file: string;
  bytes: number;
}

/**
 * Downloads one window: its archive, null for Amplitude's "no data" 404, or the halves to export
 * instead after a 400 (over 4 GB) or 504 (timed out). Removes its file when it fails.
 */
async function downloadWindow(ctx: StreamContext, job: FetchJob<HourWindow>, attempt: number): Promise<Fetched<HourWindow, Archive | null>> {
  const w = job.window;
  const query = { start: hourParam(w.start), end: hourParam(w.end) };
  // One name per download attempt: a re-download never writes over a file still being read.
  const file = path.join(ctx.tempDir, `export-${query.start}-${query.end}-${attempt}.zip`);
  try {
    const res = await ctx.client.download('/api/2/export', {
      endpoint: 'export',
      query,
      dest: file,
      passStatuses: [400, 404, 504],
      isAnswer: (status, body) => status === 404 && NO_DATA_DETAIL.test(envelopeDetails(body)),
      validate: assertZipMagic, // a 200 with an HTML or text body is retried, never skipped
      signal: job.signal,
      onBytes: job.onBytes,
    });
    if (res.status === 404) {
      await rm(file, { force: true });
      const details = envelopeDetails(res.body);
      if (!NO_DATA_DETAIL.test(details)) {
        throw new StreamFailure(
          `export ${label(w)}: HTTP 404 without Amplitude's "no data" answer (${details || 'no Amplitude error body'}); check api_url and data_region`,
        );
      }
      return { result: null, bytes: 0 };
    }
    if (res.status === 400 || res.status === 504) {
      await rm(file, { force: true });
      const halves = splitWindow(w);
      const why = res.status === 400 ? 'is over 4 GB' : 'timed out (504)';
      if (!halves) {
        throw new StreamFailure(
          `export ${label(w)}: even one hour of events ${why} at the Export API (${envelopeDetails(res.body) || `HTTP ${res.status}`}); export this hour with Amplitude's bulk export to Amazon S3 or Snowflake, then set the events bookmark past it`,
        );
      }
      ctx.log.warn(`window ${label(w)} ${why}; splitting it into ${label(halves[0])} and ${label(halves[1])}`);
      return { split: halves };
    }
    return { result: { file, bytes: res.bytes }, bytes: res.bytes };
  } catch (err) {
    await rm(file, { force: true });
    throw err;
  }
}

/** The window's records, framed, batch by batch; an ArchiveError means the archive must be downloaded again (nothing was yielded). */
async function* windowRecords(ctx: StreamContext, w: HourWindow, file: string, decoder: EventsDecoder, spec: FrameSpec): AsyncGenerator<FramedBatch> {
  try {
    for await (const batch of decoder.decode(file, spec)) {
      // A stop (SIGTERM, closed stdout) ends the window here: reading a large archive to its end first
      // would outlast the grace period, and the temporary files would stay behind.
      if (ctx.signal.aborted) throw new AbortError();
      yield batch;
    }
  } catch (err) {
    if (err instanceof EventLineError) throw new StreamFailure(`export ${label(w)}: ${err.message}`);
    throw err;
  }
}

/**
 * Every window's records then its STATE, in plan order, while up to max_concurrency later windows
 * download. A corrupt archive is downloaded again in place (its records were not yet emitted).
 */
async function* exportInOrder(ctx: StreamContext, windows: HourWindow[], spec: FrameSpec): AsyncGenerator<StreamItem> {
  const decoder = EventsDecoder.start();
  try {
    yield* exportWindows(ctx, windows, decoder, spec);
  } finally {
    await decoder.stop();
  }
}

async function* exportWindows(ctx: StreamContext, windows: HourWindow[], decoder: EventsDecoder, spec: FrameSpec): AsyncGenerator<StreamItem> {
  const attempts = new Map<string, number>();
  const fetchOnce = (job: FetchJob<HourWindow>): Promise<Fetched<HourWindow, Archive | null>> => {
    const key = label(job.window);
    const attempt = (attempts.get(key) ?? 0) + 1;
    attempts.set(key, attempt);
    return downloadWindow(ctx, job, attempt);
  };
  const handed = fetchInOrder<HourWindow, Archive | null>(windows, {
    maxInFlight: ctx.config.max_concurrency,
    maxAhead: ctx.config.max_concurrency * 4,
    diskLimitBytes: ctx.config.max_temp_disk_mb * 1024 * 1024,
    sizeOf: hoursIn,
    fetch: fetchOnce,
    release: async (archive) => {
      if (archive) await rm(archive.file, { force: true });
    },
    onDiskWait: (w) => ctx.log.info(`window ${label(w)} waits: the archives on disk reached max_temp_disk_mb (${ctx.config.max_temp_disk_mb} MB)`),
  });
  for await (const { window: w, result, index, total } of handed) {
    let records = 0;
    let bytes = result?.bytes ?? 0;
    if (result === null) ctx.log.info(`window ${label(w)}: no data`);
    const redownloaded: string[] = [];
    try {
      for (let archive = result, downloads = 1; archive !== null; downloads++) {
        try {
          for await (const batch of windowRecords(ctx, w, archive.file, decoder, spec)) {
            records += batch.count;
            yield framedItem(batch);
          }
          break;
        } catch (err) {
          // The archive is checked whole (central directory, CRCs) before its first line, so nothing was emitted yet.
          if (!(err instanceof ArchiveError) || records > 0) throw err;
          if (downloads >= ARCHIVE_ATTEMPTS) throw new StreamFailure(`export ${label(w)}: the archive is unreadable after ${downloads} downloads: ${err.message}`);
          ctx.log.warn(`window ${label(w)}: ${err.message}; downloading it again`);
          const again = await fetchOnce({ window: w, signal: ctx.signal, onBytes: () => undefined });
          if ('split' in again) throw new StreamFailure(`export ${label(w)}: the archive was corrupt, and downloading it again was refused as too big; lower events_window_hours`);
          archive = again.result;
          if (archive !== null) {
            redownloaded.push(archive.file);
            bytes += archive.bytes;
          }
        }
      }
    } finally {
      for (const file of redownloaded) await rm(file, { force: true });
    }
    // Every hour of the window is complete (never past the lag), so the next sync starts after it.
    const bookmark = bookmarkValue(afterWindow(w));
    yield { bookmark: { [REPLICATION_KEY]: bookmark }, progress: { position: bookmark, index, total, bytes } };
  }
}

export const eventsStream: StreamDefinition = {
  name: STREAM,
  schema: SCHEMA,
  keyProperties: ['uuid'],
  replicationMethod: 'INCREMENTAL',
  replicationKey: REPLICATION_KEY,

  checkBookmark(bookmark, _config, now) {
    const value = bookmark[REPLICATION_KEY];
    if (value === undefined || value === null) return undefined;
    const hour = parseBookmarkHour(value);
    if (!hour) return `${REPLICATION_KEY} ${JSON.stringify(value)} is not a timestamp; expected RFC 3339 such as 2026-06-16T12:00:00Z`;
    if (hour > DateTime.fromJSDate(now, { zone: 'utc' })) return `${REPLICATION_KEY} ${JSON.stringify(value)} is in the future; fix or remove the events bookmark`;
    return undefined;
  },

  async *sync(ctx) {
    const spec: FrameSpec = { streamJson: JSON.stringify(STREAM), selected: [...ctx.fields], declared: Object.keys(SCHEMA.properties ?? {}) };
    if (ctx.config.events_source === 's3') {
      const { eventsFromBucket } = await import('./events-from-bucket.js');
      yield* eventsFromBucket(ctx, spec);
      return;
    }
    const range = exportRange(ctx);
    if (!range) {
      ctx.log.info('nothing to export: the bookmark (or start_date) is already at end_date, or at the newest upload hour that is events_lag_hours old');
      return;
    }
    const size = Math.min(ctx.config.events_window_hours, MAX_WINDOW_HOURS);
    const windows = planWindows(range.first, range.last, size);
    ctx.log.info(`${plural(windows.length, 'window')} of up to ${size} h, ${span(range.first, range.last.plus({ hours: 1 }))} (${hoursIn({ start: range.first, end: range.last })} upload hours)`);
    yield* exportInOrder(ctx, windows, spec);
  },
};
