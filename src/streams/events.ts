// Raw events from the Export API (GET /api/2/export). Windows of `events_window_hours` upload
// hours from the bookmark (else start_date) to the last hour whose uploads are complete; each
// archive is streamed to a temporary file and read member by member, so memory does not grow
// with the archive; a STATE follows every completed window.
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { DateTime } from 'luxon';
import { describeRejection, readRejection } from '../amplitude/envelope.js';
import { AbortError } from '../amplitude/errors.js';
import { ArchiveError, assertZipMagic, readExportLineBatches } from '../amplitude/export-archive.js';
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
import { EventLineError, transformEventLine, type KeySelection } from '../amplitude/event-line.js';
import { StreamFailure } from '../errors.js';
import { plural, span } from '../format.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition, StreamItem } from './types.js';

const REPLICATION_KEY = 'server_upload_time';
/** Whole re-downloads of one window whose archive arrived corrupt (HTTP retries come on top). */
const ARCHIVE_ATTEMPTS = 3;
const NO_DATA_DETAIL = /raw data files were not found/i;
/** The Export API serves at most 365 days per request. */
const MAX_WINDOW_HOURS = 365 * 24;

const SCHEMA = loadSchema('events');

/** A window in log lines: its upload hours as an RFC 3339 span (the end excluded). */
const label = (w: HourWindow): string => span(w.start, afterWindow(w));

/**
 * The top-level keys a record keeps: all (null) when no declared field is deselected; otherwise the
 * selected ones plus any key the schema does not declare yet (new in the export), which the open
 * schema lets through.
 */
function keptKeys(selected: ReadonlySet<string>, declared: readonly string[]): KeySelection | null {
  if (declared.every((field) => selected.has(field))) return null;
  const known = new Set(declared);
  return { has: (key) => selected.has(key) || !known.has(key) };
}

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

async function* exportWindow(ctx: StreamContext, w: HourWindow, kept: KeySelection | null): AsyncGenerator<StreamItem> {
  const query = { start: hourParam(w.start), end: hourParam(w.end) };
  const file = path.join(ctx.tempDir, `export-${query.start}-${query.end}.zip`);
  let emitted = 0;
  try {
    for (let attempt = 1; ; attempt++) {
      const res = await ctx.client.download('/api/2/export', {
        endpoint: 'export',
        query,
        dest: file,
        passStatuses: [400, 404, 504],
        validate: assertZipMagic, // a 200 with an HTML or text body is retried, never skipped
      });
      if (res.status === 404) {
        const details = envelopeDetails(res.body);
        if (!NO_DATA_DETAIL.test(details)) {
          throw new StreamFailure(
            `export ${label(w)}: HTTP 404 without Amplitude's "no data" answer (${details || 'no Amplitude error body'}); check api_url and data_region`,
          );
        }
        ctx.log.info(`events: window ${label(w)}: no data`);
        break;
      }
      if (res.status === 400 || res.status === 504) {
        const halves = splitWindow(w);
        const why = res.status === 400 ? 'is over 4 GB' : 'timed out (504)';
        if (!halves) {
          throw new StreamFailure(
            `export ${label(w)}: even one hour of events ${why} at the Export API (${envelopeDetails(res.body) || `HTTP ${res.status}`}); export this hour with Amplitude's bulk export to Amazon S3 or Snowflake, then set the events bookmark past it`,
          );
        }
        ctx.log.warn(`events: window ${label(w)} ${why}; splitting it into ${label(halves[0])} and ${label(halves[1])}`);
        for (const half of halves) yield* exportWindow(ctx, half, kept);
        return; // each half wrote its own checkpoint
      }
      try {
        for await (const lines of readExportLineBatches(file)) {
          // A stop (SIGTERM, closed stdout) ends the window here: reading a large archive to its end first
          // would outlast the grace period, and the temporary files would stay behind.
          if (ctx.signal.aborted) throw new AbortError();
          const batch = new Array<string>(lines.length);
          for (let i = 0; i < lines.length; i++) batch[i] = transformEventLine(lines[i] as string, kept).recordJson;
          emitted += batch.length;
          yield { recordsJson: batch };
        }
        break;
      } catch (err) {
        if (err instanceof EventLineError) throw new StreamFailure(`export ${label(w)}: ${err.message}`);
        // The archive is checked whole (central directory, CRCs) before its first line, so nothing was emitted yet.
        if (!(err instanceof ArchiveError) || emitted > 0 || attempt >= ARCHIVE_ATTEMPTS) {
          if (err instanceof ArchiveError) throw new StreamFailure(`export ${label(w)}: the archive is unreadable after ${attempt} downloads: ${err.message}`);
          throw err;
        }
        ctx.log.warn(`events: window ${label(w)}: ${err.message}; downloading it again`);
      }
    }
  } finally {
    await rm(file, { force: true });
  }
  // Every hour of the window is complete (never past the lag), so the next sync starts after it.
  yield { bookmark: { [REPLICATION_KEY]: bookmarkValue(afterWindow(w)) } };
}

export const eventsStream: StreamDefinition = {
  name: 'events',
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
    if (ctx.config.events_source === 's3') {
      const { eventsFromBucket } = await import('./events-from-bucket.js');
      yield* eventsFromBucket(ctx, keptKeys(ctx.fields, Object.keys(SCHEMA.properties ?? {})));
      return;
    }
    const range = exportRange(ctx);
    if (!range) {
      ctx.log.info('events: nothing to export: the bookmark (or start_date) is already at end_date, or at the newest upload hour that is events_lag_hours old');
      return;
    }
    const size = Math.min(ctx.config.events_window_hours, MAX_WINDOW_HOURS);
    const windows = planWindows(range.first, range.last, size);
    ctx.log.info(`events: ${plural(windows.length, 'window')} of up to ${size} h, ${span(range.first, range.last.plus({ hours: 1 }))} (${hoursIn({ start: range.first, end: range.last })} upload hours)`);
    const kept = keptKeys(ctx.fields, Object.keys(SCHEMA.properties ?? {}));
    for (const w of windows) yield* exportWindow(ctx, w, kept);
  },
};
