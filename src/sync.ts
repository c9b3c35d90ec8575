// The sync loop: for each selected stream, SCHEMA, then its records and checkpoints as STATE,
// with field selection, backpressure and metrics. A failing stream is reported and the others
// still run (their state is saved); the run then ends with exit 1.
import type { Config } from './config.js';
import { BadInput } from './errors.js';
import type { SelectedStream } from './singer/catalog.js';
import type { Logger } from './singer/log.js';
import type { JsonSchema } from './singer/messages.js';
import type { Metrics } from './singer/metrics.js';
import { StreamProgress } from './singer/progress.js';
import { StateTracker, type StateValue } from './singer/state.js';
import type { SingerWriter } from './singer/writer.js';
import { RunShared, StreamLog } from './streams/context.js';
import type { StreamContext, StreamDefinition } from './streams/types.js';
import type { AmplitudeClient } from './amplitude/client.js';
import { isFatal, describeError } from './failures.js';
import { plural } from './format.js';

export interface SyncOptions {
  config: Config;
  streams: StreamDefinition[];
  selection: SelectedStream[];
  state: StateValue | undefined;
  client: AmplitudeClient;
  writer: SingerWriter;
  log: Logger;
  metrics: Metrics;
  signal: AbortSignal;
  tempDir: string;
  now?: () => Date;
  /** `--test`: stop each stream after this many records and write no STATE (a check moves no bookmark). */
  maxRecordsPerStream?: number;
}

export interface SyncResult {
  failures: string[];
  /** The streams that failed, by name, in the order they ran. */
  failedStreams: string[];
  /** Records written per stream that ran. */
  counts: Record<string, number>;
}

/** Checks every selected incremental stream's bookmark before anything is written (bad state = exit 2). */
export function checkBookmarks(opts: Pick<SyncOptions, 'streams' | 'selection' | 'state' | 'config'>, now: Date): void {
  const problems: string[] = [];
  for (const sel of opts.selection) {
    const def = opts.streams.find((s) => s.name === sel.name);
    const bookmark = opts.state?.bookmarks[sel.name];
    if (!def?.checkBookmark || !bookmark || sel.replicationMethod !== 'INCREMENTAL') continue;
    // Only the table version of a stream that ran as FULL_TABLE before: no bookmark to check yet.
    if (Object.keys(bookmark).every((k) => k === 'version')) continue;
    const problem = def.checkBookmark(bookmark, opts.config, now);
    if (problem) problems.push(`state: bookmarks["${sel.name}"]: ${problem}`);
  }
  if (problems.length > 0) throw new BadInput(problems);
}

/**
 * The table version of a FULL_TABLE stream for this run: epoch milliseconds (the convention of
 * tap-postgres and the Meltano SDK), and always above the version the input state recorded, so a
 * target never activates an older copy after a newer one.
 */
export function nextTableVersion(now: Date, previous: unknown): number {
  const ms = now.getTime();
  return typeof previous === 'number' && Number.isSafeInteger(previous) && previous >= ms ? previous + 1 : ms;
}

function selectedSchema(schema: JsonSchema, fields: readonly string[]): JsonSchema {
  const props = schema.properties ?? {};
  const out: Record<string, JsonSchema> = {};
  for (const f of fields) if (props[f]) out[f] = props[f];
  return { ...schema, properties: out };
}

/** The SCHEMA message of a selected stream (also all that `--test=schema` writes). */
export function writeSchema(writer: SingerWriter, def: StreamDefinition, sel: SelectedStream): void {
  const incremental = sel.replicationMethod === 'INCREMENTAL';
  writer.schema(sel.name, selectedSchema(def.schema, sel.fields), sel.keyProperties, incremental && sel.replicationKey ? [sel.replicationKey] : undefined);
}

