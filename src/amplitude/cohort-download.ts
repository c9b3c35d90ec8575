// Cohort membership download, three steps (amplitude-api.md §13.3): request the file
// (/api/5/cohorts/request/{id}, counts against the 500-a-month quota), poll its status until
// "JOB COMPLETED", then GET /file: a small cohort comes in the body, a large one as a 302 to a
// pre-signed S3 URL valid for one minute, followed here by hand without Amplitude's credentials.
import { z } from 'zod';
import { StreamFailure } from '../errors.js';
import { AmplitudeBodyError } from './errors.js';
import type { AmplitudeClient } from './client.js';
import type { ApiLog } from './client-options.js';
import { fetchPresigned, type PresignedOptions } from './presigned.js';
import type { Clock } from './limiter.js';

export interface PollPolicy {
  /** First wait between status polls; each later wait is 1.5 times longer, up to maxMs. */
  firstMs: number;
  maxMs: number;
  /** Gives up on a job after this long. */
  timeoutMs: number;
}

/** Jobs usually take 30 to 60 s whatever the cohort size (§13.3). */
export const DEFAULT_POLL: PollPolicy = { firstMs: 5_000, maxMs: 60_000, timeoutMs: 2 * 60 * 60 * 1000 };

/** Fresh links asked for when S3 says a link has expired or the transfer broke. */
const MAX_LINKS = 5;

const requested = z.object({ request_id: z.string().min(1) });
const status = z.object({ async_status: z.string() });

export interface CohortDownload {
  client: AmplitudeClient;
  clock: Clock;
  poll: PollPolicy;
  presigned: PresignedOptions;
  log: Pick<ApiLog, 'info' | 'warn'>;
  signal?: AbortSignal;
}

/** Step 1: asks for the file; `properties` empty = no user properties (props=0). Returns the request id. */
export async function requestCohortFile(d: CohortDownload, cohortId: string, properties: readonly string[]): Promise<string> {
  const query = new URLSearchParams({ props: properties.length > 0 ? '1' : '0' });
  for (const p of properties) query.append('propKeys', p);
  const path = `/api/5/cohorts/request/${encodeURIComponent(cohortId)}?${query.toString()}`;
  const { status: code, body } = await d.client.getJson(path, { endpoint: 'cohort request' });
  const parsed = requested.safeParse(body);
  if (!parsed.success) throw new AmplitudeBodyError(`cohort request: Amplitude answered HTTP ${code} for cohort ${cohortId} without a request_id`);
  return parsed.data.request_id;
}

/** Step 2: polls until the job is done, waiting longer each time. */
export async function waitForCohortFile(d: CohortDownload, cohortId: string, requestId: string): Promise<void> {
  const started = d.clock.now();
  let waitMs = d.poll.firstMs;
  for (let polls = 1; ; polls++) {
    const path = `/api/5/cohorts/request-status/${encodeURIComponent(requestId)}`;
    const { body } = await d.client.getJson(path, { endpoint: 'cohort status' });
    const parsed = status.safeParse(body);
    const state = parsed.success ? parsed.data.async_status : undefined;
    if (state === 'JOB COMPLETED') return;
    if (state !== 'JOB INPROGRESS') {
      throw new StreamFailure(`cohort status: the download of cohort ${cohortId} ended as ${JSON.stringify(state ?? null)} instead of "JOB COMPLETED"; it is requested again on the next run`);
    }
    if (d.clock.now() - started + waitMs > d.poll.timeoutMs) {
      throw new StreamFailure(`cohort status: cohort ${cohortId} was still being prepared after ${Math.round(d.poll.timeoutMs / 60000)} minutes (${polls} polls); it is requested again on the next run`);
    }
    await d.clock.sleep(waitMs, d.signal);
    waitMs = Math.min(d.poll.maxMs, Math.round(waitMs * 1.5));
  }
}

/** Step 3: the file into `dest`, from the body or through the pre-signed link (a fresh one when it expired). */
export async function fetchCohortFile(d: CohortDownload, cohortId: string, requestId: string, dest: string): Promise<void> {
  const path = `/api/5/cohorts/request/${encodeURIComponent(requestId)}/file`;
  let problem = '';
  for (let link = 1; link <= MAX_LINKS; link++) {
    const answer = await d.client.download(path, { endpoint: 'cohort file', dest, passStatuses: [301, 302, 303, 307], followRedirect: false });
    if (answer.status >= 200 && answer.status < 300) return;
    if (answer.location === undefined) throw new StreamFailure(`cohort file: Amplitude answered HTTP ${answer.status} for cohort ${cohortId} without a Location to follow`);
    const fetched = await fetchPresigned(new URL(answer.location, d.client.baseUrl).toString(), dest, d.presigned);
    if (fetched.ok) return;
    problem = fetched.problem;
    d.log.warn(`cohort ${cohortId}: ${fetched.problem}; asking Amplitude for a fresh link (${link}/${MAX_LINKS})`);
    if (!fetched.expired) await d.clock.sleep(d.poll.firstMs, d.signal);
  }
  throw new StreamFailure(`cohort file: could not download cohort ${cohortId} after ${MAX_LINKS} links; last: ${problem}`);
}
