// A sync run: settings, catalog and state checked first (exit 2 before any output), then the sync
// loop with one client and one temporary directory that is removed however the run ends.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { requireSyncSettings, type Config } from '../config.js';
import { BadInput } from '../errors.js';
import { selectAll, selectFromCatalog, type SelectedStream } from '../singer/catalog.js';
import type { Logger } from '../singer/log.js';
import type { Metrics } from '../singer/metrics.js';
import { parseState, type StateValue } from '../singer/state.js';
import type { SingerWriter } from '../singer/writer.js';
import { chartsMissingFromCatalog, isConfigDependentStream, streamsFor } from '../streams/registry.js';
import { runSync, type SyncResult } from '../sync.js';
import { fromAirbyteState } from '../airbyte/state.js';
import { rfc3339 } from '../format.js';
import { clientFor } from './client.js';
import { readJsonFile } from './inputs.js';

export interface SyncArgs {
  config: Config;
  catalogPath?: string;
  statePath?: string;
  log: Logger;
  writer: SingerWriter;
  metrics: Metrics;
  signal: AbortSignal;
  /** `--test`: at most this many records per stream, no STATE. */
  maxRecordsPerStream?: number;
}

export const TEMP_PREFIX = 'tap-amplitude-';

/** The streams the catalog selects (all without one); throws BadInput. */
export function selectStreams(args: Pick<SyncArgs, 'config' | 'catalogPath' | 'log'>): SelectedStream[] {
  const streams = streamsFor(args.config);
  let selection = selectAll(streams);
  if (args.catalogPath) {
    const catalog = readJsonFile('catalog', args.catalogPath);
    const result = selectFromCatalog(catalog, streams, isConfigDependentStream);
    if (result.problems.length > 0) throw new BadInput(result.problems);
    [...result.warnings, ...chartsMissingFromCatalog(catalog, args.config)].forEach((w) => args.log.warn(w));
    selection = result.streams;
  }
  return selection;
}

/** Everything a sync needs from the user's files, validated; throws BadInput. */
export function prepareSync(args: Pick<SyncArgs, 'config' | 'catalogPath' | 'statePath' | 'log'>): {
  selection: SelectedStream[];
  state: StateValue | undefined;
} {
  requireSyncSettings(args.config);
  const selection = selectStreams(args);
  let state: StateValue | undefined;
  if (args.statePath) {
    const parsed = parseState(fromAirbyteState(readJsonFile('state', args.statePath), args.log));
    if (parsed.problems.length > 0) throw new BadInput(parsed.problems);
    state = parsed.state;
  }
  warnFutureStart(args.config, selection, state, args.log);
  return { selection, state };
}

/** Whether a process with this pid is still running (signal 0 only checks). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes the temporary directories of earlier runs that were killed (SIGKILL, out of memory) before cleaning up. */
export async function removeStaleTempDirs(root: string, log: Logger): Promise<void> {
  const names = await readdir(root).catch(() => [] as string[]);
  for (const name of names) {
    const m = new RegExp(`^${TEMP_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || isAlive(Number(m[1]))) continue;
    await rm(path.join(root, name), { recursive: true, force: true });
    log.info(`removed ${name}, left in the temporary directory by a tap that was killed`);
  }
}

/** A start_date after now gives the date-driven streams nothing to do: say which, rather than exit 0 in silence. */
function warnFutureStart(config: Config, selection: SelectedStream[], state: StateValue | undefined, log: Logger): void {
  const start = config.start_date;
  if (!start || start.toMillis() <= Date.now()) return;
  // The streams read from start_date: the incremental ones, unless a bookmark of theirs is used instead.
  const dated = new Set(streamsFor(config).filter((d) => d.replicationMethod === 'INCREMENTAL').map((d) => d.name));
  const idle = selection
    .filter((s) => dated.has(s.name) && !(s.replicationMethod === 'INCREMENTAL' && state?.bookmarks[s.name]))
    .map((s) => s.name);
  if (idle.length === 0) return;
  log.warn(`config: start_date ${rfc3339(start)} is in the future: ${idle.join(', ')} extract nothing until then`);
}

export async function syncCommand(args: SyncArgs): Promise<SyncResult> {
  const { selection, state } = prepareSync(args);
  await removeStaleTempDirs(os.tmpdir(), args.log);
  if (selection.length === 0) args.log.warn('the catalog selects no stream; nothing to sync');
  const tempDir = await mkdtemp(path.join(os.tmpdir(), `${TEMP_PREFIX}${process.pid}-`));
  try {
    const client = clientFor(args.config, args.log, args.signal, { metrics: args.metrics });
    return await runSync({
      config: args.config,
      streams: streamsFor(args.config),
      selection,
      state,
      client,
      writer: args.writer,
      log: args.log,
      metrics: args.metrics,
      signal: args.signal,
      tempDir,
      ...(args.maxRecordsPerStream !== undefined ? { maxRecordsPerStream: args.maxRecordsPerStream } : {}),
    });
  } finally {
    await rm(tempDir, { recursive: true, force: true });
  }
}
