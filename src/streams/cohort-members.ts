// Cohort membership (Behavioral Cohorts add-on; amplitude-api.md §13.3), opt-in through
// `cohort_ids` because Amplitude allows 500 downloads a month. Per cohort: skip it when its
// lastComputed/lastMod equal the bookmark's, else request, poll, download to a temporary file,
// stream-parse, emit, then checkpoint that cohort. Every record carries cohort_last_computed, the
// computation it belongs to: members who left keep an older value (see README, "Cohort members").
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { readCohortMembers } from '../amplitude/cohort-csv.js';
import { DEFAULT_POLL, fetchCohortFile, requestCohortFile, waitForCohortFile, type CohortDownload, type PollPolicy } from '../amplitude/cohort-download.js';
import { epochSecondsToUtc } from '../amplitude/dashboard.js';
import { systemClock } from '../amplitude/limiter.js';
import { cohortList, type ListedCohort } from '../amplitude/cohort-list.js';
import { AmplitudeHttpError } from '../amplitude/errors.js';
import { StreamFailure } from '../errors.js';
import { isObject } from '../json.js';
import { isCredentialsRejection } from '../failures.js';
import type { Bookmark } from '../singer/state.js';
import { loadSchema } from './schemas.js';
import type { StreamContext, StreamDefinition, StreamItem } from './types.js';

interface Seen {
  lastComputed: number;
  lastMod: number | null;
}

interface MembersBookmark {
  cohorts: Record<string, Seen>;
  downloads: { month: string; requests: number };
}

function checkBookmark(b: Bookmark): string | undefined {
  if (b.cohorts !== undefined) {
    if (!isObject(b.cohorts)) return '"cohorts" must be an object keyed by cohort ID';
    for (const [id, seen] of Object.entries(b.cohorts)) {
      if (!isObject(seen) || typeof seen.lastComputed !== 'number' || (seen.lastMod !== null && typeof seen.lastMod !== 'number')) {
        return `"cohorts"["${id}"] must be {"lastComputed": <epoch seconds>, "lastMod": <epoch seconds or null>}`;
      }
    }
  }
  const d = b.downloads;
  if (d !== undefined && (!isObject(d) || typeof d.month !== 'string' || !/^\d{4}-\d{2}$/.test(d.month) || !Number.isInteger(d.requests))) {
    return '"downloads" must be {"month": "YYYY-MM", "requests": <whole number>}';
  }
  return undefined;
}

/** TAP_AMPLITUDE_COHORT_POLL_MS="first,max" shortens the status polling (the test suites use it). */
function pollPolicy(): PollPolicy {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*$/.exec(process.env.TAP_AMPLITUDE_COHORT_POLL_MS ?? '');
  return m ? { ...DEFAULT_POLL, firstMs: Number(m[1]), maxMs: Number(m[2]) } : DEFAULT_POLL;
}

/** The cohorts `cohort_ids` names that can be downloaded, in config order ("all": every computed one). */
function targets(ctx: StreamContext, listed: ListedCohort[]): ListedCohort[] {
  const ids = ctx.config.cohort_ids;
  const all = ids.includes('all');
  const byId = new Map(listed.map((c) => [c.id, c]));
  const wanted = all ? listed : ids.flatMap((id) => {
    const cohort = byId.get(id);
    if (cohort === undefined) ctx.log.warn(`cohort ${id} (in cohort_ids) is not among the project's cohorts; check the ID`);
    return cohort === undefined ? [] : [cohort];
  });
  return wanted.filter((c) => {
    if (c.lastComputed !== null) return true;
    if (!all) ctx.log.info(`cohort ${c.id} has not been computed yet; nothing to download`);
    return false;
  });
}

/** A 403 that is not a rejected key means the plan lacks the Behavioral Cohorts add-on (§2, §9). */
async function listCohorts(ctx: StreamContext): Promise<ListedCohort[]> {
  try {
    return await cohortList(ctx.client);
  } catch (err) {
    if (!(err instanceof AmplitudeHttpError) || err.status !== 403 || isCredentialsRejection(err)) throw err;
    throw new StreamFailure(
      'Amplitude refused /api/3/cohorts (HTTP 403). Likely cause: the plan lacks the Behavioral Cohorts add-on (empty cohort_ids or deselect cohort_members); otherwise check api_key, secret_key and data_region.',
    );
  }
}