export async function runSync(opts: SyncOptions): Promise<SyncResult> {
  const { writer, log, metrics } = opts;
  const now = opts.now ?? (() => new Date());
  checkBookmarks(opts, now());
  const tracker = new StateTracker(opts.state ?? { bookmarks: {} });
  const limit = opts.maxRecordsPerStream;
  const writeState = limit === undefined;
  if (opts.state && writeState) writer.state(tracker.snapshot());
  const shared = new RunShared();
  const selected = new Set(opts.selection.map((s) => s.name));
  const failures: string[] = [];
  const failedStreams: string[] = [];
  const counts: Record<string, number> = {};

  for (const sel of opts.selection) {
    const def = opts.streams.find((s) => s.name === sel.name);
    if (!def) continue;
    if (opts.signal.aborted) break;
    const incremental = sel.replicationMethod === 'INCREMENTAL';
    const fields = new Set(sel.fields);
    tracker.setCurrentlySyncing(sel.name);
    writeSchema(writer, def, sel);
    const ctx: StreamContext = {
      stream: sel.name,
      config: opts.config,
      client: opts.client,
      log: new StreamLog(sel.name, log),
      bookmark: incremental ? tracker.bookmark(sel.name) : undefined,
      fields,
      signal: opts.signal,
      tempDir: opts.tempDir,
      shared,
      selected,
      now,
      testRun: limit !== undefined,
    };
    const streamJson = JSON.stringify(sel.name);
    const openKeys = def.schema.additionalProperties === true ? new Set(Object.keys(def.schema.properties ?? {})) : null;
    let extractedAt = JSON.stringify(now().toISOString());
    const progress = new StreamProgress(sel.name, log);
    // FULL_TABLE streams replace their table: records carry this run's version, and ACTIVATE_VERSION
    // follows only a completely read stream. On a first sync (no version in the state) one also
    // comes just before the first record, as classic Singer taps do, so the table exists while it
    // loads; a stream that fails before any record (a missing chart) sends none at all.
    const previousVersion = tracker.bookmark(sel.name)?.version;
    // A --test run (a record limit) versions nothing: it never holds a whole table.
    const versioned = sel.replicationMethod === 'FULL_TABLE' && opts.config.emit_activate_version_messages && limit === undefined;
    const version = versioned ? nextTableVersion(now(), previousVersion) : undefined;
    let activateFirst = version !== undefined && previousVersion === undefined;
    // A versioned stream's records share the time_extracted of its first record (each is read in one
    // go): a target keeping it as _sdc_extracted_at can tell the latest run's rows from stale ones.
    const sameExtraction = version !== undefined;
    let complete = true;
    ctx.log.info('starting');
    try {
      for await (const item of def.sync(ctx)) {
        if ('bookmark' in item) {
          if (incremental) {
            tracker.setBookmark(sel.name, item.bookmark);
            if (writeState) writer.state(tracker.snapshot());
          }
          progress.checkpoint(item.progress?.position ?? item.label ?? Object.values(item.bookmark).map(String).join(','), item.progress);
        } else if ('incomplete' in item) {
          if (version !== undefined) ctx.log.info(`${item.incomplete}; this run's rows are not activated as the whole table`);
          complete = false;
        } else {
          if (activateFirst) {
            writer.activateVersion(sel.name, version as number);
            activateFirst = false;
          }
          if ('recordLines' in item) {
            const take = limit === undefined ? item.count : Math.min(item.count, limit - progress.count);
            let lines = take === item.count ? item.recordLines : firstLines(item.recordLines, take);
            if (version !== undefined) {
              if (progress.count === 0) extractedAt = JSON.stringify(now().toISOString());
              lines = withVersion(lines, version, extractedAt);
            }
            // The stream may reuse its buffer once written; a copy made above frees it at once.
            if (lines === item.recordLines) {
              writer.framedLines(lines, item.written);
            } else {
              writer.framedLines(lines);
              item.written?.();
            }
            progress.records(take);
            metrics.countRecords(sel.name, take);
          } else if ('recordsJson' in item) {
            // time_extracted: refreshed per batch rather than per record (cheap, still accurate).
            if (!sameExtraction || progress.count === 0) extractedAt = JSON.stringify(now().toISOString());
            const batch = limit === undefined ? item.recordsJson : item.recordsJson.slice(0, limit - progress.count);
            for (const json of batch) writer.recordJson(streamJson, json, extractedAt, version);
            progress.records(batch.length);
            metrics.countRecords(sel.name, batch.length);
          } else {
            // time_extracted: refreshed every 1,024 records rather than per record.
            if (sameExtraction ? progress.count === 0 : (progress.count & 1023) === 0) extractedAt = JSON.stringify(now().toISOString());
            writer.recordJson(streamJson, serialiseSelected(item.record, sel.fields, openKeys), extractedAt, version);
            progress.records(1);
            metrics.countRecords(sel.name);
          }
        }
        if (writer.backpressured) await writer.ready();
        // Leaving the loop closes the stream's generator, whose cleanup (temporary files) runs at once.
        if (limit !== undefined && progress.count >= limit) break;
      }
      progress.done();
      counts[sel.name] = progress.count;
      // A stream cut short by a stop request is never activated: its version holds only part of the table.
      if (version !== undefined && complete && !opts.signal.aborted) {
        writer.activateVersion(sel.name, version);
        // Kept under the stream's bookmark like tap-postgres does: the next run knows it is not a first sync.
        tracker.setBookmark(sel.name, { version });
        if (writeState) writer.state(tracker.snapshot());
      }
      ctx.log.info(`done, ${plural(progress.count, 'record')}`);
    } catch (err) {
      progress.done();
      if (isFatal(err, opts.signal)) {
        // Some targets keep only the STATE that follows the last RECORD: end on the last checkpoint
        // (currently_syncing still names the stream that was cut short).
        if (!writer.isClosed && writeState) writer.state(tracker.snapshot());
        throw err;
      }
      // Named once, also when the error starts with it (an endpoint called like its stream).
      const said = describeError(err).replace(`${sel.name}: `, (m, at: number) => (at === 0 ? '' : m));
      const message = `stream ${sel.name} failed: ${said}`;
      log.error(message);
      failures.push(message);
      failedStreams.push(sel.name);
    }
  }
  tracker.setCurrentlySyncing(null);
  if (writeState) writer.state(tracker.snapshot());
  return { failures, failedStreams, counts };
}