async function* syncMembers(ctx: StreamContext): AsyncGenerator<StreamItem> {
  const { config, log } = ctx;
  if (config.cohort_ids.length === 0) {
    log.info('cohort_ids is empty, so no cohort is downloaded (set it to a list of cohort IDs or "all")');
    return;
  }
  const before = ctx.bookmark;
  const month = ctx.now().toISOString().slice(0, 7);
  const state: MembersBookmark = {
    cohorts: { ...((before?.cohorts as Record<string, Seen> | undefined) ?? {}) },
    downloads: isObject(before?.downloads) && before.downloads.month === month ? { month, requests: Number(before.downloads.requests) } : { month, requests: 0 },
  };
  const checkpoint = (label: string): StreamItem => ({ bookmark: { cohorts: { ...state.cohorts }, downloads: { ...state.downloads } }, label });
  const download: CohortDownload = {
    client: ctx.client,
    clock: systemClock,
    poll: pollPolicy(),
    presigned: { userAgent: config.user_agent, idleTimeoutMs: config.request_timeout_seconds * 1000, signal: ctx.signal },
    log,
    signal: ctx.signal,
  };
  const todo = targets(ctx, await listCohorts(ctx));
  if (ctx.testRun === true) {
    // A test run writes no STATE, so a download it spent would not even be counted.
    log.info(`a test run lists the cohorts (${todo.length} to download) but downloads none: each download spends one of the 500 a month`);
    return;
  }
  for (const [n, cohort] of todo.entries()) {
    const seen = state.cohorts[cohort.id];
    if (seen !== undefined && seen.lastComputed === cohort.lastComputed && seen.lastMod === cohort.lastMod) {
      log.info(`cohort ${cohort.id} is unchanged since its last download; skipped`);
      continue;
    }
    if (state.downloads.requests >= config.cohort_download_budget) {
      const left = todo.slice(n).filter((c) => state.cohorts[c.id]?.lastComputed !== c.lastComputed || state.cohorts[c.id]?.lastMod !== c.lastMod);
      log.warn(
        `stopped: the monthly budget of ${config.cohort_download_budget} cohort downloads (cohort_download_budget) is spent for ${month}; not downloaded: ${left.map((c) => c.id).join(', ')} (they are downloaded on a later run once budget is left; raise cohort_download_budget, at most Amplitude's 500 a month)`,
      );
      // Not every cohort was read: a catalog that forces FULL_TABLE must not activate this as the whole table.
      yield { incomplete: 'the monthly download budget is spent' };
      return;
    }
    const requestId = await requestCohortFile(download, cohort.id, config.cohort_member_properties);
    state.downloads.requests++;
    // The request counts against the quota even if what follows fails: keep the count.
    yield checkpoint(`cohort ${cohort.id} requested`);
    log.info(`cohort ${cohort.id} requested (${state.downloads.requests}/${config.cohort_download_budget} this month); waiting for Amplitude to prepare it`);
    await waitForCohortFile(download, cohort.id, requestId);
    const file = path.join(ctx.tempDir, `cohort-${n}.csv`);
    await fetchCohortFile(download, cohort.id, requestId, file);
    const lastComputed = epochSecondsToUtc(cohort.lastComputed as number);
    let members = 0;
    for await (const batch of readCohortMembers(file, cohort.id)) {
      for (const m of batch) yield { record: { cohort_id: cohort.id, amplitude_id: m.amplitude_id, user_id: m.user_id, properties: m.properties, cohort_last_computed: lastComputed } };
      members += batch.length;
    }
    await rm(file, { force: true });
    log.info(`cohort ${cohort.id}: ${members} members`);
    state.cohorts[cohort.id] = { lastComputed: cohort.lastComputed as number, lastMod: cohort.lastMod };
    yield checkpoint(`cohort ${cohort.id} done`);
  }
}

export const cohortMembersStream: StreamDefinition = {
  name: 'cohort_members',
  schema: loadSchema('cohort_members'),
  keyProperties: ['cohort_id', 'amplitude_id'],
  replicationMethod: 'INCREMENTAL',
  checkBookmark,
  sync: syncMembers,
};