/**
 * The record with the selected fields in schema order (absent ones as null: some targets take their
 * columns from the first record), then, for open schemas, keys the schema does not declare yet (new
 * fields Amplitude adds reach the target instead of being dropped).
 */
function serialiseSelected(record: Record<string, unknown>, fields: readonly string[], declared: ReadonlySet<string> | null): string {
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = record[f] === undefined ? null : record[f];
  if (declared) for (const k of Object.keys(record)) if (!declared.has(k) && record[k] !== undefined) out[k] = record[k];
  return JSON.stringify(out);
}

/** The first `n` newline-terminated lines of `bytes`. */
function firstLines(bytes: Uint8Array, n: number): Uint8Array {
  let end = 0;
  for (let i = 0; i < n; i++) end = bytes.indexOf(0x0a, end) + 1;
  return bytes.subarray(0, end);
}

/**
 * Framed RECORD lines (ASCII) with a table version and one time_extracted, for a stream a catalog
 * runs as FULL_TABLE with ACTIVATE_VERSION: the envelope's time_extracted is the last member of each line.
 */
function withVersion(bytes: Uint8Array, version: number, extractedAt: string): Uint8Array {
  const lines = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('latin1').split('\n');
  lines.pop();
  const out = lines.map((l) => `${l.slice(0, l.lastIndexOf(',"time_extracted":'))},"version":${version},"time_extracted":${extractedAt}}`);
  return Buffer.from(out.join('\n') + '\n', 'latin1');
}
